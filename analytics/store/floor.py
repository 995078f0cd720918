"""The practical floor the benchmark measures against: one hand-written DuckDB SQL aggregate over
the raw marks table, as a database engineer would write it, for the per-enrolment year summary
and the cohort table, and DuckDB's own CSV reader loading the marks files with no checks at all.
Not used by pages: `rollcall bench` times them beside Rollcall's own path and checks that the
figures agree."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from analytics.domain.yeargroups import YEAR_GROUPS
from analytics.store.database import Database, one_row

_PER_ENROLMENT = """
WITH on_roll AS (
    SELECT DISTINCT s.enrolment_id FROM enrolment_spells s
    WHERE s.admission_date <= $end AND (s.leaving_date IS NULL OR s.leaving_date >= $start)
),
counted AS (
    SELECT m.enrolment_id,
           count(*) FILTER (WHERE c.counts_as_possible) AS possible,
           count(*) FILTER (WHERE c.category IN ('present', 'aea')) AS attended,
           count(*) FILTER (WHERE c.category = 'present') AS present,
           count(*) FILTER (WHERE c.category = 'aea') AS aea,
           count(*) FILTER (WHERE c.category = 'authorised') AS authorised,
           count(*) FILTER (WHERE c.category = 'unauthorised') AS unauthorised,
           count(*) FILTER (WHERE c.category IN ('authorised', 'unauthorised')) AS absent,
           count(*) FILTER (WHERE c.late = 'before_close') AS late_before_close,
           count(*) FILTER (WHERE c.late = 'after_close') AS late_after_close
    FROM marks m
    JOIN attendance_codes c ON c.code = m.code::VARCHAR AND m.date BETWEEN c.valid_from AND c.valid_to
    JOIN enrolment_spells s ON s.enrolment_id = m.enrolment_id
     AND m.date >= s.admission_date AND (s.leaving_date IS NULL OR m.date <= s.leaving_date)
    WHERE m.date BETWEEN $start AND $end
    GROUP BY m.enrolment_id
),
summary AS (
    SELECT e.enrolment_id, e.school_urn,
           coalesce(possible, 0) AS possible, coalesce(attended, 0) AS attended,
           coalesce(present, 0) AS present, coalesce(aea, 0) AS aea,
           coalesce(authorised, 0) AS authorised, coalesce(unauthorised, 0) AS unauthorised,
           coalesce(absent, 0) AS absent, coalesce(late_before_close, 0) AS late_before_close,
           coalesce(late_after_close, 0) AS late_after_close
    FROM enrolments e JOIN on_roll USING (enrolment_id) LEFT JOIN counted USING (enrolment_id)
)
SELECT *,
       CASE WHEN possible > 0 THEN attended * 100.0 / possible END AS attendance_rate,
       CASE WHEN possible > 0 THEN absent * 100.0 / possible END AS absence_rate,
       possible > 0 AND absent * 100 >= possible * 10 AS persistent_absence,
       possible > 0 AND absent * 100 >= possible * 50 AS severe_absence
FROM summary
"""


def year_summary(db: Database, start: date, end: date) -> pl.DataFrame:
    """One row per enrolment on roll in the window: its session counts, attendance and absence
    rates and PA/SA flags, straight from the raw marks."""
    with db.connect() as con:
        return con.execute(
            _PER_ENROLMENT + " ORDER BY enrolment_id", {"start": start, "end": end}
        ).pl()


def cohort_table(db: Database, start: date, end: date, academic_year: int) -> pl.DataFrame:
    """One row per characteristic and value (year group in `academic_year`, sex, disadvantaged,
    SEN): enrolments, possible and absent sessions, persistent absentees, from the raw marks."""
    ranks = ", ".join(f"('{name}', {rank})" for rank, name in enumerate(YEAR_GROUPS))
    sql = f"""
    WITH per_enrolment AS ({_PER_ENROLMENT}),
    ranks(year_group, rank) AS (VALUES {ranks}),
    cohorts AS (
        SELECT p.*, moved.year_group AS year_group, e.sex,
               coalesce(e.disadvantaged, coalesce(e.fsm6, FALSE) OR coalesce(e.fsm, FALSE) OR coalesce(e.looked_after, FALSE)) AS disadvantaged,
               coalesce(e.sen, 'N') AS sen
        FROM per_enrolment p JOIN enrolments e USING (enrolment_id)
        LEFT JOIN ranks r ON r.year_group = e.year_group
        LEFT JOIN ranks moved ON moved.rank = r.rank + ($year - e.year_group_academic_year)
    )
    SELECT CASE WHEN grouping(year_group) = 0 THEN 'year_group' WHEN grouping(sex) = 0 THEN 'sex'
                WHEN grouping(disadvantaged) = 0 THEN 'disadvantaged' ELSE 'sen' END AS characteristic,
           coalesce(year_group, sex, disadvantaged::VARCHAR, sen) AS value,
           count(*) AS enrolments, count(*) FILTER (WHERE possible > 0) AS enrolments_counted,
           sum(possible) AS possible, sum(absent) AS absent,
           count(*) FILTER (WHERE persistent_absence) AS persistent_absentees
    FROM cohorts
    GROUP BY GROUPING SETS ((year_group), (sex), (disadvantaged), (sen))
    ORDER BY characteristic, value
    """
    with db.connect() as con:
        return con.execute(sql, {"start": start, "end": end, "year": academic_year}).pl()


def bare_csv_load(scratch: Path, files: Sequence[Path]) -> int:
    """Load marks CSV files into a marks-shaped table of a scratch database with DuckDB's own
    CSV reader, as fast as DuckDB goes: no checks, no pupils looked up, no merge, no totals.
    Returns the rows loaded."""
    con = duckdb.connect(str(scratch))
    try:
        con.execute(
            "CREATE OR REPLACE TABLE marks (upn VARCHAR, date DATE, session VARCHAR, code VARCHAR, minutes_late SMALLINT)"
        )
        columns = {
            "upn": "VARCHAR",
            "date": "DATE",
            "session": "VARCHAR",
            "code": "VARCHAR",
            "minutes_late": "SMALLINT",
        }
        con.execute(
            "INSERT INTO marks SELECT * FROM read_csv(?, header = true, columns = ?)",
            [[str(f) for f in files], columns],
        )
        con.execute("CHECKPOINT")
        return one_row(con.execute("SELECT count(*) FROM marks").fetchone())[0]
    finally:
        con.close()
