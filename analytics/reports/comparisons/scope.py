"""What a scope of schools is compared with: the published figures held (built in and imported
into its database) and, when every school's LAESTAB is known and they share one LA, that local
authority and its region."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from analytics.reports.comparisons.held import ENGLAND, HeldFigures, Where, built_in_figures
from analytics.reports.comparisons.periods import NationalFigure, figure_schema, place_comparator
from analytics.reports.comparisons.places import Place, scope_place
from analytics.store import Database, read
from analytics.store import benchmarks as stored

#: The places a figure is compared with, as table column prefixes, in the order shown.
PLACES = ("national", "region", "la")
PLACE_LABELS = {"national": "England", "region": "Region", "la": "Local authority"}


@dataclass(frozen=True)
class Comparators:
    """The figures held and the scope's LA and region (None, with the reason, when unknown)."""

    figures: HeldFigures
    place: Place | None = None
    no_place: str = "no LAESTAB recorded"

    def where(self, place: str) -> Where | None:
        """`national`, `region` or `la` as a place to look figures up for (None: not known)."""
        if place == "national":
            return ENGLAND
        if self.place is None:
            return None
        return self.place.region if place == "region" else self.place.local_authority


def held_figures(db: Database) -> HeldFigures:
    """The built-in figures and every file imported into `db`."""
    if not db.exists():
        return built_in_figures()
    imported = stored.figures(db)
    return built_in_figures() if imported.is_empty() else HeldFigures(imported)


def comparators(db: Database, school_urns: Sequence[int] | None) -> Comparators:
    """The comparators of these schools (every school when None)."""
    figures = held_figures(db)
    schools = read.schools(db)
    if school_urns is not None:
        schools = schools.filter(pl.col("urn").is_in(list(school_urns)))
    place, reason = scope_place(schools, figures)
    return Comparators(figures, place, reason)


def built_in_comparators() -> Comparators:
    """National figures from the built-in files only (no database, no LA)."""
    return Comparators(built_in_figures(), None, "no database to read the schools' LAESTAB from")


def place_figures(
    enrolments: pl.LazyFrame,
    measure: str,
    academic_year: int,
    window: str,
    compare: Comparators,
    groups: Sequence[str] = ("Total",),
    *,
    exact_year: bool = False,
) -> dict[str, NationalFigure]:
    """The national, regional and LA figures (scope.PLACES) for these enrolments' compulsory-age
    pupils; a place that is not known has no value and says why."""
    found = {}
    for place in PLACES:
        where = compare.where(place)
        found[place] = (
            NationalFigure(None, compare.no_place)
            if where is None
            else place_comparator(
                enrolments,
                measure,
                academic_year,
                window,
                compare.figures,
                where,
                groups,
                exact_year=exact_year,
            )
        )
    return found


def place_columns(figures: dict[str, NationalFigure]) -> dict:
    """`place_figures` as table columns (`national`, `national_year`, ... `la_source`)."""
    return {
        name: value
        for place, figure in figures.items()
        for name, value in figure.columns(place).items()
    }


#: The column types of `place_columns`.
PLACE_SCHEMA = {name: dtype for place in PLACES for name, dtype in figure_schema(place).items()}
