"""`rollcall export comparison`: one row per measure and group of a school's window, the school's
figure (its compulsory-age pupils) beside the national, LA and regional figures it is compared
with, each with its year, window, kind of data and source."""

from __future__ import annotations

import polars as pl

from analytics.pipelines.gaps import GAP_MEASURES
from analytics.pipelines.groups import group_column, with_groups
from analytics.pipelines.windows import Window
from analytics.reports.analysis.overview import HEADLINE_MEASURES
from analytics.reports.analysis.pupils import measures_with_phase
from analytics.reports.comparisons.groups import NATIONAL_GROUPS
from analytics.reports.comparisons.periods import compulsory_age_measures, term_of
from analytics.reports.comparisons.scope import Comparators, comparators, place_figures
from analytics.reports.inputs.totals import load_totals
from analytics.store import Database

ALL_PUPILS = "All pupils"

#: The header of the export: these columns first, exactly, then COMPARISON_DETAILS.
COMPARISON_HEADER = (
    "measure",
    "group",
    "school_value",
    "school_pupils",
    "national_value",
    "national_year",
    "national_period",
    "la_value",
    "la_year",
    "region_value",
    "region_year",
)
COMPARISON_DETAILS = (
    "characteristic",
    "window_start",
    "window_end",
    "compared_window",
    "national_kind",
    "national_figure_phase",
    "national_older",
    "national_source",
    "la_name",
    "la_period",
    "la_kind",
    "la_figure_phase",
    "la_older",
    "la_source",
    "region_name",
    "region_period",
    "region_kind",
    "region_figure_phase",
    "region_older",
    "region_source",
)

#: Measures compared for groups of pupils: those the Cohorts page compares, and authorised and
#: unauthorised absence, which DfE publishes by group too.
GROUP_MEASURES = (*GAP_MEASURES, "authorised_rate", "unauthorised_rate")


def _row(
    measure: str, group: str, characteristic: str, school: dict, figures: dict, window: Window
) -> dict:
    national, la, region = figures["national"], figures["la"], figures["region"]
    return {
        "measure": measure,
        "group": group,
        "school_value": school[measure],
        "school_pupils": school["enrolments_counted"],
        "national_value": national.value,
        "national_year": national.years,
        "national_period": national.period,
        "la_value": la.value,
        "la_year": la.years,
        "region_value": region.value,
        "region_year": region.years,
        "characteristic": characteristic,
        "window_start": window.start,
        "window_end": window.end,
        "national_kind": national.kind,
        "national_figure_phase": national.phase,
        "national_older": national.older,
        "national_source": national.source,
        "la_name": la.place,
        "la_period": la.period,
        "la_kind": la.kind,
        "la_figure_phase": la.phase,
        "la_older": la.older,
        "la_source": la.source,
        "region_name": region.place,
        "region_period": region.period,
        "region_kind": region.kind,
        "region_figure_phase": region.phase,
        "region_older": region.older,
        "region_source": region.source,
    }


def comparison_table(
    db: Database, urn: int, window: Window, compare: Comparators | None = None
) -> pl.DataFrame:
    """One row per headline measure for all pupils, then per group DfE publishes figures for
    (and the school has pupils in) and GROUP_MEASURES: COMPARISON_HEADER then
    COMPARISON_DETAILS. Published figures are the newest held for the window's nearest
    comparable period (`periods.term_of`); the school's are its compulsory-age pupils'."""
    compare = compare or comparators(db, (urn,))
    year, kind = window.academic_year_start, term_of(window)
    keys = sorted({key for key, _ in NATIONAL_GROUPS})
    enrolments = (
        measures_with_phase(load_totals(db, (urn,), window), window)
        .pipe(with_groups, keys)
        .collect()
        .lazy()
    )
    whole = compulsory_age_measures(enrolments).collect().row(0, named=True)
    rows = []
    for measure in HEADLINE_MEASURES:
        figures = place_figures(enrolments, measure.column, year, kind, compare)
        rows.append(_row(measure.column, ALL_PUPILS, ALL_PUPILS, whole, figures, window))
    for (key, group), names in NATIONAL_GROUPS.items():
        members = enrolments.filter(pl.col(group_column(key)) == group)
        school = compulsory_age_measures(members).collect().row(0, named=True)
        if not school["enrolments_counted"]:
            continue
        for column in GROUP_MEASURES:
            figures = place_figures(members, column, year, kind, compare, names)
            rows.append(_row(column, group, key, school, figures, window))
    compared = f"{kind} ({'the term' if kind != 'year' else 'the academic year'})"
    return (
        pl.DataFrame(
            rows,
            schema_overrides={
                "school_value": pl.Float64,
                "national_value": pl.Float64,
                "la_value": pl.Float64,
                "region_value": pl.Float64,
            },
        )
        .with_columns(pl.lit(compared).alias("compared_window"))
        .select(*COMPARISON_HEADER, *COMPARISON_DETAILS)
    )
