"""Overview: the headline attendance figures for the chosen school (or trust) and window."""

import streamlit as st

from analytics.reports.charts import describe_weekly, weekly_rate_chart
from analytics.reports.overview import HEADLINE_MEASURES
from pages.ui import cached
from pages.ui.access import guard_page
from pages.ui.context import cache_key, database
from pages.ui.filters import sidebar_scope
from pages.ui.format import count, percent, scope_caption

guard_page(__file__)
st.title("Overview")
scope = sidebar_scope()
if scope is None:
    st.info("There is no data yet. Import your MIS exports on the Import page, or run `rollcall demo` for the demo trust.")
    st.stop()

data = cached.overview_data(*cache_key(database()), scope.urns, scope.window.start, scope.window.end, scope.year_groups)
headline = data.headline
scope_caption(scope, headline["enrolments"])

columns = st.columns(4)
for position, measure in enumerate(HEADLINE_MEASURES):
    with columns[position % 4]:
        st.metric(
            measure.label,
            percent(headline[measure.column]),
            help=f"{measure.help} {count(headline[measure.numerator])} of {count(headline[measure.denominator])}.",
        )

st.subheader("Attendance week by week")
if data.weekly.is_empty():
    st.write("No school weeks in this window.")
else:
    st.altair_chart(weekly_rate_chart(data.weekly), width="stretch")
    st.caption(describe_weekly(data.weekly))

if scope.urns is None or len(scope.urns) > 1:
    st.subheader("Schools")
    table = data.by_school.select(
        "name", "phase", "enrolments", "possible", "attendance_rate", "absence_rate",
        "persistent_absence_rate", "severe_absence_rate",
    )
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "name": "School",
            "phase": "Phase",
            "enrolments": st.column_config.NumberColumn("Enrolments", format="localized"),
            "possible": st.column_config.NumberColumn("Possible sessions", format="localized"),
            **{
                c: st.column_config.NumberColumn(label, format="%.1f%%")
                for c, label in (
                    ("attendance_rate", "Attendance"),
                    ("absence_rate", "Absence"),
                    ("persistent_absence_rate", "Persistent absence"),
                    ("severe_absence_rate", "Severe absence"),
                )
            },
        },
    )

with st.expander("How these figures are counted"):
    st.markdown(
        f"""
- **Sessions possible** ({count(headline['possible'])}): every AM and PM mark for a pupil on roll in the
  window whose code counts as possible. `D Q X Y1–Y7 Z #` (and legacy `Y`) are not possible sessions.
- **Attendance**: present (`/ \\ L`) plus approved educational activity (`K V P W B`, and the withdrawn `J`).
- **Authorised absence**: `C C1 C2 E I J1 M R S T` (and the withdrawn `H`, and legacy `F`). **Unauthorised**: `G N O U`.
- **Persistent absence**: enrolments absent for 10% or more of their own possible sessions (exactly 10% counts);
  **severe**: 50% or more. Rates are totals over enrolments divided once, shown rounded half-up.
- Enrolments on roll in the window: {count(headline['enrolments'])}; with a possible session:
  {count(headline['enrolments_counted'])}. Missing marks count in no figure.
"""
    )
