"""Leave of absence: requests and decisions, the decision letter, and the register checked
against the decisions (sessions of agreed leave should be C or C1, of leave refused and taken G)."""

from datetime import date

import polars as pl
import streamlit as st

from analytics.access.roles import Capability
from analytics.domain.leave import DECISIONS, LeaveRefused, check_request
from analytics.reports.letters.render import LetterTemplateError
from pages.ui import coordinator
from pages.ui import leave as leave_ui
from pages.ui.access import current_user, guard_page, record_view_shown
from pages.ui.context import cache_key, database
from pages.ui.download import download_buttons
from pages.ui.filters import scope_or_stop

guard_page(__file__)

st.title("Leave of absence")
scope = scope_or_stop()
db = database()
key = cache_key(db)
# The register holds nothing after its last day, so the window's end is as good a bound.
as_of = scope.window.end
register = leave_ui.register(*key, scope.urns, as_of)
user = current_user()
may_record = user is not None and user.can(Capability.INTERVENTIONS)

check_tab, requests_tab = st.tabs(
    [f"Register check ({register.mismatches.height:,})", f"Requests ({register.requests.height:,})"]
)
with check_tab:
    st.caption(
        f"Sessions up to {as_of:%d %b %Y} whose code does not match the decision on a leave request: "
        "agreed leave should be coded C (or C1), leave refused and taken G. Correct them in the MIS."
    )
    if register.mismatches.is_empty():
        st.write("The register matches every decision.")
    else:
        table = register.mismatches.select(
            "date", "session", "name", "upn", "form", "code", "expected", "finding"
        )
        st.dataframe(
            table,
            hide_index=True,
            column_config={
                "date": st.column_config.DateColumn("Date", format="DD/MM/YYYY"),
                "session": "Session",
                "name": "Pupil",
                "upn": "UPN",
                "form": "Form",
                "code": "Code",
                "expected": "Expected",
                "finding": "Finding",
            },
            key="leave_mismatches",
        )
        download_buttons(
            table,
            f"Leave register check {as_of:%Y-%m-%d}",
            key="leave_download",
            pupil_data=True,
            school_urn=scope.urns[0] if scope.urns and len(scope.urns) == 1 else None,
        )

with requests_tab:
    if not register.requests.is_empty():
        st.dataframe(
            register.requests.select(
                "request_id",
                "name",
                "upn",
                "first_day",
                "last_day",
                "reason",
                "decision",
                "decided_by",
            ),
            hide_index=True,
            column_config={
                "request_id": "Request",
                "name": "Pupil",
                "upn": "UPN",
                "first_day": st.column_config.DateColumn("From", format="DD/MM/YYYY"),
                "last_day": st.column_config.DateColumn("To", format="DD/MM/YYYY"),
                "reason": "Reason",
                "decision": "Decision",
                "decided_by": "Decided by",
            },
            key="leave_requests",
        )
    if not may_record:
        st.caption("Requests are recorded by the attendance team and senior leaders.")
    elif scope.urns is None or len(scope.urns) != 1:
        st.info("Choose one school in the sidebar to record a request.")
    else:
        urn = scope.urns[0]
        on_roll = coordinator.pupils_on_roll(*key, scope.urns, as_of, scope.year_groups)
        labels = dict(zip(on_roll["enrolment_id"], on_roll["label"], strict=True))
        with st.form("leave_form"):
            pupil = st.selectbox(
                "Pupil", list(labels), format_func=labels.get, index=None, key="leave_pupil"
            )
            first = st.date_input("First day", value=None, format="DD/MM/YYYY", key="leave_first")
            last = st.date_input("Last day", value=None, format="DD/MM/YYYY", key="leave_last")
            reason = st.text_input("Reason given", key="leave_reason")
            decision = st.selectbox("Decision", DECISIONS, key="leave_decision")
            decided_by = st.text_input("Decided by", key="leave_decided_by")
            decided_on = st.date_input(
                "Decided on", value=date.today(), format="DD/MM/YYYY", key="leave_decided_on"
            )
            who = coordinator.recorder()
            submitted = st.form_submit_button("Record", type="primary", disabled=who is None)
        if submitted and pupil is not None and who is not None:
            try:
                request = check_request(
                    pupil, first, last, reason, decision, decided_by or None, decided_on
                )
                request_id = leave_ui.record(key[0], urn, request, who)
            except LeaveRefused as refused:
                st.error(f"Nothing was recorded: {refused}.")
            else:
                st.session_state["leave_recorded"] = request_id
                st.rerun()
        elif submitted:
            st.error("Nothing was recorded: choose a pupil.")
        recorded = st.session_state.get("leave_recorded")
        decided = register.requests.filter(pl.col("decision") != "pending")
        if not decided.is_empty():
            choices = dict(
                zip(
                    decided["request_id"],
                    [
                        f"{r['request_id']}: {r['name']}, {r['first_day']:%d/%m/%Y} ({r['decision']})"
                        for r in decided.iter_rows(named=True)
                    ],
                    strict=True,
                )
            )
            chosen = st.selectbox(
                "Decision letter for request",
                list(choices),
                format_func=choices.get,
                index=list(choices).index(recorded) if recorded in choices else 0,
                key="leave_letter_request",
            )
            who = coordinator.recorder()
            if st.button("Make the letter and record it", disabled=who is None, key="leave_letter"):
                try:
                    pdf = leave_ui.send_letter(key[0], urn, chosen, who, min(as_of, date.today()))
                except (LeaveRefused, LetterTemplateError) as error:
                    st.error(f"No letter was made: {error}.")
                else:
                    st.success("The letter is recorded in the pupil's chronology.")
                    st.download_button(
                        "Download the letter",
                        data=pdf,
                        file_name=f"leave-decision-{chosen}.pdf",
                        mime="application/pdf",
                        key="leave_letter_pdf",
                        on_click="ignore",
                    )

# Recorded once the page has shown its pupils (after its checks).
record_view_shown(school_urn=scope.urns[0] if scope.urns and len(scope.urns) == 1 else None)
