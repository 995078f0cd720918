"""Patterns: absence by weekday and session, lateness and minutes late, reasons week by week,
the first and last weeks of half-terms, and spells of consecutive absence."""

import streamlit as st

from analytics.reports.charts.patterns import (
    describe_lateness,
    describe_reasons,
    describe_spells,
    describe_term_edges,
    describe_weekday,
    lateness_chart,
    minutes_chart,
    reasons_chart,
    spells_chart,
    term_edges_chart,
    weekday_heatmap,
)
from pages.ui import analysis
from pages.ui.filters import scope_or_stop
from pages.ui.format import scope_caption
from pages.ui.tables import table
from pages.ui.access import guard_page

guard_page(__file__)

st.title("Patterns")
scope = scope_or_stop()

key = analysis.key_of(scope)
scope_caption(scope, analysis.enrolments(key).height)
found = analysis.patterns(key)
note = scope.description
if found.weekday.is_empty():
    st.info("No possible sessions in this window.")
    st.stop()

st.subheader("Weekday and session")
description = describe_weekday(found.weekday)
st.altair_chart(weekday_heatmap(found.weekday), width="stretch", alt=description)
st.caption(description)
table(
    found.weekday.select(
        "weekday_name",
        "session",
        "possible",
        "absent",
        "absence_rate",
        "authorised_rate",
        "unauthorised_rate",
        "late_before_close",
        "late_after_close",
    ),
    "Weekday and session",
    key="patterns_weekday",
    note=note,
)

st.subheader("Lateness")
description = describe_lateness(found.lateness_weekly, found.median_minutes)
st.altair_chart(lateness_chart(found.lateness_weekly), width="stretch", alt=description)
st.caption(description)
table(
    found.lateness_weekly.drop("enrolments_counted"),
    "Lateness by week",
    key="patterns_lateness",
    note=note,
)
late_total = int(found.minutes_late["sessions"].sum())
minutes_text = f"{late_total:,} late sessions by minutes late (L: arrived before registers closed, present; U: after, unauthorised absence)."
st.altair_chart(minutes_chart(found.minutes_late), width="stretch", alt=minutes_text)
st.caption(minutes_text)
table(found.minutes_late, "Minutes late", key="patterns_minutes", note=note)

st.subheader("Reasons week by week")
description = describe_reasons(found.reasons)
st.altair_chart(reasons_chart(found.reasons), width="content", alt=description)
st.caption(
    description
    + " Each reason has its own chart and scale. Holidays are G (unauthorised) with H and F (authorised)."
)
table(
    found.reasons_table,
    "Reasons by week",
    key="patterns_reasons",
    note=note,
    headers={"possible": "Possible sessions"},
)
st.caption(
    "Each reason as a share of the week's possible sessions (%): illness (I), medical appointments (M), "
    "holidays (G, and the withdrawn H and F), other authorised, late after registers closed (U), other "
    "unauthorised (O) and not yet known (N)."
)

st.subheader("First and last weeks of half-terms")
description = describe_term_edges(found.term_edges_overall)
if found.term_edges.is_empty():
    st.write("No half-term weeks in this window.")
else:
    st.altair_chart(term_edges_chart(found.term_edges), width="stretch", alt=description)
    under_way = (
        f" {found.half_term_under_way[0]} (from {found.half_term_under_way[1]:%d %b %Y}) is still under way: "
        "its weeks so far count as its first and other weeks, and it has no last week yet."
        if found.half_term_under_way
        else ""
    )
    st.caption(
        description
        + " Half-terms are read from the register: runs of school weeks between holidays."
        + under_way
    )
    table(
        found.term_edges.select(
            "label", "start", "position", "possible", "absent", "absence_rate", "unauthorised_rate"
        ),
        "First and last weeks",
        key="patterns_edges",
        note=note,
    )

st.subheader("Spells of consecutive absence")
description = describe_spells(
    found.spell_lengths, found.pupils_with_long_spells, found.pupils_counted
)
st.altair_chart(spells_chart(found.spell_lengths), width="stretch", alt=description)
st.caption(
    description
    + " A spell is a run of possible sessions all missed; weekends and holidays do not break it, "
    "an attended session does."
)
table(found.spell_lengths, "Spells of absence", key="patterns_spells", note=note)
