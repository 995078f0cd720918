"""Pupils: the drill-down from year groups to forms to a pupil list (or from a cohort straight
to its pupils), sortable and flagged, and on to a pupil's profile. Shows pupil-level data."""

import polars as pl
import streamlit as st

from analytics.pipelines.groups import CHARACTERISTICS
from pages.ui import analysis
from pages.ui.filters import scope_or_stop
from pages.ui.format import count, percent, plain, scope_caption
from pages.ui.params import page_params
from pages.ui.tables import table
from pages.ui.access import guard_page, record_view_shown

guard_page(__file__)

#: URL parameters of the drill-down levels; the profile link carries them so "back" returns here.
LEVEL_PARAMS = ("characteristic", "group", "year_group", "form")
SORTS = {
    "attendance_rate": ("Lowest attendance first", False),
    "unauthorised": ("Most unauthorised absence first", True),
    "longest_absence_spell": ("Longest spell of absence first", True),
    "negative_incidents": ("Most negative incidents first", True),
    "surname": ("By name", False),
}
#: The pupil list's columns on screen (its downloads hold every column).
LIST_COLUMNS = (
    "surname",
    "forename",
    "year_group",
    "form",
    "attendance_rate",
    "unauthorised",
    "longest_absence_spell",
    "negative_incidents",
    "flags",
)
LIST_HEADERS = {
    "unauthorised": "Unauthorised",
    "longest_absence_spell": "Longest spell",
    "negative_incidents": "Negative",
}
GROUP_COLUMNS = (
    "group",
    "pupils",
    "attendance_rate",
    "unauthorised_rate",
    "persistent_absentees",
    "persistent_absence_rate",
    "severe_absentees",
)

st.title("Pupils")
scope = scope_or_stop()

key = analysis.key_of(scope)
enrolments = analysis.enrolments(key)
level = page_params(*LEVEL_PARAMS)
note = scope.description


def go(**params: str) -> None:
    """Move to another level of the drill-down (the filters stay as they are)."""
    for name in LEVEL_PARAMS:
        st.query_params.pop(name, None)
    for name, value in params.items():
        st.query_params[name] = value


def open_clicked(selection, groups: list[str], param: str, **others: str) -> None:
    """A row clicked in a table of groups opens that group one level down."""
    rows = selection.selection.rows if selection is not None else []
    if rows:
        go(**others, **{param: groups[rows[0]]})
        st.rerun()


def choose(label: str, options: list[str], widget_key: str, param: str, **others: str) -> None:
    """A selectbox that opens the chosen group one level down (the keyboard's way to a row)."""
    choice = st.selectbox(label, options, index=None, placeholder="Choose…", key=widget_key)
    if choice is not None:
        del st.session_state[widget_key]
        go(**others, **{param: choice})
        st.rerun()


# Where we are: a cohort (from the Cohorts page) or a year group, then perhaps one of its forms.
where: list[tuple[str, str]] = []
trail: list[tuple[str, dict[str, str]]] = [("All year groups", {})]
base: dict[str, str] = {}
if level.get("characteristic") in CHARACTERISTICS and "group" in level:
    base = {"characteristic": level["characteristic"], "group": level["group"]}
    where.append((level["characteristic"], level["group"]))
    trail.append(
        (f"{CHARACTERISTICS[level['characteristic']].label}: {level['group']}", dict(base))
    )
elif "year_group" in level:
    base = {"year_group": level["year_group"]}
    where.append(("year_group", level["year_group"]))
    trail.append((level["year_group"], dict(base)))
if where and "form" in level:
    where.append(("form", level["form"]))
    trail.append((level["form"], base | {"form": level["form"]}))

pupils = analysis.pupils(key, tuple(where))
scope_caption(scope, enrolments.height)
st.caption(
    f"Showing {count(pupils.height)} pupils: " + " › ".join(plain(name) for name, _ in trail)
)
if len(trail) > 1:
    crumbs = st.container(horizontal=True)
    for position, (name, params) in enumerate(trail[:-1]):
        if crumbs.button(f"← {plain(name)}", key=f"crumb_{position}"):
            go(**params)
            st.rerun()

if not where:
    st.subheader("Year groups")
    years = analysis.groups_of(key, "year_group")
    picked = table(
        years,
        "Year groups",
        key="pupils_years",
        note=note,
        show=GROUP_COLUMNS,
        headers={"group": "Year group"},
        on_select="rerun",
        selection_mode="single-row",
    )
    st.caption("Click a year group's row (or choose it below) to see its forms and pupils.")
    open_clicked(picked, years["group"].to_list(), "year_group")
    choose("Open a year group", years["group"].to_list(), "drill_year_group", "year_group")
elif where[-1][0] != "form":
    label = trail[-1][0]
    st.subheader(f"Forms: {plain(label)}")
    forms = analysis.groups_of(key, "form", tuple(where))
    picked = table(
        forms,
        f"Forms in {label}",
        key="pupils_forms",
        note=note,
        show=GROUP_COLUMNS,
        headers={"group": "Form"},
        on_select="rerun",
        selection_mode="single-row",
    )
    st.caption(
        "Forms are each pupil's form as the latest pupils file records it. Click a form's row (or "
        "choose it below) to see its pupils."
    )
    open_clicked(picked, forms["group"].to_list(), "form", **base)
    choose("Open a form", forms["group"].to_list(), "drill_form", "form", **base)

st.subheader("Pupil list")
if pupils.is_empty():
    st.write("No pupils in this group in the window.")
    st.stop()
sort = st.selectbox("Sort", list(SORTS), format_func=lambda s: SORTS[s][0], key="pupils_sort")
listed = pupils.sort(
    sort, "surname", "forename", descending=[SORTS[sort][1], False, False], nulls_last=True
)
flagged = listed.filter(listed["flags"] != "").height
st.write(
    f"{count(listed.height)} pupils; {count(int(listed['persistent_absence'].sum()))} persistently absent "
    f"({count(int(listed['severe_absence'].sum()))} severely); {count(flagged)} with a flag. "
    "Click a pupil's row to open their profile; click a column heading to sort by it."
)
# Across schools the list names each pupil's school: the name in one column, the form and the
# longest spell left to the downloads and the flags (a spell of a week or more is flagged), so
# every column still fits.
several = scope.urns is None or len(scope.urns) > 1
shown_list = (
    listed.with_columns(pl.format("{}, {}", "surname", "forename").alias("pupil"))
    if several
    else listed
)
columns = (
    ("pupil", "year_group", "school_name", "attendance_rate", "unauthorised")
    + ("negative_incidents", "flags")
    if several
    else LIST_COLUMNS
)
picked = table(
    shown_list,
    "Pupil list",
    key="pupils_list",
    note=note,
    pupil_data=True,
    show=columns,
    headers=LIST_HEADERS | {"pupil": "Pupil"},
    on_select="rerun",
    selection_mode="single-row",
)
record_view_shown()
st.caption(
    "Flags: severe or persistent absence; a spell of absence of a school week (10 sessions) or more; suspended or "
    "permanently excluded in the window; looked after; SEN support or EHC plan; disadvantaged. The downloads hold "
    "every column: sessions, authorised and unauthorised absence, lateness, behaviour and the pupil's groups."
)


def open_profile(enrolment_id: int) -> None:
    st.switch_page(
        "pages/pupil.py", query_params=scope.url_params | level | {"pupil": str(enrolment_id)}
    )


rows = picked.selection.rows if picked is not None else []
if rows:
    open_profile(listed["enrolment_id"][rows[0]])

names = {
    row[
        "enrolment_id"
    ]: f"{row['surname']}, {row['forename']} · {row['year_group'] or '–'} {row['form'] or ''} · {percent(row['attendance_rate'])}"
    for row in listed.iter_rows(named=True)
}
chosen = st.selectbox(
    "Or find a pupil in the list by name",
    list(names),
    index=None,
    format_func=names.get,
    placeholder="Type a name…",
    key="open_pupil",
)
if chosen is not None:
    del st.session_state["open_pupil"]
    open_profile(chosen)
