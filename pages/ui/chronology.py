"""A pupil's chronology of actions, as a piece any page can show (the Interventions page, and
the pupil profile): the attendance facts, every action, every amendment, CSV and PDF downloads,
and correcting or deleting an entry (which adds a version; nothing is overwritten)."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from analytics.domain.interventions import COMMON_OUTCOMES, InterventionRefused, check_entry
from analytics.reports.coordinator.interventions import (
    attendance_lines,
    chronology_csv,
    chronology_pdf,
)
from analytics.store import interventions as intervention_store
from pages.ui import coordinator
from pages.ui import stages as stages_ui
from pages.ui.context import cache_key, database
from pages.ui.format import plain
from analytics.domain.yeargroups import year_group_label
from pages.ui.access import audited_export, current_user


def timeline_entry(entry: dict) -> str:
    """One action as a line of the timeline: date and type, owner, outcome, review, notes, and
    who recorded it (and that it was changed since). What users typed is escaped."""
    entry = {k: plain(v) if isinstance(v, str) else v for k, v in entry.items()}
    details = [
        f"owner {entry['owner']}" if entry["owner"] else None,
        f"issued to {entry['issued_to']}" if entry.get("issued_to") else None,
        f"outcome: {entry['outcome']}" if entry["outcome"] else None,
    ]
    if entry["next_review"]:
        details.append(f"review due {entry['next_review']:%d/%m/%Y}")
    recorded = (
        f"recorded by {entry['first_recorded_by']} on {entry['first_recorded_at']:%d/%m/%Y %H:%M}"
    )
    if entry["version"] > 1:
        recorded += f"; changed by {entry['recorded_by']} on {entry['recorded_at']:%d/%m/%Y %H:%M} (version {entry['version']})"
    lines = [
        f"**{entry['date']:%d/%m/%Y} · {entry['type']}**" + "".join(f" · {d}" for d in details if d)
    ]
    if entry["notes"]:
        lines.append(entry["notes"])
    lines.append(f":gray[{recorded}]")
    return "  \n".join(lines)


def _file_stem(chron) -> str:
    return f"chronology-{chron.pupil['upn']}-{chron.as_of:%Y-%m-%d}"


def show_chronology(enrolment_id: int, as_of: date, *, key: str, heading: bool = True) -> None:
    """Draw one enrolment's chronology at `as_of`; `key` keeps its widgets apart from others.
    `heading=False` leaves out the pupil's name as a heading (the pupil profile already shows it)."""
    db = database()
    chron = coordinator.chronology(*cache_key(db), enrolment_id, as_of)
    pupil = chron.pupil
    if heading:
        st.subheader(f"Chronology: {plain(pupil['name'])}")
    st.caption(
        f"UPN {plain(pupil['upn'])} · {plain(pupil['school'])} · {year_group_label(pupil['year_group'])} · "
        f"{plain(pupil['form']) if pupil['form'] else 'no form'} · born {pupil['date_of_birth']:%d/%m/%Y}"
    )
    st.markdown("\n".join(f"- {line}" for line in attendance_lines(chron)))
    if chron.entries.is_empty():
        st.write("No actions recorded yet.")
    else:
        st.markdown(f"**Actions** ({chron.entries.height}), latest first")
        with st.container(height=min(460, 90 + 70 * chron.entries.height), key=f"{key}_timeline"):
            for entry in chron.entries.sort("date", "intervention_id", descending=True).iter_rows(
                named=True
            ):
                st.markdown(timeline_entry(entry))
    left, right, _ = st.columns([1, 1, 3])
    stem, user, urn = _file_stem(chron), current_user(), chron.pupil["school_urn"]
    left.download_button(
        "Chronology CSV",
        data=audited_export(user, f"{stem}.csv", lambda: chronology_csv(chron), school_urn=urn),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    right.download_button(
        "Chronology PDF",
        data=audited_export(user, f"{stem}.pdf", lambda: chronology_pdf(chron), school_urn=urn),
        file_name=f"{stem}.pdf",
        mime="application/pdf",
        key=f"{key}_pdf",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
    )
    ids = tuple(chron.entries["intervention_id"].to_list())
    letters = stages_ui.letters_of(*cache_key(db), enrolment_id, ids) if ids else None
    if letters is not None and letters.height:
        st.markdown(f"**Letters sent** ({letters.height}), as they were printed")
        for row in letters.iter_rows(named=True):
            st.download_button(
                f"{row['file_name']} ({row['created_at']:%d/%m/%Y})",
                data=audited_export(
                    user,
                    row["file_name"],
                    lambda i=row["intervention_id"]: stages_ui.letter_pdf(
                        str(db.path.resolve()), enrolment_id, i
                    ),
                    school_urn=urn,
                ),
                file_name=row["file_name"],
                mime="application/pdf",
                key=f"{key}_letter_{row['intervention_id']}",
                on_click="ignore",
                icon=":material/mail:",
            )
    if not chron.amendments.is_empty():
        st.markdown(f"**Amendments** ({chron.amendments.height})")
        st.dataframe(
            chron.amendments.select("changed_at", "changed_by", "change", "reason"),
            hide_index=True,
            column_config={
                "changed_at": st.column_config.DatetimeColumn("When", format="DD/MM/YYYY HH:mm"),
                "changed_by": "By",
                "change": st.column_config.TextColumn("What changed", width="large"),
                "reason": "Why",
            },
            key=f"{key}_amendments",
        )
    if not chron.entries.is_empty():
        with st.expander("Correct or delete an entry"):
            _correct(chron, as_of, key)


def _correct(chron, as_of: date, key: str) -> None:
    db = database()
    entries = chron.entries.sort("date", descending=True)
    labels = {
        row["intervention_id"]: f"{row['date']:%d/%m/%Y} · {row['type']}"
        + (f" · {row['owner']}" if row["owner"] else "")
        for row in entries.iter_rows(named=True)
    }
    chosen = st.selectbox("Entry", list(labels), format_func=labels.get, key=f"{key}_pick")
    entry = entries.filter(pl.col("intervention_id") == chosen).row(0, named=True)
    types = coordinator.types_for(*cache_key(db), (chron.pupil["school_urn"],))[
        chron.pupil["school_urn"]
    ]
    options = list(dict.fromkeys([entry["type"], *types]))
    suffix = f"{key}_{chosen}"
    with st.form(f"{suffix}_edit"):
        kind = st.selectbox("Action", options, key=f"{suffix}_type")
        day = st.date_input("Date", value=entry["date"], format="DD/MM/YYYY", key=f"{suffix}_date")
        owner = st.text_input("Owner", value=entry["owner"] or "", key=f"{suffix}_owner")
        outcomes = list(dict.fromkeys([o for o in [entry["outcome"]] if o] + list(COMMON_OUTCOMES)))
        outcome = st.selectbox(
            "Outcome",
            outcomes,
            index=0 if entry["outcome"] else None,
            accept_new_options=True,
            key=f"{suffix}_outcome",
        )
        notes = st.text_area("Notes", value=entry["notes"] or "", key=f"{suffix}_notes")
        issued_to = st.text_input(
            "Issued to (a penalty notice)", value=entry["issued_to"] or "", key=f"{suffix}_issued"
        )
        review = st.date_input(
            "Next review", value=entry["next_review"], format="DD/MM/YYYY", key=f"{suffix}_review"
        )
        reason = st.text_input("Why is it changing?", key=f"{suffix}_reason")
        who = coordinator.recorder()
        if st.form_submit_button("Save the change", disabled=who is None):
            try:
                checked = check_entry(
                    chron.enrolment_id,
                    kind,
                    day,
                    known_types=options,
                    today=max(date.today(), as_of),
                    owner=owner,
                    outcome=outcome,
                    notes=notes,
                    next_review=review,
                    issued_to=issued_to,
                )
                intervention_store.edit_intervention(
                    db, chosen, checked, recorded_by=who, reason=reason
                )
            except InterventionRefused as refused:
                st.error(f"Not saved: {refused}.")
            else:
                coordinator.flash(
                    "Saved as a new version; the earlier one stays in the chronology's amendments."
                )
                st.rerun()
    with st.form(f"{suffix}_delete"):
        reason = st.text_input("Why delete it?", key=f"{suffix}_delete_reason")
        who = coordinator.recorder()
        if st.form_submit_button("Delete the entry", disabled=who is None):
            try:
                intervention_store.delete_intervention(db, chosen, recorded_by=who, reason=reason)
            except InterventionRefused as refused:
                st.error(f"Not deleted: {refused}.")
            else:
                coordinator.flash("Deleted; it stays in the chronology's amendments.")
                st.rerun()
