"""The Overview page's figures: headline measures against last year and national, the weekly
series, the 5% absence bands and the school table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from analytics.pipelines.bands import band_distribution
from analytics.pipelines.measures import group_measures
from analytics.pipelines.weekly import weekly_measures
from analytics.pipelines.windows import Window
from analytics.reports.comparisons.national import national_band_distribution
from analytics.reports.comparisons.periods import compared, compulsory_age_measures, phase_weights
from analytics.reports.comparisons.places import Place
from analytics.reports.comparisons.scope import (
    PLACE_SCHEMA,
    PLACES,
    Comparators,
    built_in_comparators,
    comparators,
    place_columns,
    place_figures,
)
from analytics.reports.analysis.pupils import measures_with_phase
from analytics.reports.inputs.register import Register
from analytics.reports.inputs.totals import WindowTotals, load_totals
from analytics.store import Database


@dataclass(frozen=True)
class Measure:
    """A headline measure: its column, its label, and what it counts."""

    column: str
    label: str
    numerator: str
    denominator: str
    help: str


HEADLINE_MEASURES = (
    Measure(
        "attendance_rate",
        "Attendance",
        "attended",
        "possible",
        "Present (/ \\ L) and approved educational activity (K V P W B) as a share of possible sessions.",
    ),
    Measure(
        "absence_rate",
        "Overall absence",
        "absent",
        "possible",
        "Authorised and unauthorised absence as a share of possible sessions.",
    ),
    Measure(
        "authorised_rate",
        "Authorised absence",
        "authorised",
        "possible",
        "Codes C C1 C2 E I J1 M R S T (and the withdrawn H, legacy F) as a share of possible sessions.",
    ),
    Measure(
        "unauthorised_rate",
        "Unauthorised absence",
        "unauthorised",
        "possible",
        "Codes G N O U as a share of possible sessions.",
    ),
    Measure(
        "persistent_absence_rate",
        "Persistent absence",
        "persistent_absentees",
        "enrolments_counted",
        "Enrolments missing 10% or more of their own possible sessions, as a share of enrolments with a possible session.",
    ),
    Measure(
        "severe_absence_rate",
        "Severe absence",
        "severe_absentees",
        "enrolments_counted",
        "Enrolments missing 50% or more of their own possible sessions.",
    ),
    Measure(
        "late_before_close_rate",
        "Late before registers closed (L)",
        "late_before_close",
        "possible",
        "Sessions coded L (present, late) as a share of possible sessions.",
    ),
    Measure(
        "late_after_close_rate",
        "Late after registers closed (U)",
        "late_after_close",
        "possible",
        "Sessions coded U (unauthorised absence) as a share of possible sessions.",
    ),
)


def headline(register: Register, window: Window) -> dict:
    """One dict of every group measure for all enrolments on roll in the window."""
    return group_measures(register.enrolment_measures(window)).collect().row(0, named=True)


def by_school(register: Register, window: Window) -> pl.DataFrame:
    """The measures of each school, with its name and phase."""
    measures = group_measures(register.enrolment_measures(window), ["school_urn"]).collect()
    return (
        register.schools.select(pl.col("urn").alias("school_urn"), "name", "phase")
        .join(measures, on="school_urn", how="inner")
        .sort("name")
    )


def weekly(register: Register, window: Window) -> pl.DataFrame:
    """The measures of each week of the window (weeks with sessions only)."""
    return weekly_measures(register.sessions(window), register.cohorts(window)).collect()


def headline_comparison(
    register: Register | WindowTotals,
    window: Window,
    last_year: Register | WindowTotals,
    last_window: Window,
    national_kind: str,
    compare: Comparators | None = None,
) -> pl.DataFrame:
    """One row per HEADLINE_MEASURES measure: `measure, label, value, numerator, denominator`
    (all enrolments on roll), `last_year` (the same measure over `last_window`, from
    `last_year`, scoped the same way for that window) and `change` (percentage points);
    `compared_pupils` and `compared_value` (compulsory-age pupils only); then for each of
    `national`, `region` and `la` (scope.PLACES) the published figure and its `_year`,
    `_period`, `_kind`, `_older` and `_source` (null where the place is unknown or DfE
    published nothing), and `gap_to_national`, `gap_to_region`, `gap_to_la`. Each source is a
    `Register` or the `WindowTotals` of its window (the same figures; the totals read far
    less). `compare` gives the figures held and the scope's LA (built-in national figures only
    when not given)."""
    return _comparison_table(
        _measured(register, window),
        measures_with_phase(last_year, last_window),
        window.academic_year_start,
        national_kind,
        compare or built_in_comparators(),
    )


def _measured(source: Register | WindowTotals, window: Window) -> pl.LazyFrame:
    """`measures_with_phase`, computed once for the several reports that read it."""
    return measures_with_phase(source, window).collect().lazy()


def _comparison_table(
    now: pl.LazyFrame,
    before: pl.LazyFrame,
    academic_year: int,
    national_kind: str,
    compare: Comparators,
) -> pl.DataFrame:
    """`headline_comparison` from the per-enrolment measures of the window and of last year's."""
    figures = group_measures(now).collect().row(0, named=True)
    last = group_measures(before).collect().row(0, named=True)
    compulsory = compulsory_age_measures(now).collect().row(0, named=True)
    rows = []
    for measure in HEADLINE_MEASURES:
        places = place_figures(now, measure.column, academic_year, national_kind, compare)
        rows.append(
            {
                "measure": measure.column,
                "label": measure.label,
                "value": figures[measure.column],
                "numerator": figures[measure.numerator],
                "denominator": figures[measure.denominator],
                "last_year": last[measure.column],
                "compared_pupils": compulsory["enrolments_counted"],
                "compared_value": compulsory[measure.column],
                **place_columns(places),
            }
        )
    frame = pl.DataFrame(
        rows,
        schema_overrides={
            "value": pl.Float64,
            "last_year": pl.Float64,
            "compared_value": pl.Float64,
            **PLACE_SCHEMA,
        },
    )
    return frame.with_columns(
        (pl.col("value") - pl.col("last_year")).alias("change"),
        *((pl.col("compared_value") - pl.col(place)).alias(f"gap_to_{place}") for place in PLACES),
    )


def band_comparison(register: Register | WindowTotals, window: Window) -> tuple[pl.DataFrame, str]:
    """The 5% absence bands: one row per band with `band_label, band_from`, `pupils` and
    `share` (all enrolments with a possible session), `compared_pupils` and `compared_share`
    (compulsory-age pupils) and `national_share` (DfE's census distribution for the same mix
    of phases), and the national figures' source."""
    return _bands(_measured(register, window), window.academic_year_start)


def _bands(enrolments: pl.LazyFrame, academic_year: int) -> tuple[pl.DataFrame, str]:
    """`band_comparison` from the window's per-enrolment measures."""
    everyone = band_distribution(enrolments).select(
        "absence_band", "band_label", "band_from", pl.col("enrolments").alias("pupils"), "share"
    )
    like = band_distribution(compared(enrolments)).select(
        "absence_band",
        pl.col("enrolments").alias("compared_pupils"),
        pl.col("share").alias("compared_share"),
    )
    weights = phase_weights(enrolments, "persistent_absence_rate")
    national_parts: list[pl.DataFrame] = []
    sources: list[str] = []
    for phase, weight in weights.items():
        found = national_band_distribution(phase, academic_year)
        if found is None:
            national_parts = []
            sources = [f"no DfE absence bands for {phase.lower()} pupils"]
            break
        distribution, source = found
        national_parts.append(
            distribution.select("band_from", (pl.col("share") * weight).alias("weighted"))
        )
        sources.append(source.label)
    frame = everyone.join(like, on="absence_band", how="left").collect()
    if national_parts:
        total = sum(weights.values())
        national = (
            pl.concat(national_parts)
            .group_by("band_from")
            .agg((pl.col("weighted").sum() / total).alias("national_share"))
        )
        frame = frame.join(national, on="band_from", how="left")
        if len(weights) > 1:
            sources.append("weighted by this scope's compulsory-age pupils in each phase")
    else:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias("national_share"))
    return frame.sort("absence_band").drop("absence_band"), "; ".join(sources)


@dataclass(frozen=True)
class OverviewFigures:
    """Everything the Overview page shows for one scope and window."""

    headline: dict
    weekly: pl.DataFrame
    by_school: pl.DataFrame


def overview_figures(
    db: Database, school_urns: Sequence[int] | None, window: Window, year_groups: Sequence[str] = ()
) -> OverviewFigures:
    """The Overview page's figures, from the store's weekly totals (no raw mark is read beyond
    the partial weeks at the window's ends): the same figures as `headline`, `weekly` and
    `by_school` give from a `Register`."""
    return figures_from_totals(load_totals(db, school_urns, window).in_year_groups(year_groups))


def figures_from_totals(totals: WindowTotals) -> OverviewFigures:
    """`overview_figures` from totals already read (the Overview reads them once for its
    figures and its comparisons)."""
    return _figures(totals, totals.enrolment_measures().collect().lazy())


def _figures(totals: WindowTotals, per_enrolment: pl.LazyFrame) -> OverviewFigures:
    """`figures_from_totals`, given the totals' per-enrolment measures."""
    by_school = group_measures(per_enrolment, ["school_urn"]).collect()
    return OverviewFigures(
        headline=group_measures(per_enrolment).collect().row(0, named=True),
        weekly=totals.weekly().collect(),
        by_school=(
            totals.schools.select(pl.col("urn").alias("school_urn"), "name", "phase")
            .join(by_school, on="school_urn", how="inner")
            .sort("name")
        ),
    )


@dataclass(frozen=True)
class OverviewComparison:
    """The Overview: its figures, and its comparisons with the same window last year and with
    national, regional and LA figures (`place`: the LA and region, or why there is none)."""

    figures: OverviewFigures
    last_window: Window
    table: pl.DataFrame
    bands: pl.DataFrame
    bands_source: str
    place: Place | None = None
    no_place: str = ""


def overview_comparison(
    db: Database,
    school_urns: Sequence[int] | None,
    window: Window,
    last_window: Window,
    year_groups: Sequence[str],
    national_kind: str,
    compare: Comparators | None = None,
) -> OverviewComparison:
    """Everything the Overview shows, from the weekly totals of `window` and `last_window` (one
    read each; never the register, so the page opens fast at trust size). The window's
    per-enrolment measures are computed once and read by the figures, the comparison table and
    the bands. `compare` is these schools' comparators when already at hand."""
    now = load_totals(db, school_urns, window).in_year_groups(year_groups)
    before = load_totals(db, school_urns, last_window).in_year_groups(year_groups)
    measured = _measured(now, window)
    compare = compare or comparators(db, school_urns)
    table = _comparison_table(
        measured,
        measures_with_phase(before, last_window),
        window.academic_year_start,
        national_kind,
        compare,
    )
    bands, source = _bands(measured, window.academic_year_start)
    return OverviewComparison(
        _figures(now, measured),
        last_window,
        table,
        bands,
        source,
        compare.place,
        compare.no_place if compare.place is None else "",
    )
