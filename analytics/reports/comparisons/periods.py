"""What a window's figures are compared with: the same window a year earlier, and the national
(and local authority) figures for the nearest comparable window, like with like.

Like with like: DfE's headline figures are for pupils of compulsory school age (5 to 15 on
31 August) in state-funded schools of one phase. So the school figure set beside a national one
is that of the school's compulsory-age pupils, and for pupils spread over phases (a trust of
primary and secondary schools) the national figure is each phase's figure weighted by the
school's own pupils in that phase (`pipelines.gaps.weighted_national`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from analytics.domain.calendar import academic_year_label
from analytics.pipelines.gaps import weighted_national
from analytics.pipelines.measures import group_measures, like_dfe
from analytics.pipelines.windows import Window
from analytics.reports.inputs.calendar import SchoolCalendar
from analytics.reports.comparisons.national import (
    Benchmark,
    local_authority_benchmark,
    national_benchmark,
)
from analytics.reports.inputs.register import Register
from analytics.reports.inputs.totals import WindowTotals

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
        earlier = calendar.last_weeks(weeks, window.a_year_earlier().end)
        if earlier is not None:
            return Window(earlier.start, earlier.end, f"{earlier.label} to {earlier.end:%d %b %Y}")
    if kind == YEAR_TO_DATE:
        earlier = window.a_year_earlier()
        return Window(earlier.start, earlier.end, f"{Window.academic_year(year - 1).label} to date")
    return window.a_year_earlier()


def national_window(kind: str, window: Window, part: str | None = None) -> str:
    """The kind of national window nearest to a filter window: a term or half-term is compared
    with DfE's figure for that term, a year to date still in the autumn term with the autumn
    term, anything else with the academic year."""
    if kind in (TERM, HALF_TERM) and part:
        return part.split()[0].lower()
    if kind == YEAR_TO_DATE and window.end.month >= 8:
        return "autumn"
    return "year"


@lru_cache(maxsize=4096)
def _benchmark(
    phase: str, measure: str, academic_year: int, window: str, la_number: str | None
) -> Benchmark | None:
    """The figure for the window asked for, else for the academic year (the nearest window DfE
    published: severe absence, for one, is published for whole years only)."""
    for kind in dict.fromkeys((window, "year")):
        if la_number is not None:
            found = local_authority_benchmark(la_number, phase, measure, academic_year, kind)
        else:
            found = national_benchmark(phase, measure, academic_year, kind)
        if found is not None:
            return found
    return None


#: Measures whose national figure is per enrolment (weighted by enrolments with a possible
#: session); every other rate is per session (weighted by possible sessions).
PER_ENROLMENT = ("persistent_absence_rate", "severe_absence_rate")


def compared(enrolments: pl.LazyFrame) -> pl.LazyFrame:
    """The enrolments whose figures are set beside national ones, counted as DfE counts them:
    compulsory school age, without the second half of summer for pupils aged 15 (rules.md §2)."""
    return like_dfe(enrolments.filter(pl.col("compulsory_school_age")))


@dataclass(frozen=True)
class NationalFigure:
    """A comparator for a set of pupils: its value (weighted over phases) and its sources."""

    value: float | None
    source: str
    years: str = ""  # the academic year(s) of the figures, e.g. "2016/17"


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
    frame = weighted_national(
        pl.LazyFrame(
            {"all": [0] * len(weights), "phase": list(weights), "weight": list(weights.values())}
        ),
        pl.LazyFrame(
            {"phase": list(found), "national_value": [transform(b.value) for b in found.values()]}
        ),
        ["all"],
    ).collect()
    labels = [b.label for b in found.values()]
    if len(weights) > 1:
        labels.append("weighted by this scope's compulsory-age pupils in each phase")
    years = ", ".join(sorted({academic_year_label(b.academic_year) for b in found.values()}))
    return NationalFigure(frame["national"].item(), "; ".join(labels), years)


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


def national_comparator(
    enrolments: pl.LazyFrame,
    measure: str,
    academic_year: int,
    window: str,
    la_number: str | None = None,
) -> NationalFigure:
    """The national (or, given an LA number, local authority) figure for these enrolments'
    compulsory-age pupils, for `measure` in the nearest `window` of `academic_year`."""
    return comparator(
        phase_weights(enrolments, measure),
        lambda phase: _benchmark(phase, measure, academic_year, window, la_number),
    )


def compulsory_age_measures(enrolments: pl.LazyFrame, by: Sequence[str] = ()) -> pl.LazyFrame:
    """`group_measures` of the compulsory-age enrolments only."""
    return group_measures(compared(enrolments), by)


def school_la_number(register: Register | WindowTotals) -> str | None:
    """The LA number (first three digits of the LAESTAB) shared by every school in scope, or
    None when one is unknown or the schools are in different LAs."""
    codes = {str(code)[:3] if code else None for code in register.schools["laestab"].to_list()}
    if len(codes) != 1:
        return None
    return codes.pop()
