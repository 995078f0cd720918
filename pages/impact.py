"""Impact: does each kind of intervention help? Attendance before and after, against matched
comparable pupils, with counts and a 95% interval."""

from datetime import date

import polars as pl
import streamlit as st

from analytics.pipelines.impact import CALIPER_POINTS, MAX_MATCHES, PRIOR_SPANS
from analytics.reports.charts.coordinator import impact_chart
from analytics.reports.coordinator.impact import MIN_MEASURED, describe_impact
from pages.ui import coordinator
from pages.ui import stages as stages_ui
from pages.ui.context import cache_key, database
from pages.ui.download import download_buttons
from pages.ui.filters import scope_or_stop
from pages.ui.format import shown_scope
from pages.ui.access import guard_page

guard_page(__file__)

st.title("Impact of interventions")
scope = scope_or_stop()

key = cache_key(database())
weeks = int(
    st.sidebar.number_input(
        "School weeks before and after", min_value=2, max_value=12, value=6, key="impact_weeks"
    )
)
every_action = st.sidebar.toggle(
    "Every action before the window too",
    value=False,
    key="impact_every_action",
    help="On: every action recorded up to the window's end, for the most evidence; off: the "
    "actions dated in the window only.",
)
by_stage = (
    st.sidebar.radio(
        "Compare pupils who",
        ["had an intervention", "entered a stage"],
        key="impact_by",
        help="Entered a stage: each stage of the staged procedure, as an intervention type is measured.",
    )
    == "entered a stage"
)
start = date(1900, 1, 1) if every_action else scope.window.start
if by_stage:
    impact = stages_ui.stage_impact(
        *key, scope.urns, start, scope.window.end, weeks, scope.year_groups
    )
else:
    impact = coordinator.impact(*key, scope.urns, start, scope.window.end, weeks, scope.year_groups)
summary = impact.summary
pupils = impact.actions["enrolment_id"].n_unique() if impact.actions.height else 0
what = "entries to a stage" if by_stage else "actions"
dated = (
    f"{what} dated up to {scope.window.end:%d %b %Y}"
    if every_action
    else f"{what} dated {scope.window.start:%d %b %Y} to {scope.window.end:%d %b %Y}"
)
st.caption(
    f"{shown_scope(scope)} · {dated}: "
    f"{impact.actions.height:,} (each pupil's first of each {'stage' if by_stage else 'type'} in "
    f"an academic year) for {pupils:,} pupils · {weeks} school weeks before and after."
)
if summary.is_empty():
    st.write(
        "No interventions recorded for this scope in this window."
        + ("" if every_action else " Turn on *Every action before the window too* in the sidebar.")
    )
    st.stop()

measured = summary.filter(pl.col("measured") >= MIN_MEASURED)
if measured.height:
    st.altair_chart(
        impact_chart(summary),
        width="stretch",
        alt="The difference in attendance after each kind of action against similar pupils, with "
        "its 95% interval; each is said in words below and set out in the table.",
    )
for row in summary.iter_rows(named=True):
    st.markdown(f"- {describe_impact(row, weeks)}")
st.caption(
    "Attendance of the pupils with each action (*Before*, *After*) and of similar pupils at the same "
    "school with none (*Similar*), in the school weeks before and after it; the difference is the "
    "pupils' change less the similar pupils' change, in points, with its 95% interval."
)

table = summary.with_columns(
    *(
        coordinator.rounded(c)
        for c in (
            "pupil_before",
            "pupil_after",
            "comparison_before",
            "comparison_after",
            "effect",
            "effect_low",
            "effect_high",
        )
    )
)
# On screen the figures that answer "did it help?"; the reasons actions went unmeasured are in
# the download.
st.dataframe(
    table,
    alt="Impact by type of action",
    hide_index=True,
    placeholder="–",
    column_order=(
        "type",
        "actions",
        "measured",
        "pupil_before",
        "pupil_after",
        "comparison_before",
        "comparison_after",
        "effect",
        "effect_low",
        "effect_high",
    ),
    column_config={
        "type": "Intervention",
        "actions": st.column_config.NumberColumn("Actions", format="localized"),
        "measured": st.column_config.NumberColumn("Measured", format="localized"),
        "no_comparison": st.column_config.NumberColumn("No comparable pupil", format="localized"),
        "too_recent": st.column_config.NumberColumn("Too recent", format="localized"),
        "too_few_sessions": st.column_config.NumberColumn("Not on roll enough", format="localized"),
        "comparison_pupils": st.column_config.NumberColumn("Comparison pupils", format="localized"),
        "pupil_before": st.column_config.NumberColumn("Before", format="%.1f%%"),
        "pupil_after": st.column_config.NumberColumn("After", format="%.1f%%"),
        "comparison_before": st.column_config.NumberColumn("Similar: before", format="%.1f%%"),
        "comparison_after": st.column_config.NumberColumn("Similar: after", format="%.1f%%"),
        "effect": st.column_config.NumberColumn("Difference (points)", format="%+.1f"),
        "effect_low": st.column_config.NumberColumn("95% from", format="%+.1f"),
        "effect_high": st.column_config.NumberColumn("95% to", format="%+.1f"),
    },
    key="impact_table",
)
download_buttons(
    table, f"impact of interventions {weeks} weeks", key="impact_download", note=scope.description
)

with st.expander("How the impact is measured, and what it cannot tell you"):
    st.markdown(
        f"""
- **Which actions**: each pupil's first action of a type in an academic year (a pupil phoned ten times counts once).
- **Weeks**: the {weeks} school weeks before the week of the action, and the {weeks} after it, in the pupil's own school's
  calendar (holiday weeks skipped; the week of the action is left out). A pupil needs sessions in at least half of each span.
- **Comparable pupils**: at the same school, in the same weeks, with the same disadvantaged flag and SEN (none, or support or a
  plan), whose attendance in the {weeks} weeks before, in the {weeks} before those, and over the {PRIOR_SPANS * weeks} weeks
  before was within {CALIPER_POINTS} points of the pupil's (twice that for the middle span), and who had no action of the same
  type in those weeks: up to {MAX_MATCHES} of the closest.
- **Difference**: the pupil's change in attendance minus the comparison pupils' mean change (a difference in differences), so a
  rise every similar pupil saw (the season, bouncing back after illness) is not credited to the action. The 95% interval comes
  from the spread of those differences (Student's t). Types with fewer than {MIN_MEASURED} measured actions are not charted.
- **Limits**: this compares what happened, not a trial. Pupils are chosen for an action *because* their attendance is not
  recovering, and matching on past attendance cannot see everything behind that (a family crisis, a worsening illness), so
  the comparison can understate what an action does for pupils whose absence keeps rising. Read it as evidence for
  discussion, alongside what the chronologies say.
"""
    )
