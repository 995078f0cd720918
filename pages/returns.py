"""Returns: what the school must send its local authority for a period (new pupils, deletions
from roll, continuous absence, part-time timetables), each with its deadline and a CSV. Shows
pupils, addresses and contacts."""

from datetime import date

import polars as pl
import streamlit as st

from analytics.domain.returns import RETURNS
from pages.ui import returns as returns_ui
from pages.ui.access import guard_page, record_view_shown
from pages.ui.context import cache_key, database
from pages.ui.download import download_buttons
from pages.ui.filters import scope_or_stop

guard_page(__file__)

#: What each return shows on screen, to fit beside the menu; its CSV holds every column.
ON_SCREEN: dict[str, tuple[str, ...]] = {
    "new-pupils": ("surname", "forename", "year_group", "admission_date", "return_due", "missing"),
    "deletions": (
        "surname",
        "forename",
        "year_group",
        "leaving_date",
        "return_due",
        "ground_of_deletion",
        "missing",
    ),
    "continuous-absence": (
        "surname",
        "forename",
        "year_group",
        "first_day",
        "last_day",
        "school_days",
        "ongoing",
    ),
    "part-time": (
        "surname",
        "forename",
        "year_group",
        "c2_sessions",
        "plan",
        "review_date",
        "review_overdue",
    ),
}

st.title("Returns to the local authority")
scope = scope_or_stop(year_groups=False)
db = database()
key = cache_key(db)
today = date.today()
st.caption(
    f"{scope.label} · the period {scope.window} (choose it in the sidebar) · due dates against "
    f"today, {today:%d %b %Y}"
)
found = {
    r.kind: returns_ui.returns(
        *key, scope.urns, r.kind, scope.window.start, scope.window.end, today
    )
    for r in RETURNS
}
tabs = st.tabs([f"{r.title} ({found[r.kind].rows.height:,})" for r in RETURNS])
for tab, kind in zip(tabs, RETURNS, strict=True):
    with tab:
        rows = found[kind.kind].rows
        st.markdown(f"**Who:** {kind.who}")
        st.markdown(f"**Due:** {kind.deadline}")
        if rows.is_empty():
            st.write("Nobody in this period.")
            continue
        st.dataframe(
            rows,
            alt=kind.title,
            column_order=[c for c in ("status", *ON_SCREEN[kind.kind]) if c in rows.columns],
            hide_index=True,
            key=f"returns_table_{kind.kind}",
            column_config={
                column: st.column_config.DateColumn(column.replace("_", " "), format="DD/MM/YYYY")
                for column in rows.columns
                if rows.schema[column] == pl.Date
            },
        )
        st.caption("Every column the return needs (addresses, contacts, UPNs) is in its CSV.")
        download_buttons(
            rows.drop("status", strict=False),
            f"{kind.kind} return {scope.window.start:%Y-%m-%d} to {scope.window.end:%Y-%m-%d}",
            key=f"returns_download_{kind.kind}",
            note=f"{scope.label}. {kind.title}: {kind.who} Due: {kind.deadline}",
            pupil_data=True,
        )
record_view_shown(school_urn=scope.urns[0] if scope.urns and len(scope.urns) == 1 else None)
st.caption(
    "The same lists come from `rollcall export returns --kind KIND --from DATE --to DATE --out FILE`. "
    "The rules are in the README (Returns to the local authority)."
)
