"""Does an intervention work? Attendance in the N school weeks before and after each action,
against comparable pupils who had no such action in the same weeks.

For each action (a pupil's first of its type in an academic year, so one pupil's repeated calls
do not count many times) the weeks are its school's own: the N school weeks before the week of
the action and the N school weeks after it (the week of the action itself is left out, being
partly before and partly after). A pupil counts only with sessions in both spans (at least half
of them), so pupils who left or joined are not compared.

Comparable pupils are at the same school, in the same weeks, with the same disadvantaged flag and
SEN (none, or support or a plan), whose attendance both in the N weeks before and over the
longer span before (`PRIOR_SPANS` × N weeks) was within `CALIPER_POINTS` of the pupil's, and who
had no action of that type from N weeks before to N weeks after: up to `MAX_MATCHES` of the
closest. Matching on the longer span too keeps a pupil whose absence is long-standing from being
compared with pupils who were only briefly off (who bounce back faster). The action's effect is the pupil's change in
attendance minus the mean change of its comparison pupils (a difference in differences), so a
rise that every similar pupil saw (regression to the mean, the season) is not credited to it.
"""

from __future__ import annotations

import polars as pl

from analytics.pipelines.calendar import week_start
from analytics.pipelines.measures import rate

MAX_MATCHES = 5
CALIPER_POINTS = 2.5
#: The longer record before an action that comparison pupils are also matched on: this many
#: times the N weeks (it holds the N weeks just before).
PRIOR_SPANS = 3


def weekly_attendance(weekly: pl.LazyFrame, weeks: pl.LazyFrame) -> pl.LazyFrame:
    """One row per enrolment and school week of its school: `enrolment_id, school_urn,
    school_week_number, possible, attended`, with running totals `cum_possible, cum_attended`
    (to the end of that week). `weekly` holds session totals per enrolment and week
    (`enrolment_id, school_urn, week_start, possible, attended`), as the store keeps them."""
    return (
        weekly.join(
            weeks.select("school_urn", "week_start", "school_week_number"),
            on=["school_urn", "week_start"],
            how="inner",
        )
        .group_by("enrolment_id", "school_urn", "school_week_number")
        .agg(pl.col("possible").sum().cast(pl.Int64), pl.col("attended").sum().cast(pl.Int64))
        .sort("enrolment_id", "school_week_number")
        .with_columns(
            pl.col("possible").cum_sum().over("enrolment_id").alias("cum_possible"),
            pl.col("attended").cum_sum().over("enrolment_id").alias("cum_attended"),
        )
    )


def event_weeks(events: pl.LazyFrame, weeks: pl.LazyFrame) -> pl.LazyFrame:
    """Adds `event_week`: the school week number of each event's date (`school_urn, date`), or
    of the next school week when the date falls in a holiday; events after the last school week
    are dropped."""
    numbered = weeks.select("school_urn", "week_start", "school_week_number").sort("week_start")
    return (
        events.with_columns(week_start().alias("_week"))
        .sort("_week")
        .join_asof(
            numbered,
            left_on="_week",
            right_on="week_start",
            by="school_urn",
            strategy="forward",
            check_sortedness=False,
        )
        .filter(pl.col("school_week_number").is_not_null())
        .rename({"school_week_number": "event_week"})
        .drop("_week", "week_start")
    )


def _totals_at(
    weekly: pl.LazyFrame, grid: pl.LazyFrame, week_column: str, name: str
) -> pl.LazyFrame:
    """Running totals of each grid row's enrolment at the end of week `week_column` (0 before
    its first week)."""
    lookup = weekly.select(
        "enrolment_id", pl.col("school_week_number").alias("_at"), "cum_possible", "cum_attended"
    ).sort("_at")
    return (
        grid.with_columns(pl.col(week_column).alias("_at"))
        .sort("_at")
        .join_asof(lookup, on="_at", by="enrolment_id", strategy="backward", check_sortedness=False)
        .with_columns(
            pl.col("cum_possible").fill_null(0).alias(f"{name}_possible"),
            pl.col("cum_attended").fill_null(0).alias(f"{name}_attended"),
        )
        .drop("_at", "cum_possible", "cum_attended")
    )


def spans(grid: pl.LazyFrame, weekly: pl.LazyFrame, weeks_each_side: int) -> pl.LazyFrame:
    """For each row of `grid` (`enrolment_id, event_week`): possible and attended sessions in
    the N school weeks before the event week (`before_*`), the N after it (`after_*`) and the
    PRIOR_SPANS × N before it (`prior_*`, the longer record comparison pupils are matched on),
    with the attendance rate of each."""
    n = weeks_each_side
    marks = {
        "t_prior": pl.col("event_week") - PRIOR_SPANS * n - 1,
        "t_earlier": pl.col("event_week") - 2 * n - 1,
        "t_before": pl.col("event_week") - n - 1,
        "t_last": pl.col("event_week") - 1,
        "t_event": pl.col("event_week"),
        "t_after": pl.col("event_week") + n,
    }
    marked = grid.with_columns(expr.alias(f"_{name}") for name, expr in marks.items())
    for name in marks:
        marked = _totals_at(weekly, marked, f"_{name}", name)
    span = lambda label, start, end: [
        (pl.col(f"{end}_possible") - pl.col(f"{start}_possible")).alias(f"{label}_possible"),
        (pl.col(f"{end}_attended") - pl.col(f"{start}_attended")).alias(f"{label}_attended"),
    ]
    return (
        marked.with_columns(
            *span("prior", "t_prior", "t_last"),
            *span("earlier", "t_earlier", "t_before"),
            *span("before", "t_before", "t_last"),
            *span("after", "t_event", "t_after"),
        )
        .with_columns(
            rate("prior_attended", "prior_possible").alias("prior_rate"),
            rate("earlier_attended", "earlier_possible").alias("earlier_rate"),
            rate("before_attended", "before_possible").alias("before_rate"),
            rate("after_attended", "after_possible").alias("after_rate"),
        )
        .drop(
            *(f"_{name}" for name in marks),
            *(f"{name}_{m}" for name in marks for m in ("possible", "attended")),
        )
    )


def _enough(weeks_each_side: int) -> pl.Expr:
    """Sessions in both spans: at least half of the N weeks' ten sessions each."""
    least = 5 * weeks_each_side
    return (pl.col("before_possible") >= least) & (pl.col("after_possible") >= least)


def first_of_type_each_year(events: pl.LazyFrame) -> pl.LazyFrame:
    """Each pupil's first event of each type in each academic year (`academic_year` column)."""
    return events.sort("date", "intervention_id").unique(
        subset=["enrolment_id", "type", "academic_year"], keep="first", maintain_order=True
    )


def matched_effects(
    events: pl.LazyFrame,
    all_events: pl.LazyFrame,
    weekly: pl.LazyFrame,
    cohorts: pl.LazyFrame,
    last_weeks: pl.LazyFrame,
    weeks_each_side: int,
) -> pl.LazyFrame:
    """One row per event (`intervention_id, enrolment_id, school_urn, type, date, event_week`)
    with its spans and `status`: `measured` (with `controls`, the comparison pupils' mean
    `control_before_rate` and `control_after_rate`, and `effect`, the difference in differences),
    `no comparison` (no comparable pupil), `too recent` (the weeks after are not all in the
    register yet) or `too few sessions` (the pupil was not on roll for enough of the weeks).

    `all_events` are every event with `event_week` (to exclude comparison pupils who had the same
    type nearby); `cohorts` has `enrolment_id, disadvantaged, sen`; `last_weeks` each school's
    last school week number (`school_urn, last_week`)."""
    n = weeks_each_side
    strata = cohorts.select("enrolment_id", "disadvantaged", "sen")
    treated = (
        spans(events, weekly, n)
        .join(last_weeks, on="school_urn", how="left")
        .with_columns(
            pl.when(pl.col("event_week") + n > pl.col("last_week"))
            .then(pl.lit("too recent"))
            .when(~_enough(n))
            .then(pl.lit("too few sessions"))
            .otherwise(pl.lit("measured"))
            .alias("status")
        )
        .join(strata, on="enrolment_id", how="left")
    )
    measured = treated.filter(pl.col("status") == "measured")
    # Every pupil of the school with sessions in both spans, at each week that has an event.
    slots = measured.select("school_urn", "event_week").unique()
    pupils = weekly.select("enrolment_id", "school_urn").unique()
    candidates = (
        spans(slots.join(pupils, on="school_urn", how="inner"), weekly, n)
        .filter(_enough(n))
        .join(strata, on="enrolment_id", how="left")
    )
    # A pupil with an action of the same type within N weeks of the event week is no comparison.
    nearby = (
        all_events.select("enrolment_id", "type", "event_week")
        .with_columns(
            pl.int_ranges(pl.col("event_week") - n, pl.col("event_week") + n + 1).alias("_near")
        )
        .explode("_near")
        .select(
            pl.col("enrolment_id").alias("control_id"), "type", pl.col("_near").alias("event_week")
        )
        .unique()
    )
    pairs = (
        measured.select(
            "intervention_id",
            "enrolment_id",
            "school_urn",
            "type",
            "event_week",
            "disadvantaged",
            "sen",
            "before_rate",
            "earlier_rate",
            "prior_rate",
        )
        .join(
            candidates.select(
                pl.col("enrolment_id").alias("control_id"),
                "school_urn",
                "event_week",
                "disadvantaged",
                "sen",
                pl.col("before_rate").alias("c_before"),
                pl.col("after_rate").alias("c_after"),
                pl.col("prior_rate").alias("c_prior"),
                pl.col("earlier_rate").alias("c_earlier"),
            ),
            on=["school_urn", "event_week", "disadvantaged", "sen"],
            how="inner",
            nulls_equal=True,
        )
        .filter(
            (pl.col("control_id") != pl.col("enrolment_id"))
            & ((pl.col("c_before") - pl.col("before_rate")).abs() <= CALIPER_POINTS)
            & ((pl.col("c_prior") - pl.col("prior_rate")).abs() <= CALIPER_POINTS)
            & (
                (pl.col("c_earlier") - pl.col("earlier_rate")).abs() <= 2 * CALIPER_POINTS
            ).fill_null(False)
        )
        .join(nearby, on=["control_id", "type", "event_week"], how="anti")
        .with_columns(
            (
                (pl.col("c_before") - pl.col("before_rate")).abs()
                + (pl.col("c_prior") - pl.col("prior_rate")).abs()
                + (pl.col("c_earlier") - pl.col("earlier_rate")).abs() / 2
            ).alias("_distance")
        )
        .sort("intervention_id", "_distance", "control_id")
        .group_by("intervention_id", maintain_order=True)
        .head(MAX_MATCHES)
        .group_by("intervention_id")
        .agg(
            pl.len().alias("controls"),
            pl.col("c_before").mean().alias("control_before_rate"),
            pl.col("c_after").mean().alias("control_after_rate"),
        )
    )
    return (
        treated.join(pairs, on="intervention_id", how="left")
        .with_columns(
            pl.when((pl.col("status") == "measured") & pl.col("controls").is_null())
            .then(pl.lit("no comparison"))
            .otherwise(pl.col("status"))
            .alias("status"),
            pl.col("controls").fill_null(0),
        )
        .with_columns(
            pl.when(pl.col("status") == "measured")
            .then(
                (pl.col("after_rate") - pl.col("before_rate"))
                - (pl.col("control_after_rate") - pl.col("control_before_rate"))
            )
            .alias("effect")
        )
    )
