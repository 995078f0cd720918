"""Behaviour incidents and exclusions beside attendance: counts per enrolment, rates per 100
pupils, weekly series and exclusions by reason.

Rates per 100 pupils divide by the enrolments on roll in the window (all of them, as DfE divides
suspensions by headcount: `suspensions / pupils × 100`), summed over the group before dividing.
Incidents and exclusions count when their date (an exclusion's start date) is in the window and
the enrolment is on roll in it.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from analytics.domain.exclusions import PERMANENT, SUSPENSION
from analytics.pipelines.calendar import week_start
from analytics.pipelines.measures import rate
from analytics.pipelines.windows import Window

NEGATIVE = "negative"
POSITIVE = "positive"
NO_REASON = "Not given"

#: Count columns `with_behaviour_counts` adds to each enrolment.
BEHAVIOUR_COUNTS = (
    "negative_incidents",
    "positive_incidents",
    "suspensions",
    "permanent_exclusions",
    "exclusion_sessions",
)


def per_100(count: str | pl.Expr, pupils: str | pl.Expr) -> pl.Expr:
    """`count / pupils × 100`, null when there are no pupils."""
    return rate(count, pupils)


def incidents_in(incidents: pl.LazyFrame, window: Window) -> pl.LazyFrame:
    """Incidents dated inside the window."""
    return incidents.filter(pl.col("date").is_between(window.start, window.end))


def exclusions_in(exclusions: pl.LazyFrame, window: Window) -> pl.LazyFrame:
    """Exclusions starting inside the window."""
    return exclusions.filter(pl.col("start_date").is_between(window.start, window.end))


def incident_counts(incidents: pl.LazyFrame) -> pl.LazyFrame:
    """One row per enrolment with an incident: `negative_incidents, positive_incidents`."""
    kind = pl.col("type")
    return incidents.group_by("enrolment_id").agg(
        (kind == NEGATIVE).sum().cast(pl.Int64).alias("negative_incidents"),
        (kind == POSITIVE).sum().cast(pl.Int64).alias("positive_incidents"),
    )


def exclusion_counts(exclusions: pl.LazyFrame) -> pl.LazyFrame:
    """One row per enrolment with an exclusion: `suspensions, permanent_exclusions,
    exclusion_sessions` (sessions lost to either)."""
    category = pl.col("category")
    return exclusions.group_by("enrolment_id").agg(
        (category == SUSPENSION).sum().cast(pl.Int64).alias("suspensions"),
        (category == PERMANENT).sum().cast(pl.Int64).alias("permanent_exclusions"),
        pl.col("sessions").sum().cast(pl.Int64).alias("exclusion_sessions"),
    )


def with_behaviour_counts(
    per_enrolment: pl.LazyFrame, incidents: pl.LazyFrame, exclusions: pl.LazyFrame
) -> pl.LazyFrame:
    """One row per enrolment (as given), adding BEHAVIOUR_COUNTS (0 when none) from incidents and
    exclusions already cut to the window."""
    return (
        per_enrolment.join(incident_counts(incidents), on="enrolment_id", how="left")
        .join(exclusion_counts(exclusions), on="enrolment_id", how="left")
        .with_columns(pl.col(c).fill_null(0) for c in BEHAVIOUR_COUNTS)
    )


def behaviour_rates(per_enrolment: pl.LazyFrame, by: Sequence[str] = ()) -> pl.LazyFrame:
    """One row per group (the whole frame when `by` is empty) of enrolments carrying
    BEHAVIOUR_COUNTS: `pupils`, the count sums, `pupils_with_negative`, `pupils_suspended`, and
    per 100 pupils: `negative_per_100`, `positive_per_100`, `suspension_rate`,
    `permanent_exclusion_rate`, `one_or_more_suspensions_rate`, plus
    `pupils_with_negative_rate` (% of pupils with at least one negative incident)."""
    aggregations = [
        pl.len().cast(pl.Int64).alias("pupils"),
        *(pl.col(c).sum().cast(pl.Int64) for c in BEHAVIOUR_COUNTS),
        (pl.col("negative_incidents") > 0).sum().cast(pl.Int64).alias("pupils_with_negative"),
        (pl.col("suspensions") > 0).sum().cast(pl.Int64).alias("pupils_suspended"),
    ]
    grouped = (
        per_enrolment.group_by(*by).agg(aggregations) if by else per_enrolment.select(aggregations)
    )
    return grouped.with_columns(
        per_100("negative_incidents", "pupils").alias("negative_per_100"),
        per_100("positive_incidents", "pupils").alias("positive_per_100"),
        per_100("pupils_with_negative", "pupils").alias("pupils_with_negative_rate"),
        per_100("suspensions", "pupils").alias("suspension_rate"),
        per_100("permanent_exclusions", "pupils").alias("permanent_exclusion_rate"),
        per_100("pupils_suspended", "pupils").alias("one_or_more_suspensions_rate"),
    )


def weekly_incidents(incidents: pl.LazyFrame, weeks: pl.LazyFrame) -> pl.LazyFrame:
    """One row per school week of `weeks` (one row per enrolment and week, `enrolment_id,
    week_start`, with a counted session): `pupils` (enrolments with a counted session that
    week), `negative_incidents`, `positive_incidents` and each per 100 pupils. Incidents of
    weeks without sessions (holidays) are left out: there is no roll to divide by."""
    pupils = weeks.group_by("week_start").agg(
        pl.col("enrolment_id").n_unique().cast(pl.Int64).alias("pupils")
    )
    counts = incidents.group_by(week_start().alias("week_start")).agg(
        (pl.col("type") == NEGATIVE).sum().cast(pl.Int64).alias("negative_incidents"),
        (pl.col("type") == POSITIVE).sum().cast(pl.Int64).alias("positive_incidents"),
    )
    return (
        pupils.join(counts, on="week_start", how="left")
        .with_columns(pl.col("negative_incidents", "positive_incidents").fill_null(0))
        .with_columns(
            per_100("negative_incidents", "pupils").alias("negative_per_100"),
            per_100("positive_incidents", "pupils").alias("positive_per_100"),
        )
        .sort("week_start")
    )


def exclusions_by_reason(exclusions: pl.LazyFrame) -> pl.LazyFrame:
    """One row per census reason code given: `reason, suspensions, permanent_exclusions,
    sessions`. An exclusion with several reasons counts once under each of them (as DfE counts
    reasons since 2021/22); one with none counts under NO_REASON."""
    reasons = (
        exclusions.with_row_index("exclusion")
        .unpivot(
            on=["reason_1", "reason_2", "reason_3"],
            index=["exclusion", "category", "sessions"],
            value_name="reason",
        )
        .with_columns(pl.col("reason").str.strip_chars().str.to_uppercase())
        .filter(pl.col("reason").is_not_null() & (pl.col("reason") != ""))
        .unique(["exclusion", "reason"])
    )
    without = (
        exclusions.with_row_index("exclusion")
        .join(reasons.select("exclusion").unique(), on="exclusion", how="anti")
        .select("exclusion", "category", "sessions", pl.lit(NO_REASON).alias("reason"))
    )
    category = pl.col("category")
    return (
        pl.concat([reasons.select("exclusion", "category", "sessions", "reason"), without])
        .group_by("reason")
        .agg(
            (category == SUSPENSION).sum().cast(pl.Int64).alias("suspensions"),
            (category == PERMANENT).sum().cast(pl.Int64).alias("permanent_exclusions"),
            pl.col("sessions").sum().cast(pl.Int64).alias("sessions"),
        )
        .sort(
            pl.col("suspensions") + pl.col("permanent_exclusions"),
            "reason",
            descending=[True, False],
        )
    )


def behaviour_of_absentees(per_enrolment: pl.LazyFrame) -> pl.LazyFrame:
    """Two rows, persistent absentees and the others (enrolments with a possible session):
    `persistent_absence, pupils, pupils_with_negative, pupils_with_negative_rate,
    negative_incidents, negative_per_100, pupils_suspended, one_or_more_suspensions_rate`."""
    counted = per_enrolment.filter(pl.col("possible") > 0)
    both = pl.LazyFrame({"persistent_absence": [True, False]})
    counts = ("pupils", "pupils_with_negative", "negative_incidents", "pupils_suspended")
    return (
        both.join(
            behaviour_rates(counted, ["persistent_absence"]), on="persistent_absence", how="left"
        )
        .with_columns(pl.col(c).fill_null(0) for c in counts)
        .select(
            "persistent_absence",
            "pupils",
            "pupils_with_negative",
            "pupils_with_negative_rate",
            "negative_incidents",
            "negative_per_100",
            "pupils_suspended",
            "one_or_more_suspensions_rate",
        )
        .sort("persistent_absence", descending=True)
    )
