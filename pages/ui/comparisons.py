"""Cached calls for the published figures pages set beside a school's: the comparators of a
scope (figures held, LA and region), the three-year trend, similar schools, and the Import
page's LAESTAB and published-file actions."""

from __future__ import annotations

from datetime import date

import polars as pl

from analytics.access.roles import Capability, User
from analytics.pipelines.windows import Window
from analytics.reports.comparisons import scope, similar, trends
from analytics.reports.comparisons.places import checked_laestab, place_of
from analytics.reports.comparisons.published import Imported, import_published
from analytics.store import Database
from analytics.store import benchmarks as stored
from pages.ui.access import deny, guarded
from pages.ui.cached import Urns, YearGroups
from pages.ui.memo import shared


@guarded()
@shared
def comparators(db_path: str, version: str, urns: Urns) -> scope.Comparators:
    """The figures held and the LA and region of these schools (shared by every session: its
    lookups are remembered for every page that uses it)."""
    return scope.comparators(Database(db_path), urns)


@guarded(Capability.ANALYSIS)
@shared
def trend(
    db_path: str, version: str, urns: Urns, start: date, end: date, groups: YearGroups
) -> trends.Trend:
    """Three academic years of these schools beside the published figures of the same years."""
    return trends.trend(
        Database(db_path),
        urns,
        Window(start, end),
        groups,
        comparators(db_path, version, urns),
    )


@guarded(Capability.ANALYSIS, Capability.GOVERNOR_SUMMARY)
@shared
def similar_schools(db_path: str, version: str, urn: int) -> similar.SimilarSchools:
    """The schools most like this one, from DfE's school-level files (published figures only)."""
    return similar.similar_schools(Database(db_path), urn)


@guarded(Capability.IMPORT)
@shared
def published_files(db_path: str, version: str, urns: Urns) -> pl.DataFrame:
    """The published files imported into the database, newest first."""
    return stored.files(Database(db_path))


def set_laestab(db: Database, user: User, urn: int, text: str) -> str:
    """Record a school's LAESTAB for a data manager of that school; the sentence to show.
    ValueError when the LAESTAB is not one, or no published file knows its LA."""
    if not user.can(Capability.IMPORT) or (user.schools is not None and urn not in user.schools):
        deny(user, f"Your account may not change school {urn}.", "Import")
    laestab = checked_laestab(text)
    place = place_of(laestab, scope.held_figures(db))
    if place is None:
        raise ValueError(
            f"no published figures Rollcall holds are for LA number {laestab[:3]}: check the LAESTAB"
        )
    stored.set_school_laestab(db, urn, laestab, actor=user.name, role=user.role.value)
    return f"School {urn}: LAESTAB {laestab}, {place.describe()}."


def import_file(db: Database, user: User, file_name: str, data: bytes) -> Imported:
    """Import one published file for a data manager of every school (the figures are every
    school's comparators); BenchmarkRefused when it cannot be used."""
    if not user.can(Capability.IMPORT) or user.schools is not None:
        deny(user, "Only a data manager of every school may import published figures.", "Import")
    return import_published(db, file_name, data, actor=user.name, role=user.role.value)
