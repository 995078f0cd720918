"""The shared sidebar filters: school or whole trust, academic year, window.

They are drawn once per run by `app.py`, kept in the URL (so a view can be bookmarked and
shared) and handed to pages through `current_scope()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from analytics.domain.calendar import academic_year_bounds, academic_year_label, academic_year_of
from analytics.pipelines.windows import Window
from pages.ui import cached
from pages.ui.context import cache_key, database

TRUST = "trust"
WINDOW_KINDS = {"ytd": "Year to date", "year": "Whole academic year", "custom": "Custom dates"}
_SCOPE_KEY = "rollcall_scope"


@dataclass(frozen=True)
class Scope:
    """What the pages show: these schools (None = the whole trust) over this window."""

    urns: tuple[int, ...] | None
    label: str
    window: Window


def _param(name: str, default: str) -> str:
    return st.query_params.get(name, default)


def _index(options: list[str], value: str) -> int:
    return options.index(value) if value in options else 0


def draw_sidebar_filters() -> Scope | None:
    """Draw the filters in the sidebar and remember the chosen scope; None when there is no data."""
    db = database()
    if not db.exists():
        st.session_state.pop(_SCOPE_KEY, None)
        return None
    key = cache_key(db)
    schools = cached.schools(*key)
    if schools.is_empty():
        return None
    names = dict(zip(schools["urn"].cast(str), schools["name"], strict=True))
    options = ([TRUST] if len(names) > 1 else []) + list(names)
    sidebar = st.sidebar
    sidebar.header("Filters")
    school = sidebar.selectbox(
        "School",
        options,
        index=_index(options, _param("school", options[0])),
        format_func=lambda v: "Whole trust" if v == TRUST else f"{names[v]} ({v})",
        key="filter_school",
    )
    urns = None if school == TRUST else (int(school),)
    span = cached.mark_date_range(*key, urns)
    if span is None:
        sidebar.info("No register marks yet for this choice.")
        return None
    first, last = span
    years = [str(y) for y in range(academic_year_of(last), academic_year_of(first) - 1, -1)]
    year = int(
        sidebar.selectbox(
            "Academic year",
            years,
            index=_index(years, _param("year", years[0])),
            format_func=lambda y: academic_year_label(int(y)),
            key="filter_year",
        )
    )
    kinds = list(WINDOW_KINDS)
    kind = sidebar.radio(
        "Window",
        kinds,
        index=_index(kinds, _param("window", "ytd")),
        format_func=WINDOW_KINDS.get,
        key="filter_window",
    )
    year_start, year_end = academic_year_bounds(year)
    label = academic_year_label(year)
    if kind == "ytd":
        window = Window(year_start, min(last, year_end), f"{label} to date")
    elif kind == "year":
        window = Window(year_start, year_end, label)
    else:
        start = _date_param("from", year_start)
        end = _date_param("to", min(last, year_end))
        picked = sidebar.date_input(
            "From and to", value=(start, end), min_value=year_start, max_value=year_end, format="DD/MM/YYYY",
            key="filter_dates",
        )
        if isinstance(picked, tuple) and len(picked) == 2:
            start, end = picked
        window = Window(start, end, "Custom dates")

    params = {"school": school, "year": str(year), "window": kind}
    if kind == "custom":
        params |= {"from": window.start.isoformat(), "to": window.end.isoformat()}
    st.query_params.from_dict(params)
    scope = Scope(urns, "Whole trust" if urns is None else names[school], window)
    st.session_state[_SCOPE_KEY] = scope
    return scope


def _date_param(name: str, default: date) -> date:
    try:
        return date.fromisoformat(_param(name, default.isoformat()))
    except ValueError:
        return default


def current_scope() -> Scope | None:
    """The scope chosen in the sidebar on this run, or None when there is no data."""
    return st.session_state.get(_SCOPE_KEY)
