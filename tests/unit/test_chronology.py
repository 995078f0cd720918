"""A pupil's chronology as evidence: current entries, amendments with who and why, every version
in the CSV, the PDF; and the reviews that are due."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta

import pypdfium2 as pdfium
import pytest

from analytics.domain.interventions import BUILT_IN_LABELS, check_entry
from analytics.reports.coordinator.interventions import (
    chronology,
    chronology_csv,
    chronology_pdf,
    reviews_due,
)
from analytics.reports.coordinator.targets import coordinator_inputs
from analytics.store import interventions as store
from analytics.store import read
from tests.fixtures.ingest.builders import URN, upns

A, B, C = upns(3)
TODAY = date(2025, 11, 14)


@pytest.fixture
def logged(db, load):
    pupils = "upn,forename,surname,date_of_birth,year_group,admission_date,leaving_date\n"
    pupils += f"{A},Ann,Ames,2015-03-12,5,2025-09-01,\n{B},Bob,Bell,2015-01-01,5,2025-09-01,\n{C},Cy,Cole,2015-02-02,5,2025-09-01,2025-10-31\n"
    load("pupils", pupils, school_urn=URN, school_name="Oakfield Primary", as_of=TODAY)
    days = [
        date(2025, 9, 1) + timedelta(days=n)
        for n in range(75)
        if (date(2025, 9, 1) + timedelta(days=n)).weekday() < 5
    ]
    marks = "upn,date,session,code\n" + "".join(
        f"{upn},{d},{s},{'I' if upn == A and d.weekday() == 0 else '/'}\n"
        for upn in (A, B)
        for d in days
        for s in ("AM", "PM")
    )
    load("marks", marks, school_urn=URN)
    ids = {row["upn"]: row["enrolment_id"] for row in read.enrolments(db).iter_rows(named=True)}
    entry = lambda upn, kind, day, **f: check_entry(
        ids[upn], kind, day, known_types=BUILT_IN_LABELS, today=TODAY, **f
    )
    [call, letter] = store.record_interventions(
        db,
        [
            entry(A, "Phone call", date(2025, 9, 8), outcome="No answer"),
            entry(A, "Letter", date(2025, 9, 22)),
        ],
        recorded_by="Ms Shaw",
        recorded_at=datetime(2025, 9, 22, 9, 30),
    )
    store.record_interventions(
        db,
        [
            entry(A, "Meeting", date(2025, 10, 6), next_review=TODAY - timedelta(days=3)),
            entry(B, "Attendance action plan", date(2025, 10, 6), next_review=TODAY),
            entry(B, "Meeting", date(2025, 10, 7), next_review=TODAY + timedelta(days=6)),
            entry(B, "Home visit", date(2025, 10, 8), next_review=TODAY + timedelta(days=8)),
            entry(C, "Meeting", date(2025, 10, 6), next_review=TODAY - timedelta(days=1)),
        ],
        recorded_by="Ms Shaw",
    )
    store.edit_intervention(
        db,
        call,
        entry(A, "Phone call", date(2025, 9, 8), outcome="Spoke to parent or carer"),
        recorded_by="Mr Lee",
        reason="called back",
        recorded_at=datetime(2025, 9, 9, 8, 0),
    )
    store.delete_intervention(
        db,
        letter,
        recorded_by="Mr Lee",
        reason="sent to the wrong family",
        recorded_at=datetime(2025, 9, 23, 10, 0),
    )
    return db, ids


def test_the_chronology_shows_current_entries_and_every_amendment(logged):
    db, ids = logged
    chron = chronology(db, coordinator_inputs(db), ids[A], TODAY)
    assert chron.pupil["name"] == "Ames, Ann" and chron.pupil["upn"] == A
    assert chron.entries["type"].to_list() == ["Phone call", "Meeting"]
    assert chron.entries["outcome"].to_list() == ["Spoke to parent or carer", None]
    assert chron.amendments.select("changed_by", "change", "reason").rows() == [
        (
            "Mr Lee",
            "Phone call of 08/09/2025: outcome from No answer to Spoke to parent or carer",
            "called back",
        ),
        ("Mr Lee", "deleted the letter of 22/09/2025", "sent to the wrong family"),
    ]
    # Mondays off since 1 September: 11 of 55 days.
    assert (chron.attendance["possible"], chron.attendance["absent"]) == (110, 22)
    assert chron.attendance["persistent_absence"] is True


def test_the_csv_holds_every_version(logged):
    db, ids = logged
    rows = list(
        csv.DictReader(
            chronology_csv(chronology(db, coordinator_inputs(db), ids[A], TODAY))
            .decode()
            .splitlines()
        )
    )
    assert [(r["type"], r["version"], r["status"]) for r in rows] == [
        ("Phone call", "1", "superseded"),
        ("Phone call", "2", "current"),
        ("Letter", "1", "superseded"),
        ("Letter", "2", "deleted"),
        ("Meeting", "1", "current"),
    ]
    assert {r["upn"] for r in rows} == {A} and rows[1]["change_reason"] == "called back"


def test_the_pdf_is_evidence_a_reader_can_check(logged):
    db, ids = logged
    pdf = pdfium.PdfDocument(chronology_pdf(chronology(db, coordinator_inputs(db), ids[A], TODAY)))
    text = " ".join(
        " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf))).split()
    )  # table cells wrap
    for expected in (
        "Attendance chronology",
        "Ames, Ann",
        A,
        "Phone call",
        "Spoke to parent or carer",
        "Amendments (2)",
        "sent to the wrong family",
        "Persistently absent",
    ):
        assert expected in text, expected


def test_reviews_due_up_to_a_week_ahead_for_pupils_on_roll(logged):
    db, _ = logged
    due = reviews_due(coordinator_inputs(db), date(2025, 9, 1), TODAY)
    assert due.select("name", "type", "status").rows() == [
        ("Ames, Ann", "Meeting", "overdue by 3 days"),
        ("Bell, Bob", "Attendance action plan", "due today"),
        ("Bell, Bob", "Meeting", "due in 6 days"),
    ]  # Cy has left; the home visit's review is 8 days away
