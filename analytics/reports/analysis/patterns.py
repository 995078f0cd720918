"""The Patterns page's figures: absence by weekday and session, lateness (L and U, minutes late),
reasons week by week, the first and last weeks of half-terms, and spells of consecutive absence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from analytics.domain.reasons import REASON_GROUPS
from analytics.pipelines.absence_spells import LONG_SPELL_SESSIONS, spell_length_distribution
from analytics.pipelines.absence_spells import absence_spells as spells_in
from analytics.pipelines.patterns import (
    median_minutes_late,
    minutes_late,
    reasons_by_week,
    term_edges,
    term_edges_overall,
    weekday_sessions,
)
from analytics.pipelines.weekly import weekly_measures
from analytics.pipelines.windows import Window
from analytics.reports.inputs.calendar import SchoolCalendar
from analytics.reports.inputs.register import Register
from analytics.reports.inputs.sessions import absence_spells, late_sessions, session_counts
from analytics.reports.inputs.totals import load_totals
from analytics.store import Database


@dataclass(frozen=True)
class PatternSources:
    """What the Patterns page is computed from, for one scope and window."""

    #: Counted sessions, or their counts by date, session and code with the measures summed
    #: (either serves: every figure sums measures).
    sessions: pl.DataFrame
    #: Counted late sessions with their minutes late.
    late: pl.DataFrame
    #: Spells of consecutive absence in the window.
    spells: pl.DataFrame
    #: Measures per week (`weekly_measures`) of the enrolments in scope.
    weekly: pl.DataFrame
    #: Enrolments with a possible session in the window.
    pupils_counted: int


def pattern_sources(
    db: Database, school_urns: Sequence[int] | None, window: Window, year_groups: Sequence[str] = ()
) -> PatternSources:
    """The sources from the store's aggregates (no raw mark is read but the late ones and those
    of spells running over the window's ends)."""
    totals = load_totals(db, school_urns, window, year_groups)
    return PatternSources(
        sessions=session_counts(db, school_urns, window, year_groups),
        late=late_sessions(db, school_urns, window, year_groups),
        spells=absence_spells(db, school_urns, window, year_groups),
        weekly=totals.weekly().collect(),
        pupils_counted=totals.enrolment_measures().filter(pl.col("possible") > 0).collect().height,
    )


def pattern_sources_from_register(register: Register, window: Window) -> PatternSources:
    """The same sources from a register's raw marks (what the store's aggregates must equal)."""
    sessions = register.sessions(window).collect()
    late = sessions.filter((pl.col("late_before_close") == 1) | (pl.col("late_after_close") == 1))
    return PatternSources(
        sessions=sessions,
        late=late,
        spells=spells_in(sessions.lazy()).collect(),
        weekly=weekly_measures(sessions.lazy(), register.cohorts(window)).collect(),
        pupils_counted=sessions.filter(pl.col("possible") == 1)["enrolment_id"].n_unique(),
    )


@dataclass(frozen=True)
class Patterns:
    """Everything the Patterns page shows for one scope and window."""

    weekday: pl.DataFrame
    lateness_weekly: pl.DataFrame
    minutes_late: pl.DataFrame
    median_minutes: dict
    reasons: pl.DataFrame
    term_edges: pl.DataFrame
    term_edges_overall: pl.DataFrame
    spell_lengths: pl.DataFrame
    pupils_with_long_spells: int
    pupils_counted: int
    #: The half-term the register is still in (its label and start), which has no last week yet.
    half_term_under_way: tuple[str, date] | None = None

    @property
    def reasons_table(self) -> pl.DataFrame:
        """`reasons` as a table to read: one row per week, one column per reason (the share of
        the week's possible sessions), then the week's possible sessions."""
        return reasons_table(self.reasons)


def reasons_table(reasons: pl.DataFrame) -> pl.DataFrame:
    """Reasons week by week (`reasons_by_week`: a row per week and reason) as one row per week:
    `week_start`, `possible`, and a column per reason in REASON_GROUPS order holding its rate."""
    if reasons.is_empty():
        return pl.DataFrame(schema={"week_start": pl.Date, "possible": pl.Int64})
    wide = reasons.pivot(
        "reason", index=["week_start", "possible"], values="rate", aggregate_function="first"
    )
    order = [r for r in REASON_GROUPS if r in wide.columns]
    return wide.select("week_start", *order, "possible").sort("week_start")


def half_term_under_way(half_terms: pl.DataFrame, last_day: date | None) -> pl.DataFrame:
    """The half-terms with the one the register is still in marked `under_way`: the latest one,
    when the register stops before the summer holiday (a half-term whose last day so far is the
    register's last day has not had its last week yet, unless the school year has ended)."""
    ended = last_day is None or (last_day.month == 7 and last_day.day >= 15)
    return half_terms.with_columns(
        (pl.col("end") == pl.col("end").max()).and_(pl.lit(not ended)).alias("under_way")
    )


def patterns(sources: PatternSources, calendar: SchoolCalendar) -> Patterns:
    """The patterns behind absence in the window (half-terms from the scope's calendar; the one
    still under way has first weeks and other weeks, but no last week yet)."""
    sessions = sources.sessions.lazy()
    late = sources.late.lazy()
    halves = half_term_under_way(calendar.half_terms, calendar.last_day)
    under_way = halves.filter(pl.col("under_way"))
    # Its weeks so far are first or other weeks: its end is put a week past the register, where
    # no session can be a "last week".
    edges = halves.with_columns(
        pl.when(pl.col("under_way"))
        .then(pl.col("end") + timedelta(days=7))
        .otherwise(pl.col("end"))
        .alias("end")
    ).drop("under_way")
    return Patterns(
        weekday=weekday_sessions(sessions).collect(),
        lateness_weekly=sources.weekly.select(
            "week_start",
            "enrolments_counted",
            "possible",
            "late_before_close",
            "late_after_close",
            "late_before_close_rate",
            "late_after_close_rate",
        ),
        minutes_late=minutes_late(late).collect(),
        median_minutes=median_minutes_late(late).collect().row(0, named=True),
        reasons=reasons_by_week(sessions).collect(),
        term_edges=term_edges(sessions, edges.lazy()).collect(),
        term_edges_overall=term_edges_overall(sessions, edges.lazy()).collect(),
        spell_lengths=spell_length_distribution(sources.spells.lazy()).collect(),
        pupils_with_long_spells=sources.spells.filter(pl.col("sessions") >= LONG_SPELL_SESSIONS)[
            "enrolment_id"
        ].n_unique(),
        pupils_counted=sources.pupils_counted,
        half_term_under_way=None
        if under_way.is_empty()
        else (under_way["label"][0], under_way["start"][0]),
    )
