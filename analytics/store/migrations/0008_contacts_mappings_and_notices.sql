-- The attendance team's morning and its returns to the local authority (issue 13):
-- 1. pupils' contacts, from a contacts file (one row per contact of a pupil, by priority);
-- 2. what the pupils file may add for the returns and the calling list: the pupil's address and
--    postcode, the ground of leaving, and the social-care and vulnerable flags;
-- 3. the column headings a school's MIS writes, saved once per school and kind of file;
-- 4. the parent a penalty notice was issued to (its outcome is the intervention's outcome).

-- A pupil's contacts as the latest contacts file holding the pupil gave them: a file replaces
-- the contacts of every pupil it lists (a contact removed in the MIS goes), others keep theirs.
CREATE TABLE pupil_contacts (
    school_urn              INTEGER NOT NULL,
    enrolment_id            INTEGER NOT NULL,
    priority                SMALLINT NOT NULL,
    contact_name            VARCHAR NOT NULL,
    relationship            VARCHAR NOT NULL,
    phone                   VARCHAR,
    mobile                  VARCHAR,
    email                   VARCHAR,
    address                 VARCHAR,
    postcode                VARCHAR,
    parental_responsibility BOOLEAN,
    lives_with_pupil        BOOLEAN,
    import_id               INTEGER NOT NULL,
    PRIMARY KEY (enrolment_id, priority)
);

ALTER TABLE enrolments ADD COLUMN address VARCHAR;
ALTER TABLE enrolments ADD COLUMN postcode VARCHAR;
ALTER TABLE enrolments ADD COLUMN leaving_reason VARCHAR;
ALTER TABLE enrolments ADD COLUMN social_care BOOLEAN;
ALTER TABLE enrolments ADD COLUMN vulnerable BOOLEAN;

-- A heading of a school's files read as one of Rollcall's columns (`heading` as the file writes
-- it), for one kind of file; saved by a data manager on the Import page.
CREATE TABLE column_mappings (
    school_urn      INTEGER NOT NULL,
    kind            VARCHAR NOT NULL,
    column_name     VARCHAR NOT NULL,
    heading         VARCHAR NOT NULL,
    saved_by        VARCHAR NOT NULL,
    saved_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (school_urn, kind, column_name)
);

-- Every version of an intervention keeps the parent a penalty notice was issued to.
ALTER TABLE intervention_versions ADD COLUMN issued_to VARCHAR;

-- The view is bound to the table's columns when made: made again to carry the new one.
CREATE OR REPLACE VIEW interventions AS
SELECT * EXCLUDE (deleted) FROM (
    SELECT * FROM intervention_versions
    QUALIFY row_number() OVER (PARTITION BY intervention_id ORDER BY version DESC) = 1
) WHERE NOT deleted;
