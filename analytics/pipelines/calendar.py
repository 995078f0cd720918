"""School days and school weeks, read from the register itself.

A school day of a school is a date on which at least one of its enrolments has a mark that
counts as a possible session. A school week is a Monday-to-Sunday week holding a school day;
weeks without one (holidays) are skipped, and school weeks are numbered consecutively per school.
"""

from __future__ import annotations

import polars as pl


def week_start(date_column: str = "date") -> pl.Expr:
    """The Monday of the week holding each date."""
    return pl.col(date_column).dt.truncate("1w")


def school_days(sessions: pl.LazyFrame) -> pl.LazyFrame:
    """One row per school and school day: `school_urn, date` (sessions must be on roll)."""
    return sessions.filter(pl.col("possible") == 1).select("school_urn", "date").unique()


def school_weeks(days: pl.LazyFrame) -> pl.LazyFrame:
    """One row per school and school week: `school_urn, week_start, school_days,
    school_week_number` (1 for the school's first week in the data, counting school weeks only)."""
    return (
        days.group_by("school_urn", week_start().alias("week_start"))
        .agg(pl.len().alias("school_days"))
        .sort("school_urn", "week_start")
        .with_columns(
            pl.col("week_start")
            .rank("dense")
            .over("school_urn")
            .cast(pl.Int32)
            .alias("school_week_number")
        )
    )
