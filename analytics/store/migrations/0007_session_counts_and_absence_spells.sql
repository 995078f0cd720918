-- Aggregates for every page, kept up to date by every merge (analytics/store/aggregates.py), so no
-- page reads every raw mark (issue 10):
-- 1. enrolment_weeks gains illness and absence by weekday (what the risk features are summed from);
-- 2. session_counts: counted sessions per school, date, session, year-group cohort and code (the
--    Patterns page's weekday, session and reason figures for any schools, window and year groups);
-- 3. absence_spells: every enrolment's spells of consecutive absence over its whole history;
-- 4. counted_sessions gives the code as stored (the one-byte ENUM, which readers cast to text), so
--    that a filter on codes is applied to the marks before they are joined, not after.
-- The migration runner fills them with `aggregates.rebuild` after this file (REBUILDS_AGGREGATES).

ALTER TABLE enrolment_weeks ADD COLUMN illness UTINYINT DEFAULT 0;
ALTER TABLE enrolment_weeks ADD COLUMN absent_monday UTINYINT DEFAULT 0;
ALTER TABLE enrolment_weeks ADD COLUMN absent_tuesday UTINYINT DEFAULT 0;
ALTER TABLE enrolment_weeks ADD COLUMN absent_wednesday UTINYINT DEFAULT 0;
ALTER TABLE enrolment_weeks ADD COLUMN absent_thursday UTINYINT DEFAULT 0;
ALTER TABLE enrolment_weeks ADD COLUMN absent_friday UTINYINT DEFAULT 0;

-- An enrolment's year group moves up one a year: `n1_year` is the academic year in which it was
-- (or would be) in N1, so its year group in academic year A is the (A - n1_year)th of N1, N2, R,
-- 1 ... 14 on every date of that year (aggregates.N1_YEAR).
CREATE TABLE session_counts (
    school_urn      INTEGER NOT NULL,
    date            DATE NOT NULL,
    session         session_name NOT NULL,
    n1_year         SMALLINT NOT NULL,
    code            attendance_code NOT NULL,
    marks           INTEGER NOT NULL
);

-- A spell is a run of an enrolment's possible sessions that are all absence (register order;
-- sessions that are not possible neither break nor extend it). `ended_on` is the date of the
-- attended session that ended it (NULL while nothing has): an import that changes marks only
-- after that date cannot change the spell.
CREATE TABLE absence_spells (
    school_urn      INTEGER NOT NULL,
    enrolment_id    INTEGER NOT NULL,
    first_date      DATE NOT NULL,
    first_session   session_name NOT NULL,
    last_date       DATE NOT NULL,
    last_session    session_name NOT NULL,
    sessions        INTEGER NOT NULL,
    unauthorised    INTEGER NOT NULL,
    main_code       attendance_code NOT NULL,
    ended_on        DATE
);

CREATE OR REPLACE VIEW counted_sessions AS
SELECT m.school_urn, m.enrolment_id, m.date, m.session, m.code, m.minutes_late,
       f.category, f.possible, f.attended, f.present, f.aea, f.authorised, f.unauthorised, f.absent,
       f.late_before_close, f.late_after_close
FROM marks m
JOIN code_flags f ON f.code = m.code AND m.date BETWEEN f.valid_from AND f.valid_to
JOIN enrolment_spells s ON s.enrolment_id = m.enrolment_id
 AND m.date >= s.admission_date AND (s.leaving_date IS NULL OR m.date <= s.leaving_date);
