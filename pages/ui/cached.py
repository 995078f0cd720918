"""Cached calls into `analytics`, keyed on plain values and the database's data version.

Each call that reads school-scoped data is `guarded`: the user's role and schools are checked on
every call, outside the cache (whose results every user shares)."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from analytics.access.roles import Capability
from analytics.pipelines.windows import Window
from analytics.reports.inputs.calendar import SchoolCalendar, school_calendar
from analytics.reports.inputs.register import Register, load_register, year_groups_on_roll
from analytics.store import Database, read
from pages.ui.access import guarded

Urns = tuple[int, ...] | None
YearGroups = tuple[str, ...]


@st.cache_data(show_spinner=False, max_entries=8)
def schools(db_path: str, version: str) -> pl.DataFrame:
    """The schools in the database."""
    return read.schools(Database(db_path))


@guarded()
@st.cache_data(show_spinner=False, max_entries=16)
def calendar(db_path: str, version: str, urns: Urns) -> SchoolCalendar:
    """School days, half-terms and terms of these schools."""
    return school_calendar(Database(db_path), urns)


@guarded()
@st.cache_data(show_spinner=False, max_entries=32)
def year_groups(db_path: str, version: str, urns: Urns, start: date, end: date) -> list[str]:
    """Year groups on roll in the window."""
    return year_groups_on_roll(Database(db_path), urns, Window(start, end))


@guarded()
@st.cache_resource(show_spinner=False, max_entries=4)
def register(db_path: str, version: str, urns: Urns) -> Register:
    """Every mark and enrolment of these schools (shared by all sessions; never mutated)."""
    return load_register(Database(db_path), urns)


def scoped_register(
    db_path: str, version: str, urns: Urns, window: Window, groups: YearGroups
) -> Register:
    """The register restricted to the chosen year groups."""
    return register(db_path, version, urns).in_year_groups(window, groups)


@guarded(Capability.IMPORT)
@st.cache_data(show_spinner=False, max_entries=4)
def import_log(db_path: str, version: str, urns: Urns) -> pl.DataFrame:
    """The import log of these schools, newest first."""
    log = read.imports(Database(db_path))
    return log if urns is None else log.filter(pl.col("school_urn").is_in(list(urns)))
