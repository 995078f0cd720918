"""Cached calls into `analytics`, keyed on plain values and the database's data version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
import streamlit as st

from analytics.pipelines.windows import Window
from analytics.reports import overview
from analytics.reports.register import load_register
from analytics.store import Database, read


@st.cache_data(show_spinner=False, max_entries=8)
def schools(db_path: str, version: str) -> pl.DataFrame:
    """The schools in the database."""
    return read.schools(Database(db_path))


@st.cache_data(show_spinner=False, max_entries=32)
def mark_date_range(db_path: str, version: str, urns: tuple[int, ...] | None) -> tuple[date, date] | None:
    """First and last date with a mark for these schools."""
    return read.mark_date_range(Database(db_path), urns)


@dataclass(frozen=True)
class OverviewData:
    """Everything the Overview page shows for one scope and window."""

    headline: dict
    weekly: pl.DataFrame
    by_school: pl.DataFrame


@st.cache_data(show_spinner=False, max_entries=32)
def overview_data(
    db_path: str, version: str, urns: tuple[int, ...] | None, start: date, end: date
) -> OverviewData:
    """Headline figures, the weekly series and the per-school table."""
    window = Window(start, end)
    register = load_register(Database(db_path), urns, window)
    return OverviewData(
        headline=overview.headline(register, window),
        weekly=overview.weekly(register, window),
        by_school=overview.by_school(register, window),
    )


@st.cache_data(show_spinner=False, max_entries=4)
def import_log(db_path: str, version: str) -> pl.DataFrame:
    """The import log, newest first."""
    return read.imports(Database(db_path))
