-- Storage for trust and local-authority size (issue 6):
-- 1. register codes as a one-byte ENUM (sessions already are), in marks and in the mark history;
-- 2. marks rewritten in (school, date) order, so that a school's or a window's row groups are
--    found from DuckDB's min/max statistics instead of scanning the table;
-- 3. `counted_sessions`: the one SQL statement of which marks count and how (the code in force
--    on the session's date, inside a spell on roll), mirroring analytics.pipelines.sessions;
-- 4. weekly totals per enrolment and the codes used per school day, kept up to date by every
--    merge (analytics/store/aggregates.py), so pages never scan raw marks for what they answer.
-- Readers see codes as VARCHAR: read.* and register_marks cast them back.

CREATE TYPE attendance_code AS ENUM (
    '/', '\', 'L', 'B', 'K', 'V', 'P', 'W', 'J', 'D', 'C1', 'M', 'J1', 'S', 'X', 'C2', 'C', 'T', 'R',
    'I', 'E', 'H', 'F', 'Q', 'Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6', 'Y7', 'Y', 'G', 'N', 'O', 'U', 'Z', '#'
);

CREATE TABLE marks_compact (
    school_urn      INTEGER NOT NULL,
    enrolment_id    INTEGER NOT NULL,
    date            DATE NOT NULL,
    session         session_name NOT NULL,
    code            attendance_code NOT NULL,
    minutes_late    SMALLINT,
    import_id       INTEGER NOT NULL
);
INSERT INTO marks_compact
SELECT school_urn, enrolment_id, date, session, code::attendance_code, minutes_late, import_id
FROM marks ORDER BY school_urn, date, enrolment_id, session;
DROP VIEW register_marks;
DROP TABLE marks;
ALTER TABLE marks_compact RENAME TO marks;

ALTER TABLE mark_history ALTER COLUMN code TYPE attendance_code;
ALTER TABLE mark_history ALTER COLUMN replaced_by_code TYPE attendance_code;

CREATE VIEW register_marks AS
SELECT m.school_urn, e.upn, m.date, m.session, m.code::VARCHAR AS code, m.minutes_late, m.import_id
FROM marks m JOIN enrolments e USING (enrolment_id);

-- How each code counts while it is in force: a 0/1 column per session measure (the SQL twin of
-- pipelines.sessions.classify_marks, over the code table kept in attendance_codes).
CREATE VIEW code_flags AS
SELECT code::attendance_code AS code, valid_from, valid_to, category,
       counts_as_possible::UTINYINT AS possible,
       (category IN ('present', 'aea'))::UTINYINT AS attended,
       (category = 'present')::UTINYINT AS present,
       (category = 'aea')::UTINYINT AS aea,
       (category = 'authorised')::UTINYINT AS authorised,
       (category = 'unauthorised')::UTINYINT AS unauthorised,
       (category IN ('authorised', 'unauthorised'))::UTINYINT AS absent,
       coalesce(late = 'before_close', FALSE)::UTINYINT AS late_before_close,
       coalesce(late = 'after_close', FALSE)::UTINYINT AS late_after_close
FROM attendance_codes;

-- One row per mark that counts (its code in force on its date, the date inside a spell on roll),
-- classified: the SQL twin of pipelines.sessions.counted_sessions.
CREATE VIEW counted_sessions AS
SELECT m.school_urn, m.enrolment_id, m.date, m.session, m.code::VARCHAR AS code, m.minutes_late,
       f.category, f.possible, f.attended, f.present, f.aea, f.authorised, f.unauthorised, f.absent,
       f.late_before_close, f.late_after_close
FROM marks m
JOIN code_flags f ON f.code = m.code AND m.date BETWEEN f.valid_from AND f.valid_to
JOIN enrolment_spells s ON s.enrolment_id = m.enrolment_id
 AND m.date >= s.admission_date AND (s.leaving_date IS NULL OR m.date <= s.leaving_date);

-- Session totals of each enrolment and week (Monday) over its counted sessions. A row exists
-- when the week holds at least one counted session (`sessions`, possible or not).
CREATE TABLE enrolment_weeks (
    school_urn          INTEGER NOT NULL,
    enrolment_id        INTEGER NOT NULL,
    week_start          DATE NOT NULL,
    sessions            UTINYINT NOT NULL,
    possible            UTINYINT NOT NULL,
    attended            UTINYINT NOT NULL,
    present             UTINYINT NOT NULL,
    aea                 UTINYINT NOT NULL,
    authorised          UTINYINT NOT NULL,
    unauthorised        UTINYINT NOT NULL,
    absent              UTINYINT NOT NULL,
    late_before_close   UTINYINT NOT NULL,
    late_after_close    UTINYINT NOT NULL
);

-- How many marks carry each code on each school day (every mark, on roll or not): the small
-- table school days, terms and half-terms are read from.
CREATE TABLE school_day_codes (
    school_urn      INTEGER NOT NULL,
    date            DATE NOT NULL,
    code            attendance_code NOT NULL,
    marks           INTEGER NOT NULL
);

INSERT INTO enrolment_weeks
SELECT school_urn, enrolment_id, date_trunc('week', date) AS week_start, count(*),
       sum(possible), sum(attended), sum(present), sum(aea), sum(authorised), sum(unauthorised),
       sum(absent), sum(late_before_close), sum(late_after_close)
FROM counted_sessions GROUP BY ALL ORDER BY school_urn, week_start, enrolment_id;

INSERT INTO school_day_codes
SELECT school_urn, date, code, count(*) FROM marks GROUP BY ALL ORDER BY school_urn, date, code;
