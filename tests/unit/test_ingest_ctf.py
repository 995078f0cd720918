"""Common Transfer File (CTF XML) attendance marks and pupil details."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from analytics.ingest import ImportRefused
from analytics.ingest.ctf import CtfSchool, ForeignCtf, parse_ctf, this_schools_laestab
from analytics.store import read
from tests.conftest import TEST_TODAY
from tests.fixtures.ingest.builders import URN, ctf, ctf_pupil, current_marks, snapshot, upn

U0, U1 = upn(1), upn(2)
MON = date(2025, 9, 1)


def parse(xml: str | bytes, laestab: str | None = None):
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    return parse_ctf("pupils.xml", data, school_urn=URN, laestab=laestab, today=TEST_TODAY)


def refused(
    xml: str | bytes, laestab: str | None = None
) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ImportRefused) as caught:
        parse(xml, laestab)
    return [(p.row, p.field, p.message) for p in caught.value.problems]


def marks(batch) -> list[tuple]:
    return sorted(batch.marks.select("upn", "date", "session", "code").rows())


def day(n: int) -> date:
    return MON + timedelta(days=n)


# --- the marks strings --------------------------------------------------------------------------------


def test_comma_separated_marks_with_two_character_codes() -> None:
    batch = parse(ctf(ctf_pupil(U0, "/,\\,L,\\,C1,Y3, / , n ")))
    assert marks(batch) == [
        (U0, day(0), "AM", "/"),
        (U0, day(0), "PM", "\\"),
        (U0, day(1), "AM", "L"),
        (U0, day(1), "PM", "\\"),
        (U0, day(2), "AM", "C1"),
        (U0, day(2), "PM", "Y3"),
        (U0, day(3), "AM", "/"),
        (U0, day(3), "PM", "N"),
    ]


def test_one_character_per_session_before_ctf_24() -> None:
    batch = parse(ctf(ctf_pupil(U0, "/\\L\\NI")))
    assert [code for *_, code in marks(batch)] == ["/", "\\", "L", "\\", "N", "I"]


def test_blank_and_placeholder_slots_are_skipped() -> None:
    batch = parse(ctf(ctf_pupil(U0, "/,,-,.,N")))
    assert marks(batch) == [(U0, day(0), "AM", "/"), (U0, day(2), "AM", "N")]


def test_a_weekday_only_string_skips_weekends() -> None:
    # Seven days of marks with no gap: read as weekdays, the sixth day is the next Monday.
    batch = parse(ctf(ctf_pupil(U0, "/\\" * 7)))
    assert sorted({d for _, d, _, _ in marks(batch)}) == [day(n) for n in (0, 1, 2, 3, 4, 7, 8)]
    assert "marks strings read as weekdays only" in batch.notes


def test_an_every_calendar_day_string_has_blank_weekends() -> None:
    # Mon..Fri, then a blank Saturday and a '#' Sunday, then Monday again.
    batch = parse(ctf(ctf_pupil(U0, "/\\" * 5 + "  " + "##" + "/\\")))
    assert sorted({d for _, d, _, _ in marks(batch)}) == [day(n) for n in (0, 1, 2, 3, 4, 7)]
    assert "marks strings read as every calendar day" in batch.notes


def test_a_start_on_a_weekend_read_as_weekdays_starts_on_monday() -> None:
    batch = parse(ctf(ctf_pupil(U0, "/\\/", start="2025-08-30")))
    assert marks(batch) == [
        (U0, day(0), "AM", "/"),
        (U0, day(0), "PM", "\\"),
        (U0, day(1), "AM", "/"),
    ]


def test_an_unparseable_start_date_is_refused() -> None:
    assert refused(ctf(ctf_pupil(U0, "/\\", start="01/09/2025"))) == [
        (1, "AttendanceStartDate", "is not a date from 1990 to today (write YYYY-MM-DD)")
    ]


def test_a_start_date_near_the_end_of_the_calendar_is_refused_not_crashed_on() -> None:
    assert [f for _, f, _ in refused(ctf(ctf_pupil(U0, "/\\/\\", start="9999-12-31")))] == [
        "AttendanceStartDate"
    ]


def test_codes_in_a_ctf_are_checked_by_date() -> None:
    problems = refused(ctf(ctf_pupil(U0, "/,F,ZZ", start="2025-09-01")))
    assert problems == [
        (
            1,
            "Attendance/YearData/AttendSessions/AttendanceMarks",
            "code 'F' was not in use on 01 Sep 2025 (it is valid until 18 Aug 2024)",
        ),
        (
            1,
            "Attendance/YearData/AttendSessions/AttendanceMarks",
            "'ZZ' is not a DfE attendance code",
        ),
    ]


def test_two_sessions_blocks_giving_different_codes_for_one_session_are_refused() -> None:
    second = (
        "<YearData><Year>2025</Year><LEA>801</LEA><Estab>2000</Estab><AttendSessions>"
        "<AttendanceStartDate>2025-09-01</AttendanceStartDate><AttendanceMarks>N,\\</AttendanceMarks>"
        "</AttendSessions></YearData>"
    )
    problems = refused(ctf(ctf_pupil(U0, "/,\\", extra_year_data=second)))
    assert problems == [
        (
            1,
            "Attendance/YearData/AttendSessions/AttendanceMarks",
            "gives a different code for the same session as pupil 1",
        )
    ]


# --- whose marks ---------------------------------------------------------------------------------------


def test_another_schools_year_data_is_skipped() -> None:
    batch = parse(
        ctf(ctf_pupil(U0, "/,\\"), ctf_pupil(U1, "N,N", year_data_school=("802", "3000")))
    )
    assert marks(batch) == [(U0, day(0), "AM", "/"), (U0, day(0), "PM", "\\")]
    # U1 has an entry at this school, so the pupil is kept with no marks.
    assert sorted(batch.enrolments["upn"].to_list()) == sorted([U0, U1])


def test_a_pupil_with_nothing_at_this_school_is_skipped_and_counted() -> None:
    other = ctf_pupil(U1, "N,N", year_data_school=("802", "3000"), entry=None)
    batch = parse(ctf(ctf_pupil(U0, "/,\\"), other))
    assert batch.enrolments["upn"].to_list() == [U0]
    assert batch.skipped == 1
    assert "skipped 1 pupil with no attendance or entry at this school" in batch.notes


def test_the_schools_own_laestab_chooses_the_year_data() -> None:
    xml = ctf(
        ctf_pupil(U0, "N,N", year_data_school=("802", "3000"), entry=None), lea="802", estab="3000"
    )
    batch = parse(xml, laestab="8023000")
    assert [code for *_, code in marks(batch)] == ["N", "N"]
    assert batch.laestab == "8023000"


def test_a_ctf_naming_no_school_is_refused() -> None:
    assert refused(ctf(ctf_pupil(U0, "/"), lea="", estab="")) == [
        (None, "Header/SourceSchool", "names no LEA and Estab of the school that sent it")
    ]


# --- whose file: a CTF is the register of the school that sent it --------------------------------

SENT_BY_OTHERS = "holds that school's register, not this school's, so nothing in it was imported"


def test_a_ctf_sent_by_another_school_is_refused_even_with_this_schools_year_data() -> None:
    # Sent by 801/2000 to a school whose LAESTAB is 8023000: refused whole, though it holds
    # year data naming 8023000.
    xml = ctf(ctf_pupil(U0, "N,N", year_data_school=("802", "3000"), entry=None), urn=None)
    [(row, field, message)] = refused(xml, laestab="8023000")
    assert (row, field) == (None, "Header/SourceSchool")
    assert message.startswith(
        f"is a file sent by another school (LA/establishment 8012000), not by school {URN}"
    )
    assert SENT_BY_OTHERS in message


def test_a_transfer_file_to_this_school_says_so() -> None:
    xml = ctf(
        ctf_pupil(U0, "/,\\"),
        lea="801",
        estab="3000",
        urn=None,
        dest="<LEA>801</LEA><Estab>2000</Estab>",
    )
    [(_, _, message)] = refused(xml, laestab="8012000")
    assert message.startswith("is a transfer file to this school sent by another school")


def test_a_ctf_whose_header_names_another_urn_is_refused_whatever_its_laestab() -> None:
    [(_, field, message)] = refused(ctf(ctf_pupil(U0, "/"), urn=URN + 1))
    assert field == "Header/SourceSchool" and f"URN {URN + 1}" in message
    [(_, _, message)] = refused(ctf(ctf_pupil(U0, "/"), urn=URN + 1), laestab="8012000")
    assert SENT_BY_OTHERS in message


def test_with_no_laestab_recorded_a_header_without_this_schools_urn_is_refused() -> None:
    [(_, field, message)] = refused(ctf(ctf_pupil(U0, "/"), urn=None))
    assert field == "Header/SourceSchool"
    assert message == (
        f"does not show that it was sent by school {URN} (no URN in its header), and no LA and "
        f"establishment number is recorded for school {URN} to compare with: record it first "
        f"(rollcall school set {URN} --laestab NNNNNNN, or on the Import page)"
    )


def test_a_ctf_sent_by_this_school_is_read_by_its_laestab_or_its_urn() -> None:
    assert parse(ctf(ctf_pupil(U0, "/"), urn=None), laestab="8012000").laestab == "8012000"
    assert parse(ctf(ctf_pupil(U0, "/")), laestab=None).laestab == "8012000"
    assert parse(ctf(ctf_pupil(U0, "/"), lea="", estab=""), laestab="8012000").laestab == "8012000"


def test_this_schools_laestab_is_one_rule() -> None:
    ours, other = CtfSchool("801", "2000", str(URN)), CtfSchool("801", "3000", "100999")
    assert this_schools_laestab(ours, CtfSchool(), school_urn=URN, known=None) == "8012000"
    assert this_schools_laestab(ours, other, school_urn=URN, known="8012000") == "8012000"
    for sender, known in ((other, None), (other, "8012000"), (CtfSchool("801", "3000"), "8012000")):
        with pytest.raises(ForeignCtf):
            this_schools_laestab(sender, ours, school_urn=URN, known=known)


# --- pupils -------------------------------------------------------------------------------------------


def test_pupil_details_are_read() -> None:
    batch = parse(
        ctf(ctf_pupil(U0, "/", forename="Zoë", surname="Example", dob="2016-03-04", year="5"))
    )
    assert batch.enrolments.drop("_row").rows(named=True) == [
        {
            "upn": U0,
            "forename": "Zoë",
            "surname": "Example",
            "date_of_birth": date(2016, 3, 4),
            "sex": "F",
            "year_group": "5",
            "admission_date": date(2021, 9, 1),
            "leaving_date": None,
            "year_group_academic_year": 2025,
        }
    ]


def test_a_pupil_without_a_upn_is_refused() -> None:
    assert refused(ctf(ctf_pupil(U0, "/"), ctf_pupil(None, "/"))) == [(2, "UPN", "is empty")]


def test_a_pupil_with_a_bad_date_of_birth_is_refused_by_element_name_without_the_value() -> None:
    problems = refused(ctf(ctf_pupil(U0, "/", dob="2016-02-30")))
    assert problems == [(1, "DOB", "the value is not a date (write YYYY-MM-DD or DD/MM/YYYY)")]


def test_a_pupil_without_a_year_group_is_refused() -> None:
    assert refused(ctf(ctf_pupil(U0, "/", year="X"))) == [
        (1, "NCyearActual", "is missing or not a year group")
    ]


def test_a_pupil_twice_is_refused() -> None:
    assert refused(ctf(ctf_pupil(U0, "/"), ctf_pupil(U0, "/"))) == [
        (2, "UPN", "repeats the UPN of pupil 1")
    ]


def test_a_bad_academic_year_is_refused() -> None:
    assert refused(ctf(ctf_pupil(U0, "/"), academic_year="99999")) == [
        (None, "Header/AcademicYear", "'99999' is not an academic year up to 2026")
    ]


# --- the XML itself -----------------------------------------------------------------------------------


def test_namespaced_and_utf16_xml_is_read() -> None:
    xml = ctf(ctf_pupil(U0, "/,\\")).replace("<CTfile>", '<CTfile xmlns="http://example.org/ctf">')
    assert len(marks(parse(xml))) == 2
    utf16 = (
        ctf(ctf_pupil(U0, "/,\\")).replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    )
    assert len(marks(parse(utf16))) == 2


@pytest.mark.parametrize(
    "xml",
    [
        "",
        "<CTfile><Header>",
        "<CTfile></ctfile>",
        "not xml at all",
        '<?xml version="1.0" encoding="nonsense"?><CTfile/>',
    ],
)
def test_malformed_xml_is_refused(xml: str) -> None:
    [(row, field, message)] = refused(xml)
    assert (row, field) == (None, None)
    assert message.startswith("is not well-formed XML")


def test_xml_that_is_not_a_ctf_is_refused() -> None:
    assert refused("<Register><Pupil/></Register>") == [
        (None, None, "is not a Common Transfer File (no <CTfile>)")
    ]


@pytest.mark.parametrize(
    "xml",
    [
        (
            '<?xml version="1.0"?><!DOCTYPE CTfile [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;">]><CTfile><Header>&c;</Header></CTfile>'
        ),
        '<?xml version="1.0"?><!DOCTYPE CTfile [<!ENTITY x SYSTEM "file:///etc/passwd">]><CTfile>&x;</CTfile>',
        '<?xml version="1.0"?><!DOCTYPE CTfile [<!ENTITY % p SYSTEM "http://example.invalid/x.dtd">%p;]><CTfile/>',
    ],
    ids=["billion-laughs", "external-entity", "external-parameter-entity"],
)
def test_xml_entity_attacks_are_refused(xml: str) -> None:
    [(_row, _field, message)] = refused(xml)
    assert "refused for safety" in message
    assert "passwd" not in message


# --- importing ------------------------------------------------------------------------------------------


def test_a_ctf_import_creates_the_school_with_its_laestab_and_stores_marks(db, load) -> None:
    result = load(
        "ctf",
        ctf(ctf_pupil(U0, "/,\\,N"), ctf_pupil(U1, "L,\\")),
        file_name="in.xml",
        school_urn=URN,
    )
    assert result.school_created
    assert read.schools(db)["laestab"].to_list() == ["8012000"]
    assert "recorded as LA/establishment 8012000 from the file" in result.summary()
    assert current_marks(db) == {
        (U0, day(0), "AM", "/", None),
        (U0, day(0), "PM", "\\", None),
        (U0, day(1), "AM", "N", None),
        (U1, day(0), "AM", "L", None),
        (U1, day(0), "PM", "\\", None),
    }
    assert (result.rows_read, result.counts.new) == (2, 2 + 5)


def test_a_later_ctf_replaces_marks_and_keeps_history(db, load) -> None:
    load("ctf", ctf(ctf_pupil(U0, "N,N")), file_name="a.xml", school_urn=URN)
    before = snapshot(db)
    result = load("ctf", ctf(ctf_pupil(U0, "I,I")), file_name="b.xml")
    assert result.counts.changed == 2
    with db.connect() as con:
        assert con.execute(
            "SELECT code, replaced_by_code FROM mark_history ORDER BY session"
        ).fetchall() == [
            ("N", "I"),
            ("N", "I"),
        ]
    assert snapshot(db) != before


def test_a_transfer_file_from_another_school_changes_nothing_and_records_no_laestab(
    db, load
) -> None:
    """Issue 11: a CTF whose header names LEA 801 / Estab 3000 and whose year data names no
    school rewrote a pupil's name, marks and admission date ("0 new, 5 changed")."""
    load("ctf", ctf(ctf_pupil(U0, "/,\\,/,\\")), file_name="own.xml", school_urn=URN)
    assert read.schools(db)["laestab"].to_list() == ["8012000"]
    before = snapshot(db)
    foreign = ctf(
        ctf_pupil(U0, "N,N,N,N", forename="Other", entry=None, year_data_school=("", "")),
        lea="801",
        estab="3000",
        urn=None,
    )
    with pytest.raises(ImportRefused) as caught:
        load("ctf", foreign, file_name="transfer.xml", school_urn=URN)
    assert "sent by another school (LA/establishment 8013000)" in str(caught.value)
    assert snapshot(db) == before


def test_a_transfer_file_never_gives_a_new_school_its_senders_laestab(db, load) -> None:
    with pytest.raises(ImportRefused):
        load("ctf", ctf(ctf_pupil(U0, "/"), urn=None), file_name="t.xml", school_urn=URN)
    with pytest.raises(ImportRefused):
        load("ctf", ctf(ctf_pupil(U0, "/"), urn=URN + 5), file_name="t.xml", school_urn=URN)
    assert snapshot(db) == {} or read.schools(db).is_empty()
