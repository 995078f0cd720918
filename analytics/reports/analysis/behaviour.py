"""The Behaviour page's figures: incidents per 100 pupils by cohort and by week, suspensions and
permanent exclusions by reason (with national rates), each pupil's attendance beside their
incidents, and how many persistent absentees have behaviour incidents."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from analytics.domain.exclusions import REASONS
from analytics.pipelines.behaviour import (
    NO_REASON,
    behaviour_of_absentees,
    behaviour_rates,
    exclusions_by_reason,
    exclusions_in,
    incidents_in,
    weekly_incidents,
)
from analytics.pipelines.groups import characteristic, group_column, group_order
from analytics.pipelines.windows import Window
from analytics.reports.comparisons.national import Benchmark
from analytics.reports.comparisons.periods import comparator
from analytics.reports.comparisons.scope import Comparators, built_in_comparators
from analytics.reports.inputs.records import BehaviourRecords

#: Exclusion rates with a national figure (DfE's exclusion statistics, per 100 pupils).
EXCLUSION_MEASURES = {
    "suspension_rate": "Suspensions per 100 pupils",
    "permanent_exclusion_rate": "Permanent exclusions per 100 pupils",
    "one_or_more_suspensions_rate": "Pupils with one or more suspensions, per 100 pupils",
}


@dataclass(frozen=True)
class BehaviourFigures:
    """Everything the Behaviour page shows for one scope, window and characteristic."""

    totals: dict
    by_group: pl.DataFrame
    weekly: pl.DataFrame
    by_reason: pl.DataFrame
    exclusion_rates: pl.DataFrame
    pupils: pl.DataFrame
    absentees: pl.DataFrame


def by_characteristic(enrolments: pl.DataFrame, key: str) -> pl.DataFrame:
    """Behaviour rates per group of characteristic `key`, after an `All pupils` row."""
    column = group_column(key)
    grouped = behaviour_rates(enrolments.lazy(), [column]).collect().rename({column: "group"})
    order = {name: i for i, name in enumerate(group_order(key, grouped["group"].to_list()))}
    grouped = grouped.sort(pl.col("group").replace_strict(order, return_dtype=pl.Int32))
    whole = (
        behaviour_rates(enrolments.lazy())
        .collect()
        .with_columns(pl.lit("All pupils").alias("group"))
    )
    return (
        pl.concat([whole.select(grouped.columns), grouped])
        .with_columns(pl.lit(characteristic(key).label).alias("characteristic"))
        .select("characteristic", *grouped.columns)
    )


def exclusion_rates(
    enrolments: pl.DataFrame, academic_year: int, compare: Comparators | None = None
) -> pl.DataFrame:
    """One row per EXCLUSION_MEASURES measure: this scope's rate (all pupils on roll), and the
    newest national rate held for the same mix of phases (weighted by pupils) with its year,
    whether it is more than a year older than the window, and its source."""
    figures = (compare or built_in_comparators()).figures
    totals = behaviour_rates(enrolments.lazy()).collect().row(0, named=True)
    weights = {
        row["national_phase"]: row["pupils"]
        for row in enrolments.group_by("national_phase")
        .agg(pl.len().alias("pupils"))
        .iter_rows(named=True)
        if row["national_phase"]
    }
    rows = []
    for measure, label in EXCLUSION_MEASURES.items():

        def lookup(phase: str, m: str = measure) -> Benchmark | None:
            return figures.pick(m, phase, academic_year, "year")

        figure = comparator(weights, lookup)
        rows.append(
            {
                "measure": measure,
                "label": label,
                "value": totals[measure],
                "national": figure.value,
                "national_year": figure.years,
                "national_figure_phase": figure.phase,
                "national_older": figure.older,
                "national_source": figure.source,
            }
        )
    return pl.DataFrame(rows, schema_overrides={"value": pl.Float64, "national": pl.Float64})


def behaviour_figures(
    weeks: pl.LazyFrame,
    records: BehaviourRecords,
    window: Window,
    enrolments: pl.DataFrame,
    key: str,
    compare: Comparators | None = None,
) -> BehaviourFigures:
    """Behaviour beside attendance for the enrolments of an `enrolment_table` (made with
    behaviour), grouped by characteristic `key`; `weeks` has a row per enrolment and week with a
    counted session (`WindowTotals.weeks`, `Register.weeks`); exclusion rates against the
    national figures of `compare` (the built-in ones when not given)."""
    ids = enrolments["enrolment_id"]
    incidents = incidents_in(records.incidents.lazy(), window).filter(
        pl.col("enrolment_id").is_in(ids)
    )
    exclusions = exclusions_in(records.exclusions.lazy(), window).filter(
        pl.col("enrolment_id").is_in(ids)
    )
    by_reason = (
        exclusions_by_reason(exclusions)
        .collect()
        .with_columns(
            pl.col("reason")
            .replace_strict(REASONS | {NO_REASON: "No reason recorded"}, default="Unknown code")
            .alias("meaning")
        )
        .select("reason", "meaning", "suspensions", "permanent_exclusions", "sessions")
    )
    pupils = enrolments.filter(pl.col("possible") > 0).select(
        "enrolment_id",
        "group_year_group",
        "attendance_rate",
        "persistent_absence",
        "negative_incidents",
        "positive_incidents",
        "suspensions",
    )
    return BehaviourFigures(
        totals=behaviour_rates(enrolments.lazy()).collect().row(0, named=True),
        by_group=by_characteristic(enrolments, key),
        weekly=weekly_incidents(incidents, weeks).collect(),
        by_reason=by_reason,
        exclusion_rates=exclusion_rates(enrolments, window.academic_year_start, compare),
        pupils=pupils,
        absentees=behaviour_of_absentees(enrolments.lazy()).collect(),
    )
