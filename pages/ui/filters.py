"""The shared sidebar filters: school or whole trust, academic year, window, year groups.

Each page that shows figures calls `sidebar_scope()` first. The choices are kept in the URL (so
a view can be bookmarked and shared) and in the session (so they survive moving between pages).
Terms, half-terms and school weeks come from the register itself, so each school's own calendar
is followed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import streamlit as st

from analytics.domain.calendar import academic_year_bounds, academic_year_label
from analytics.domain.yeargroups import year_group_label
from analytics.pipelines.windows import Window
from pages.ui import cached
from pages.ui.access import current_user
from pages.ui.context import cache_key, database

TRUST = "trust"
WINDOW_KINDS = {
    "ytd": "Year to date",
    "year": "Whole academic year",
    "term": "A term",
    "half": "A half-term",
    "weeks": "Last school weeks",
    "custom": "Custom dates",
}
FILTER_KEYS = (
    "filter_school",
    "filter_year",
    "filter_window",
    "filter_term",
    "filter_half",
    "filter_weeks",
    "filter_dates",
    "filter_years",
)
#: URL parameters the filters own; any other parameter belongs to the page (a drill-down level,
#: a pupil) and is left in the URL.
FILTER_PARAMS = ("school", "year", "window", "part", "weeks", "from", "to", "years")


@dataclass(frozen=True)
class Scope:
    """What the pages show: these schools (None = the whole trust), year groups (empty = all),
    over this window. A user limited to some schools never gets None: "all your schools" is
    their schools, listed."""

    urns: tuple[int, ...] | None
    label: str
    window: Window
    year_groups: tuple[str, ...] = ()
    academic_year: int | None = None
    kind: str = "custom"  # a WINDOW_KINDS key: how the window was chosen
    part: str | None = None  # the term or half-term chosen (`Autumn 1`), for kinds term and half
    weeks: int | None = None  # the number of school weeks, for kind weeks

    @property
    def url_params(self) -> dict[str, str]:
        """The filters' URL parameters as they are now (to carry into a link)."""
        return {name: st.query_params[name] for name in FILTER_PARAMS if name in st.query_params}

    @property
    def description(self) -> str:
        """`Oakfield Primary · Years 5, 6 · Autumn 1 (...)`."""
        groups = (
            f" · {', '.join(year_group_label(g) for g in self.year_groups)}"
            if self.year_groups
            else ""
        )
        return f"{self.label}{groups} · {self.window}"


def _param(name: str, default: str) -> str:
    return st.query_params.get(name, default)


def _index(options: list, value) -> int:
    return options.index(value) if value in options else 0


def _initial(key: str, options: list | None = None, **initial) -> dict:
    """A widget's first value from the URL, unless the session already holds a valid one (then
    the widget takes it, and passing a default as well would be an error)."""
    if key in st.session_state and options is not None:
        held = st.session_state[key]
        valid = all(v in options for v in held) if isinstance(held, list) else held in options
        if not valid:
            del st.session_state[key]
    return {} if key in st.session_state else initial


def _date_param(name: str, default: date) -> date:
    try:
        return date.fromisoformat(_param(name, default.isoformat()))
    except ValueError:
        return default


def _pick_window(
    sidebar, calendar, year: int, params: dict[str, str], kinds: Sequence[str]
) -> tuple[Window, str]:
    """The window control offering `kinds` (no control for one kind; the whole year for none), and
    the kind the window was made as (a term with no terms in the register falls back to the
    year); records its URL parameters in `params`."""
    kinds = list(kinds)
    if len(kinds) > 1:
        kind = sidebar.radio(
            "Window",
            kinds,
            format_func=WINDOW_KINDS.get,
            key="filter_window",
            **_initial("filter_window", kinds, index=_index(kinds, _param("window", "ytd"))),
        )
    else:
        kind = kinds[0] if kinds else "year"
    params["window"] = kind
    year_start, year_end = academic_year_bounds(year)
    label = academic_year_label(year)
    last = min(calendar.last_day, year_end)
    if kind in ("term", "half"):
        choices = calendar.windows(year, kind)
        if choices:
            names = [w.label for w in choices]
            name = sidebar.selectbox(
                "Term" if kind == "term" else "Half-term",
                names,
                key=f"filter_{kind}",
                **_initial(f"filter_{kind}", names, index=_index(names, _param("part", names[-1]))),
            )
            params["part"] = name
            chosen = choices[names.index(name)]
            return Window(chosen.start, chosen.end, f"{chosen.label} {label}"), kind
        kind = "year"
    if kind == "weeks":
        default_weeks = _param("weeks", "4")
        weeks = int(
            sidebar.number_input(
                "School weeks",
                min_value=1,
                max_value=39,
                key="filter_weeks",
                **_initial(
                    "filter_weeks", value=int(default_weeks) if default_weeks.isdigit() else 4
                ),
            )
        )
        params["weeks"] = str(weeks)
        window = calendar.last_weeks(weeks, last)
        if window is not None:
            return window, kind
        kind = "year"
    if kind == "custom":
        start, end = _date_param("from", year_start), _date_param("to", last)
        if not year_start <= start <= end <= year_end:  # dates of another academic year
            start, end = year_start, last
        held = st.session_state.get("filter_dates")
        if isinstance(held, tuple | list) and not all(year_start <= d <= year_end for d in held):
            del st.session_state[
                "filter_dates"
            ]  # chosen in another year: start again from this one
        picked = sidebar.date_input(
            "From and to",
            min_value=year_start,
            max_value=year_end,
            format="DD/MM/YYYY",
            key="filter_dates",
            **_initial("filter_dates", value=(max(start, year_start), min(end, year_end))),
        )
        if isinstance(picked, tuple) and len(picked) == 2:
            start, end = picked
        params |= {"from": start.isoformat(), "to": end.isoformat()}
        return Window(start, end, "Custom dates"), kind
    if kind == "year":
        return Window(year_start, year_end, label), kind
    return Window(year_start, last, f"{label} to date"), kind


def _keep_choices_across_pages() -> None:
    # Streamlit forgets a widget's value on a page that does not draw it; values set through
    # session state are kept, so each run hands the filters' values back to themselves.
    for key in FILTER_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


#: What a page says when there is nothing to show yet.
NO_DATA = "There is no data yet. Import your MIS exports on the Import page, or run `rollcall demo` for the demo trust."


def scope_or_stop(
    *, trust: bool = True, windows: Sequence[str] = tuple(WINDOW_KINDS), year_groups: bool = True
) -> Scope:
    """`sidebar_scope`, or, when there is no data, the page says so and stops here."""
    scope = sidebar_scope(trust=trust, windows=windows, year_groups=year_groups)
    if scope is None:
        st.info(NO_DATA)
        st.stop()
    return scope


def sidebar_scope(
    *, trust: bool = True, windows: Sequence[str] = tuple(WINDOW_KINDS), year_groups: bool = True
) -> Scope | None:
    """Draw the filters in the sidebar and return the chosen scope; None when there is no data.

    A page may narrow the choice: `trust=False` offers single schools only, `windows` the kinds
    of window (one kind: no window control; none: the whole academic year), and
    `year_groups=False` leaves out the year-group filter."""
    _keep_choices_across_pages()
    db = database()
    if not db.exists():
        return None
    key = cache_key(db)
    user = current_user()
    schools = cached.schools(*key)
    if user is not None:
        # Only the user's own schools are offered; a school in the URL or the session that is not
        # theirs is not an option, so the first of theirs is shown instead.
        schools = schools.filter(
            schools["urn"].is_in(user.visible_schools(schools["urn"].to_list()))
        )
    if schools.is_empty():
        return None
    names = dict(zip(schools["urn"].cast(str), schools["name"], strict=True))
    everything = user is None or user.schools is None
    options = ([TRUST] if len(names) > 1 and trust else []) + list(names)
    trust_label = "Whole trust" if everything else "All your schools"
    sidebar = st.sidebar
    sidebar.header("Filters")
    school = sidebar.selectbox(
        "School",
        options,
        format_func=lambda v: trust_label if v == TRUST else f"{names[v]} ({v})",
        key="filter_school",
        **_initial("filter_school", options, index=_index(options, _param("school", options[0]))),
    )
    if school == TRUST:
        urns = None if everything else tuple(int(urn) for urn in names)
    else:
        urns = (int(school),)
    calendar = cached.calendar(*key, urns)
    years = calendar.academic_years()
    if not years:
        sidebar.info("No register marks yet for this choice.")
        return None
    year_param = _param("year", "")
    year = sidebar.selectbox(
        "Academic year",
        years,
        format_func=academic_year_label,
        key="filter_year",
        **_initial(
            "filter_year",
            years,
            index=_index(years, int(year_param)) if year_param.isdigit() else 0,
        ),
    )
    params = {"school": school, "year": str(year)}
    window, kind = _pick_window(sidebar, calendar, year, params, windows)
    groups = []
    if year_groups:
        available = cached.year_groups(*key, urns, window.start, window.end)
        wanted = [g for g in _param("years", "").split(",") if g in available]
        groups = sidebar.multiselect(
            "Year groups",
            available,
            placeholder="All year groups",
            format_func=year_group_label,
            key="filter_years",
            **_initial("filter_years", available, default=wanted),
        )
        if groups:
            params["years"] = ",".join(groups)
    _write_params(params)
    return Scope(
        urns,
        trust_label if school == TRUST else names[school],
        window,
        tuple(groups),
        academic_year=year,
        kind=kind,
        part=params.get("part") if kind in ("term", "half") else None,
        weeks=int(params["weeks"]) if kind == "weeks" else None,
    )


def _write_params(params: dict[str, str]) -> None:
    """Put the filters' parameters in the URL, leaving the page's own parameters alone."""
    for name in FILTER_PARAMS:
        if name not in params and name in st.query_params:
            del st.query_params[name]
    for name, value in params.items():
        if st.query_params.get(name) != value:
            st.query_params[name] = value
