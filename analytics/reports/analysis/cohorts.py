"""The Cohorts page's figures: every characteristic's groups with their pupils, attendance,
persistent and severe absence, the gap to the rest of the school and to the national figure for
that group, two characteristics crossed, the widest gaps against national, and a group's trend.

National figures for a group come from DfE's census statistics by pupil characteristic (the
absence-by-characteristic file to 2016/17, and the 5% absence bands by FSM, SEN, sex and year
group to 2022/23), the latest year that has the group; they are whole-year figures. The school
side of each national comparison is the group's compulsory-age pupils (`comparison.compared`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import polars as pl

from analytics.pipelines.gaps import gap_measure, with_gap_to_rest, with_small_group_flag
from analytics.pipelines.groups import CHARACTERISTICS, characteristic, group_column, group_order
from analytics.pipelines.measures import group_measures
from analytics.pipelines.weekly import measures_by_week
from analytics.reports.comparisons.periods import (
    NationalFigure,
    comparator,
    compulsory_age_measures,
    national_comparator,
    phase_weights,
)
from analytics.reports.comparisons.national import Benchmark, national_group_benchmark

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

_ETHNIC = {
    "White": "Ethnicity_Major_White_Total",
    "Mixed": "Ethnicity_Major_Mixed_Total",
    "Asian": "Ethnicity_Major_Asian_Total",
    "Black": "Ethnicity_Major_Black_Total",
    "Unclassified": "Ethnicity_Major_Unclassified",
}

#: (characteristic key, group label) -> the names DfE's files give that group. Groups not here
#: (forms, looked-after children, Rollcall's "Other" ethnic group, which holds Chinese pupils
#: that DfE's 2016/17 major groups count apart) have no national figure.
NATIONAL_GROUPS: dict[tuple[str, str], tuple[str, ...]] = {
    ("disadvantaged", "Disadvantaged"): ("FSM_eligible_in_last_6_years",),
    ("disadvantaged", "Not disadvantaged"): ("FSM_not_eligible_in_last_6_years",),
    ("fsm", "FSM eligible"): ("FSM_eligible", "FSM: Eligible"),
    ("fsm", "Not FSM eligible"): ("FSM_Not_eligible", "FSM: Not Eligible"),
    ("sen", "No SEN"): (
        "SEN_provision_No_identified_SEN",
        "SEN: No identified special educational need",
    ),
    ("sen", "SEN support"): ("SEN_provision_SEN_Support",),
    ("sen", "EHC plan"): ("SEN_provision_Statement_or_EHCP",),
    ("sex", "Female"): ("Gender_female", "Sex: Female"),
    ("sex", "Male"): ("Gender_male", "Sex: Male"),
    ("eal", "EAL"): ("First_language_Known_or_believed_to_be_other_than_English",),
    ("eal", "English first language"): ("First_language_Known_or_believed_to_be_English",),
    **{("ethnic_group", group): (name,) for group, name in _ETHNIC.items()},
    ("year_group", "Year 1"): ("NC_Year_1_and_below", "NC year: 1"),
    **{("year_group", f"Year {n}"): (f"NC_Year_{n}", f"NC year: {n}") for n in range(2, 12)},
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
    "national_source",
)


@lru_cache(maxsize=4096)
def _group_benchmark(
    phase: str, measure: str, academic_year: int, names: tuple[str, ...]
) -> Benchmark | None:
    return national_group_benchmark(phase, measure, academic_year, names)


def group_national(
    enrolments: pl.LazyFrame, key: str, group: str, measure: str, academic_year: int
) -> NationalFigure:
    """The national figure for one group's compulsory-age pupils (weighted over phases)."""
    names = NATIONAL_GROUPS.get((key, group))
    if names is None:
        return NationalFigure(None, "DfE publishes no national figure for this group")
    # Attendance by characteristic is published as its complement, the overall absence rate.
    published = "absence_rate" if measure == "attendance_rate" else measure
    transform = (
        (lambda value: 100.0 - value) if measure == "attendance_rate" else (lambda value: value)
    )
    return comparator(
        phase_weights(enrolments, measure),
        lambda phase: _group_benchmark(phase, published, academic_year, names),
        transform,
    )


def cohort_table(
    enrolments: pl.DataFrame,
    key: str,
    measure: str,
    academic_year: int,
    national_kind: str,
    fewest_pupils: int,
    cross: str | None = None,
) -> pl.DataFrame:
    """One row per group of characteristic `key` (crossed with `cross` when given), after an
    `All pupils` row: COHORT_COLUMNS (plus `cross_group` when crossed). `rest_value` and
    `gap_to_rest` compare each group's `measure` with every other enrolment; `compared_value`,
    `national` and `gap_to_national` compare its compulsory-age pupils with the national figure
    for that group (none for crossed groups). `too_small` marks a group, or the rest, with fewer
    than `fewest_pupils` pupils with a possible session."""
    gap_measure(measure)
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
            figure = NationalFigure(None, "DfE publishes no national figure for crossed groups")
        else:
            members = table.filter(pl.col(columns[0]) == row[columns[0]])
            figure = group_national(members, key, row[columns[0]], measure, academic_year)
        national_rows.append(
            {
                **{c: row[c] for c in columns},
                "national": figure.value,
                "national_year": figure.years,
                "national_source": figure.source,
            }
        )
    national = pl.DataFrame(
        national_rows,
        schema={
            **{c: pl.String for c in columns},
            "national": pl.Float64,
            "national_year": pl.String,
            "national_source": pl.String,
        },
    )
    shaped = (
        groups.join(national, on=columns, how="left")
        .with_columns(
            pl.lit(label).alias("characteristic"),
            pl.col(columns[0]).alias("group"),
            *([pl.col(columns[1]).alias("cross_group")] if cross else []),
            pl.col(f"rest_{measure}").alias("rest_value"),
            (pl.col("compared_value") - pl.col("national")).alias("gap_to_national"),
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
                enrolments, label, measure, academic_year, national_kind, cross is not None
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
) -> pl.DataFrame:
    """The `All pupils` row: the whole scope, against the national headline for the window."""
    table = enrolments.lazy()
    whole = group_measures(table).collect().row(0, named=True)
    compulsory = compulsory_age_measures(table).collect().row(0, named=True)
    national = national_comparator(table, measure, academic_year, national_kind)
    row = {
        "characteristic": label,
        "group": ALL_PUPILS,
        "cross_group": ALL_PUPILS if crossed else None,
        "pupils": whole["enrolments"],
        "pupils_counted": whole["enrolments_counted"],
        "possible": whole["possible"],
        "attended": whole["attended"],
        "attendance_rate": whole["attendance_rate"],
        "persistent_absentees": whole["persistent_absentees"],
        "persistent_absence_rate": whole["persistent_absence_rate"],
        "severe_absentees": whole["severe_absentees"],
        "severe_absence_rate": whole["severe_absence_rate"],
        "rest_value": None,
        "gap_to_rest": None,
        "compared_pupils": compulsory["enrolments_counted"],
        "compared_value": compulsory[measure],
        "national": national.value,
        "gap_to_national": None
        if national.value is None or compulsory[measure] is None
        else compulsory[measure] - national.value,
        "too_small": False,
        "national_year": national.years,
        "national_source": national.source,
    }
    return pl.DataFrame(
        [row],
        schema_overrides={
            "rest_value": pl.Float64,
            "gap_to_rest": pl.Float64,
            "national": pl.Float64,
            "gap_to_national": pl.Float64,
            "cross_group": pl.String,
            "compared_value": pl.Float64,
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
) -> pl.DataFrame:
    """Every group (of every characteristic with national figures) with a readable gap to
    national, worst first: `characteristic_key` plus the cohort-table columns and
    `adverse_gap` (the gap turned so that larger is worse)."""
    keys = keys or [k for k in CHARACTERISTICS if any(key == k for key, _ in NATIONAL_GROUPS)]
    parts = []
    for key in keys:
        table = cohort_table(enrolments, key, measure, academic_year, national_kind, fewest_pupils)
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
