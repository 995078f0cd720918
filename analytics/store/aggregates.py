"""Weekly session totals per enrolment, and the codes used on each school day, kept up to date.

`enrolment_weeks` holds, for every enrolment and week (Monday), the totals of its counted
sessions (the `counted_sessions` view: code in force on the date, inside a spell on roll), and
`school_day_codes` how many marks carry each code on each school day. Every merge keeps them up
to date inside its own transaction: new and replaced marks move the totals of the weeks and days
they fall in (by what the new code counts less what the old one counted), and a change to an
enrolment's spells on roll recounts its weeks from the first day it affects. So the totals
always equal what the raw marks give (tests/unit/test_aggregates.py checks it after every kind
of change, and `differences` checks a live store).

A window is read from `enrolment_weeks`, except that a school whose first or last week of the
window holds marks outside it has that week counted from the raw marks of the window's days in
it, so figures for any window are exact.
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
# Totals are counted with FILTER rather than summed: DuckDB sums small integers into 128-bit
# accumulators, several times slower than counting.
_SUMS = ", ".join(f"(count(*) FILTER (WHERE {c} = 1))::UTINYINT AS {c}" for c in WEEK_TOTALS[1:])
_WEEK_ROWS = (
    "SELECT school_urn, enrolment_id, date_trunc('week', date) AS week_start, "
    f"count(*)::UTINYINT AS sessions, {_SUMS} FROM counted_sessions"
)


def _school_filter(column: str, school_urns: Sequence[int] | None) -> tuple[str, list]:
    if school_urns is None:
        return "TRUE", []
    return f"{column} IN (SELECT unnest(?::INTEGER[]))", [list(school_urns)]


def _counted_changes(
    con: Connection, school_urn: int, changes: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The week and day deltas of a set of mark changes, computed in Polars: the marks an import
    brings are already in memory, and DuckDB reads a table made inside the import's transaction
    several times slower than a committed one. The flags come from `code_flags`, and a mark counts
    as in `counted_sessions`: its code in force on the day, the day inside a spell on roll."""
    flags = con.execute(
        f"SELECT code::VARCHAR AS code, valid_from, valid_to, {', '.join(WEEK_TOTALS[1:])} FROM code_flags"
    ).pl()
    spells = con.execute(
        "SELECT enrolment_id, admission_date, leaving_date FROM enrolment_spells "
        "WHERE enrolment_id IN (SELECT enrolment_id FROM enrolments WHERE school_urn = ?)",
        [school_urn],
    ).pl()
    day = pl.col("date")
    signed = pl.concat(
        [
            changes.lazy().select(
                "enrolment_id", "date", "code", pl.lit(1, pl.Int16).alias("sign")
            ),
            changes.lazy()
            .filter(pl.col("old_code").is_not_null())
            .select(
                "enrolment_id",
                "date",
                pl.col("old_code").alias("code"),
                pl.lit(-1, pl.Int16).alias("sign"),
            ),
        ]
    )
    weeks = (
        signed.join(flags.lazy(), on="code")
        .filter(day.is_between(pl.col("valid_from"), pl.col("valid_to")))
        .join(spells.lazy(), on="enrolment_id")
        .filter(
            (day >= pl.col("admission_date"))
            & (pl.col("leaving_date").is_null() | (day <= pl.col("leaving_date")))
        )
        .group_by("enrolment_id", day.dt.truncate("1w").alias("week_start"))
        .agg(
            pl.col("sign").sum().cast(pl.Int16).alias("sessions"),
            *(
                (pl.col(c).cast(pl.Int16) * pl.col("sign")).sum().cast(pl.Int16).alias(c)
                for c in WEEK_TOTALS[1:]
            ),
        )
    )
    days = signed.group_by("date", "code").agg(pl.col("sign").sum().cast(pl.Int32).alias("marks"))
    week_deltas, day_deltas = pl.collect_all([weeks, days])
    return week_deltas, day_deltas


def refresh_marks(
    con: Connection, school_urn: int, changes: pl.DataFrame, *, new_days: bool = False
) -> None:
    """Bring the school's weekly totals and day codes up to date with `changes` (`enrolment_id,
    date, code, old_code` for every mark added, `old_code` null, or replaced): each total moves by
    what the new code counts less what the old one counted, so only the rows the marks touch are
    read or written.

    `new_days` says the school held no mark from the first to the last date of `changes` before
    them (a history load, the next term's file): then only the weeks at either end can already
    have totals, and every day is new.
    """
    if changes.is_empty():
        return
    first, last = changes["date"].min(), changes["date"].max()
    weeks = (first - timedelta(days=first.weekday()), last)
    week_deltas, day_deltas = _counted_changes(con, school_urn, changes)
    con.register("week_deltas", week_deltas)
    con.register("day_deltas", day_deltas)
    try:
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
        con.execute(
            f"UPDATE enrolment_weeks SET {added} FROM week_deltas d WHERE {may_exist} AND {same_week}",
            [*ends, school_urn, *weeks],
        )
        con.execute(
            f"INSERT INTO enrolment_weeks SELECT ?, d.enrolment_id, d.week_start, {values} FROM week_deltas d "
            f"WHERE {may_exist} AND NOT EXISTS (SELECT 1 FROM enrolment_weeks WHERE {same_week}) "
            "ORDER BY d.week_start, d.enrolment_id",
            [school_urn, *ends, school_urn, *weeks],
        )
        if new_days:
            con.execute(
                "INSERT INTO school_day_codes SELECT ?, date, code, marks FROM day_deltas ORDER BY date, code",
                [school_urn],
            )
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
        con.execute(
            f"UPDATE school_day_codes SET marks = school_day_codes.marks + d.marks FROM day_deltas d WHERE {same_day}",
            days,
        )
        con.execute(
            "INSERT INTO school_day_codes SELECT ?, d.date, d.code, d.marks FROM day_deltas d "
            f"WHERE NOT EXISTS (SELECT 1 FROM school_day_codes WHERE {same_day}) ORDER BY d.date, d.code",
            [school_urn, *days],
        )
        con.execute(
            "DELETE FROM school_day_codes WHERE school_urn = ? AND date BETWEEN ? AND ? AND marks = 0",
            days,
        )
    finally:
        con.unregister("week_deltas")
        con.unregister("day_deltas")


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
    con.execute(
        f"INSERT INTO enrolment_weeks {_WEEK_ROWS} GROUP BY ALL ORDER BY school_urn, week_start, enrolment_id"
    )
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

    def count(a: str, b: str) -> int:
        both_ways = f"SELECT (SELECT count(*) FROM ({a} EXCEPT ALL {b})) + (SELECT count(*) FROM ({b} EXCEPT ALL {a}))"
        return con.execute(both_ways).fetchone()[0]

    return {
        "enrolment_weeks": count(recount, kept),
        "school_day_codes": count(days_recount, days_kept),
    }


def pooled_day_codes(db: Database, school_urns: Sequence[int] | None = None) -> pl.DataFrame:
    """The codes used on each date by any of these schools (all when None): `date, code`, one row
    per date and code (a trust's calendar from a few thousand rows instead of one per school)."""
    where, params = _school_filter("school_urn", school_urns)
    with db.connect() as con:
        return con.execute(
            f"SELECT DISTINCT date, code::VARCHAR AS code FROM school_day_codes WHERE {where} ORDER BY date, code",
            params,
        ).pl()


def window_weeks(
    db: Database, school_urns: Sequence[int] | None, start: date, end: date
) -> pl.DataFrame:
    """One row per enrolment and week with a counted session inside the window: `enrolment_id,
    week_start` and WEEK_TOTALS over the window's days of that week.

    A week's kept totals answer for it whenever the school has no mark on the week's days outside
    the window: every week in the middle, and the weeks at either end in the usual case (a window
    from a Monday, or to a Friday or the last register day, as terms, half-terms and "to date"
    windows are). Only a school whose end week does hold marks outside the window has that week
    counted from the raw marks of the window's days in it.
    """
    where, params = _school_filter("school_urn", school_urns)
    first_week = start - timedelta(days=start.weekday())
    last_week = end - timedelta(days=end.weekday())
    columns = ", ".join(WEEK_TOTALS)
    with db.connect() as con:
        # Each school's end weeks that hold marks outside the window (a few rows at most).
        partial = con.execute(
            "SELECT DISTINCT school_urn, date_trunc('week', date) AS week_start FROM school_day_codes "
            f"WHERE {where} AND ((date >= ? AND date < ?) OR (date > ? AND date <= ?))",
            [*params, first_week, start, end, last_week + timedelta(days=6)],
        ).pl()
        con.register("partial_weeks", partial)
        try:
            kept = con.execute(
                f"SELECT w.enrolment_id, w.week_start, {', '.join(f'w.{c}' for c in WEEK_TOTALS)} FROM enrolment_weeks w "
                "ANTI JOIN partial_weeks p ON w.school_urn = p.school_urn AND w.week_start = p.week_start "
                f"WHERE {where.replace('school_urn', 'w.school_urn')} AND w.week_start BETWEEN ? AND ?",
                [*params, first_week, last_week],
            ).pl()
            if partial.is_empty():
                return kept
            counted = con.execute(
                f"SELECT enrolment_id, week_start, {columns} FROM ({_WEEK_ROWS} c "
                "SEMI JOIN partial_weeks p ON c.school_urn = p.school_urn AND date_trunc('week', c.date) = p.week_start "
                f"WHERE {where.replace('school_urn', 'c.school_urn')} AND c.date BETWEEN ? AND ? GROUP BY ALL)",
                [*params, start, end],
            ).pl()
        finally:
            con.unregister("partial_weeks")
    return pl.concat([kept, counted], rechunk=False)
