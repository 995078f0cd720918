"""The Patterns page's figures: absence by weekday and session, lateness (L and U, minutes late),
reasons week by week, the first and last weeks of half-terms, and spells of consecutive absence."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from analytics.pipelines.absence_spells import (
    LONG_SPELL_SESSIONS,
    absence_spells,
    spell_length_distribution,
)
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


def patterns(register: Register, window: Window, calendar: SchoolCalendar) -> Patterns:
    """The patterns behind absence in the window (half-terms from the scope's calendar)."""
    sessions = register.sessions(window).collect().lazy()
    weekly = weekly_measures(sessions, register.cohorts(window)).select(
        "week_start",
        "enrolments_counted",
        "possible",
        "late_before_close",
        "late_after_close",
        "late_before_close_rate",
        "late_after_close_rate",
    )
    spells = absence_spells(sessions).collect()
    return Patterns(
        weekday=weekday_sessions(sessions).collect(),
        lateness_weekly=weekly.collect(),
        minutes_late=minutes_late(sessions).collect(),
        median_minutes=median_minutes_late(sessions).collect().row(0, named=True),
        reasons=reasons_by_week(sessions).collect(),
        term_edges=term_edges(sessions, calendar.half_terms.lazy()).collect(),
        term_edges_overall=term_edges_overall(sessions, calendar.half_terms.lazy()).collect(),
        spell_lengths=spell_length_distribution(spells.lazy()).collect(),
        pupils_with_long_spells=spells.filter(pl.col("sessions") >= LONG_SPELL_SESSIONS)[
            "enrolment_id"
        ].n_unique(),
        pupils_counted=sessions.filter(pl.col("possible") == 1)
        .select(pl.col("enrolment_id").n_unique())
        .collect()
        .item(),
    )
