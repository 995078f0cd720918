"""Leave of absence: a request checked field by field, the register checked against the decision
at its edges (agreed leave `C` or `C1`; refused and taken `G`; present on refused days, closures
and days outside the request not listed), and the decision's letter read back from its PDF and
kept in the chronology."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pypdfium2 as pdfium
import pytest

from analytics.cli import main
from analytics.domain.leave import LeaveRefused, check_request
from analytics.pipelines.leave import leave_mismatches
from analytics.reports.coordinator.leave import (
    leave_register,
    record_request,
    send_decision_letter,
)
from analytics.store import Database, read
from analytics.store import interventions as intervention_store
from analytics.store import stages as stage_store
from tests.fixtures.ingest.builders import URN, upns

A, B = upns(2)
MONDAY = date(2025, 9, 8)


def test_a_request_is_checked_field_by_field():
    ok = check_request(1, MONDAY, MONDAY, " a wedding ", "refused", "Mrs Head", MONDAY)
    assert ok.reason == "a wedding"
    with pytest.raises(LeaveRefused, match="last day is before"):
        check_request(1, MONDAY, MONDAY - timedelta(days=1), "x", "pending")
    with pytest.raises(LeaveRefused, match="reason is required"):
        check_request(1, MONDAY, MONDAY, "  ", "pending")
    with pytest.raises(LeaveRefused, match="decided by is required"):
        check_request(1, MONDAY, MONDAY, "x", "agreed", None, MONDAY)
    with pytest.raises(LeaveRefused, match="date of the decision"):
        check_request(1, MONDAY, MONDAY, "x", "agreed", "Mrs Head", None)
    with pytest.raises(LeaveRefused, match="control character"):
        check_request(1, MONDAY, MONDAY, "a\x1bwedding", "pending")
    with pytest.raises(LeaveRefused, match="must be one of"):
        check_request(1, MONDAY, MONDAY, "x", "maybe")
    assert check_request(1, MONDAY, MONDAY, "x", "pending").decided_by is None


def sessions(rows: list[tuple[int, date, str, str]]) -> pl.LazyFrame:
    """Counted sessions: attended for `/`, not possible for `#`, absent otherwise."""
    return pl.LazyFrame(
        [(e, d, s, c, 0 if c == "#" else 1, 1 if c == "/" else 0) for e, d, s, c in rows],
        schema={
            "enrolment_id": pl.Int32,
            "date": pl.Date,
            "session": pl.String,
            "code": pl.String,
            "possible": pl.UInt8,
            "attended": pl.UInt8,
        },
        orient="row",
    )


def requests(*rows: tuple[int, int, date, date, str]) -> pl.LazyFrame:
    return pl.LazyFrame(
        list(rows),
        schema={
            "request_id": pl.Int32,
            "enrolment_id": pl.Int32,
            "first_day": pl.Date,
            "last_day": pl.Date,
            "decision": pl.String,
        },
        orient="row",
    )


def test_agreed_leave_must_be_c_or_c1_on_every_possible_session_inside_it():
    tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    found = leave_mismatches(
        requests((1, 1, MONDAY, tuesday, "agreed")),
        sessions(
            [
                (1, MONDAY - timedelta(days=3), "PM", "I"),  # the Friday before: outside
                (1, MONDAY, "AM", "C"),
                (1, MONDAY, "PM", "C1"),
                (1, tuesday, "AM", "I"),
                (1, tuesday, "PM", "#"),  # not a possible session: not checked
                (1, wednesday, "AM", "G"),  # the day after: outside
            ]
        ),
    ).collect()
    assert found.select("date", "session", "code", "expected").rows() == [
        (tuesday, "AM", "I", "C or C1")
    ]
    assert found["finding"][0] == "leave agreed, coded I: expected C or C1"


def test_refused_leave_taken_must_be_g_and_present_sessions_are_fine():
    found = leave_mismatches(
        requests(
            (7, 2, MONDAY, MONDAY + timedelta(days=1), "refused"), (8, 2, MONDAY, MONDAY, "pending")
        ),
        sessions(
            [
                (2, MONDAY, "AM", "G"),
                (2, MONDAY, "PM", "O"),
                (2, MONDAY + timedelta(days=1), "AM", "/"),  # came in: leave not taken
                (2, MONDAY + timedelta(days=1), "PM", "C"),  # authorised although refused
            ]
        ),
    ).collect()
    assert found.select("request_id", "session", "code", "expected").rows() == [
        (7, "PM", "O", "G"),
        (7, "PM", "C", "G"),
    ]
    assert found["finding"][0] == "leave refused and taken, coded O: expected G"


@pytest.fixture
def school(tmp_path):
    db = tmp_path / "t.duckdb"
    (tmp_path / "pupils.csv").write_text(
        "upn,forename,surname,date_of_birth,year_group,admission_date,form,address,postcode\n"
        f"{A},Ann,Ames,2015-03-12,5,2024-09-02,5A,1 High Street,AB1 2CD\n"
        f"{B},Bob,Bell,2015-01-01,5,2024-09-02,5B,,\n"
    )
    (tmp_path / "contacts.csv").write_text(
        "upn,contact_name,relationship,priority,phone,address,postcode,lives_with_pupil\n"
        f"{A},Mrs Alice Ames,Mother,1,01234 567890,1 High Street,AB1 2CD,Y\n"
    )
    lines = ["upn,date,session,code"]
    for n in range(10):
        day = date(2025, 9, 1) + timedelta(days=n + 2 * (n // 5))
        for session in ("AM", "PM"):
            a = "G" if day == MONDAY else "/"
            b = "C" if day == MONDAY else "/"
            lines += [f"{A},{day},{session},{a}", f"{B},{day},{session},{b}"]
    (tmp_path / "marks.csv").write_text("\n".join(lines) + "\n")
    for kind, extra in (
        ("pupils", ["--school", str(URN), "--as-of", "2025-09-12"]),
        ("marks", []),
        ("contacts", []),
    ):
        assert main(["--db", str(db), "import", kind, str(tmp_path / f"{kind}.csv"), *extra]) == 0
    return Database(db)


def test_the_register_checked_against_recorded_decisions(school):
    ids = dict(read.enrolments(school).select("upn", "enrolment_id").iter_rows())
    refused = check_request(ids[A], MONDAY, MONDAY, "family holiday", "refused", "Mrs Head", MONDAY)
    agreed = check_request(
        ids[B], MONDAY, MONDAY + timedelta(days=1), "funeral", "agreed", "Mrs Head", MONDAY
    )
    record_request(school, refused, "tester")
    record_request(school, agreed, "tester")
    register = leave_register(school, [URN], date(2025, 9, 12))
    assert register.requests.height == 2
    # A's refused leave was coded G (right); B's agreed leave was C on Monday and present on
    # Tuesday: Tuesday's two sessions are listed.
    assert register.mismatches.select("upn", "date", "code", "expected").rows() == [
        (B, MONDAY + timedelta(days=1), "/", "C or C1"),
        (B, MONDAY + timedelta(days=1), "/", "C or C1"),
    ]
    log = stage_store.leave_requests(school, [URN])
    assert set(log["decision"]) == {"refused", "agreed"}


def test_the_decision_letter_is_read_back_and_kept_in_the_chronology(school):
    ids = dict(read.enrolments(school).select("upn", "enrolment_id").iter_rows())
    request = check_request(
        ids[A],
        date(2025, 10, 6),
        date(2025, 10, 10),
        "a family holiday",
        "refused",
        "Mrs Head",
        MONDAY,
    )
    request_id = record_request(school, request, "tester")
    pdf = send_decision_letter(school, request_id, "tester", MONDAY)
    text = " ".join(pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range().split())
    assert "Mrs Alice Ames 1 High Street AB1 2CD" in text
    assert "Request for leave of absence: refused" in text
    assert (
        "for Ann to be absent from school from 6 October 2025 to 10 October 2025 (a family holiday)"
        in text
    )
    assert "recorded as unauthorised (code G, holiday not agreed)" in text
    assert "Decided by Mrs Head on 8 September 2025." in text
    log = intervention_store.interventions(school)
    assert log.height == 1 and log["notes"][0].startswith("Leave decision letter (leave refused)")
    kept = stage_store.document(school, log["intervention_id"][0])
    assert kept is not None and kept[1] == pdf
