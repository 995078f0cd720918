"""The Cohorts page's figures: every characteristic's groups with their pupils, attendance,
persistent and severe absence, the gap to the rest of the school and to the national figure for
that group, two characteristics crossed, the widest gaps against national, and a group's trend.

National, regional and LA figures for a group are the newest published for that group and a
comparable window (`comparisons.held`): DfE's census statistics by pupil characteristic, the 5%
absence bands by FSM, SEN, sex and year group, absence by SEN provision, and the daily-data
autumn figures by FSM and SEN, as held. The school side of each comparison is the group's
compulsory-age pupils (`comparisons.periods.compared`).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from analytics.pipelines.gaps import gap_measure, with_gap_to_rest, with_small_group_flag
from analytics.pipelines.groups import CHARACTERISTICS, characteristic, group_column, group_order
from analytics.pipelines.measures import group_measures
from analytics.pipelines.weekly import measures_by_week
from analytics.reports.comparisons.groups import NATIONAL_GROUPS
from analytics.reports.comparisons.periods import NationalFigure, compulsory_age_measures
from analytics.reports.comparisons.scope import (
    PLACE_SCHEMA,
    PLACES,
    Comparators,
    built_in_comparators,
    place_columns,
    place_figures,
)

ALL_PUPILS = "All pupils"
REST_OF_SCHOOL = "Rest of the school"

#: Measures the cohort gaps can be taken on, with their labels and whether a higher value is
#: worse (so the widest adverse gap can be found whatever the measure).
GAP_MEASURE_LABELS = {
    "persistent_absence_rate": "Persistent absence",
    "attendance_rate": "Attendance",
    "absence_rate": "Overall absence",
    "severe_absence_rate": "Severe absence",
}
HIGHER_IS_WORSE = {
    "persistent_absence_rate": True,
    "attendance_rate": False,
    "absence_rate": True,
    "severe_absence_rate": True,
}

#: Columns of a cohort table, in the order pages show them.
COHORT_COLUMNS = (
    "characteristic",
    "group",
    "pupils",
    "pupils_counted",
    "possible",
    "attended",
    "attendance_rate",
    "absent",
    "absence_rate",
    "persistent_absentees",
    "persistent_absence_rate",
    "severe_absentees",
    "severe_absence_rate",
    "rest_value",
    "gap_to_rest",
    "compared_pupils",
    "compared_value",
    "national",
    "gap_to_national",
    "too_small",
    "national_year",
    "national_period",
    "national_kind",
    "national_figure_phase",
    "national_older",
    "national_source",
    "region",
    "gap_to_region",
    "region_year",
    "region_period",
    "region_kind",
    "region_figure_phase",
    "region_older",
    "region_source",
    "la",
    "gap_to_la",
    "la_year",
    "la_period",
    "la_kind",
    "la_figure_phase",
    "la_older",
    "la_source",
)


def group_places(
    enrolments: pl.LazyFrame,
    key: str,
    group: str,
    measure: str,
    academic_year: int,
    window: str,
    compare: Comparators,
) -> dict[str, NationalFigure]:
    """The national, regional and LA figures for one group's compulsory-age pupils (weighted
    over phases), or none when DfE publishes nothing for the group."""
    names = NATIONAL_GROUPS.get((key, group))
    if names is None:
        return {
            place: NationalFigure(None, "DfE publishes no figure for this group")
            for place in PLACES
        }
    return place_figures(enrolments, measure, academic_year, window, compare, names)


def cohort_table(
    enrolments: pl.DataFrame,
    key: str,
    measure: str,
    academic_year: int,
    national_kind: str,
    fewest_pupils: int,
    cross: str | None = None,
    compare: Comparators | None = None,
) -> pl.DataFrame:
    """One row per group of characteristic `key` (crossed with `cross` when given), after an
    `All pupils` row: COHORT_COLUMNS (plus `cross_group` when crossed). `rest_value` and
    `gap_to_rest` compare each group's `measure` with every other enrolment; `compared_value`,
    `national`, `region` and `la` and their gaps compare its compulsory-age pupils with the
    published figures for that group, for a `national_kind` window of `academic_year` (none for
    crossed groups; `compare` gives the figures held and the LA, built-in national figures only
    when not given). `too_small` marks a group, or the rest, with fewer than `fewest_pupils`
    pupils with a possible session."""
    gap_measure(measure)
    compare = compare or built_in_comparators()
    label = characteristic(key).label
    columns = [group_column(key)] + ([group_column(cross)] if cross else [])
    table = enrolments.lazy()
    groups = (
        group_measures(table, columns)
        .pipe(with_gap_to_rest, measure)
        .pipe(with_small_group_flag, fewest_pupils)
        .join(
            compulsory_age_measures(table, columns).select(
                *columns,
                pl.col("enrolments_counted").alias("compared_pupils"),
                pl.col(measure).alias("compared_value"),
            ),
            on=columns,
            how="left",
        )
        .with_columns(pl.col("compared_pupils").fill_null(0))
        .collect()
    )
    national_rows = []
    for row in groups.iter_rows(named=True):
        if cross:
            crossed = NationalFigure(None, "DfE publishes no figure for crossed groups")
            figures = dict.fromkeys(PLACES, crossed)
        else:
            members = table.filter(pl.col(columns[0]) == row[columns[0]])
            figures = group_places(
                members, key, row[columns[0]], measure, academic_year, national_kind, compare
            )
        national_rows.append({**{c: row[c] for c in columns}, **place_columns(figures)})
    national = pl.DataFrame(
        national_rows, schema={**{c: pl.String for c in columns}, **PLACE_SCHEMA}
    )
    shaped = (
        groups.join(national, on=columns, how="left")
        .with_columns(
            pl.lit(label).alias("characteristic"),
            pl.col(columns[0]).alias("group"),
            *([pl.col(columns[1]).alias("cross_group")] if cross else []),
            pl.col(f"rest_{measure}").alias("rest_value"),
            *((pl.col("compared_value") - pl.col(p)).alias(f"gap_to_{p}") for p in PLACES),
        )
        .with_columns(
            (
                pl.col("too_small")
                | (pl.col("national").is_not_null() & (pl.col("compared_pupils") < fewest_pupils))
            ).alias("too_small")
        )
        .rename({"enrolments": "pupils", "enrolments_counted": "pupils_counted"})
    )
    order = {
        name: position
        for position, name in enumerate(group_order(key, shaped["group"].unique().to_list()))
    }
    sort = [pl.col("group").replace_strict(order, return_dtype=pl.Int32)]
    if cross:
        cross_order = {
            name: position
            for position, name in enumerate(
                group_order(cross, shaped["cross_group"].unique().to_list())
            )
        }
        sort.append(pl.col("cross_group").replace_strict(cross_order, return_dtype=pl.Int32))
    selected = list(COHORT_COLUMNS)
    if cross:
        selected.insert(2, "cross_group")
    shaped = shaped.sort(sort).select(selected)
    return pl.concat(
        [
            _all_pupils(
                enrolments, label, measure, academic_year, national_kind, cross is not None, compare
            ).select(selected),
            shaped,
        ],
        how="vertical_relaxed",
    )


def _all_pupils(
    enrolments: pl.DataFrame,
    label: str,
    measure: str,
    academic_year: int,
    national_kind: str,
    crossed: bool,
    compare: Comparators,
) -> pl.DataFrame:
    """The `All pupils` row: the whole scope, against the published headline figures."""
    table = enrolments.lazy()
    whole = group_measures(table).collect().row(0, named=True)
    compulsory = compulsory_age_measures(table).collect().row(0, named=True)
    places = place_figures(table, measure, academic_year, national_kind, compare)

    def gap(place: str) -> float | None:
        value = places[place].value
        return None if value is None or compulsory[measure] is None else compulsory[measure] - value

    row = {
        "characteristic": label,
        "group": ALL_PUPILS,
        "cross_group": ALL_PUPILS if crossed else None,
        "pupils": whole["enrolments"],
        "pupils_counted": whole["enrolments_counted"],
        "possible": whole["possible"],
        "attended": whole["attended"],
        "attendance_rate": whole["attendance_rate"],
        "absent": whole["absent"],
        "absence_rate": whole["absence_rate"],
        "persistent_absentees": whole["persistent_absentees"],
        "persistent_absence_rate": whole["persistent_absence_rate"],
        "severe_absentees": whole["severe_absentees"],
        "severe_absence_rate": whole["severe_absence_rate"],
        "rest_value": None,
        "gap_to_rest": None,
        "compared_pupils": compulsory["enrolments_counted"],
        "compared_value": compulsory[measure],
        "too_small": False,
        **place_columns(places),
        **{f"gap_to_{place}": gap(place) for place in PLACES},
    }
    return pl.DataFrame(
        [row],
        schema_overrides={
            "rest_value": pl.Float64,
            "gap_to_rest": pl.Float64,
            "cross_group": pl.String,
            "compared_value": pl.Float64,
            **PLACE_SCHEMA,
            **{f"gap_to_{place}": pl.Float64 for place in PLACES},
        },
    )


def adverse(measure: str) -> pl.Expr:
    """`gap_to_national` turned so that larger is always worse for pupils."""
    sign = 1.0 if HIGHER_IS_WORSE[measure] else -1.0
    return pl.col("gap_to_national") * sign


def widest_gaps(
    enrolments: pl.DataFrame,
    measure: str,
    academic_year: int,
    national_kind: str,
    fewest_pupils: int,
    keys: Sequence[str] | None = None,
    compare: Comparators | None = None,
) -> pl.DataFrame:
    """Every group (of every characteristic with national figures) with a readable gap to
    national, worst first: `characteristic_key` plus the cohort-table columns and
    `adverse_gap` (the gap turned so that larger is worse)."""
    keys = keys or [k for k in CHARACTERISTICS if any(key == k for key, _ in NATIONAL_GROUPS)]
    parts = []
    for key in keys:
        table = cohort_table(
            enrolments,
            key,
            measure,
            academic_year,
            national_kind,
            fewest_pupils,
            compare=compare,
        )
        parts.append(
            table.filter(
                (pl.col("group") != ALL_PUPILS)
                & pl.col("gap_to_national").is_not_null()
                & pl.col("too_small").not_()
            ).with_columns(pl.lit(key).alias("characteristic_key"))
        )
    found = pl.concat(parts) if parts else pl.DataFrame()
    if found.is_empty():
        return found
    return found.with_columns(adverse(measure).alias("adverse_gap")).sort(
        "adverse_gap", descending=True
    )


def widest_gap_to_rest(table: pl.DataFrame, measure: str) -> str | None:
    """The readable group of a cohort table furthest from the rest of the school, the wrong way
    (None when no group is readable)."""
    sign = 1.0 if HIGHER_IS_WORSE[measure] else -1.0
    readable = table.filter(
        (pl.col("group") != ALL_PUPILS)
        & pl.col("too_small").not_()
        & pl.col("gap_to_rest").is_not_null()
    )
    if readable.is_empty():
        return None
    return readable.sort(pl.col("gap_to_rest") * sign, descending=True)["group"][0]


def cohort_trend(
    weeks: pl.LazyFrame, enrolments: pl.DataFrame, key: str, group: str
) -> pl.DataFrame:
    """Attendance week by week for one group and for the rest of the school: one row per week
    and `series` (the group's label, or REST_OF_SCHOOL) with the week's measures, and
    `gap_to_rest` (the group's attendance minus the rest's, on the group's rows). `weeks` are
    session totals per enrolment and week (`WindowTotals.weeks`, `Register.weeks`)."""
    membership = enrolments.lazy().select(
        "enrolment_id", (pl.col(group_column(key)) == group).alias("in_group")
    )
    weekly = measures_by_week(weeks, membership, ["in_group"]).with_columns(
        pl.when(pl.col("in_group"))
        .then(pl.lit(group))
        .otherwise(pl.lit(REST_OF_SCHOOL))
        .alias("series")
    )
    rest = weekly.filter(pl.col("in_group").not_()).select(
        "week_start", pl.col("attendance_rate").alias("rest_attendance_rate")
    )
    return (
        weekly.join(rest, on="week_start", how="left")
        .with_columns(
            pl.when(pl.col("in_group"))
            .then(pl.col("attendance_rate") - pl.col("rest_attendance_rate"))
            .alias("gap_to_rest")
        )
        .drop("rest_attendance_rate")
        .sort("week_start", "in_group", descending=[False, True])
        .collect()
    )
