"""Behaviour: incidents per 100 pupils by cohort and week, suspensions and permanent exclusions
by reason against national rates, and behaviour beside attendance."""

import streamlit as st

from analytics.pipelines.groups import CHARACTERISTICS
from analytics.reports.charts.behaviour import (
    attendance_behaviour_chart,
    describe_attendance_behaviour,
    describe_groups,
    describe_reasons,
    describe_weekly,
    group_chart,
    reasons_chart,
    weekly_chart,
)
from pages.ui import analysis
from pages.ui.filters import scope_or_stop
from pages.ui.format import count, scope_caption
from pages.ui.params import url_selectbox
from pages.ui.tables import table
from pages.ui.access import guard_page

guard_page(__file__)

st.title("Behaviour")
scope = scope_or_stop()

key = analysis.key_of(scope)
enrolments = analysis.enrolments(key)
scope_caption(scope, enrolments.height)
if enrolments.is_empty():
    st.info("No pupils on roll in this window.")
    st.stop()
note = scope.description

characteristic = url_selectbox(
    "Group pupils by",
    list(CHARACTERISTICS),
    key="behaviour_characteristic",
    param="characteristic",
    default="year_group",
    format_func=lambda k: CHARACTERISTICS[k].label,
)
name = CHARACTERISTICS[characteristic].label
figures = analysis.behaviour(key, characteristic)
totals = figures.totals
cells = st.columns(4)
cells[0].metric(
    "Negative incidents",
    count(totals["negative_incidents"]),
    help="Incidents dated in the window, of pupils on roll in it.",
)
cells[1].metric("Positive incidents", count(totals["positive_incidents"]))
cells[2].metric(
    "Suspensions",
    count(totals["suspensions"]),
    help=f"{count(totals['pupils_suspended'])} pupils suspended.",
)
cells[3].metric("Permanent exclusions", count(totals["permanent_exclusions"]))

st.subheader(f"Incidents per 100 pupils, by {name}")
description = describe_groups(figures.by_group, name)
st.altair_chart(group_chart(figures.by_group, name), width="stretch", alt=description)
st.caption(
    description + " Per 100 pupils: incidents divided by pupils on roll in the window, times 100."
)
table(
    figures.by_group,
    f"Behaviour by {name}",
    key="behaviour_groups",
    note=note,
    show=(
        "group",
        "pupils",
        "negative_incidents",
        "negative_per_100",
        "pupils_with_negative_rate",
        "positive_per_100",
        "suspensions",
        "suspension_rate",
        "permanent_exclusions",
    ),
    headers={
        "group": name,
        "negative_incidents": "Negative",
        "negative_per_100": "Negative per 100",
        "pupils_with_negative_rate": "Pupils with one %",
        "positive_per_100": "Positive per 100",
        "suspension_rate": "Suspensions per 100",
    },
)

st.subheader("Week by week")
description = describe_weekly(figures.weekly)
st.altair_chart(weekly_chart(figures.weekly), width="stretch", alt=description)
st.caption(description + " Each week is divided by the pupils with a session that week.")
table(figures.weekly, "Incidents by week", key="behaviour_weekly", note=note)

st.subheader("Suspensions and permanent exclusions")
description = describe_reasons(figures.by_reason, totals)
if not figures.by_reason.is_empty():
    st.altair_chart(reasons_chart(figures.by_reason), width="stretch", alt=description)
st.caption(description)
if not figures.by_reason.is_empty():
    table(figures.by_reason, "Exclusions by reason", key="behaviour_reasons", note=note)
st.write(
    "Rates per 100 pupils against DfE's newest national exclusion statistics Rollcall holds, for the same "
    "mix of phases (ticked where the figure is more than one academic year older than the window):"
)
table(
    figures.exclusion_rates.drop("measure", "national_figure_phase"),
    "Exclusion rates",
    key="behaviour_rates",
    note=note,
    hide=("national_source",),
    headers={
        "value": "Per 100 pupils",
        "national": "National per 100",
        "national_year": "National from",
        "national_older": "Over a year older",
    },
)
with st.expander("Where the national figures come from"):
    for row in figures.exclusion_rates.iter_rows(named=True):
        st.markdown(f"- **{row['label']}**: {row['national_source']}")

st.subheader("Attendance beside behaviour")
description = describe_attendance_behaviour(figures.absentees)
st.altair_chart(attendance_behaviour_chart(figures.pupils), width="stretch", alt=description)
st.caption(
    description + " One mark per pupil with a possible session; crosses are persistent absentees."
)
table(
    figures.absentees,
    "Persistent absentees and behaviour",
    key="behaviour_absentees",
    note=note,
    headers={
        "pupils_with_negative": "With a negative incident",
        "pupils_with_negative_rate": "With one %",
        "negative_per_100": "Negative per 100",
        "pupils_suspended": "Suspended",
        "one_or_more_suspensions_rate": "Suspended per 100",
    },
)
