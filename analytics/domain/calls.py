"""First-day calls: the outcomes a caller records in one click, what each goes into the
intervention log as, and the code a reason given suggests (the register itself is amended in
the MIS, by whoever keeps it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from analytics.domain.interventions import Entry, check_entry

#: The action a call is recorded as in the intervention log.
CALL = "Phone call"
#: Actions on the day that tick a pupil off the calling list (a call, a text, a visit).
CALL_TYPES = ("Phone call", "Text message", "Home visit")


@dataclass(frozen=True)
class CallOutcome:
    """One button on the calling list: its label, the outcome the log records, the code it
    suggests for the register (None when it suggests none), and whether it leaves something to
    do (then the entry's next review is the same day, so it shows among the reviews due)."""

    key: str
    label: str
    outcome: str
    suggested_code: str | None = None
    follow_up: bool = False


CALL_OUTCOMES = (
    CallOutcome("reached", "Reached", "Spoke to parent or carer"),
    CallOutcome("no_answer", "No answer", "No answer"),
    CallOutcome("message", "Message left", "No answer, message left"),
    CallOutcome("home_visit", "Home visit needed", "Home visit needed", follow_up=True),
    CallOutcome("illness", "Illness", "Reason given: illness", "I"),
    CallOutcome("medical", "Medical appointment", "Reason given: medical appointment", "M"),
    CallOutcome("religious", "Religious observance", "Reason given: religious observance", "R"),
    CallOutcome("holiday", "Holiday not agreed", "Reason given: holiday not agreed", "G"),
    CallOutcome("other", "Other reason", "Reason given: other, not authorised", "O"),
)
OUTCOMES_BY_KEY = {o.key: o for o in CALL_OUTCOMES}


def outcome_text(outcome: CallOutcome) -> str:
    """What the log records as the call's outcome: `Reason given: illness (suggests code I)`."""
    if outcome.suggested_code is None:
        return outcome.outcome
    return f"{outcome.outcome} (suggests code {outcome.suggested_code})"


def call_entry(
    enrolment_id: int,
    key: str,
    day: date,
    *,
    known_types: tuple[str, ...] | list[str],
    today: date,
    caller: str,
    sessions: str,
    note: str | None = None,
) -> Entry:
    """The intervention-log entry for a call's outcome `key` on `day` about `sessions` (`AM N,
    PM no mark`): a phone call owned by the caller, its notes saying what it was about."""
    outcome = OUTCOMES_BY_KEY[key]
    said = (note or "").strip()
    notes = f"First-day call about {sessions}." + (f" {said}" if said else "")
    return check_entry(
        enrolment_id,
        CALL,
        day,
        known_types=known_types,
        today=today,
        owner=caller,
        outcome=outcome_text(outcome),
        notes=notes,
        next_review=day if outcome.follow_up else None,
    )
