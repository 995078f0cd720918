"""Cached calls for the Census checks page: the return and its findings for a school and period."""

from __future__ import annotations

import streamlit as st

from analytics.reports.exports.census import CensusReturn, census_return
from analytics.store import Database
from analytics.access.roles import Capability
from pages.ui.access import guarded


@guarded(Capability.PUPIL_DATA)
@st.cache_data(show_spinner="Building the return and running the checks…", max_entries=8)
def census(db_path: str, version: str, urn: int, period: str, academic_year: int) -> CensusReturn:
    """The census return of one school and period, with every check's findings."""
    return census_return(Database(db_path), [urn], period, academic_year)
