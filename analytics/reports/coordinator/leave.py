"""Leave of absence requests: recorded with their decision, the decision's letter to the family
(recorded in the pupil's chronology with its PDF), and the register checked against the
decisions afterwards, for the data manager."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from analytics.domain.interventions import Entry
from analytics.domain.leave import AGREED, REFUSED, LeaveRefused, LeaveRequest
from analytics.pipelines.leave import leave_mismatches
from analytics.reports.letters.documents import Letter, letters_pdf
from analytics.reports.letters.render import letter_date, render
from analytics.reports.letters.run import LETTER, addressees, templates_for
from analytics.store import Database, read
from analytics.store import contacts as contact_store
from analytics.store import interventions as intervention_store
from analytics.store import stages as stage_store

#: How a decision letter's entry starts its notes.
LEAVE_NOTE = "Leave decision letter"


def record_request(db: Database, request: LeaveRequest, recorded_by: str) -> int:
    """Record a checked request for its pupil's school; returns its id."""
    urn = read.school_of_enrolment(db, request.enrolment_id)
    if urn is None:
        raise LeaveRefused(f"there is no enrolment {request.enrolment_id}")
    return stage_store.record_leave_request(
        db,
        urn,
        request.enrolment_id,
        request.first_day,
        request.last_day,
        request.reason,
        request.decision,
        request.decided_by,
        request.decided_on,
        recorded_by,
    )


@dataclass(frozen=True)
class LeaveRegister:
    """The leave requests of some schools with each pupil's name, and the sessions whose code
    does not match a decision (`mismatches`)."""

    requests: pl.DataFrame
    mismatches: pl.DataFrame


def _names(db: Database, urns: Sequence[int] | None, ids: list[int]) -> pl.DataFrame:
    enrolments = read.enrolments(db, urns, ids or [-1])
    return enrolments.select(
        "enrolment_id",
        "upn",
        pl.format("{}, {}", pl.col("surname"), pl.col("forename")).alias("name"),
        "form",
    )


def leave_register(db: Database, urns: Sequence[int] | None, as_of: date) -> LeaveRegister:
    """Every request of these schools (latest first) and the register's mismatches with the
    decisions, for sessions up to `as_of`."""
    requests = stage_store.leave_requests(db, urns)
    ids = requests["enrolment_id"].unique().to_list()
    names = _names(db, urns, ids)
    named = requests.join(names, on="enrolment_id", how="left", maintain_order="left")
    if requests.is_empty():
        return LeaveRegister(named, pl.DataFrame())
    start = requests["first_day"].min()
    end = min(as_of, requests["last_day"].max())  # type: ignore[type-var]
    if start > end:  # type: ignore[operator]
        sessions = pl.DataFrame(
            schema={
                "enrolment_id": pl.Int32,
                "date": pl.Date,
                "session": pl.String,
                "code": pl.String,
                "possible": pl.UInt8,
                "attended": pl.UInt8,
            }
        )
    else:
        sessions = read.counted_sessions(db, urns, start, end, enrolment_ids=ids)  # type: ignore[arg-type]
    mismatches = (
        leave_mismatches(requests.lazy(), sessions.lazy())
        .join(names.lazy(), on="enrolment_id", how="left")
        .collect()
    )
    return LeaveRegister(named, mismatches)


def decision_letter(db: Database, request_id: int) -> Letter:
    """The letter telling the family the decision on a request (agreed or refused)."""
    found = stage_store.leave_requests(db, None).filter(pl.col("request_id") == request_id)
    if found.is_empty():
        raise LeaveRefused(f"there is no leave request {request_id}")
    request = found.row(0, named=True)
    if request["decision"] not in (AGREED, REFUSED):
        raise LeaveRefused("a request still pending has no decision to write about")
    urn, enrolment_id = request["school_urn"], request["enrolment_id"]
    pupil = read.enrolments(db, [urn], [enrolment_id]).row(0, named=True)
    family = addressees(
        pl.DataFrame([pupil]).select("enrolment_id", "forename", "surname", "form"),
        contact_store.contacts(db, [urn], [enrolment_id]),
        contact_store.pupil_details(db, [urn], [enrolment_id]),
    ).row(0, named=True)
    school = read.schools(db).filter(pl.col("urn") == urn).row(0, named=True)
    template = "leave_agreed" if request["decision"] == AGREED else "leave_refused"
    templates = templates_for(db, urn)
    fields: dict[str, object] = {
        "school": {"name": school["name"], "urn": urn},
        "parent": {"name": family["parent_name"], "address": list(family["address_lines"])},
        "pupil": {
            "forename": pupil["forename"],
            "surname": pupil["surname"],
            "name": f"{pupil['forename']} {pupil['surname']}",
            "year_group": pupil["year_group"],
            "form": pupil["form"],
        },
        "leave": {
            "first_day": letter_date(request["first_day"]),
            "last_day": letter_date(request["last_day"]),
            "reason": request["reason"],
            "decision": request["decision"],
            "decided_by": request["decided_by"] or "",
            "decided_on": letter_date(request["decided_on"]) if request["decided_on"] else "",
        },
        "date": letter_date(request["decided_on"] or date.today()),
    }
    fields["pupils"] = [fields["pupil"]]
    return Letter(
        urn,
        request_id,
        (enrolment_id,),
        tuple(family["address_lines"]),
        str(fields["date"]),
        render("letterhead", templates["letterhead"], fields),
        render(template, templates[template], fields),
        template,
    )


def send_decision_letter(db: Database, request_id: int, recorded_by: str, day: date) -> bytes:
    """Make the decision's letter, record it in the pupil's chronology with its PDF, and return
    the PDF."""
    letter = decision_letter(db, request_id)
    pdf = letters_pdf([letter])
    intervention_store.record_batches(
        db,
        [
            intervention_store.Batch(
                [
                    Entry(
                        letter.enrolment_ids[0],
                        LETTER,
                        day,
                        owner=recorded_by,
                        outcome="Sent",
                        notes=f"{LEAVE_NOTE} ({letter.template.replace('_', ' ')}): {letter.file_name}",
                    )
                ],
                recorded_by,
            )
        ],
        documents=[(letter.file_name, pdf)],
    )
    return pdf
