"""Aggregate steps for the governors' summary: groups against the rest of the school, absence
bands, and behaviour and suspensions for a window. Every step returns groups, never pupils."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from analytics.domain.exclusions import PERMANENT, SUSPENSION
from analytics.pipelines.measures import at_least_percent, group_measures, rate
from analytics.pipelines.sessions import in_window
from analytics.pipelines.windows import Window


@dataclass(frozen=True)
class Band:
    """An absence band: enrolments whose absence is at least `lower`% and below `upper`% of their
    own possible sessions (no upper bound when None)."""

    label: str
    lower: int
    upper: int | None


#: The bands governors see: the persistent-absence line (10%) and the severe line (50%) are
#: band edges, so the top three bands add up to the persistent absentees and the last is the
#: severe absentees.
ABSENCE_BANDS = (
    Band("Under 5%", 0, 5),
    Band("5% to under 10%", 5, 10),
    Band("10% to under 20%", 10, 20),
    Band("20% to under 50%", 20, 50),
    Band("50% or more", 50, None),
)

#: Sums the rest-of-school columns are built from.
_REST_SUMS = (
    "enrolments",
    "enrolments_counted",
    "possible",
    "attended",
    "absent",
    "persistent_absentees",
)


def breakdown(per_enrolment: pl.LazyFrame, column: str) -> pl.LazyFrame:
    """One row per value of `column` (nulls dropped): the group's measures (`group_measures`) and
    `rest_enrolments`, `rest_attendance_rate`, `rest_absence_rate` and
    `rest_persistent_absence_rate` for every other enrolment of the frame."""
    totals = group_measures(per_enrolment).select(pl.col(c).alias(f"total_{c}") for c in _REST_SUMS)
    groups = group_measures(per_enrolment.filter(pl.col(column).is_not_null()), [column])
    rest = {c: pl.col(f"total_{c}") - pl.col(c) for c in _REST_SUMS}
    return (
        groups.join(totals, how="cross")
        .with_columns(
            rest["enrolments"].alias("rest_enrolments"),
            rate(rest["attended"], rest["possible"]).alias("rest_attendance_rate"),
            rate(rest["absent"], rest["possible"]).alias("rest_absence_rate"),
            rate(rest["persistent_absentees"], rest["enrolments_counted"]).alias(
                "rest_persistent_absence_rate"
            ),
        )
        .drop(f"total_{c}" for c in _REST_SUMS)
        .sort(column)
    )


def absence_bands(
    per_enrolment: pl.LazyFrame, bands: tuple[Band, ...] = ABSENCE_BANDS
) -> pl.LazyFrame:
    """One row per band, every band in order even when empty: `band`, `lower`, `upper`,
    `enrolments` (enrolments with a possible session in the band). Compared in integers, so an
    enrolment absent for exactly 10% is in the band starting at 10%."""
    counted = per_enrolment.filter(pl.col("possible") > 0)
    index = pl.sum_horizontal(
        at_least_percent(pl.col("absent"), pl.col("possible"), band.lower).cast(pl.Int32)
        for band in bands[1:]
    )
    counts = counted.group_by(index.alias("position")).agg(
        pl.len().cast(pl.Int64).alias("enrolments")
    )
    all_bands = pl.LazyFrame(
        {
            "position": list(range(len(bands))),
            "band": [band.label for band in bands],
            "lower": [band.lower for band in bands],
            "upper": [band.upper for band in bands],
        },
        schema={"position": pl.Int32, "band": pl.String, "lower": pl.Int32, "upper": pl.Int32},
    )
    return (
        all_bands.join(counts, on="position", how="left")
        .with_columns(pl.col("enrolments").fill_null(0))
        .sort("position")
        .drop("position")
    )


def behaviour_measures(
    incidents: pl.LazyFrame, exclusions: pl.LazyFrame, cohorts: pl.LazyFrame, window: Window
) -> pl.LazyFrame:
    """One row for the enrolments in `cohorts` (those on roll in the window): `enrolments`,
    `negative_incidents`, `pupils_negative` (with at least one), `positive_incidents`,
    `pupils_positive`, `suspensions`, `pupils_suspended`, `suspension_sessions`,
    `permanent_exclusions` (incidents dated and exclusions starting in the window)."""
    on_roll = cohorts.select("enrolment_id")
    dated = in_window(incidents, window).join(on_roll, on="enrolment_id", how="semi")
    started = in_window(exclusions, window, "start_date").join(
        on_roll, on="enrolment_id", how="semi"
    )
    negative = dated.filter(pl.col("type") == "negative")
    positive = dated.filter(pl.col("type") == "positive")
    suspensions = started.filter(pl.col("category") == SUSPENSION)
    return pl.concat(
        [
            on_roll.select(pl.len().cast(pl.Int64).alias("enrolments")),
            negative.select(
                pl.len().cast(pl.Int64).alias("negative_incidents"),
                pl.col("enrolment_id").n_unique().cast(pl.Int64).alias("pupils_negative"),
            ),
            positive.select(
                pl.len().cast(pl.Int64).alias("positive_incidents"),
                pl.col("enrolment_id").n_unique().cast(pl.Int64).alias("pupils_positive"),
            ),
            suspensions.select(
                pl.len().cast(pl.Int64).alias("suspensions"),
                pl.col("enrolment_id").n_unique().cast(pl.Int64).alias("pupils_suspended"),
                pl.col("sessions").sum().cast(pl.Int64).alias("suspension_sessions"),
            ),
            started.filter(pl.col("category") == PERMANENT).select(
                pl.len().cast(pl.Int64).alias("permanent_exclusions")
            ),
        ],
        how="horizontal",
    )


def suspension_reasons(
    exclusions: pl.LazyFrame, cohorts: pl.LazyFrame, window: Window
) -> pl.LazyFrame:
    """One row per main reason (`reason_1`, `unknown` when blank) of the suspensions starting in
    the window for enrolments in `cohorts`: `reason`, `suspensions`; most frequent first."""
    return (
        in_window(exclusions, window, "start_date")
        .filter(pl.col("category") == SUSPENSION)
        .join(cohorts.select("enrolment_id"), on="enrolment_id", how="semi")
        .group_by(pl.col("reason_1").fill_null("unknown").alias("reason"))
        .agg(pl.len().cast(pl.Int64).alias("suspensions"))
        .sort(["suspensions", "reason"], descending=[True, False])
    )
