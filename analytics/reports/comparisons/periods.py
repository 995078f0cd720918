"""What a window's figures are compared with: the same window a year earlier, and the national,
regional and local authority figures for the nearest comparable window, like with like.

Like with like: DfE's headline figures are for pupils of compulsory school age (5 to 15 on
31 August) in state-funded schools of one phase. So the school figure set beside a national one
is that of the school's compulsory-age pupils, and for pupils spread over phases (a trust of
primary and secondary schools) the national figure is each phase's figure weighted by the
school's own pupils in that phase (`pipelines.gaps.weighted_national`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import polars as pl
from polars.datatypes import DataTypeClass

from analytics.domain.calendar import academic_year_label, census_period
from analytics.pipelines.gaps import weighted_national
from analytics.pipelines.measures import group_measures, like_dfe
from analytics.pipelines.windows import Window
from analytics.reports.comparisons.held import ENGLAND, HeldFigures, Where, built_in_figures
from analytics.reports.comparisons.national import Benchmark
from analytics.reports.inputs.calendar import SchoolCalendar

#: Filter window kinds (as the sidebar names them).
YEAR_TO_DATE, WHOLE_YEAR, TERM, HALF_TERM, LAST_WEEKS, CUSTOM = (
    "ytd",
    "year",
    "term",
    "half",
    "weeks",
    "custom",
)

COMPARED_COHORT = (
    "pupils of compulsory school age (5 to 15 on 31 August), counted as in DfE's national figures "
    "(which leave out the second half of the summer term for pupils aged 15)"
)


def same_window_last_year(
    calendar: SchoolCalendar,
    kind: str,
    window: Window,
    part: str | None = None,
    weeks: int | None = None,
) -> Window:
    """The window a year before `window`: the same-named term or half-term of the previous
    academic year (from the register's own calendar), the same number of school weeks up to the
    same date, the whole previous year, or the same dates a year earlier."""
    year = window.academic_year_start
    if kind == WHOLE_YEAR:
        return Window.academic_year(year - 1)
    if kind in (TERM, HALF_TERM) and part:
        for earlier in calendar.windows(year - 1, kind):
            if earlier.label == part:
                return Window(
                    earlier.start, earlier.end, f"{part} {Window.academic_year(year - 1).label}"
                )
    if kind == LAST_WEEKS and weeks:
        same_weeks = calendar.last_weeks(weeks, window.a_year_earlier().end)
        if same_weeks is not None:
            return Window(
                same_weeks.start, same_weeks.end, f"{same_weeks.label} to {same_weeks.end:%d %b %Y}"
            )
    if kind == YEAR_TO_DATE:
        earlier = window.a_year_earlier()
        return Window(earlier.start, earlier.end, f"{Window.academic_year(year - 1).label} to date")
    return window.a_year_earlier()


def national_window(kind: str, window: Window, part: str | None = None) -> str:
    """The kind of published window nearest to a filter window: a term or half-term is compared
    with DfE's figures for that term, any other window lying inside one term (a year to date
    still in the autumn term, the last few weeks) with that term, anything else with the
    academic year."""
    if kind in (TERM, HALF_TERM) and part:
        return part.split()[0].lower()
    if kind == WHOLE_YEAR:
        return "year"
    return term_of(window)


def term_of(window: Window) -> str:
    """`autumn`, `spring` or `summer` when the window lies inside that term's census period
    (autumn 1 Aug to 31 Dec, spring 1 Jan to Easter Sunday, summer after it), else `year`."""
    year = window.academic_year_start
    for term, periods in (
        ("autumn", ("autumn",)),
        ("spring", ("spring",)),
        ("summer", ("summer1", "summer2")),
    ):
        first, last = census_period(periods[0], year)[0], census_period(periods[-1], year)[1]
        if first <= window.start and window.end <= last:
            return term
    return "year"


#: Measures whose national figure is per enrolment (weighted by enrolments with a possible
#: session); every other rate is per session (weighted by possible sessions).
PER_ENROLMENT = ("persistent_absence_rate", "severe_absence_rate")


def compared(enrolments: pl.LazyFrame) -> pl.LazyFrame:
    """The enrolments whose figures are set beside national ones, counted as DfE counts them:
    compulsory school age, without the second half of summer for pupils aged 15 (rules.md §2)."""
    return like_dfe(enrolments.filter(pl.col("compulsory_school_age")))


@dataclass(frozen=True)
class NationalFigure:
    """A comparator for a set of pupils (national, regional or LA): its value (weighted over
    phases) and what it is: its academic years, windows, kinds of data and sources, and whether
    any figure in it is more than one academic year older than the window."""

    value: float | None
    source: str
    years: str = ""  # the academic year(s) of the figures, e.g. "2016/17"
    period: str = ""  # the window(s) the figures cover, e.g. "Autumn term"
    kind: str = ""  # "census", "daily" or both
    older: bool = False
    place: str = ""
    phase: str = ""  # the phase(s) of the figures: `Total` is DfE's figure for all schools

    def columns(self, prefix: str) -> dict:
        """The figure as table columns named `prefix`, `prefix_year`, `prefix_period`,
        `prefix_kind`, `prefix_figure_phase`, `prefix_older` and `prefix_source`."""
        return {
            prefix: self.value,
            f"{prefix}_year": self.years,
            f"{prefix}_period": self.period,
            f"{prefix}_kind": self.kind,
            f"{prefix}_figure_phase": self.phase,
            f"{prefix}_older": self.older,
            f"{prefix}_source": self.source,
        }


def figure_schema(prefix: str) -> dict[str, DataTypeClass]:
    """The column types of `NationalFigure.columns`."""
    return {
        prefix: pl.Float64,
        f"{prefix}_year": pl.String,
        f"{prefix}_period": pl.String,
        f"{prefix}_kind": pl.String,
        f"{prefix}_figure_phase": pl.String,
        f"{prefix}_older": pl.Boolean,
        f"{prefix}_source": pl.String,
    }


def _joined(values: Sequence[str]) -> str:
    return ", ".join(dict.fromkeys(values))


def comparator(
    weights: dict[str, float],
    lookup: Callable[[str], Benchmark | None],
    transform: Callable[[float], float] = lambda v: v,
) -> NationalFigure:
    """The weighted comparator of pupils whose weight per phase is `weights`; `lookup(phase)`
    gives each phase's figure. Missing when a phase with weight has no figure."""
    weights = {phase: w for phase, w in weights.items() if phase and w}
    if not weights:
        return NationalFigure(None, "no pupils of compulsory school age to compare")
    found = {phase: lookup(phase) for phase in weights}
    missing = [phase for phase, b in found.items() if b is None]
    if missing:
        return NationalFigure(
            None, f"no published figure for {', '.join(sorted(missing)).lower()} pupils"
        )
    figures = [b for b in found.values() if b is not None]
    frame = weighted_national(
        pl.LazyFrame(
            {"all": [0] * len(weights), "phase": list(weights), "weight": list(weights.values())}
        ),
        pl.LazyFrame(
            {"phase": list(found), "national_value": [transform(b.value) for b in figures]}
        ),
        ["all"],
    ).collect()
    labels = list(dict.fromkeys(b.label for b in figures))
    if len(weights) > 1:
        labels.append("weighted by this scope's compulsory-age pupils in each phase")
    ordered = sorted(figures, key=lambda b: b.academic_year)
    return NationalFigure(
        frame["national"].item(),
        "; ".join(labels),
        _joined([academic_year_label(b.academic_year) for b in ordered]),
        _joined([b.window_label for b in ordered]),
        _joined([b.data_kind for b in ordered]),
        any(b.older for b in figures),
        _joined([b.place for b in ordered]),
        _joined([b.figure_phase or b.phase for b in ordered]),
    )


def phase_weights(enrolments: pl.LazyFrame, measure: str) -> dict[str, float]:
    """The compulsory-age pupils' weight (sessions or enrolments) in each national phase."""
    weight = (
        (pl.col("possible") > 0).sum() if measure in PER_ENROLMENT else pl.col("possible").sum()
    )
    frame = compared(enrolments).group_by("national_phase").agg(weight.alias("weight")).collect()
    return {
        row["national_phase"]: row["weight"]
        for row in frame.iter_rows(named=True)
        if row["national_phase"]
    }


def place_comparator(
    enrolments: pl.LazyFrame,
    measure: str,
    academic_year: int,
    window: str,
    figures: HeldFigures,
    where: Where = ENGLAND,
    groups: Sequence[str] = ("Total",),
    *,
    exact_year: bool = False,
) -> NationalFigure:
    """The published figure for these enrolments' compulsory-age pupils, for `measure` of the
    pupils in `groups` (DfE's names for them) in `where`, chosen by the newest-figure rule for
    a `window` of `academic_year` (only that year's figure with `exact_year`), weighted over
    phases. Attendance by group is published as its complement, the overall absence rate."""
    published, transform = measure, (lambda value: value)
    if measure == "attendance_rate" and tuple(groups) != ("Total",):
        published, transform = "absence_rate", (lambda value: 100.0 - value)
    return comparator(
        phase_weights(enrolments, measure),
        lambda phase: figures.pick(
            published,
            phase,
            academic_year,
            window,
            groups=tuple(groups),
            where=where,
            exact_year=exact_year,
        ),
        transform,
    )


def national_comparator(
    enrolments: pl.LazyFrame,
    measure: str,
    academic_year: int,
    window: str,
    figures: HeldFigures | None = None,
) -> NationalFigure:
    """The national figure for these enrolments' compulsory-age pupils, for `measure` in the
    nearest `window` of `academic_year` (the built-in figures when `figures` is not given)."""
    return place_comparator(
        enrolments, measure, academic_year, window, figures or built_in_figures()
    )


def compulsory_age_measures(enrolments: pl.LazyFrame, by: Sequence[str] = ()) -> pl.LazyFrame:
    """`group_measures` of the compulsory-age enrolments only."""
    return group_measures(compared(enrolments), by)
