-- Rollcall's first schema: schools, enrolments, marks and their history, behaviour, exclusions,
-- the import log and the attendance code table.

CREATE TYPE session_name AS ENUM ('AM', 'PM');

CREATE SEQUENCE import_id_seq START 1;
CREATE SEQUENCE enrolment_id_seq START 1;

CREATE TABLE imports (
    import_id       INTEGER PRIMARY KEY,
    file_name       VARCHAR NOT NULL,
    sha256          VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,
    school_urn      INTEGER NOT NULL,
    rows_read       INTEGER NOT NULL,
    new_rows        INTEGER NOT NULL,
    changed_rows    INTEGER NOT NULL,
    unchanged_rows  INTEGER NOT NULL,
    skipped_rows    INTEGER NOT NULL,
    notes           VARCHAR,
    imported_at     TIMESTAMP NOT NULL
);

CREATE TABLE schools (
    urn             INTEGER PRIMARY KEY,
    name            VARCHAR NOT NULL,
    phase           VARCHAR NOT NULL,
    laestab         VARCHAR,
    created_by_import INTEGER
);

-- One pupil (UPN) at one school (URN), as DfE counts enrolments. year_group is the NC year in
-- the academic year year_group_academic_year; other years move one year group per year.
-- admission_date is the first admission and leaving_date the leaving date of the latest spell;
-- the spells themselves (a pupil may leave and come back) are in enrolment_spells.
CREATE TABLE enrolments (
    enrolment_id    INTEGER PRIMARY KEY DEFAULT nextval('enrolment_id_seq'),
    school_urn      INTEGER NOT NULL,
    upn             VARCHAR NOT NULL,
    forename        VARCHAR NOT NULL,
    surname         VARCHAR NOT NULL,
    date_of_birth   DATE NOT NULL,
    sex             VARCHAR,
    year_group      VARCHAR NOT NULL,
    year_group_academic_year SMALLINT NOT NULL,
    form            VARCHAR,
    admission_date  DATE NOT NULL,
    leaving_date    DATE,
    fsm             BOOLEAN,
    fsm6            BOOLEAN,
    looked_after    BOOLEAN,
    sen             VARCHAR,
    eal             BOOLEAN,
    ethnicity       VARCHAR,
    disadvantaged   BOOLEAN,
    import_id       INTEGER NOT NULL,
    UNIQUE (school_urn, upn)
);

-- The periods an enrolment was on roll (inclusive; open when leaving_date is NULL). A session
-- counts only inside a spell.
CREATE TABLE enrolment_spells (
    enrolment_id    INTEGER NOT NULL,
    admission_date  DATE NOT NULL,
    leaving_date    DATE,
    import_id       INTEGER NOT NULL,
    PRIMARY KEY (enrolment_id, admission_date)
);

-- The current mark of each enrolment, date and session. No index: uniqueness is kept by the
-- importer, which merges every file against what is here (an index would slow bulk imports).
CREATE TABLE marks (
    school_urn      INTEGER NOT NULL,
    enrolment_id    INTEGER NOT NULL,
    date            DATE NOT NULL,
    session         session_name NOT NULL,
    code            VARCHAR NOT NULL,
    minutes_late    SMALLINT,
    import_id       INTEGER NOT NULL
);

-- Every mark that a later import replaced. Rows are only ever added.
CREATE TABLE mark_history (
    school_urn      INTEGER NOT NULL,
    enrolment_id    INTEGER NOT NULL,
    date            DATE NOT NULL,
    session         session_name NOT NULL,
    code            VARCHAR NOT NULL,
    minutes_late    SMALLINT,
    import_id       INTEGER NOT NULL,
    replaced_by_import INTEGER NOT NULL,
    replaced_by_code VARCHAR NOT NULL
);

CREATE TABLE behaviour_incidents (
    incident_key    VARCHAR PRIMARY KEY,
    school_urn      INTEGER NOT NULL,
    enrolment_id    INTEGER NOT NULL,
    date            DATE NOT NULL,
    time            VARCHAR,
    type            VARCHAR NOT NULL,
    category        VARCHAR NOT NULL,
    points          INTEGER,
    severity        INTEGER,
    location        VARCHAR,
    subject         VARCHAR,
    staff           VARCHAR,
    action          VARCHAR,
    notes           VARCHAR,
    import_id       INTEGER NOT NULL
);

CREATE TABLE exclusions (
    school_urn      INTEGER NOT NULL,
    enrolment_id    INTEGER NOT NULL,
    start_date      DATE NOT NULL,
    end_date        DATE,
    category        VARCHAR NOT NULL,
    sessions        INTEGER NOT NULL,
    reason_1        VARCHAR,
    reason_2        VARCHAR,
    reason_3        VARCHAR,
    import_id       INTEGER NOT NULL,
    UNIQUE (enrolment_id, start_date, category)
);

-- A copy of analytics/domain/attendance_codes.csv, refreshed whenever the store is opened for
-- writing, so that SQL readers see the same rules as the pipelines.
CREATE TABLE attendance_codes (
    code                VARCHAR NOT NULL,
    meaning             VARCHAR NOT NULL,
    category            VARCHAR NOT NULL,
    counts_as_possible  BOOLEAN NOT NULL,
    late                VARCHAR,
    valid_from          DATE NOT NULL,
    valid_to            DATE NOT NULL,
    withdrawn_from      DATE,
    source              VARCHAR NOT NULL,
    PRIMARY KEY (code, valid_from)
);

CREATE VIEW register_marks AS
SELECT m.school_urn, e.upn, m.date, m.session, m.code, m.minutes_late, m.import_id
FROM marks m JOIN enrolments e USING (enrolment_id);
