"""The national penalty-notice threshold: 10 or more sessions coded `G N O U` in any 10
consecutive school weeks (`decisions.md`; the School Attendance (Pupil Registration) (England)
Regulations 2024 and the national framework).

School weeks are each school's own (`analytics.pipelines.calendar.school_weeks`): weeks without a
school day are skipped, so a window of 10 school weeks steps over holidays and may span terms and
academic years. The `G N O U` codes are the code table's unauthorised category, read through each
session's `unauthorised` column. The count at a session takes the sessions of the 10 school weeks
ending in that session's week up to and including that session, so two sessions of one day are
counted in register order (AM before PM).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from analytics.pipelines.calendar import week_start
from analytics.pipelines.windows import Window

PENALTY_SESSIONS = 10
PENALTY_SCHOOL_WEEKS = 10


def with_school_week_numbers(sessions: pl.LazyFrame, weeks: pl.LazyFrame) -> pl.LazyFrame:
    """One row per session in a school week of its school, adding `week_start` and
    `school_week_number` (sessions in a week with no school day are dropped)."""
    return sessions.with_columns(week_start().alias("week_start")).join(
        weeks.select("school_urn", "week_start", "school_week_number"),
        on=["school_urn", "week_start"],
        how="inner",
    )


def penalty_window_counts(sessions: pl.LazyFrame, weeks: pl.LazyFrame) -> pl.LazyFrame:
    """One row per counted session in a school week, adding `school_week_number` and
    `penalty_sessions`: the enrolment's `G N O U` sessions in the 10 school weeks ending in this
    session's week, up to and including this session."""
    numbered = with_school_week_numbers(sessions, weeks).sort("enrolment_id", "date", "session")
    running = numbered.with_columns(
        pl.col("unauthorised").cast(pl.Int32).cum_sum().over("enrolment_id").alias("_running")
    )
    # The running count at the end of each school week the enrolment has sessions in.
    by_week = (
        running.group_by("enrolment_id", "school_week_number")
        .agg(pl.col("_running").max().alias("_before_window"))
        .sort("school_week_number")
    )
    return (
        running.with_columns(
            (pl.col("school_week_number") - PENALTY_SCHOOL_WEEKS).alias("_window_lead")
        )
        .sort("_window_lead")
        .join_asof(
            by_week.rename({"school_week_number": "_window_lead"}),
            on="_window_lead",
            by="enrolment_id",
            strategy="backward",
            check_sortedness=False,  # both sides are sorted on the key just above
        )
        .with_columns(
            (pl.col("_running") - pl.col("_before_window").fill_null(0)).alias("penalty_sessions")
        )
        .drop("_running", "_before_window", "_window_lead")
        .sort("enrolment_id", "date", "session")
    )


def penalty_threshold(counts: pl.LazyFrame, window: Window) -> pl.LazyFrame:
    """One row per enrolment with a session in the window: `penalty_threshold_date`, the date of
    the first possible session in the window at which the threshold was met (null when it never
    was; the count may reach back before the window), and `penalty_threshold_session` (AM or PM).

    A session that is not possible (`possible` 0: `#` on an INSET day, `Y4`) is never named, since
    the pupil had no session then; `counts` without a `possible` column holds possible sessions
    only."""
    in_window = counts.filter(pl.col("date").is_between(window.start, window.end))
    met = (pl.col("penalty_sessions") >= PENALTY_SESSIONS).fill_null(False)
    if "possible" in in_window.collect_schema():
        met = met & (pl.col("possible") == 1)
    return in_window.group_by("enrolment_id").agg(
        pl.col("date").filter(met).first().alias("penalty_threshold_date"),
        pl.col("session").filter(met).first().alias("penalty_threshold_session"),
    )


def latest_school_weeks(weeks: pl.LazyFrame, as_of: date, count: int) -> pl.LazyFrame:
    """One row per school and each of its last `count` school weeks up to `as_of`:
    `school_urn, week_start, school_week_number, weeks_ago` (0 for the latest)."""
    up_to = weeks.filter(pl.col("week_start") <= as_of)
    return (
        up_to.with_columns(
            (
                pl.col("school_week_number").max().over("school_urn") - pl.col("school_week_number")
            ).alias("weeks_ago")
        )
        .filter(pl.col("weeks_ago") < count)
        .select("school_urn", "week_start", "school_week_number", "weeks_ago")
    )


def penalty_sessions_latest_window(
    sessions: pl.LazyFrame, weeks: pl.LazyFrame, as_of: date
) -> pl.LazyFrame:
    """One row per enrolment with a session in its school's last 10 school weeks up to `as_of`:
    `unauthorised_last_10_weeks`, its `G N O U` sessions there (on or before `as_of`)."""
    latest = latest_school_weeks(weeks, as_of, PENALTY_SCHOOL_WEEKS)
    return (
        sessions.filter(pl.col("date") <= as_of)
        .with_columns(week_start().alias("week_start"))
        .join(latest, on=["school_urn", "week_start"], how="semi")
        .group_by("enrolment_id")
        .agg(pl.col("unauthorised").cast(pl.Int32).sum().alias("unauthorised_last_10_weeks"))
    )
