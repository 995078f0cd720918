"""The contacts file: what is kept, row and field messages that never repeat a family's details,
all or nothing, the same file twice, a later file replacing a pupil's contacts; and the pupils
file's address, postcode, ground of leaving and flags."""

from __future__ import annotations

import polars as pl
import pytest

from analytics.cli import main
from analytics.ingest import ImportRefused
from analytics.ingest.mis import parse_contacts
from analytics.store import contacts as store
from analytics.store import read
from tests.fixtures.ingest.builders import URN, pupils_csv, snapshot, upn

U0, U1, U2 = upn(1), upn(2), upn(3)
HEADER = "upn,contact_name,relationship,priority,phone,mobile,email,address,postcode,parental_responsibility,lives_with_pupil"
FILE = (
    f"{HEADER}\n"
    f"{U0},Jane Doe,Mother,1,0161 496 0000,07700 900123,jane@example.org,1 High St,m1 1ae,Y,Y\n"
    f"{U0},John Doe,Father,2,,+44 7700 900456,,,,yes,no\n"
    f"{U1},Ann Roe,Grandmother,1,(0161) 496-0001,,,,,N,Y\n"
)


def refused(text: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ImportRefused) as caught:
        parse_contacts("contacts.csv", text.encode())
    return [(p.row, p.field, p.message) for p in caught.value.problems]


@pytest.fixture
def school(load):
    load("pupils", pupils_csv([U0, U1, U2]), school_urn=URN)
    return load


def kept(db) -> list[tuple]:
    """Every contact as (upn, priority, name, phone, mobile), by pupil and priority."""
    upns = dict(read.enrolments(db).select("enrolment_id", "upn").iter_rows())
    return sorted(
        (
            upns[row["enrolment_id"]],
            row["priority"],
            row["contact_name"],
            row["phone"],
            row["mobile"],
        )
        for row in store.contacts(db).iter_rows(named=True)
    )


def test_every_column_is_kept(db, school) -> None:
    result = school("contacts", FILE, school_urn=URN)
    assert (result.rows_read, result.counts.new) == (3, 3)
    first = store.contacts(db).filter(pl.col("contact_name") == "Jane Doe").row(0, named=True)
    assert first | {"enrolment_id": None} == {
        "school_urn": URN,
        "enrolment_id": None,
        "priority": 1,
        "contact_name": "Jane Doe",
        "relationship": "Mother",
        "phone": "0161 496 0000",
        "mobile": "07700 900123",
        "email": "jane@example.org",
        "address": "1 High St",
        "postcode": "M1 1AE",
        "parental_responsibility": True,
        "lives_with_pupil": True,
    }
    assert kept(db) == sorted(
        [
            (U0, 1, "Jane Doe", "0161 496 0000", "07700 900123"),
            (U0, 2, "John Doe", None, "+44 7700 900456"),
            (U1, 1, "Ann Roe", "(0161) 496-0001", None),
        ]
    )


def test_mis_headings_are_read(db, school) -> None:
    sims = (
        "UPN,Surname,Contact Name,Relationship,Priority,Telephone,Mobile Phone,Email Address\n"
        f"{U0},Doe,Jane Doe,Mother,1,0161 496 0000,,jane@example.org\n"
    )
    assert school("contacts", sims, school_urn=URN).counts.new == 1
    assert kept(db) == [(U0, 1, "Jane Doe", "0161 496 0000", None)]


def test_the_same_file_twice_changes_nothing_and_the_same_contacts_again_are_unchanged(
    db, school
) -> None:
    school("contacts", FILE, school_urn=URN)
    before = snapshot(db), kept(db)
    assert school("contacts", FILE, school_urn=URN).already_imported
    again = school("contacts", FILE.replace("\n", "\r\n"), file_name="again.csv", school_urn=URN)
    assert (again.counts.new, again.counts.changed, again.counts.unchanged) == (0, 0, 3)
    assert kept(db) == before[1]


def test_a_later_file_replaces_the_contacts_of_the_pupils_it_lists_only(db, school) -> None:
    school("contacts", FILE, school_urn=URN)
    later = (
        f"{HEADER}\n"
        f"{U0},Jane Doe,Mother,1,0161 496 9999,07700 900123,jane@example.org,1 High St,M1 1AE,Y,Y\n"
    )
    result = school("contacts", later, file_name="later.csv", school_urn=URN)
    assert (result.counts.new, result.counts.changed, result.counts.unchanged) == (0, 1, 0)
    assert "1 contact no longer in the file removed" in result.notes
    # John Doe went (the MIS no longer has him); Ann Roe, of a pupil the file does not list, stays.
    assert kept(db) == sorted(
        [
            (U0, 1, "Jane Doe", "0161 496 9999", "07700 900123"),
            (U1, 1, "Ann Roe", "(0161) 496-0001", None),
        ]
    )


def test_a_file_with_any_bad_row_changes_nothing(db, school) -> None:
    school("contacts", FILE, school_urn=URN)
    before = snapshot(db), kept(db)
    bad = FILE + f"{U2},Someone,Aunt,1,not a number,,,,,,\n"
    with pytest.raises(ImportRefused):
        school("contacts", bad, file_name="bad.csv", school_urn=URN)
    assert (snapshot(db), kept(db)) == before


def test_a_contact_of_a_pupil_not_on_the_schools_roll_is_refused(db, school) -> None:
    with pytest.raises(ImportRefused) as caught:
        school(
            "contacts", f"{HEADER}\n{upn(9)},Jane,Mother,1,0161 496 0000,,,,,,\n", school_urn=URN
        )
    assert [(p.row, p.field) for p in caught.value.problems] == [(2, "upn")]
    assert kept(db) == []


def test_bad_values_are_named_by_row_and_field_and_never_shown() -> None:
    text = (
        "upn,contact_name,relationship,priority,phone,email,postcode,lives_with_pupil\n"
        f"{U0},Jane Doe,Mother,first,0161 496 000x,jane.example.org,M1,Y\n"
        f"{U0},,,0,,,,\n"
        f"{U1},Ann Roe,Carer,100,0161 496 0001,,,Y\n"
        f"{U1},Ann Roe,Carer,100.0,0161 496 0001,,,Y\n"
    )
    problems = refused(text)
    assert problems == [
        (2, "email", "is not an email address"),
        (2, "phone", "is not a phone number"),
        (2, "postcode", "is not a UK postcode"),
        (2, "priority", "is not a whole number from 1 to 99"),
        (3, "contact_name", "is empty"),
        (3, "phone", "is empty: give a phone or a mobile number"),
        (3, "priority", "is not a whole number from 1 to 99"),
        (3, "relationship", "is empty"),
        (4, "priority", "is not a whole number from 1 to 99"),
        (5, "priority", "is not a whole number from 1 to 99"),
    ]
    shown = " ".join(message for *_, message in problems)
    for private in ("Jane", "0161", "jane.example", "M1", "Ann", U0):
        assert private not in shown


def test_one_priority_per_pupil() -> None:
    text = f"{HEADER}\n{U0},Jane,Mother,1,0161 496 0000,,,,,,\n{U0},John,Father,1,0161 496 0001,,,,,,\n"
    assert refused(text) == [(3, "priority", "repeats the priority of row 2 for the same pupil")]


def test_the_required_columns() -> None:
    assert refused("upn,contact_name,relationship\n") == [
        (1, "priority", "is a required column and is missing"),
        (1, "phone", "is a required column and is missing"),
    ]


# --- the pupils file's details for the returns -----------------------------------------------------


def test_the_pupils_file_gives_address_postcode_leaving_reason_and_flags(db, load) -> None:
    text = pupils_csv(
        [U0, U1],
        extra={
            "address": "2 Low Rd",
            "postcode": "sw1a1aa",
            "leaving_reason": "Moved away",
            "social_care": "Y",
            "vulnerable": "N",
        },
    )
    load("pupils", text, school_urn=URN)
    details = store.pupil_details(db).row(0, named=True)  # both rows are alike
    assert details | {"enrolment_id": None} == {
        "enrolment_id": None,
        "address": "2 Low Rd",
        "postcode": "SW1A1AA",
        "leaving_reason": "Moved away",
        "social_care": True,
        "vulnerable": False,
    }
    # A later pupils file without the columns leaves them as they were.
    load("pupils", pupils_csv([U0, U1]), file_name="again.csv", school_urn=URN)
    assert store.pupil_details(db).row(0, named=True)["address"] == "2 Low Rd"


def test_rollcall_import_contacts(db, school, tmp_path, capsys) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(FILE)
    assert main(["--db", str(db.path), "import", "contacts", str(path), "--school", str(URN)]) == 0
    assert "contacts.csv: 3 rows read; 3 new" in capsys.readouterr().out
    path.write_text(FILE.replace("0161 496 0000", "0161 496 000x"))
    assert main(["--db", str(db.path), "import", "contacts", str(path), "--school", str(URN)]) == 2
    assert "row 2, field 'phone': is not a phone number" in capsys.readouterr().err
