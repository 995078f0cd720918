"""Cached calls into `analytics` that every page shares, keyed on plain values and the database's
data version (in the app's one cache, bounded by memory: `pages.ui.memo`).

Each call that reads school-scoped data is `guarded`: the user's role and schools are checked on
every call, outside the cache (whose results every user shares)."""

from __future__ import annotations

from datetime import date

import polars as pl

from analytics.access.roles import Capability
from analytics.pipelines.windows import Window
from analytics.reports.inputs.calendar import SchoolCalendar, school_calendar
from analytics.reports.inputs.register import year_groups_on_roll
from analytics.store import Database, read
from pages.ui.access import guarded
from pages.ui.memo import shared

Urns = tuple[int, ...] | None
YearGroups = tuple[str, ...]


@shared
def schools(db_path: str, version: str) -> pl.DataFrame:
    """The schools in the database."""
    return read.schools(Database(db_path))


@guarded()
@shared
def calendar(db_path: str, version: str, urns: Urns) -> SchoolCalendar:
    """School days, half-terms and terms of these schools."""
    return school_calendar(Database(db_path), urns)


@guarded()
@shared
def year_groups(db_path: str, version: str, urns: Urns, start: date, end: date) -> list[str]:
    """Year groups on roll in the window."""
    return year_groups_on_roll(Database(db_path), urns, Window(start, end))


@guarded(Capability.IMPORT)
@shared
def import_log(db_path: str, version: str, urns: Urns) -> pl.DataFrame:
    """The import log of these schools, newest first."""
    log = read.imports(Database(db_path))
    return log if urns is None else log.filter(pl.col("school_urn").is_in(list(urns)))
