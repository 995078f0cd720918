"""Calling list: the day's first-day calls, one row per pupil, each call's outcome recorded in one
click, who is done and who is left, and the list as an A4 sheet. Shows pupils and contacts."""

from datetime import date

import polars as pl
import streamlit as st

from analytics.domain.calls import CALL_OUTCOMES, call_entry
from analytics.domain.interventions import InterventionRefused
from analytics.reports.coordinator.calls import calls_sheet_pdf
from analytics.store import interventions as intervention_store
from pages.ui import calls as calls_ui
from pages.ui import coordinator
from pages.ui.access import audited_export, guard_page, record_view_shown
from pages.ui.format import plain
from pages.ui.context import cache_key, database
from pages.ui.download import download_buttons
from pages.ui.filters import scope_or_stop
from pages.ui.format import count
from pages.ui.morning_import import morning_import

user = guard_page(__file__)

SHOW = {"left": "Left to call", "all": "Everyone", "done": "Done"}
#: The pupil the page moves on to after a call is recorded (set before the picker is drawn).
NEXT = "calls_next_pupil"

st.title("Calling list")
scope = scope_or_stop(windows=("ytd",))
db = database()
key = cache_key(db)
last_day = calls_ui.last_register_day(*key, scope.urns) or scope.window.end
latest = min(last_day, scope.window.end)
if st.session_state.get("calls_latest") != latest or "calls_day" not in st.session_state:
    # A new day's registers came in (the morning import): the list moves on to that day.
    st.session_state["calls_latest"] = latest
    st.session_state["calls_day"] = latest
day = st.sidebar.date_input("Day", max_value=last_day, format="DD/MM/YYYY", key="calls_day")
calls = calls_ui.calling_list(*key, scope.urns, day, scope.year_groups)
st.caption(
    f"{scope.label} · {day:%A %d %B %Y} · pupils with no mark or N for a register taken that day"
)
coordinator.show_flash()

columns = st.columns(4)
columns[0].metric("Pupils to call", count(calls.pupils))
columns[1].metric("Done", count(calls.done))
columns[2].metric("Left", count(calls.left))
columns[3].metric(
    "Urgent",
    count(calls.urgent),
    help="Looked after, known to social care, vulnerable, on the 10-day list, or severely absent.",
)
morning_import(user, scope.urns, expanded=not calls.registered)
if not calls.registered:
    st.info(f"No register has been taken on {day:%A %d %B %Y} yet (or none is imported).")
    st.stop()
if calls.pupils == 0:
    st.success("Nobody to call: every pupil on roll has a mark for the registers taken.")
    st.stop()

# A radio, not a segmented control: its chosen option keeps the text's contrast (WCAG AA).
show = st.radio("Show", list(SHOW), format_func=SHOW.get, horizontal=True, key="calls_show")
shown = calls.rows
if show == "left":
    shown = shown.filter(~pl.col("done"))
elif show == "done":
    shown = shown.filter(pl.col("done"))
table = shown.select(
    pl.when(pl.col("done")).then(pl.lit("✓")).otherwise(pl.lit("")).alias("done"),
    "name",
    "year_group",
    "form",
    *(["school"] if scope.urns is None else []),
    "codes",
    "flags_text",
    "contact_name",
    "phone",
    "outcome",
)
# Earlier absences and open actions are on the pupil's card below, so the list fits beside the
# menu; the downloads hold every column.
event = st.dataframe(
    table,
    alt="Calling list",
    hide_index=True,
    placeholder="–",  # no contact recorded, no outcome yet
    on_select="rerun",
    selection_mode="single-row",
    # A new table after each call: the row picked before would now be another pupil's.
    key=(table_key := f"calls_table_{show}_{calls.done}"),
    column_config={
        "done": st.column_config.TextColumn("Done", width="small"),
        "name": "Pupil",
        "year_group": "Year",
        "form": "Form",
        "school": "School",
        "codes": "Sessions",
        "flags_text": "Urgent because",
        "contact_name": "First contact",
        "phone": "Number",
        "outcome": "Outcome",
    },
)
st.caption("Click a row to call that pupil next, or choose below.")
record_view_shown(school_urn=scope.urns[0] if scope.urns and len(scope.urns) == 1 else None)

export = calls_ui.export_table(*key, scope.urns, day, scope.year_groups)
stem = f"calling-list-{day:%Y-%m-%d}"
download_buttons(export, f"Calling list {day:%Y-%m-%d}", key="calls_download", pupil_data=True)
st.download_button(
    "Print the list (A4 PDF)",
    data=audited_export(
        user, f"{stem}.pdf", lambda: calls_sheet_pdf(calls, scope.label), rows=calls.pupils
    ),
    file_name=f"{stem}.pdf",
    mime="application/pdf",
    key="calls_pdf",
    on_click="ignore",
    icon=":material/print:",
)

# --- the call ---------------------------------------------------------------------------------
ids = calls.rows["enrolment_id"].to_list()
by_id = {row["enrolment_id"]: row for row in calls.rows.iter_rows(named=True)}
picked = shown["enrolment_id"][event.selection.rows[0]] if event.selection.rows else None
# A row clicked is taken once: the picker may be changed afterwards while the row stays selected.
if picked is not None and st.session_state.get("calls_last_picked") != (table_key, picked):
    st.session_state["calls_last_picked"] = (table_key, picked)
    st.session_state[NEXT] = picked
if NEXT in st.session_state:
    wanted = st.session_state.pop(NEXT)
    if wanted in by_id:
        st.session_state["calls_pupil"] = wanted
if st.session_state.get("calls_pupil") not in by_id:
    st.session_state["calls_pupil"] = next((i for i in ids if not by_id[i]["done"]), ids[0])


def label(enrolment_id: int) -> str:
    row = by_id[enrolment_id]
    done = " · done" if row["done"] else ""
    return f"{row['name']} · Year {row['year_group'] or '?'} · {row['form'] or 'no form'} · {row['codes']}{done}"


st.subheader("Call")
pupil = st.selectbox("Pupil", ids, format_func=label, key="calls_pupil")
row = by_id[pupil]
contacts = calls.contacts.filter(pl.col("enrolment_id") == pupil)
left, right = st.columns([3, 2])
with left:
    if contacts.is_empty():
        st.warning(
            "No contact with a number: import the school's contacts file on the Import page."
        )
    for contact in contacts.iter_rows(named=True):
        numbers = [
            f"{kind} [{plain(number)}](tel:{''.join(c for c in number if c.isdigit() or c == '+')})"
            for kind, number in (("phone", contact["phone"]), ("mobile", contact["mobile"]))
            if number
        ]
        about = [
            "lives with the pupil" if contact["lives_with_pupil"] else None,
            "parental responsibility" if contact["parental_responsibility"] else None,
        ]
        st.markdown(
            f"**{contact['priority']}. {plain(contact['contact_name'])}** ({plain(contact['relationship'])}) · "
            + " · ".join(numbers + [a for a in about if a])
        )
with right:
    st.markdown(f"**Sessions:** {plain(row['codes'])}")
    if row["flags_text"]:
        st.markdown(f"**Urgent:** {row['flags_text']}")
    if row["absences_earlier_this_week"]:
        st.markdown(f"**Absent earlier this week:** {plain(row['absences_earlier_this_week'])}")
    if row["open_actions"]:
        st.markdown(f"**Open actions:** {plain(row['open_actions'])}")
    if row["done"]:
        st.markdown(f"**Today:** {plain(row['outcome'])} (by {plain(row['recorded_by'])})")

note = st.text_input("Note (optional, goes into the chronology)", key=f"calls_note_{pupil}")
who = coordinator.recorder()
types = coordinator.types_for(*key, (row["school_urn"],))[row["school_urn"]]
buttons = st.columns(5)
clicked = None
for position, outcome in enumerate(CALL_OUTCOMES):
    suffix = f" ({outcome.suggested_code})" if outcome.suggested_code else ""
    if buttons[position % 5].button(
        outcome.label + suffix,
        key=f"calls_outcome_{outcome.key}",
        disabled=who is None,
        width="stretch",
        help=f"Records a phone call: {outcome.outcome}"
        + (
            f"; the register's code would be {outcome.suggested_code}"
            if outcome.suggested_code
            else ""
        ),
    ):
        clicked = outcome
if clicked is not None and who is not None:
    try:
        entry = call_entry(
            pupil,
            clicked.key,
            day,
            known_types=types,
            today=max(date.today(), day),
            caller=who,
            sessions=row["codes"],
            note=note,
        )
        intervention_store.record_interventions(db, [entry], recorded_by=who)
    except InterventionRefused as refused:
        st.error(f"Not recorded: {refused}.")
    else:
        left_after = [i for i in ids if not by_id[i]["done"] and i != pupil]
        if left_after:
            after = ids.index(pupil)
            st.session_state[NEXT] = next(
                (i for i in ids[after + 1 :] if i in left_after), left_after[0]
            )
        coordinator.flash(f"{row['name']}: {clicked.outcome.lower()} recorded in the chronology.")
        st.rerun()
