"""Weekly series of the measures."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from analytics.pipelines.calendar import week_start
from analytics.pipelines.measures import group_measures, session_totals, with_absence_flags, with_session_rates


def weekly_measures(sessions: pl.LazyFrame, cohorts: pl.LazyFrame, by: Sequence[str] = ()) -> pl.LazyFrame:
    """One row per group and week (`week_start`, a Monday) with the measures of that week's
    sessions; `by` columns come from `cohorts` (one row per enrolment)."""
    per_week = (
        session_totals(sessions.with_columns(week_start().alias("week_start")), ("enrolment_id", "week_start"))
        .pipe(with_session_rates)
        .pipe(with_absence_flags)
    )
    if by:
        per_week = per_week.join(cohorts.select("enrolment_id", *by), on="enrolment_id", how="inner")
    return group_measures(per_week, [*by, "week_start"]).sort(*by, "week_start")
