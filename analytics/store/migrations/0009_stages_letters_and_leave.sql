-- The staged attendance procedure (issue 14):
-- 1. every move of a pupil between stages, as recomputed from the register as of a date;
-- 2. each school's own copies of the letter templates (every saved version kept);
-- 3. the PDF of each letter sent, kept with the intervention that records it in the chronology;
-- 4. leave of absence requests and their decisions.

-- The moves of one school's academic year, as the stages file (`stages_digest`) reads the
-- register as of `as_of`; recording them again replaces that school's year.
CREATE TABLE stage_moves (
    school_urn      INTEGER NOT NULL,
    enrolment_id    INTEGER NOT NULL,
    academic_year   SMALLINT NOT NULL,
    date            DATE NOT NULL,
    from_stage      SMALLINT NOT NULL,
    to_stage        SMALLINT NOT NULL,
    stage_key       VARCHAR,
    reason          VARCHAR NOT NULL,
    as_of           DATE NOT NULL,
    stages_digest   VARCHAR NOT NULL,
    recorded_by     VARCHAR NOT NULL,
    recorded_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (enrolment_id, academic_year, date)
);

-- A school's copy of a letter template (Markdown with merge fields); the latest saved wins.
CREATE TABLE letter_templates (
    school_urn      INTEGER NOT NULL,
    template        VARCHAR NOT NULL,
    body            VARCHAR NOT NULL,
    saved_by        VARCHAR NOT NULL,
    saved_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (school_urn, template, saved_at)
);

-- The PDF of a letter as sent, beside the intervention (a `Letter`) that records it.
CREATE TABLE intervention_documents (
    intervention_id INTEGER NOT NULL PRIMARY KEY,
    file_name       VARCHAR NOT NULL,
    content         BLOB NOT NULL,
    created_at      TIMESTAMP NOT NULL
);

CREATE SEQUENCE leave_request_id_seq START 1;

-- A request for leave of absence in term time and the head teacher's decision.
CREATE TABLE leave_requests (
    request_id      INTEGER NOT NULL PRIMARY KEY,
    school_urn      INTEGER NOT NULL,
    enrolment_id    INTEGER NOT NULL,
    first_day       DATE NOT NULL,
    last_day        DATE NOT NULL,
    reason          VARCHAR NOT NULL,
    decision        VARCHAR NOT NULL,
    decided_by      VARCHAR,
    decided_on      DATE,
    recorded_by     VARCHAR NOT NULL,
    recorded_at     TIMESTAMP NOT NULL
);
