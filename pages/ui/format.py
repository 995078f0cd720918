"""Formatting figures for the pages: rates half-up to one decimal, counts with separators."""

from __future__ import annotations

import streamlit as st

from analytics.domain.rounding import format_percent
from pages.ui.filters import Scope


def percent(value: float | None) -> str:
    """A rate as shown on every page: half-up to 1 dp, with a % sign."""
    return format_percent(value)


def count(value: int | None) -> str:
    """A whole number with thousands separators."""
    return "–" if value is None else f"{value:,}"


def scope_caption(scope: Scope, enrolments: int) -> None:
    """The line every page shows: which schools, which window, how many enrolments."""
    st.caption(f"{scope.description} · {count(enrolments)} enrolments on roll in the window")
