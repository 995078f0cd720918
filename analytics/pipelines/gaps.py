"""Gaps between a group of pupils and the rest, and between a group and the national figure.

A group's **gap to the rest** compares it with every other enrolment in the same frame: the rest's
rate is built from the totals minus the group's own sums (never an average of rates), so group and
rest together are exactly the whole. Gaps are in percentage points, group minus comparator: a
positive persistent-absence gap means the group is worse; a positive attendance gap means better.

A group is **too small to read** when it, or the rest it is compared with, has fewer pupils (with
a possible session) than a threshold: one or two pupils can swing such a rate by many points.

A **national comparator** for pupils spread over phases (a trust with primary and secondary
schools) is each phase's national figure weighted by the group's own pupils (or possible
sessions) in that phase: what the national rates would give for this mix of pupils.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from analytics.pipelines.measures import rate

#: Rates a gap can be taken on, as (numerator, denominator) columns of `group_measures`.
GAP_MEASURES = {
    "attendance_rate": ("attended", "possible"),
    "absence_rate": ("absent", "possible"),
    "persistent_absence_rate": ("persistent_absentees", "enrolments_counted"),
    "severe_absence_rate": ("severe_absentees", "enrolments_counted"),
}


def gap_measure(measure: str) -> tuple[str, str]:
    """(numerator, denominator) of a measure gaps can be taken on."""
    if measure not in GAP_MEASURES:
        raise ValueError(f"no gap for '{measure}': use one of {', '.join(GAP_MEASURES)}")
    return GAP_MEASURES[measure]


def with_gap_to_rest(
    groups: pl.LazyFrame, measure: str, within: Sequence[str] = ()
) -> pl.LazyFrame:
    """One row per group (as given: `group_measures` rows that partition the enrolments), adding
    `rest_enrolments_counted`, `rest_<measure>` (the measure over every other enrolment of the
    frame, or of the same `within` group) and `gap_to_rest` (group minus rest, percentage points)."""
    numerator, denominator = gap_measure(measure)

    def rest(column: str) -> pl.Expr:
        total = pl.col(column).sum().over(within) if within else pl.col(column).sum()
        return total - pl.col(column)

    return groups.with_columns(
        rest("enrolments_counted").alias("rest_enrolments_counted"),
        rate(rest(numerator), rest(denominator)).alias(f"rest_{measure}"),
    ).with_columns((pl.col(measure) - pl.col(f"rest_{measure}")).alias("gap_to_rest"))


def with_small_group_flag(groups: pl.LazyFrame, fewest_pupils: int) -> pl.LazyFrame:
    """Adds `too_small`: the group, or the rest it is compared with (when that column is there),
    has fewer than `fewest_pupils` enrolments with a possible session."""
    small = pl.col("enrolments_counted") < fewest_pupils
    if "rest_enrolments_counted" in groups.collect_schema().names():
        small = small | (pl.col("rest_enrolments_counted") < fewest_pupils)
    return groups.with_columns(small.alias("too_small"))


def weighted_national(
    weights: pl.LazyFrame, national: pl.LazyFrame, by: Sequence[str]
) -> pl.LazyFrame:
    """One row per `by` group: `national` (Σ weight × national value / Σ weight over phases) and
    `national_weight` (Σ weight).

    `weights` has `by`, `phase` and `weight` (the group's pupils or sessions in that phase);
    `national` has `by` (or a subset of it), `phase` and `national_value`. The comparator is null
    when a phase holding some of the group's weight has no national figure, or when there is no
    weight at all: a figure for part of the group would not compare like with like."""
    keys = [c for c in national.collect_schema().names() if c not in ("phase", "national_value")]
    joined = weights.filter(pl.col("weight") > 0).join(national, on=[*keys, "phase"], how="left")
    return joined.group_by(*by).agg(
        pl.when(pl.col("national_value").is_null().any())
        .then(None)
        .otherwise((pl.col("weight") * pl.col("national_value")).sum() / pl.col("weight").sum())
        .alias("national"),
        pl.col("weight").sum().alias("national_weight"),
    )


def with_gap_to_national(
    groups: pl.LazyFrame, value: str, national: str = "national"
) -> pl.LazyFrame:
    """Adds `gap_to_national`: `value` minus the national figure, percentage points (null when
    either is missing)."""
    return groups.with_columns((pl.col(value) - pl.col(national)).alias("gap_to_national"))
