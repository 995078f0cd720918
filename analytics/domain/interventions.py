"""Attendance interventions: the actions a school takes, in the order it usually escalates them,
and the checks every entry in the intervention log must pass.

The built-in types follow the DfE's *Working together to improve school attendance* (2024):
contact with the family first (calls, texts, letters), then meetings and an attendance action
plan, support (Early Help, the local authority's attendance service), and finally the legal
steps (a penalty notice considered once the national threshold is met, a notice to improve, a
penalty notice). A school adds its own types (a School Attendance Review Meeting, a
fast-track) in the `intervention_types` setting, for every school, or on the Interventions page,
for one school.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from datetime import date
from typing import Literal, overload

#: Longest owner, outcome and type label, and longest notes, in characters.
MAX_SHORT_TEXT = 120
MAX_NOTES = 4000


@dataclass(frozen=True)
class InterventionType:
    """One kind of action: its label (what the log records), its stage and what it is."""

    label: str
    stage: str
    description: str
    source: str = "built in"


STAGES = ("contact", "meeting", "support", "legal", "school's own")

BUILT_IN_TYPES = (
    InterventionType(
        "Phone call", "contact", "A call to the family, e.g. about an unexplained absence."
    ),
    InterventionType("Text message", "contact", "A text message to the family."),
    InterventionType("Letter", "contact", "An attendance concern letter to the family."),
    InterventionType("Meeting", "meeting", "A meeting with the family about attendance."),
    InterventionType("Home visit", "meeting", "A visit to the pupil's home."),
    InterventionType(
        "Attendance action plan",
        "meeting",
        "A plan agreed with the family, with targets and a review date.",
    ),
    InterventionType(
        "Early Help referral", "support", "A referral to the local authority's Early Help service."
    ),
    InterventionType(
        "EWO/LA referral",
        "support",
        "A referral to the education welfare officer or the local authority's attendance service.",
    ),
    InterventionType(
        "Penalty notice considered",
        "legal",
        "The national threshold was met and the school considered a penalty notice.",
    ),
    InterventionType("Notice to improve", "legal", "A notice to improve issued to the parents."),
    InterventionType("Penalty notice issued", "legal", "A penalty notice issued to the parents."),
)
BUILT_IN_LABELS = tuple(t.label for t in BUILT_IN_TYPES)

#: The type a penalty notice is recorded as: its entry names the parent it was issued to
#: (`issued_to`), and its outcome is blank until one of PENALTY_NOTICE_OUTCOMES is known.
PENALTY_NOTICE_ISSUED = "Penalty notice issued"
#: How a penalty notice ended (`rules.md` section 3: £80 within 21 days, else £160 within 28).
PENALTY_NOTICE_OUTCOMES = ("Paid within 21 days", "Paid within 28 days", "Unpaid", "Withdrawn")

#: Outcomes offered when recording an action (any other text may be typed).
COMMON_OUTCOMES = (
    "Spoke to parent or carer",
    "No answer, message left",
    "No answer",
    "Reason given: illness",
    "Reason given: medical appointment",
    "Reason given: family circumstances",
    "No reason given",
    "Plan agreed",
    "Parent did not attend",
    "Not at home",
    "Referral accepted",
    "Improvement seen",
    "No improvement",
    "Closed",
    *PENALTY_NOTICE_OUTCOMES,
)


class InterventionRefused(ValueError):
    """An intervention entry that cannot be recorded; the message names the field."""


def settings_types(text: str) -> tuple[InterventionType, ...]:
    """The school's own types from the `intervention_types` setting: labels separated by commas
    (blank ones and repeats of a built-in label are ignored)."""
    labels = dict.fromkeys(label.strip() for label in text.split(","))
    return tuple(
        InterventionType(
            label, "school's own", "A type from the intervention_types setting.", "settings"
        )
        for label in labels
        if label and label.casefold() not in {b.casefold() for b in BUILT_IN_LABELS}
    )


@overload
def _short(value: str | None, field: str, *, required: Literal[True]) -> str: ...
@overload
def _short(value: str | None, field: str, *, required: bool = False) -> str | None: ...
def _short(value: str | None, field: str, *, required: bool = False) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise InterventionRefused(f"{field} is required")
        return None
    if len(text) > MAX_SHORT_TEXT:
        raise InterventionRefused(f"{field} is longer than {MAX_SHORT_TEXT} characters")
    return text


@dataclass(frozen=True)
class Entry:
    """One action for one enrolment, checked: what `record_interventions` writes."""

    enrolment_id: int
    type: str
    date: date
    owner: str | None = None
    outcome: str | None = None
    notes: str | None = None
    next_review: datetime.date | None = None  # `date` here is the field above
    issued_to: str | None = None


def check_entry(
    enrolment_id: int,
    type: str,
    day: date | None,
    *,
    known_types: tuple[str, ...] | list[str],
    today: date,
    owner: str | None = None,
    outcome: str | None = None,
    notes: str | None = None,
    next_review: date | None = None,
    issued_to: str | None = None,
) -> Entry:
    """An entry ready to record, or InterventionRefused naming the field that is wrong.

    The date may not be after `today` (the log records what was done), and a review may not be
    due before the action it reviews. A penalty notice names the parent it was issued to, and
    its outcome is blank or one of PENALTY_NOTICE_OUTCOMES; no other action names a parent.
    """
    label = _short(type, "type", required=True)
    if label not in known_types:
        raise InterventionRefused(f"type '{label}' is not an intervention type of this school")
    if day is None:
        raise InterventionRefused("date is required")
    if day > today:
        raise InterventionRefused(f"date {day:%d/%m/%Y} is in the future")
    if next_review is not None and next_review < day:
        raise InterventionRefused(
            f"next review {next_review:%d/%m/%Y} is before the action's date {day:%d/%m/%Y}"
        )
    text = (notes or "").strip() or None
    if text is not None and len(text) > MAX_NOTES:
        raise InterventionRefused(f"notes are longer than {MAX_NOTES} characters")
    outcome = _short(outcome, "outcome")
    parent = _short(issued_to, "issued to")
    if label == PENALTY_NOTICE_ISSUED:
        if parent is None:
            raise InterventionRefused("issued to is required: the parent the notice was issued to")
        outcome = _penalty_outcome(outcome)
    elif parent is not None:
        raise InterventionRefused(f"issued to is only for a {PENALTY_NOTICE_ISSUED.lower()}")
    return Entry(
        enrolment_id=int(enrolment_id),
        type=label,
        date=day,
        owner=_short(owner, "owner"),
        outcome=outcome,
        notes=text,
        next_review=next_review,
        issued_to=parent,
    )


def _penalty_outcome(outcome: str | None) -> str | None:
    """A penalty notice's outcome as recorded: blank (not yet known) or one of
    PENALTY_NOTICE_OUTCOMES, whatever its case."""
    if outcome is None:
        return None
    found = {o.casefold(): o for o in PENALTY_NOTICE_OUTCOMES}.get(outcome.casefold())
    if found is None:
        raise InterventionRefused(
            f"outcome of a penalty notice is one of {', '.join(PENALTY_NOTICE_OUTCOMES)} "
            "(or blank until it is known)"
        )
    return found
