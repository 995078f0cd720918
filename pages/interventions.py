"""Interventions: record an action for one pupil or many, the reviews due, each pupil's
chronology, and the school's own intervention types."""

from datetime import date

import polars as pl
import streamlit as st

from analytics.domain.interventions import (
    BUILT_IN_TYPES,
    COMMON_OUTCOMES,
    InterventionRefused,
    check_entry,
    settings_types,
)
from analytics.settings import setting
from analytics.store import interventions as intervention_store
from pages.ui import coordinator
from pages.ui.chronology import show_chronology
from pages.ui.context import cache_key, database
from pages.ui.filters import scope_or_stop
from pages.ui.format import count, plain, shown_scope
from pages.ui.access import guard_page, record_view_shown

guard_page(__file__)

#: Session keys: the pupils sent from a list (its title, their enrolments), and a flag to clear
#: the chosen pupils once their action is recorded.
FROM_LIST = "record_from_list"
CLEAR = "record_clear"

st.title("Interventions")
scope = scope_or_stop()

db = database()
key = cache_key(db)
last_day = coordinator.last_register_day(*key)
as_of = min(scope.window.end, last_day or scope.window.end)
# Actions are recorded as they happen: the date is today's (and may not be later), and reviews are
# overdue counting from today, whatever day the register was last taken.
today = date.today()
on_roll = coordinator.pupils_on_roll(*key, scope.urns, as_of, scope.year_groups)
labels = dict(zip(on_roll["enrolment_id"].to_list(), on_roll["label"].to_list(), strict=True))
schools_of = dict(
    zip(on_roll["enrolment_id"].to_list(), on_roll["school_urn"].to_list(), strict=True)
)
st.caption(f"{shown_scope(scope)} · {count(on_roll.height)} pupils on roll on {as_of:%d %b %Y}")
coordinator.show_flash()

# Pupils sent here from a list on Who needs action: shown as a count and the list's name, not as
# hundreds of chips; or the pupils of the last recording, cleared once it is saved.
if "interventions_pupils" in st.session_state:
    sent = [p for p in st.session_state.pop("interventions_pupils") if p in labels]
    st.session_state[FROM_LIST] = (st.session_state.pop("interventions_from", "a list"), sent)
    st.session_state.pop("record_pupils", None)
if st.session_state.pop(CLEAR, False):
    st.session_state.pop("record_pupils", None)
    st.session_state.pop(FROM_LIST, None)

record, reviews, chronology, types = st.tabs(
    ["Record an action", "Reviews due", "Chronology", "Intervention types"]
)

with record:
    st.write(
        "One action for one pupil or for many at once (a letter to every family on a list, say). "
        "Every pupil gets their own entry in the log, recorded together."
    )
    from_list = st.session_state.get(FROM_LIST)
    if from_list is not None:
        title, pupils = from_list
        named = "; ".join(labels[p].split(" · ")[0] for p in pupils[:3])
        st.info(
            f"**{count(len(pupils))} pupils** from *{title}*: {plain(named)}"
            + (f" and {count(len(pupils) - 3)} more." if len(pupils) > 3 else "."),
            icon=":material/group:",
        )
        if st.button("Choose the pupils instead", key="record_choose_instead"):
            st.session_state.pop(FROM_LIST, None)
            st.rerun()
    else:
        pupils = st.multiselect(
            "Pupils",
            list(labels),
            format_func=labels.get,
            placeholder="Type a name, then choose the pupil",
            key="record_pupils",
            select_all=False,  # "Select 2 matches" picked two pupils of the same name at once
        )
    urns = tuple(sorted({schools_of[p] for p in pupils})) or tuple(
        sorted(set(on_roll["school_urn"].to_list()))
    )
    allowed = coordinator.types_for(*key, urns) if urns else {}
    # A type offered must be one every chosen pupil's school has.
    common = [
        t for t in next(iter(allowed.values()), ()) if all(t in kinds for kinds in allowed.values())
    ]
    with st.form("record_form", clear_on_submit=False):
        kind = st.selectbox("Action", common, key="record_type")
        day = st.date_input(
            "Date", value=today, max_value=today, format="DD/MM/YYYY", key="record_date"
        )
        owner = st.text_input("Owner (who is responsible)", key="record_owner")
        issued_to = st.text_input(
            "Issued to (a penalty notice: the parent it was issued to)", key="record_issued_to"
        )
        outcome = st.selectbox(
            "Outcome",
            COMMON_OUTCOMES,
            index=None,
            accept_new_options=True,
            placeholder="Choose or type an outcome",
            key="record_outcome",
        )
        notes = st.text_area(
            "Notes", key="record_notes", help="Facts, not opinions: this may be read as evidence."
        )
        review = st.date_input("Next review", value=None, format="DD/MM/YYYY", key="record_review")
        who = coordinator.recorder()
        submitted = st.form_submit_button("Record", type="primary", disabled=who is None)
    if submitted:
        if not pupils:
            st.error("Choose at least one pupil.")
        else:
            try:
                entries = [
                    check_entry(
                        p,
                        kind,
                        day,
                        known_types=common,
                        today=today,
                        owner=owner or who,
                        outcome=outcome,
                        notes=notes,
                        next_review=review,
                        issued_to=issued_to,
                    )
                    for p in pupils
                ]
                intervention_store.record_interventions(db, entries, recorded_by=who)
            except InterventionRefused as refused:
                st.error(f"Nothing was recorded: {refused}.")
            else:
                names = "; ".join(
                    plain(" · ".join(labels[p].split(" · ")[:2])) for p in pupils[:5]
                ) + (f" and {count(len(pupils) - 5)} more" if len(pupils) > 5 else "")
                coordinator.flash(
                    f"Recorded {kind.lower()} on {day:%d/%m/%Y} for {count(len(pupils))} pupil{'s' if len(pupils) != 1 else ''}: {names}."
                )
                st.session_state["chronology_pupil"] = pupils[0]
                st.session_state[CLEAR] = True  # a second click must not record it again
                st.rerun()

with reviews:
    due = coordinator.reviews_due(*key, scope.urns, scope.window.start, today)
    st.caption(
        f"Actions whose next review falls in the window, up to a week after today ({today:%d %b %Y}), for pupils on roll. "
        "Record a review by giving its outcome and, if it goes on, the next review date."
    )
    if due.is_empty():
        st.write("No reviews are due.")
    else:
        st.dataframe(
            due.select("name", "form", "type", "date", "owner", "outcome", "next_review", "status"),
            alt="Reviews due",
            hide_index=True,
            placeholder="–",
            column_config={
                "name": st.column_config.Column("Pupil", pinned=True),
                "form": "Form",
                "type": "Action",
                "date": st.column_config.DateColumn("Date", format="DD/MM/YYYY"),
                "owner": "Owner",
                "outcome": st.column_config.TextColumn("Outcome", width="medium"),
                "next_review": st.column_config.DateColumn("Review due", format="DD/MM/YYYY"),
                "status": "Status",
            },
            key="reviews_table",
        )
        review_labels = {
            row[
                "intervention_id"
            ]: f"{row['name']} · {row['type']} of {row['date']:%d/%m/%Y} · {row['status']}"
            for row in due.iter_rows(named=True)
        }
        chosen = st.selectbox(
            "Review", list(review_labels), format_func=review_labels.get, key="review_pick"
        )
        entry = due.filter(pl.col("intervention_id") == chosen).row(0, named=True)
        with st.form(f"review_form_{chosen}"):
            found = st.selectbox(
                "What the review found",
                ["Reviewed: improvement seen", "Reviewed: no improvement", "Reviewed: closed"],
                accept_new_options=True,
                key=f"review_outcome_{chosen}",
            )
            again = st.date_input(
                "Next review (leave empty if none)",
                value=None,
                format="DD/MM/YYYY",
                key=f"review_next_{chosen}",
            )
            who = coordinator.recorder()
            if st.form_submit_button("Record the review", disabled=who is None):
                log = coordinator.intervention_log(*key, scope.urns)
                current = log.filter(pl.col("intervention_id") == chosen).row(0, named=True)
                try:
                    checked = check_entry(
                        current["enrolment_id"],
                        current["type"],
                        current["date"],
                        known_types=[current["type"]],
                        today=today,
                        owner=current["owner"],
                        outcome=found,
                        notes=current["notes"],
                        next_review=again,
                        issued_to=current["issued_to"],
                    )
                    intervention_store.edit_intervention(
                        db, chosen, checked, recorded_by=who, reason="Review held"
                    )
                except InterventionRefused as refused:
                    st.error(f"Not recorded: {refused}.")
                else:
                    coordinator.flash(
                        f"Review of {entry['name']}'s {entry['type'].lower()} recorded."
                    )
                    st.rerun()

with chronology:
    if not labels:
        st.write("No pupils on roll in this scope.")
    else:
        if st.session_state.get("chronology_pupil") not in labels:
            # Open on the pupil whose action was recorded last, not on a pupil with none.
            acted = (
                coordinator.intervention_log(*key, scope.urns)
                .filter(pl.col("enrolment_id").is_in(list(labels)))
                .sort("date", "intervention_id", descending=True)["enrolment_id"]
            )
            st.session_state["chronology_pupil"] = acted[0] if acted.len() else next(iter(labels))
        pupil = st.selectbox("Pupil", list(labels), format_func=labels.get, key="chronology_pupil")
        show_chronology(pupil, as_of, key="interventions_chronology")
        record_view_shown(enrolment_id=pupil, school_urn=schools_of[pupil])

with types:
    rows = [
        {"type": t.label, "stage": t.stage, "what it is": t.description, "from": "built in"}
        for t in BUILT_IN_TYPES
    ]
    rows += [
        {
            "type": t.label,
            "stage": t.stage,
            "what it is": "",
            "from": "ROLLCALL_INTERVENTION_TYPES setting",
        }
        for t in settings_types(setting("intervention_types"))
    ]
    own = coordinator.own_types(*key, scope.urns)
    schools = dict(zip(on_roll["school_urn"].to_list(), on_roll["school"].to_list(), strict=False))
    for row in own.filter(pl.col("retired_at").is_null()).iter_rows(named=True):
        rows.append(
            {
                "type": row["label"],
                "stage": "school's own",
                "what it is": row["description"] or "",
                "from": f"added by {row['added_by']} for {schools.get(row['school_urn'], row['school_urn'])}",
            }
        )
    st.dataframe(
        pl.DataFrame(rows),
        alt="Intervention types",
        hide_index=True,
        height="content",
        column_config={
            "type": "Type",
            "stage": "Stage",
            "what it is": st.column_config.TextColumn("What it is", width="large"),
            "from": st.column_config.TextColumn("From", width="medium"),
        },
        key="types_table",
    )
    st.caption(
        "A type for every school goes in the `ROLLCALL_INTERVENTION_TYPES` setting (labels separated by commas); "
        "a school's own type can be added here. Retiring a type stops it being offered; entries keep it."
    )
    school_choices = sorted(schools, key=lambda u: schools[u])
    if school_choices:
        with st.form("add_type_form"):
            urn = st.selectbox(
                "School", school_choices, format_func=lambda u: schools[u], key="type_school"
            )
            label = st.text_input("New type", key="type_label", placeholder="e.g. SARM")
            description = st.text_input("What it is", key="type_description")
            who = coordinator.recorder()
            if st.form_submit_button("Add the type", disabled=who is None):
                try:
                    intervention_store.add_intervention_type(
                        db, urn, label, added_by=who, description=description
                    )
                except InterventionRefused as refused:
                    st.error(f"Not added: {refused}.")
                else:
                    coordinator.flash(f"'{label.strip()}' added for {schools[urn]}.")
                    st.rerun()
        active = own.filter(pl.col("retired_at").is_null())
        if active.height:
            with st.form("retire_type_form"):
                options = [(r["school_urn"], r["label"]) for r in active.iter_rows(named=True)]
                pick = st.selectbox(
                    "Retire a school's own type",
                    options,
                    format_func=lambda o: f"{o[1]} ({schools.get(o[0], o[0])})",
                    key="type_retire",
                )
                who = coordinator.recorder()
                if st.form_submit_button("Retire it", disabled=who is None):
                    try:
                        intervention_store.retire_intervention_type(
                            db, pick[0], pick[1], retired_by=who
                        )
                    except InterventionRefused as refused:
                        st.error(f"Not retired: {refused}.")
                    else:
                        coordinator.flash(f"'{pick[1]}' retired.")
                        st.rerun()
