"""Audit log: who signed in, viewed pupils, exported pupil data, imported files or changed interventions."""

from datetime import date, timedelta

import streamlit as st

from analytics.store.audit import ACTIONS
from pages.ui.access import guard_page
from pages.ui.auditing import audit_rows, broken_rows
from pages.ui.context import database
from pages.ui.download import download_buttons

guard_page(__file__)
st.title("Audit log")
st.write(
    "Every sign-in, view of a pupil-level page, export of pupil data, import and change to an "
    "intervention, with who and when. Rows are only ever added; a pupil is named only by enrolment number."
)
if not database().exists():
    st.info("There is no database yet, so nothing has been recorded.")
    st.stop()

today = date.today()
left, middle, right = st.columns([2, 2, 1])
picked = left.date_input(
    "From and to", value=(today - timedelta(days=30), today), format="DD/MM/YYYY", key="audit_dates"
)
start, end = (
    picked
    if isinstance(picked, tuple) and len(picked) == 2
    else (today - timedelta(days=30), today)
)
actions = middle.multiselect(
    "What",
    ACTIONS,
    format_func=lambda a: a.replace("_", " "),
    placeholder="Everything",
    key="audit_actions",
)
actor = right.text_input("Who", key="audit_actor").strip() or None

rows = audit_rows(start, end, tuple(actions) or None, actor)
st.caption(f"{rows.height:,} rows from {start:%d/%m/%Y} to {end:%d/%m/%Y}, newest first")
st.dataframe(
    rows,
    alt="Audit log",
    hide_index=True,
    placeholder="–",
    column_config={
        "audit_id": None,  # in the download; the time orders the rows on screen
        "detail": st.column_config.TextColumn("Detail", width="medium"),
        "occurred_at": st.column_config.DatetimeColumn("When", format="DD/MM/YYYY HH:mm:ss"),
        "actor": "Who",
        "role": "Role",
        "action": "What",
        "target": "Page, file or export",
        "school_urn": st.column_config.NumberColumn("School", format="%d"),
        "subject": "Pupil",
    },
)
download_buttons(rows, "audit-log", key="audit_download", pupil_data=True)

broken = broken_rows()
if broken:
    st.error(
        f"{len(broken)} rows do not match their checksum (changed or removed outside Rollcall): "
        f"{', '.join(map(str, broken[:20]))}{'…' if len(broken) > 20 else ''}."
    )
else:
    st.success(
        "Every row matches its checksum: nothing has been changed or removed.",
        icon=":material/verified:",
    )
