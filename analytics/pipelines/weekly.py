"""Weekly series of the measures."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from analytics.pipelines.calendar import week_start
from analytics.pipelines.measures import group_measures, session_totals, with_absence_flags


def weekly_measures(
    sessions: pl.LazyFrame, cohorts: pl.LazyFrame, by: Sequence[str] = ()
) -> pl.LazyFrame:
    """One row per group and week (`week_start`, a Monday) with the measures of that week's
    sessions; `by` columns come from `cohorts` (one row per enrolment)."""
    per_week = session_totals(
        sessions.with_columns(week_start().alias("week_start")), ("enrolment_id", "week_start")
    )
    return measures_by_week(per_week, cohorts, by)


def measures_by_week(
    per_week: pl.LazyFrame, cohorts: pl.LazyFrame, by: Sequence[str] = ()
) -> pl.LazyFrame:
    """One row per group and week from session totals per enrolment and week (`enrolment_id,
    week_start` and the session measures, one row per enrolment and week, as the store keeps
    them): adds each week's enrolments, sums, persistent and severe absentees (of that week) and
    rates."""
    flagged = per_week.pipe(with_absence_flags)
    if by:
        flagged = flagged.join(cohorts.select("enrolment_id", *by), on="enrolment_id", how="inner")
    return group_measures(flagged, [*by, "week_start"]).sort(*by, "week_start")
