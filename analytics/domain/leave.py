"""Leave of absence in term time: a request, the head teacher's decision, and the codes the
register should then hold (School Attendance (Pupil Registration) (England) Regulations 2024;
`rules.md` section 1).

Leave agreed is recorded `C` (leave, other exceptional circumstances) or `C1` (a regulated
performance or employment abroad); leave refused and taken anyway is `G` (holiday not agreed).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

AGREED = "agreed"
REFUSED = "refused"
PENDING = "pending"
DECISIONS = (AGREED, REFUSED, PENDING)
#: The codes agreed leave is registered with, and the code of leave refused and taken.
AGREED_CODES = ("C", "C1")
REFUSED_TAKEN_CODE = "G"
MAX_REASON = 500


class LeaveRefused(ValueError):
    """A leave request that cannot be recorded; the message names the field."""


@dataclass(frozen=True)
class LeaveRequest:
    """A checked request: the pupil, the days asked for, why, and the decision."""

    enrolment_id: int
    first_day: date
    last_day: date
    reason: str
    decision: str
    decided_by: str | None
    decided_on: date | None


def _text(value: str | None, field: str, *, required: bool, longest: int) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise LeaveRefused(f"{field} is required")
        return None
    if len(text) > longest:
        raise LeaveRefused(f"{field} is longer than {longest} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        raise LeaveRefused(f"{field} holds a control character")
    return text


def check_request(
    enrolment_id: int,
    first_day: date | None,
    last_day: date | None,
    reason: str | None,
    decision: str,
    decided_by: str | None = None,
    decided_on: date | None = None,
) -> LeaveRequest:
    """A request ready to record, or LeaveRefused naming the field that is wrong."""
    if first_day is None or last_day is None:
        raise LeaveRefused("the first and last days are required")
    if last_day < first_day:
        raise LeaveRefused("the last day is before the first")
    if decision not in DECISIONS:
        raise LeaveRefused(f"the decision must be one of {', '.join(DECISIONS)}")
    text = _text(reason, "the reason", required=True, longest=MAX_REASON)
    who = _text(decided_by, "decided by", required=decision != PENDING, longest=120)
    if decision != PENDING and decided_on is None:
        raise LeaveRefused("the date of the decision is required")
    assert text is not None
    return LeaveRequest(enrolment_id, first_day, last_day, text, decision, who, decided_on)
