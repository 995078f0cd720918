"""The Overview page's figures: headline measures, the weekly series and the school table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from analytics.pipelines.measures import group_measures
from analytics.pipelines.weekly import weekly_measures
from analytics.pipelines.windows import Window
from analytics.reports.register import Register
from analytics.reports.totals import load_totals
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
    Measure("attendance_rate", "Attendance", "attended", "possible",
            "Present (/ \\ L) and approved educational activity (K V P W B) as a share of possible sessions."),
    Measure("absence_rate", "Overall absence", "absent", "possible",
            "Authorised and unauthorised absence as a share of possible sessions."),
    Measure("authorised_rate", "Authorised absence", "authorised", "possible",
            "Codes C C1 C2 E I J1 M R S T (and the withdrawn H, legacy F) as a share of possible sessions."),
    Measure("unauthorised_rate", "Unauthorised absence", "unauthorised", "possible",
            "Codes G N O U as a share of possible sessions."),
    Measure("persistent_absence_rate", "Persistent absence", "persistent_absentees", "enrolments_counted",
            "Enrolments missing 10% or more of their own possible sessions, as a share of enrolments with a possible session."),
    Measure("severe_absence_rate", "Severe absence", "severe_absentees", "enrolments_counted",
            "Enrolments missing 50% or more of their own possible sessions."),
    Measure("late_before_close_rate", "Late before registers closed (L)", "late_before_close", "possible",
            "Sessions coded L (present, late) as a share of possible sessions."),
    Measure("late_after_close_rate", "Late after registers closed (U)", "late_after_close", "possible",
            "Sessions coded U (unauthorised absence) as a share of possible sessions."),
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
    totals = load_totals(db, school_urns, window).in_year_groups(year_groups)
    per_enrolment = totals.enrolment_measures().collect().lazy()
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
