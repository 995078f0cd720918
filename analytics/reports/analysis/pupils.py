"""Pupil-level figures: one row per enrolment with everything the cohort, behaviour and
drill-down pages group or list, the year-group and form tables, and the pupil list with flags.

The per-enrolment table is the one frame every cohort figure is summed from, so any cohort or
form figure equals the sum of its pupils' rows, and those rows equal `rollcall export summary`
for the same window (a test checks both).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from analytics.domain.phases import national_phase
from analytics.pipelines.absence_spells import LONG_SPELL_SESSIONS, spells_per_enrolment
from analytics.pipelines.bands import with_absence_band
from analytics.pipelines.behaviour import (
    BEHAVIOUR_COUNTS,
    exclusions_in,
    incidents_in,
    with_behaviour_counts,
)
from analytics.pipelines.groups import CHARACTERISTICS, group_column, group_order, with_groups
from analytics.pipelines.measures import group_measures
from analytics.pipelines.windows import Window
from analytics.reports.inputs.records import BehaviourRecords, load_behaviour
from analytics.reports.inputs.sessions import absence_spells
from analytics.reports.inputs.register import Register
from analytics.reports.inputs.totals import WindowTotals
from analytics.store import Database

#: A filter on the per-enrolment table: (characteristic key, group label) pairs, all to hold.
GroupFilter = Sequence[tuple[str, str]]

#: Columns of the pupil list, in the order it shows them (and its CSV has them).
PUPIL_LIST_COLUMNS = (
    "enrolment_id",
    "school_urn",
    "school_name",
    "surname",
    "forename",
    "year_group",
    "form",
    "attendance_rate",
    "flags",
    "possible",
    "attended",
    "authorised",
    "unauthorised",
    "absent",
    "late_before_close",
    "late_after_close",
    "absence_rate",
    "persistent_absence",
    "severe_absence",
    "longest_absence_spell",
    "negative_incidents",
    "positive_incidents",
    "suspensions",
    "permanent_exclusions",
    "upn",
    "disadvantaged",
    "fsm",
    "sen",
    "eal",
    "looked_after",
    "ethnic_group",
    "compulsory_school_age",
)


def measures_with_phase(register: Register | WindowTotals, window: Window) -> pl.LazyFrame:
    """`enrolment_measures` (from the raw marks or the weekly totals: the same figures) with
    `school_name`, `school_phase` and `national_phase` (the DfE phase each enrolment's figures
    are compared with)."""
    schools = register.schools.lazy().select(
        pl.col("urn").alias("school_urn"),
        pl.col("name").alias("school_name"),
        pl.col("phase").alias("school_phase"),
    )
    return (
        register.enrolment_measures(window)
        .join(schools, on="school_urn", how="left")
        .with_columns(national_phase().alias("national_phase"))
    )


#: Columns of `measures_by`, in the order pages show them.
GROUP_COLUMNS = (
    "group",
    "pupils",
    "pupils_counted",
    "possible",
    "attended",
    "attendance_rate",
    "authorised",
    "authorised_rate",
    "unauthorised",
    "unauthorised_rate",
    "persistent_absentees",
    "persistent_absence_rate",
    "severe_absentees",
    "severe_absence_rate",
    "late_before_close",
    "late_after_close",
)


def enrolment_table(
    source: Register | WindowTotals,
    window: Window,
    spells: pl.DataFrame,
    behaviour: BehaviourRecords | None = None,
) -> pl.DataFrame:
    """One row per enrolment on roll in the window: pupil details, cohort columns, a
    `group_<key>` label for every characteristic, `school_name`, `school_phase`,
    `national_phase`, session totals, rates, PA/SA flags, `absence_band`, a summary of its
    `spells` of absence in the window and (with `behaviour`) incident and exclusion counts in
    the window. The figures come from the weekly totals or the raw marks alike."""
    per_enrolment = spells_per_enrolment(spells.lazy())
    table = (
        measures_with_phase(source, window)
        .pipe(with_groups, list(CHARACTERISTICS), source.schools.height > 1)
        .pipe(with_absence_band)
        .join(per_enrolment, on="enrolment_id", how="left")
        .with_columns(
            pl.col("absence_spells", "longest_absence_spell", "long_absence_spells").fill_null(0)
        )
    )
    if behaviour is not None:
        table = with_behaviour_counts(
            table,
            incidents_in(behaviour.incidents.lazy(), window),
            exclusions_in(behaviour.exclusions.lazy(), window),
        )
    return table.sort("school_urn", "surname", "forename", "enrolment_id").collect()


def scope_behaviour(
    db: Database, school_urns: Sequence[int] | None, totals: WindowTotals
) -> BehaviourRecords:
    """The incidents and exclusions in the window of the enrolments of `totals` (its schools,
    year groups and window), read for the window only."""
    records = load_behaviour(db, school_urns, totals.window)
    return records.for_enrolments(totals.enrolments["enrolment_id"])


def scope_table(
    db: Database,
    school_urns: Sequence[int] | None,
    totals: WindowTotals,
    behaviour: BehaviourRecords | None = None,
) -> pl.DataFrame:
    """`enrolment_table` of a scope from the store: the weekly totals of `totals`, the spells
    of absence in its window and (when given) its behaviour records; no raw mark is read but
    those of spells running over the window's ends."""
    spells = absence_spells(db, school_urns, totals.window, totals.year_groups)
    return enrolment_table(totals, totals.window, spells, behaviour)


def select_groups(enrolments: pl.DataFrame, where: GroupFilter = ()) -> pl.DataFrame:
    """The enrolments in every (characteristic, group) of `where`."""
    condition = pl.lit(True)
    for key, group in where:
        condition = condition & (pl.col(group_column(CHARACTERISTICS[key].key)) == group)
    return enrolments.filter(condition)


def measures_by(enrolments: pl.DataFrame, key: str) -> pl.DataFrame:
    """One row per group of characteristic `key` (in its display order): `group`, `pupils`
    (enrolments on roll), `pupils_counted` (with a possible session), session totals, rates
    and persistent/severe absentees."""
    column = group_column(key)
    shown = (
        group_measures(enrolments.lazy(), [column])
        .collect()
        .rename({column: "group", "enrolments": "pupils", "enrolments_counted": "pupils_counted"})
    )
    order = {
        name: position for position, name in enumerate(group_order(key, shown["group"].to_list()))
    }
    return shown.sort(pl.col("group").replace_strict(order, return_dtype=pl.Int32)).select(
        GROUP_COLUMNS
    )


def _flags() -> pl.Expr:
    """A short text of what stands out about a pupil (so no flag depends on colour)."""
    parts = [
        pl.when(pl.col("severe_absence"))
        .then(pl.lit("Severe absence"))
        .when(pl.col("persistent_absence"))
        .then(pl.lit("Persistent absence")),
        pl.when(pl.col("longest_absence_spell") >= LONG_SPELL_SESSIONS).then(
            pl.lit("Long absence spell")
        ),
        pl.when(pl.col("permanent_exclusions") > 0)
        .then(pl.lit("Permanently excluded"))
        .when(pl.col("suspensions") > 0)
        .then(pl.lit("Suspended")),
        pl.when(pl.col("looked_after").fill_null(False)).then(pl.lit("Looked after")),
        pl.when(pl.col("sen") == "E")
        .then(pl.lit("EHC plan"))
        .when(pl.col("sen") == "K")
        .then(pl.lit("SEN support")),
        pl.when(pl.col("disadvantaged").fill_null(False)).then(pl.lit("Disadvantaged")),
    ]
    return pl.concat_str(parts, separator=" · ", ignore_nulls=True)


def pupil_list(enrolments: pl.DataFrame, where: GroupFilter = ()) -> pl.DataFrame:
    """The pupils of the chosen groups, lowest attendance first (those with no possible
    session last), with PUPIL_LIST_COLUMNS. From an `enrolment_table` made without behaviour
    records, the behaviour columns are empty (unknown), not zero."""
    chosen = select_groups(enrolments, where)
    unknown = [c for c in BEHAVIOUR_COUNTS if c not in chosen.columns]
    return (
        chosen.with_columns(pl.lit(None, dtype=pl.Int64).alias(c) for c in unknown)
        .with_columns(_flags().alias("flags"))
        .select(PUPIL_LIST_COLUMNS)
        .sort("attendance_rate", "surname", "forename", nulls_last=True)
    )
