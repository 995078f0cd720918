"""Rewards: full attendance and most improved attendance for the window, by form, year group or
school, with certificates to print."""

import polars as pl
import streamlit as st

from analytics.domain.rounding import rounded

from analytics.reports.coordinator.rewards import certificates_pdf
from pages.ui import rewards as rewards_ui
from pages.ui.access import audited_export, current_user, guard_page, record_view_shown
from pages.ui.context import cache_key, database
from pages.ui.filters import scope_or_stop
from pages.ui.format import count

guard_page(__file__)

st.title("Rewards")
scope = scope_or_stop()
key = cache_key(database())
labels = {"form": "Form", "year": "Year group", "school": "School"}
by = st.sidebar.selectbox("Rewards by", list(labels), format_func=labels.get, key="rewards_by")
top = int(
    st.sidebar.number_input(
        "Most improved: how many a group", min_value=1, max_value=10, value=3, key="rewards_top"
    )
)
found = rewards_ui.rewards(
    *key, scope.urns, scope.window.start, scope.window.end, scope.year_groups, by, top
)
st.caption(
    f"{scope.description} · most improved against {found.earlier} (as many days just before)"
)
left, right = st.columns(2)
left.metric("Full attendance", count(found.full.height), help="Every possible session attended.")
right.metric(
    "Most improved",
    count(found.improved.height),
    help=f"The {top} largest rises in attendance of each {labels[by].lower()}, ties all in.",
)
user = current_user()
urn = scope.urns[0] if scope.urns and len(scope.urns) == 1 else None
for kind, title, rows, columns in (
    ("full", "Full attendance", found.full, ["name", "upn", "year_group", "form", "possible"]),
    (
        "improved",
        "Most improved",
        found.improved,
        ["place", "name", "upn", "year_group", "form", "earlier_rate", "rate", "change_points"],
    ),
):
    st.subheader(title)
    if rows.is_empty():
        st.write("Nobody this time.")
        continue
    shown = rows.select(columns).with_columns(
        rounded(pl.col(c)).alias(c)
        for c in ("earlier_rate", "rate", "change_points")
        if c in columns
    )
    st.dataframe(shown, hide_index=True, key=f"rewards_{kind}")
    name = f"certificates-{kind}-{scope.window.start:%Y-%m-%d}.pdf"
    st.download_button(
        f"Certificates to print ({rows.height:,})",
        data=audited_export(
            user, name, lambda k=kind: certificates_pdf(found, k), school_urn=urn, rows=rows.height
        ),
        file_name=name,
        mime="application/pdf",
        key=f"rewards_certificates_{kind}",
        on_click="ignore",
        icon=":material/workspace_premium:",
    )

# Recorded once the page has shown its pupils (after its checks).
record_view_shown(school_urn=scope.urns[0] if scope.urns and len(scope.urns) == 1 else None)
