"""Patterns behind absence: weekday by session, lateness and minutes late, reasons week by week,
and the first and last weeks of each half-term."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from analytics.domain.reasons import REASON_GROUPS, REASON_OF_CODE
from analytics.pipelines.calendar import week_start
from analytics.pipelines.measures import session_totals, with_session_rates

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

#: Minutes-late bands, as (label, fewest minutes, most minutes or None).
MINUTES_LATE = (
    ("1 to 5 minutes", 1, 5),
    ("6 to 10 minutes", 6, 10),
    ("11 to 20 minutes", 11, 20),
    ("21 to 30 minutes", 21, 30),
    ("31 to 60 minutes", 31, 60),
    ("over 60 minutes", 61, None),
)
MINUTES_NOT_RECORDED = "minutes not recorded"

FIRST_WEEK = "First week"
LAST_WEEK = "Last week"
OTHER_WEEKS = "Other weeks"
TERM_POSITIONS = (FIRST_WEEK, OTHER_WEEKS, LAST_WEEK)


def weekday_sessions(sessions: pl.LazyFrame) -> pl.LazyFrame:
    """One row per weekday and session (AM, PM) with a counted session: `weekday` (1 = Monday),
    `weekday_name`, `session`, the session totals and every rate."""
    with_day = sessions.with_columns(pl.col("date").dt.weekday().cast(pl.Int8).alias("weekday"))
    return (
        session_totals(with_day, ("weekday", "session"))
        .pipe(with_session_rates)
        .with_columns(
            pl.col("weekday")
            .replace_strict(dict(enumerate(WEEKDAYS, start=1)), return_dtype=pl.String)
            .alias("weekday_name")
        )
        .sort("weekday", "session")
    )


def _minutes_band() -> pl.Expr:
    minutes = pl.col("minutes_late")
    expression: Then | ChainedThen = pl.when(minutes.is_null() | (minutes <= 0)).then(
        pl.lit(MINUTES_NOT_RECORDED)
    )
    for label, low, high in MINUTES_LATE:
        expression = expression.when(
            minutes >= low if high is None else minutes.is_between(low, high)
        ).then(pl.lit(label))
    return expression


def minutes_late(sessions: pl.LazyFrame) -> pl.LazyFrame:
    """One row per minutes-late band (every band of MINUTES_LATE, then minutes not recorded):
    `minutes_band, late_before_close` (L sessions), `late_after_close` (U sessions) and
    `sessions` (both)."""
    late = sessions.filter((pl.col("late_before_close") == 1) | (pl.col("late_after_close") == 1))
    counts = late.group_by(_minutes_band().alias("minutes_band")).agg(
        pl.col("late_before_close").sum().cast(pl.Int64),
        pl.col("late_after_close").sum().cast(pl.Int64),
    )
    labels = [label for label, _, _ in MINUTES_LATE] + [MINUTES_NOT_RECORDED]
    order = pl.LazyFrame({"minutes_band": labels, "order": list(range(len(labels)))})
    return (
        order.join(counts, on="minutes_band", how="left")
        .with_columns(pl.col("late_before_close", "late_after_close").fill_null(0))
        .with_columns((pl.col("late_before_close") + pl.col("late_after_close")).alias("sessions"))
        .sort("order")
        .drop("order")
    )


def median_minutes_late(sessions: pl.LazyFrame) -> pl.LazyFrame:
    """One row: `median_minutes_late_before_close` (L) and `median_minutes_late_after_close` (U),
    over late sessions with minutes recorded (null when none)."""
    minutes = pl.col("minutes_late").cast(pl.Float64)
    recorded = minutes.is_not_null() & (minutes > 0)
    return sessions.select(
        minutes.filter(recorded & (pl.col("late_before_close") == 1))
        .median()
        .alias("median_minutes_late_before_close"),
        minutes.filter(recorded & (pl.col("late_after_close") == 1))
        .median()
        .alias("median_minutes_late_after_close"),
    )


def reasons_by_week(sessions: pl.LazyFrame) -> pl.LazyFrame:
    """One row per school week and reason group (every group, even with no session), from counted
    sessions or their counts (`inputs.sessions.session_counts`: measures summed, not rows):
    `week_start, reason, sessions, possible` (the week's possible sessions) and `rate`
    (sessions / possible × 100, as DfE's reason rates)."""
    weekly = sessions.with_columns(week_start().alias("week_start"))
    possible = weekly.group_by("week_start").agg(pl.col("possible").sum().cast(pl.Int64))
    reasons = (
        weekly.filter(pl.col("absent") > 0)
        .with_columns(pl.col("code").replace_strict(REASON_OF_CODE, default=None).alias("reason"))
        .group_by("week_start", "reason")
        .agg(pl.col("absent").sum().cast(pl.Int64).alias("sessions"))
    )
    groups = pl.LazyFrame(
        {"reason": list(REASON_GROUPS), "reason_order": list(range(len(REASON_GROUPS)))}
    )
    return (
        possible.join(groups, how="cross")
        .join(reasons, on=["week_start", "reason"], how="left")
        .with_columns(pl.col("sessions").fill_null(0))
        .with_columns(
            pl.when(pl.col("possible") > 0)
            .then(pl.col("sessions") * 100.0 / pl.col("possible"))
            .alias("rate")
        )
        .sort("week_start", "reason_order")
        .drop("reason_order")
    )


def half_term_weeks(half_terms: pl.LazyFrame) -> pl.LazyFrame:
    """One row per week of each half-term (`half_terms` as `pipelines.terms.half_terms` gives
    them): `week_start, academic_year, label, position` (FIRST_WEEK, LAST_WEEK or OTHER_WEEKS).
    A half-term of one week has only a first week."""
    first = pl.col("start").dt.truncate("1w")
    last = pl.col("end").dt.truncate("1w")
    return (
        half_terms.with_columns(
            pl.date_ranges(first, last, interval=timedelta(days=7)).alias("week_start"),
            first.alias("first"),
            last.alias("last"),
        )
        .explode("week_start")
        .with_columns(
            pl.when(pl.col("week_start") == pl.col("first"))
            .then(pl.lit(FIRST_WEEK))
            .when(pl.col("week_start") == pl.col("last"))
            .then(pl.lit(LAST_WEEK))
            .otherwise(pl.lit(OTHER_WEEKS))
            .alias("position")
        )
        .select("week_start", "academic_year", "label", "start", "position")
    )


def term_edges(sessions: pl.LazyFrame, half_terms: pl.LazyFrame) -> pl.LazyFrame:
    """One row per half-term and position (first week, other weeks, last week) holding counted
    sessions: `academic_year, label, start, position`, the session totals and every rate."""
    weeks = half_term_weeks(half_terms)
    placed = sessions.with_columns(week_start().alias("week_start")).join(
        weeks, on="week_start", how="inner"
    )
    order = {name: position for position, name in enumerate(TERM_POSITIONS)}
    return (
        session_totals(placed, ("academic_year", "label", "start", "position"))
        .pipe(with_session_rates)
        .sort("start", pl.col("position").replace_strict(order, return_dtype=pl.Int8))
    )


def term_edges_overall(sessions: pl.LazyFrame, half_terms: pl.LazyFrame) -> pl.LazyFrame:
    """One row per position (first week, other weeks, last week) over every half-term:
    `position`, the session totals and every rate."""
    weeks = half_term_weeks(half_terms)
    placed = sessions.with_columns(week_start().alias("week_start")).join(
        weeks.select("week_start", "position"), on="week_start", how="inner"
    )
    order = {name: position for position, name in enumerate(TERM_POSITIONS)}
    return (
        session_totals(placed, ("position",))
        .pipe(with_session_rates)
        .sort(pl.col("position").replace_strict(order, return_dtype=pl.Int8))
    )
