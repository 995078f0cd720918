"""Weekly session totals per enrolment, and the codes used on each school day, kept up to date.

`enrolment_weeks` holds, for every enrolment and week (Monday), the totals of its counted
sessions (the `counted_sessions` view: code in force on the date, inside a spell on roll), and
`school_day_codes` how many marks carry each code on each school day. Every merge that changes
marks or spells recounts exactly the weeks and days it touched, inside the same transaction, so
the totals always equal what the raw marks give (tests/unit/test_aggregates.py checks it).

A window that does not start on a Monday or end on a Sunday is read as its whole weeks from
`enrolment_weeks` plus its partial weeks counted from the raw marks of those few days only, so
figures for any window are exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import polars as pl

from analytics.store.database import Connection, Database

#: The totals kept per enrolment and week, in table order (`sessions` counts every counted mark,
#: possible or not; the rest are the session measures of analytics.pipelines.sessions).
WEEK_TOTALS = (
    "sessions",
    "possible",
    "attended",
    "present",
    "aea",
    "authorised",
    "unauthorised",
    "absent",
    "late_before_close",
    "late_after_close",
)
_SUMS = ", ".join(f"sum({c})::UTINYINT AS {c}" for c in WEEK_TOTALS[1:])
_WEEK_ROWS = (
    "SELECT school_urn, enrolment_id, date_trunc('week', date) AS week_start, "
    f"count(*)::UTINYINT AS sessions, {_SUMS} FROM counted_sessions"
)


def _school_filter(column: str, school_urns: Sequence[int] | None) -> tuple[str, list]:
    if school_urns is None:
        return "TRUE", []
    return f"{column} IN (SELECT unnest(?::INTEGER[]))", [list(school_urns)]


_DELTAS = ", ".join(f"sum(c.sign * f.{c})::SMALLINT AS {c}" for c in WEEK_TOTALS[1:])


def refresh_marks(con: Connection, school_urn: int, changes: str, *, new_days: bool = False) -> None:
    """Bring the school's weekly totals and day codes up to date with the marks in `changes` (a
    query of this transaction giving `enrolment_id, date, code, old_code` for every mark added,
    `old_code` NULL, or replaced): each total moves by what the new code counts less what the old
    one counted, so only the rows the marks touch are read or written.

    `new_days` says the school held no mark from the first to the last date of `changes` before
    them (a history load, the next term's file): then only the weeks at either end can already
    have totals, and every day is new.
    """
    replaced = "" if new_days else (
        f" UNION ALL SELECT enrolment_id, date, old_code::attendance_code, -1 FROM ({changes}) WHERE old_code IS NOT NULL"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE mark_changes AS "
        f"SELECT enrolment_id, date, code::attendance_code AS code, 1 AS sign FROM ({changes}){replaced}"
    )
    first, last = con.execute("SELECT min(date), max(date) FROM mark_changes").fetchone()
    if first is None:
        return
    weeks = (first - timedelta(days=first.weekday()), last)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE week_deltas AS
        SELECT c.enrolment_id, date_trunc('week', c.date) AS week_start, sum(c.sign)::SMALLINT AS sessions, {_DELTAS}
        FROM mark_changes c
        JOIN code_flags f ON f.code = c.code AND c.date BETWEEN f.valid_from AND f.valid_to
        JOIN enrolment_spells s ON s.enrolment_id = c.enrolment_id
         AND c.date >= s.admission_date AND (s.leaving_date IS NULL OR c.date <= s.leaving_date)
        GROUP BY ALL
        """
    )
    values = ", ".join(f"d.{c}" for c in WEEK_TOTALS)
    may_exist = "TRUE"
    if new_days:
        # Weeks lying wholly between the first and last day held no mark, so no totals: in they go.
        may_exist = "(d.week_start < ? OR d.week_start + 6 > ?)"
        con.execute(
            f"INSERT INTO enrolment_weeks SELECT ?, d.enrolment_id, d.week_start, {values} FROM week_deltas d "
            f"WHERE NOT {may_exist} ORDER BY d.week_start, d.enrolment_id",
            [school_urn, first, last],
        )
    ends = [first, last] if new_days else []
    same_week = (
        "enrolment_weeks.school_urn = ? AND enrolment_weeks.week_start BETWEEN ? AND ? "
        "AND enrolment_weeks.enrolment_id = d.enrolment_id AND enrolment_weeks.week_start = d.week_start"
    )
    added = ", ".join(f"{c} = enrolment_weeks.{c} + d.{c}" for c in WEEK_TOTALS)
    con.execute(f"UPDATE enrolment_weeks SET {added} FROM week_deltas d WHERE {may_exist} AND {same_week}", [*ends, school_urn, *weeks])
    con.execute(
        f"INSERT INTO enrolment_weeks SELECT ?, d.enrolment_id, d.week_start, {values} FROM week_deltas d "
        f"WHERE {may_exist} AND NOT EXISTS (SELECT 1 FROM enrolment_weeks WHERE {same_week}) "
        "ORDER BY d.week_start, d.enrolment_id",
        [school_urn, *ends, school_urn, *weeks],
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE day_deltas AS SELECT date, code, sum(sign) AS marks FROM mark_changes GROUP BY ALL"
    )
    if new_days:
        con.execute("INSERT INTO school_day_codes SELECT ?, date, code, marks FROM day_deltas ORDER BY date, code", [school_urn])
        return
    con.execute(
        "DELETE FROM enrolment_weeks WHERE school_urn = ? AND week_start BETWEEN ? AND ? AND sessions = 0",
        [school_urn, *weeks],
    )
    same_day = (
        "school_day_codes.school_urn = ? AND school_day_codes.date BETWEEN ? AND ? "
        "AND school_day_codes.date = d.date AND school_day_codes.code = d.code"
    )
    days = [school_urn, first, last]
    con.execute(f"UPDATE school_day_codes SET marks = school_day_codes.marks + d.marks FROM day_deltas d WHERE {same_day}", days)
    con.execute(
        "INSERT INTO school_day_codes SELECT ?, d.date, d.code, d.marks FROM day_deltas d "
        f"WHERE NOT EXISTS (SELECT 1 FROM school_day_codes WHERE {same_day}) ORDER BY d.date, d.code",
        [school_urn, *days],
    )
    con.execute("DELETE FROM school_day_codes WHERE school_urn = ? AND date BETWEEN ? AND ? AND marks = 0", days)


def refresh_enrolments(con: Connection, school_urn: int, changes: str) -> None:
    """Recount the weeks of enrolments whose spells on roll changed. `changes` is a query giving
    `enrolment_id, since`: the first date whose being on roll may have changed."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE affected_enrolments AS SELECT enrolment_id, "
        f"min(date_trunc('week', since)) AS from_week FROM ({changes}) WHERE since IS NOT NULL GROUP BY enrolment_id"
    )
    first = con.execute("SELECT min(from_week) FROM affected_enrolments").fetchone()[0]
    if first is None:
        return
    con.execute(
        "DELETE FROM enrolment_weeks USING affected_enrolments a WHERE enrolment_weeks.school_urn = ? "
        "AND enrolment_weeks.enrolment_id = a.enrolment_id AND enrolment_weeks.week_start >= a.from_week",
        [school_urn],
    )
    con.execute(
        f"INSERT INTO enrolment_weeks {_WEEK_ROWS} c "
        "SEMI JOIN affected_enrolments a ON c.enrolment_id = a.enrolment_id AND c.date >= a.from_week "
        "WHERE c.school_urn = ? AND c.date >= ? GROUP BY ALL ORDER BY week_start, enrolment_id",
        [school_urn, first],
    )


def rebuild(con: Connection) -> None:
    """Recount every total from the raw marks (after the code table changes, or on request)."""
    con.execute("DELETE FROM enrolment_weeks")
    con.execute(f"INSERT INTO enrolment_weeks {_WEEK_ROWS} GROUP BY ALL ORDER BY school_urn, week_start, enrolment_id")
    con.execute("DELETE FROM school_day_codes")
    con.execute(
        "INSERT INTO school_day_codes SELECT school_urn, date, code, count(*) FROM marks "
        "GROUP BY ALL ORDER BY school_urn, date, code"
    )


def differences(con: Connection) -> dict[str, int]:
    """Rows where the kept totals and a recount from the raw marks disagree, per table (both
    zero when they agree)."""
    columns = ", ".join(("school_urn", "enrolment_id", "week_start", *WEEK_TOTALS))
    recount = f"SELECT {columns} FROM ({_WEEK_ROWS} GROUP BY ALL)"
    kept = f"SELECT {columns} FROM enrolment_weeks"
    days_recount = "SELECT school_urn, date, code, count(*) AS marks FROM marks GROUP BY ALL"
    days_kept = "SELECT school_urn, date, code, marks FROM school_day_codes"
    count = lambda a, b: con.execute(
        f"SELECT (SELECT count(*) FROM ({a} EXCEPT ALL {b})) + (SELECT count(*) FROM ({b} EXCEPT ALL {a}))"
    ).fetchone()[0]
    return {"enrolment_weeks": count(recount, kept), "school_day_codes": count(days_recount, days_kept)}


def whole_weeks(start: date, end: date) -> tuple[date, date] | None:
    """The first and last Monday of the Monday-to-Sunday weeks lying wholly inside the window,
    or None when there is none."""
    first = start + timedelta(days=(7 - start.weekday()) % 7)
    last = end - timedelta(days=end.weekday())
    if end.weekday() != 6:
        last -= timedelta(days=7)
    return (first, last) if first <= last else None


def window_weeks(db: Database, school_urns: Sequence[int] | None, start: date, end: date) -> pl.DataFrame:
    """One row per enrolment and week with a counted session inside the window: `enrolment_id,
    week_start` and WEEK_TOTALS over the window's days of that week.

    Whole weeks come from `enrolment_weeks`; the days of partial weeks at either end are counted
    from the raw marks (DuckDB's min/max statistics on the date-ordered table skip the rest).
    """
    where, params = _school_filter("school_urn", school_urns)
    weeks = whole_weeks(start, end)
    raw_days = [(start, end)] if weeks is None else [
        (start, weeks[0] - timedelta(days=1)),
        (weeks[1] + timedelta(days=7), end),
    ]
    raw_days = [(a, b) for a, b in raw_days if a <= b]
    columns = ", ".join(WEEK_TOTALS)
    parts = []
    with db.connect() as con:
        if weeks is not None:
            parts.append(
                con.execute(
                    f"SELECT enrolment_id, week_start, {columns} FROM enrolment_weeks WHERE {where} AND week_start BETWEEN ? AND ?",
                    [*params, *weeks],
                ).pl()
            )
        if raw_days or not parts:
            in_days = " OR ".join("date BETWEEN ? AND ?" for _ in raw_days) or "FALSE"
            parts.append(
                con.execute(
                    f"SELECT enrolment_id, week_start, {columns} FROM ({_WEEK_ROWS} WHERE {where} AND ({in_days}) GROUP BY ALL)",
                    [*params, *(d for pair in raw_days for d in pair)],
                ).pl()
            )
    return pl.concat(parts) if len(parts) > 1 else parts[0]
