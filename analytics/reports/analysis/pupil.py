"""A pupil's profile for one window: who they are, their figures, every school day's AM and PM
mark (with days they had no mark), their weekly attendance, the codes behind it, spells of
absence, behaviour incidents and exclusions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from analytics.domain.calendar import academic_year_label, academic_year_of
from analytics.domain.codes import AEA, AUTHORISED, NOT_COUNTED, PRESENT, UNAUTHORISED
from analytics.domain.exclusions import REASONS
from analytics.pipelines.absence_spells import absence_spells
from analytics.pipelines.behaviour import exclusions_in, incidents_in
from analytics.pipelines.calendar import week_start
from analytics.pipelines.cohorts import with_cohorts
from analytics.pipelines.groups import CHARACTERISTICS, with_groups
from analytics.pipelines.measures import enrolment_measures
from analytics.pipelines.sessions import in_window, on_roll
from analytics.pipelines.weekly import weekly_measures
from analytics.pipelines.windows import Window
from analytics.reports.inputs.records import BehaviourRecords
from analytics.reports.inputs.register import Register
from analytics.reports.inputs.totals import WindowTotals, load_totals
from analytics.store import Database, read

NO_MARK = "No mark"
NOT_ON_ROLL = "Not on roll"
#: How each register cell is described, in the order a legend lists them.
MARK_CATEGORIES = {
    PRESENT: "Present",
    AEA: "Approved educational activity",
    AUTHORISED: "Authorised absence",
    UNAUTHORISED: "Unauthorised absence",
    NOT_COUNTED: "Not a possible session",
}
CELL_KINDS = (*MARK_CATEGORIES.values(), NO_MARK, NOT_ON_ROLL)


@dataclass(frozen=True)
class PupilProfile:
    """Everything the pupil profile shows for one enrolment and window."""

    details: dict
    figures: dict | None
    register: pl.DataFrame
    weekly: pl.DataFrame
    codes: pl.DataFrame
    spells: pl.DataFrame
    incidents: pl.DataFrame
    exclusions: pl.DataFrame

    @property
    def on_roll(self) -> bool:
        """True when the pupil was on roll at some point of the window."""
        return self.figures is not None


def _marks_with_rules(marks: pl.LazyFrame, codes: pl.LazyFrame) -> pl.LazyFrame:
    """Each mark with the meaning and category of its code on that date."""
    rules = codes.select("code", "meaning", "category", "valid_from", "valid_to")
    return (
        marks.join(rules, on="code", how="left")
        .filter(
            pl.col("valid_from").is_null()
            | pl.col("date").is_between(pl.col("valid_from"), pl.col("valid_to"))
        )
        .drop("valid_from", "valid_to")
    )


def register_cells(
    register: Register, enrolment_id: int, window: Window, school_days: pl.DataFrame
) -> pl.DataFrame:
    """One row per session of the window that is a school day or holds a mark of this pupil:
    `date, week_start, weekday, session, code, meaning, minutes_late, kind` (one of CELL_KINDS).
    A school day on roll with no mark is NO_MARK; a mark outside the spells on roll is
    NOT_ON_ROLL (kept, never counted)."""
    spells = register.spells.lazy().filter(pl.col("enrolment_id") == enrolment_id)
    marks = in_window(register.marks.lazy().filter(pl.col("enrolment_id") == enrolment_id), window)
    described = _marks_with_rules(marks, register.codes.lazy()).select(
        "enrolment_id", "date", "session", "code", "meaning", "category", "minutes_late"
    )
    counted = on_roll(described, spells).select("date", "session", pl.lit(True).alias("on_roll"))
    days = in_window(school_days.lazy().select("date"), window)
    expected = (
        days.join(pl.LazyFrame({"session": ["AM", "PM"]}), how="cross")
        .with_columns(pl.lit(enrolment_id, dtype=pl.Int32).alias("enrolment_id"))
        .pipe(on_roll, spells)
        .select("date", "session", pl.lit(True).alias("expected"))
    )
    kind = (
        pl.when(pl.col("code").is_null())
        .then(pl.lit(NO_MARK))
        .when(pl.col("on_roll").is_null())
        .then(pl.lit(NOT_ON_ROLL))
        .otherwise(pl.col("category").replace_strict(MARK_CATEGORIES, default=None))
    )
    cells = (
        described.join(expected, on=["date", "session"], how="full", coalesce=True)
        .join(counted, on=["date", "session"], how="left")
        .with_columns(kind.alias("kind"))
    )
    return (
        cells.select(
            "date",
            week_start().alias("week_start"),
            pl.col("date").dt.weekday().cast(pl.Int8).alias("weekday"),
            "session",
            "code",
            "meaning",
            "minutes_late",
            "kind",
        )
        .sort("date", "session")
        .collect()
    )


def pupil_profile(
    register: Register,
    records: BehaviourRecords,
    enrolment_id: int,
    window: Window,
    school_days: pl.DataFrame,
) -> PupilProfile | None:
    """The profile of one enrolment for the window; None when the scope holds no such enrolment.
    `school_days` are the school's days (`SchoolCalendar.days` of the pupil's school)."""
    enrolment = register.enrolments.lazy().filter(pl.col("enrolment_id") == enrolment_id)
    schools = register.schools.lazy().select(
        pl.col("urn").alias("school_urn"), pl.col("name").alias("school_name")
    )
    details = (
        with_cohorts(enrolment, window.academic_year_start)
        .join(schools, on="school_urn", how="left")
        .pipe(with_groups, list(CHARACTERISTICS))
        .collect()
    )
    if details.is_empty():
        return None
    sessions = (
        register.sessions(window).filter(pl.col("enrolment_id") == enrolment_id).collect().lazy()
    )
    on_roll_now = register.cohorts(window).filter(pl.col("enrolment_id") == enrolment_id)
    measures = enrolment_measures(on_roll_now, sessions).collect()
    weekly = weekly_measures(sessions, on_roll_now).collect()
    codes = (
        _marks_with_rules(sessions.drop("category"), register.codes.lazy())
        .group_by("code", "meaning", "category")
        .agg(pl.len().cast(pl.Int64).alias("sessions"))
        .with_columns(
            pl.col("category").replace_strict(MARK_CATEGORIES, default=None).alias("counts_as"),
            (pl.col("sessions") * 100.0 / pl.col("sessions").sum()).alias("share"),
        )
        .select("code", "meaning", "counts_as", "sessions", "share")
        .sort("sessions", "code", descending=[True, False])
        .collect()
    )
    incidents = (
        incidents_in(records.incidents.lazy(), window)
        .filter(pl.col("enrolment_id") == enrolment_id)
        .select(
            "date",
            "time",
            "type",
            "category",
            "points",
            "severity",
            "location",
            "subject",
            "staff",
            "action",
            "notes",
        )
        .sort("date", "time")
        .collect()
    )
    reasons = REASONS
    exclusions = (
        exclusions_in(records.exclusions.lazy(), window)
        .filter(pl.col("enrolment_id") == enrolment_id)
        .with_columns(
            pl.concat_str(
                [
                    pl.col(c).replace_strict(reasons, default=pl.col(c))
                    for c in ("reason_1", "reason_2", "reason_3")
                ],
                separator="; ",
                ignore_nulls=True,
            ).alias("reasons")
        )
        .select("start_date", "end_date", "category", "sessions", "reasons")
        .sort("start_date")
        .collect()
    )
    return PupilProfile(
        details=details.row(0, named=True),
        figures=measures.row(0, named=True) if not measures.is_empty() else None,
        register=register_cells(register, enrolment_id, window, school_days),
        weekly=weekly,
        codes=codes,
        spells=absence_spells(sessions)
        .collect()
        .with_columns(
            ((pl.col("last_date") - pl.col("first_date")) + timedelta(days=1))
            .dt.total_days()
            .alias("calendar_days")
        ),
        incidents=incidents,
        exclusions=exclusions,
    )


#: The columns of `attendance_by_year`.
YEAR_COLUMNS = (
    "academic_year",
    "year",
    "year_group",
    "possible",
    "attended",
    "authorised",
    "unauthorised",
    "absent",
    "attendance_rate",
    "persistent_absence",
    "severe_absence",
)


def attendance_by_year(db: Database, enrolment_id: int, through: date) -> pl.DataFrame:
    """One enrolment's attendance in each academic year it was on roll, up to the one holding
    `through` (that year to `through`): YEAR_COLUMNS, latest year first, with `year` its label
    (`2025/26`) and the year group of that year. Read from the weekly totals with the measures
    every page uses, so each year's figures equal `rollcall export summary` for that year."""
    school = read.school_of_enrolment(db, enrolment_id)
    if school is None:
        return pl.DataFrame(schema=dict.fromkeys(YEAR_COLUMNS, pl.String))
    spells = read.spells(db, (school,), [enrolment_id])
    marks = read.mark_date_range(db)
    if spells.is_empty() or marks is None:
        return pl.DataFrame()
    first_mark = marks[0]
    admitted = spells["admission_date"].min()
    assert isinstance(admitted, date)
    first = max(academic_year_of(admitted), academic_year_of(first_mark))
    left = spells["leaving_date"].max() if spells["leaving_date"].null_count() == 0 else None
    assert left is None or isinstance(left, date)
    last = academic_year_of(min(through, left) if left is not None else through)
    rows = []
    for year in range(last, first - 1, -1):
        window = Window.academic_year(year)
        window = Window(window.start, min(window.end, through), window.label)
        totals = load_totals(db, (school,), window)
        mine = pl.col("enrolment_id") == enrolment_id
        one = WindowTotals(
            window,
            totals.schools,
            totals.enrolments.filter(mine),
            totals.spells.filter(mine),
            totals.weeks.filter(mine),
        )
        measures = one.enrolment_measures().collect()
        if measures.is_empty():
            continue
        rows.append(
            measures.with_columns(
                pl.lit(year).alias("academic_year"), pl.lit(academic_year_label(year)).alias("year")
            ).select(YEAR_COLUMNS)
        )
    if not rows:
        return pl.DataFrame()
    return pl.concat(rows, how="vertical_relaxed")
