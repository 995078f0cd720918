"""Cohorts: which groups of pupils attend worst, how far from national and from the rest of the
school, how the gap moves week by week, two characteristics crossed, and the way to the pupils."""

import streamlit as st

from analytics.domain.rounding import round_half_up
from analytics.pipelines.groups import CHARACTERISTICS
from analytics.reports.charts.cohorts import (
    cross_chart,
    describe_cross,
    describe_gaps,
    describe_trend,
    gap_chart,
    trend_chart,
)
from analytics.reports.analysis.cohorts import ALL_PUPILS, GAP_MEASURE_LABELS, widest_gap_to_rest
from analytics.reports.comparisons.periods import COMPARED_COHORT, national_window
from analytics.reports.comparisons.scope import PLACES
from pages.ui import analysis, comparisons
from pages.ui.filters import scope_or_stop
from pages.ui.format import count, percent, plain, scope_caption
from pages.ui.params import url_selectbox
from pages.ui.tables import table
from pages.ui.access import guard_page

guard_page(__file__)

NO_CROSS = "none"

st.title("Cohorts")
scope = scope_or_stop()

key = analysis.key_of(scope)
enrolments = analysis.enrolments(key)
scope_caption(scope, enrolments.height)
if enrolments.is_empty():
    st.info("No pupils on roll in this window.")
    st.stop()
national_kind = national_window(scope.kind, scope.window, scope.part)
fewest = analysis.fewest_pupils()


def points(value: float | None) -> str:
    if value is None:
        return "no figure"
    rounded = round_half_up(value)
    return f"{'+' if rounded > 0 else ''}{rounded} points"


measure = url_selectbox(
    "Compare on",
    list(GAP_MEASURE_LABELS),
    key="cohort_measure",
    param="measure",
    format_func=GAP_MEASURE_LABELS.get,
    help="Persistent absence is DfE's headline measure for groups of pupils.",
)
label = GAP_MEASURE_LABELS[measure]

st.subheader("Widest gaps against national")
widest = analysis.widest_gaps(key, measure, national_kind)
st.write(
    f"Every group large enough to read ({fewest} or more pupils), furthest from the national figure for that group first. "
    f"The school figure is that of {COMPARED_COHORT}; the national figure for each group is DfE's newest that "
    "Rollcall holds for the group and a comparable window (its year is beside it; its window, source and "
    "whether it is more than one academic year older than the window are in the download)."
)
if widest.is_empty():
    st.write("No group has a national figure to compare with in this window.")
    top = None
else:
    top = widest.row(0, named=True)
    st.markdown(
        f"**Widest gap: {plain(top['group'])}** ({top['characteristic']}, {count(top['compared_pupils'])} "
        "pupils of compulsory school age): "
        f"{label.lower()} {percent(top['compared_value'])} against {percent(top['national'])} nationally "
        f"({top['national_year']}), {points(top['gap_to_national'])}."
    )
    table(
        widest.head(10).select(
            "characteristic",
            "group",
            "compared_pupils",
            "compared_value",
            "national",
            "gap_to_national",
            "national_year",
            "national_period",
            "national_older",
            "national_source",
        ),
        "Widest gaps against national",
        key="cohort_widest",
        note=f"{scope.description} · {label}",
        hide=("national_source", "national_period", "national_older"),
        headers={
            "compared_pupils": "Pupils",
            "compared_value": "School %",
            "gap_to_national": "Gap (points)",
            "national_year": "National from",
        },
    )

st.subheader("By characteristic")
keys = list(CHARACTERISTICS)
characteristic = url_selectbox(
    "Characteristic",
    keys,
    key="cohort_characteristic",
    param="characteristic",
    default=top["characteristic_key"] if top else "disadvantaged",
    format_func=lambda k: CHARACTERISTICS[k].label,
)
name = CHARACTERISTICS[characteristic].label
cohorts = analysis.cohort_table(key, characteristic, measure, national_kind)
description = describe_gaps(cohorts, measure, name)
st.altair_chart(gap_chart(cohorts, measure), width="stretch", alt=description)
st.caption(description)
place = comparisons.comparators(key.db_path, key.version, key.urns).place
# Each figure shows its year; its window and kind of data are in its source.
unshown = [f"{p}_{part}" for p in PLACES for part in ("period", "kind", "figure_phase")]
if place is None:  # no LA or region known: no empty columns
    unshown += [
        c for c in cohorts.columns if c.startswith(("region", "la", "gap_to_region", "gap_to_la"))
    ]
# Two sets of pupils, said in every heading: the chart's (compulsory school age, as DfE's national
# figures count them) first, then every pupil in the group against the rest of the school.
table(
    cohorts.drop(unshown, strict=False),
    f"Cohorts by {name}",
    key="cohort_table",
    note=f"{scope.description} · gaps on {label.lower()}",
    show=(
        "group",
        "compared_pupils",
        "compared_value",
        "national",
        "gap_to_national",
        *(("la", "gap_to_la", "la_year") if place else ()),
        "pupils",
        measure,
        "gap_to_rest",
        "too_small",
    ),
    headers={
        "compared_pupils": "Compulsory age: pupils",
        "compared_value": "Compulsory age %",
        "national": "National %",
        "gap_to_national": "Gap to national",
        "la": "Local authority %",
        "gap_to_la": "Gap to local authority",
        "la_year": "Local authority: year",
        "pupils": "All ages: pupils",
        measure: "All ages %",
        "gap_to_rest": "Gap to rest of school",
        "too_small": "Too small",
    },
)
if place:
    st.caption(
        f"Region and local authority: {place.describe()}, from the same DfE files as national."
    )
st.caption(
    "The chart and the first columns are the group's pupils of compulsory school age (5 to 15 on 31 August), "
    "as DfE's national figures count them; *All ages* is every pupil in the group, set against the rest of the "
    f"school. Gaps are in percentage points. *Too small*: fewer than {fewest} pupils with a possible session in "
    "the group or in the rest of the school. Counts and sessions are in the downloads."
)

st.subheader("Trend")
groups = [g for g in cohorts["group"].to_list() if g != ALL_PUPILS]
default_group = (
    top["group"]
    if top and top["characteristic_key"] == characteristic
    else widest_gap_to_rest(cohorts, measure)
)
group = url_selectbox("Group", groups, key="cohort_group", param="group", default=default_group)
trend = analysis.cohort_trend(key, characteristic, group)
description = describe_trend(trend, group)
st.altair_chart(trend_chart(trend, group), width="stretch", alt=description)
st.caption(description)
row = cohorts.filter(cohorts["group"] == group).row(0, named=True)
last_window = analysis.last_year_window(key, scope.kind, scope.part, scope.weeks)
last_key = analysis.Key(
    key.db_path, key.version, key.urns, last_window.start, last_window.end, key.groups
)
last = analysis.cohort_table(
    last_key, characteristic, measure, national_window(scope.kind, last_window, scope.part)
)
last_rows = last.filter(last["group"] == group)
before = last_rows.row(0, named=True)["gap_to_rest"] if last_rows.height else None
left, middle, right = st.columns(3)
left.metric(
    f"{label}, all ages: {plain(group)}",
    percent(row[measure]),
    help=f"{count(row['pupils_counted'])} pupils with a possible session.",
)
middle.metric(
    "Gap to the rest of the school",
    points(row["gap_to_rest"]),
    delta=None
    if before is None or row["gap_to_rest"] is None
    else f"{points(row['gap_to_rest'] - before)} on last year",
    delta_color="off",
    help=f"Same window last year ({last_window}): {points(before)}.",
)
right.metric("Gap to national", points(row["gap_to_national"]), help=row["national_source"])
st.caption(f"Last year's gap is for the same window a year earlier: {last_window}.")
table(
    trend.select(
        "week_start",
        "series",
        "enrolments_counted",
        "possible",
        "attended",
        "attendance_rate",
        "gap_to_rest",
    ),
    f"Weekly attendance of {group}",
    key="cohort_trend_table",
    note=scope.description,
)
st.page_link(
    "pages/pupils.py",
    label=f"Open the pupil list: {plain(group)} ({count(row['pupils'])} pupils)",
    icon=":material/arrow_forward:",
    query_params=scope.url_params | {"characteristic": characteristic, "group": group},
)

st.subheader("Two characteristics crossed")
crosses = [NO_CROSS, *(k for k in keys if k != characteristic and k != "form")]
cross = url_selectbox(
    f"Cross {name} with",
    crosses,
    key="cohort_cross",
    param="cross",
    format_func=lambda k: "Choose a characteristic" if k == NO_CROSS else CHARACTERISTICS[k].label,
)
if cross != NO_CROSS:
    crossed = analysis.cohort_table(key, characteristic, measure, national_kind, cross)
    cross_name = CHARACTERISTICS[cross].label
    description = describe_cross(crossed, measure, name, cross_name)
    st.altair_chart(
        cross_chart(crossed, measure, name, cross_name), width="stretch", alt=description
    )
    st.caption(description)
    table(
        crossed.drop(
            c
            for c in crossed.columns
            if c.startswith(PLACES) or c in ("gap_to_national", "gap_to_region", "gap_to_la")
        ).drop("compared_value", "compared_pupils"),
        f"{name} by {cross_name}",
        key="cohort_cross_table",
        note=scope.description,
        hide=("characteristic",),
    )
