"""Pupil profile: one pupil's register calendar, weekly attendance, codes, spells of absence,
behaviour and exclusions for the chosen window. Shows pupil-level data.

Reached with `?pupil=<enrolment id>` (never a name or UPN in the URL). The profile is a list of
sections (SECTIONS): a new section is a function taking the profile, added to that list.
"""

from collections.abc import Callable

import polars as pl
import streamlit as st

from analytics.domain.cohorts import SEN_LABELS
from analytics.reports.charts.weekly import describe_weekly, weekly_rate_chart
from analytics.reports.charts.pupil import (
    codes_chart,
    describe_codes,
    describe_figures,
    describe_incidents,
    describe_register,
    incidents_chart,
    register_chart,
)
from analytics.reports.analysis.pupil import PupilProfile
from pages.ui import analysis
from pages.ui.filters import scope_or_stop
from analytics.domain.yeargroups import year_group_label
from pages.ui.format import count, percent, plain, scope_caption
from pages.ui.params import page_params
from pages.ui.tables import table
from pages.ui import coordinator
from pages.ui.chronology import show_chronology
from pages.ui.context import cache_key, database
from pages.ui.access import guard_page, record_view_shown, refuse_pupil

guard_page(__file__)

BACK_PARAMS = ("characteristic", "group", "year_group", "form")
#: Pupils offered when the profile is opened from the menu, lowest attendance first.
LOWEST = 20

st.title("Pupil profile")
scope = scope_or_stop()

key = analysis.key_of(scope)
back = page_params(*BACK_PARAMS)
if st.button("← Back to the pupil list", key="pupil_back"):
    st.switch_page("pages/pupils.py", query_params=scope.url_params | back)

wanted = st.query_params.get("pupil", "")
if not wanted.isdigit():
    # Opened from the menu: find a pupil by name, or pick one of those with the lowest attendance.
    scope_caption(scope, analysis.enrolments(key).height)
    everyone = analysis.pupils(key)
    names = {
        row[
            "enrolment_id"
        ]: f"{row['surname']}, {row['forename']} · {year_group_label(row['year_group'])} {row['form'] or ''}"
        for row in everyone.iter_rows(named=True)
    }
    chosen = st.selectbox(
        "Find a pupil",
        list(names),
        index=None,
        format_func=names.get,
        placeholder="Type a name…",
        key="find_pupil",
    )
    st.caption(
        "Or click a pupil below: the lowest attendance in the window first. The Pupils page lists "
        "every year group, form and cohort; Who needs action lists the pupils to act on today."
    )
    lowest = everyone.head(LOWEST)
    picked = table(
        lowest,
        f"Lowest attendance, {LOWEST} pupils",
        key="pupil_lowest",
        note=scope.description,
        pupil_data=True,
        show=("surname", "forename", "year_group", "form", "attendance_rate", "flags"),
        on_select="rerun",
        selection_mode="single-row",
    )
    rows = picked.selection.rows if picked is not None else []
    if rows:
        chosen = lowest["enrolment_id"][rows[0]]
    if chosen is None:
        record_view_shown()
        st.stop()
    st.session_state.pop("find_pupil", None)
    st.query_params["pupil"] = str(chosen)
    st.rerun()

profile = analysis.profile(key, int(wanted))
if profile is None:
    refuse_pupil(
        int(wanted),
        "That pupil is not in the chosen school. Choose another school in the sidebar, or go back "
        "to the pupil list.",
    )
details = profile.details
st.caption(
    f"{scope.description} · one pupil: {'on roll' if profile.on_roll else 'not on roll'} in the window"
)
note = f"{details['surname']}, {details['forename']} · {scope.window}"

st.header(plain(f"{details['forename']} {details['surname']}"))
facts = [
    f"{details['group_year_group']}",
    f"form {plain(details['form'])}" if details["form"] else "no form",
    plain(details["school_name"]),
    f"UPN {plain(details['upn'])}",
    f"born {details['date_of_birth']:%d %b %Y}",
    f"admitted {details['admission_date']:%d %b %Y}",
]
if details["leaving_date"]:
    facts.append(f"left {details['leaving_date']:%d %b %Y}")
st.write(" · ".join(facts))
traits = [
    details["group_disadvantaged"],
    details["group_fsm"],
    SEN_LABELS.get(details["sen"], details["group_sen"]),
    details["group_eal"],
    plain(details["group_ethnic_group"]),
    details["group_sex"],
    details["group_looked_after"],
]
st.caption(
    " · ".join(traits)
    + ("" if details["compulsory_school_age"] else " · not of compulsory school age")
)

figures = profile.figures
if figures is None:
    st.info("Not on roll in this window. Choose another window in the sidebar.")
else:
    flag = (
        "Severe"
        if figures["severe_absence"]
        else "Persistent"
        if figures["persistent_absence"]
        else "No"
    )
    cells = st.columns(4)
    cells[0].metric(
        "Attendance",
        percent(figures["attendance_rate"]),
        help=f"{count(figures['attended'])} of {count(figures['possible'])} possible sessions.",
    )
    cells[1].metric(
        "Authorised absence",
        percent(figures["authorised_rate"]),
        help=f"{count(figures['authorised'])} sessions.",
    )
    cells[2].metric(
        "Unauthorised absence",
        percent(figures["unauthorised_rate"]),
        help=f"{count(figures['unauthorised'])} sessions.",
    )
    cells[3].metric(
        "Persistent absence",
        flag,
        help="Persistent: absent for 10% or more of possible sessions; severe: 50% or more.",
    )
    st.caption(
        describe_figures(figures)
        + f" Late before registers closed (L): {count(figures['late_before_close'])}; after (U): {count(figures['late_after_close'])}."
    )


def register_section(profile: PupilProfile) -> None:
    cells = profile.register
    if cells.is_empty():
        st.write("No school days in this window.")
        return
    description = describe_register(cells)
    st.altair_chart(register_chart(cells), width="content", alt=description)
    st.caption(description + " Each cell shows the code; the colour repeats what it counts as.")
    table(cells.drop("weekday"), "Register", key="pupil_register", note=note, pupil_data=True)


def weekly_section(profile: PupilProfile) -> None:
    if profile.weekly.is_empty():
        st.write("No school weeks in this window.")
        return
    description = describe_weekly(profile.weekly)
    st.altair_chart(weekly_rate_chart(profile.weekly), width="stretch", alt=description)
    st.caption(description)


def codes_section(profile: PupilProfile) -> None:
    if profile.codes.is_empty():
        st.write("No counted sessions in this window.")
        return
    description = describe_codes(profile.codes)
    st.altair_chart(codes_chart(profile.codes), width="stretch", alt=description)
    st.caption(description)
    table(
        profile.codes,
        "Codes",
        key="pupil_codes",
        note=note,
        pupil_data=True,
        headers={"share": "Share of sessions %"},
    )


def spells_section(profile: PupilProfile) -> None:
    spells = profile.spells
    if spells.is_empty():
        st.write("No absence in this window.")
        return
    longest = spells["sessions"].max()
    st.write(
        f"{count(spells.height)} spells of consecutive absence; the longest was {count(longest)} sessions."
    )
    table(
        spells.drop("enrolment_id").sort("first_date", descending=True),
        "Spells of absence",
        key="pupil_spells",
        note=note,
        pupil_data=True,
    )


def behaviour_section(profile: PupilProfile) -> None:
    incidents = profile.incidents
    description = describe_incidents(incidents)
    if incidents.is_empty():
        st.write(description)
        return
    st.altair_chart(incidents_chart(incidents), width="stretch", alt=description)
    st.caption(description)
    table(
        incidents.sort("date", descending=True),
        "Behaviour incidents",
        key="pupil_incidents",
        note=note,
        pupil_data=True,
    )


def exclusions_section(profile: PupilProfile) -> None:
    exclusions = profile.exclusions
    if exclusions.is_empty():
        st.write("No suspensions or permanent exclusions in this window.")
        return
    sessions = int(exclusions["sessions"].sum())
    st.write(
        f"{count(exclusions.filter(pl.col('category') == 'suspension').height)} suspensions and "
        f"{count(exclusions.filter(pl.col('category') == 'permanent').height)} permanent exclusions; {count(sessions)} sessions."
    )
    table(exclusions, "Exclusions", key="pupil_exclusions", note=note, pupil_data=True)


def history_section(profile: PupilProfile) -> None:
    """Attendance in each academic year at this school, to the window's end."""
    years = analysis.pupil_years(
        key.db_path, key.version, profile.details["enrolment_id"], scope.window.end
    )
    if years.is_empty():
        st.write("No earlier years at this school.")
        return
    st.caption(
        "Each academic year on roll at this school, the latest to the window's end, counted as "
        "every page counts: persistent absence is 10% or more of the year's possible sessions."
    )
    table(
        years,
        "Attendance by academic year",
        key="pupil_years",
        note=note,
        pupil_data=True,
        show=(
            "year",
            "year_group",
            "possible",
            "attended",
            "authorised",
            "unauthorised",
            "attendance_rate",
            "persistent_absence",
            "severe_absence",
        ),
        headers={"year": "Academic year"},
    )


def chronology_section(profile: PupilProfile) -> None:
    """The attendance team's chronology of calls, letters, meetings and plans, as evidence."""
    last_day = coordinator.last_register_day(*cache_key(database()))
    as_of = min(scope.window.end, last_day or scope.window.end)
    show_chronology(profile.details["enrolment_id"], as_of, key="profile_chronology", heading=False)


#: The profile's sections in order: (heading, function drawing it from the profile).
SECTIONS: list[tuple[str, Callable[[PupilProfile], None]]] = [
    ("Register", register_section),
    ("Attendance week by week", weekly_section),
    ("Attendance year by year", history_section),
    ("Codes", codes_section),
    ("Spells of absence", spells_section),
    ("Behaviour", behaviour_section),
    ("Exclusions", exclusions_section),
    ("Interventions and contacts", chronology_section),
]

for heading, draw in SECTIONS:
    st.subheader(heading)
    draw(profile)
record_view_shown(enrolment_id=details["enrolment_id"], school_urn=details["school_urn"])
