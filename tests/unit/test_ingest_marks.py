"""The marks CSV: codes valid by date, one code per session, repeats, unknown pupils, minutes late."""

from __future__ import annotations

from datetime import date

import pytest

from analytics.ingest import ImportRefused
from analytics.ingest.marks import parse_marks
from analytics.store import read
from tests.conftest import TEST_TODAY
from tests.fixtures.ingest.builders import URN, current_marks, marks_csv, pupils_csv, snapshot, upn

U0, U1 = upn(1), upn(2)
BEFORE = "2024-08-16"  # the Friday before the 2024 regulations
FROM = "2024-08-19"  # the Monday they came into force
NEW_CODES = ["C1", "K", "J1", "C2", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7"]
RETIRED_CODES = ["F", "Y"]
#: Withdrawn by the 2024 regulations but still counted in DfE's own 2024/25 data (code table).
WITHDRAWN_BUT_COUNTED = ["H", "J"]


def parse(text: str):
    return parse_marks("marks.csv", text.encode(), today=TEST_TODAY)


def refused(text: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ImportRefused) as caught:
        parse(text)
    return [(p.row, p.field, p.message) for p in caught.value.problems]


@pytest.fixture
def school(load):
    """A school with two pupils on roll."""
    load("pupils", pupils_csv([U0, U1], admission_date="2020-09-01"), school_urn=URN)
    return load


# --- codes by date --------------------------------------------------------------------------------


@pytest.mark.parametrize("code", NEW_CODES)
def test_codes_new_in_2024_are_accepted_from_19_august_2024(code: str) -> None:
    assert parse(marks_csv([(U0, FROM, "AM", code)])).marks["code"].to_list() == [code]


@pytest.mark.parametrize("code", NEW_CODES)
def test_codes_new_in_2024_are_refused_before_19_august_2024(code: str) -> None:
    assert refused(marks_csv([(U0, BEFORE, "AM", code)])) == [
        (2, "code", f"code '{code}' was not in use on 16 Aug 2024 (it is valid from 19 Aug 2024)")
    ]


@pytest.mark.parametrize("code", RETIRED_CODES + WITHDRAWN_BUT_COUNTED)
def test_retired_codes_are_accepted_before_19_august_2024(code: str) -> None:
    assert parse(marks_csv([(U0, BEFORE, "AM", code)])).marks["code"].to_list() == [code]


@pytest.mark.parametrize("code", RETIRED_CODES)
def test_retired_codes_are_refused_from_19_august_2024(code: str) -> None:
    assert refused(marks_csv([(U0, FROM, "AM", code)])) == [
        (2, "code", f"code '{code}' was not in use on 19 Aug 2024 (it is valid until 18 Aug 2024)")
    ]


@pytest.mark.parametrize("code", WITHDRAWN_BUT_COUNTED)
def test_h_and_j_are_still_accepted_after_19_august_2024_as_dfe_counts_them(code: str) -> None:
    assert parse(marks_csv([(U0, FROM, "AM", code)])).marks["code"].to_list() == [code]


@pytest.mark.parametrize(
    "code",
    [
        "/",
        "\\",
        "L",
        "B",
        "V",
        "P",
        "W",
        "D",
        "M",
        "S",
        "X",
        "C",
        "T",
        "R",
        "I",
        "E",
        "G",
        "N",
        "O",
        "U",
        "Z",
        "#",
    ],
)
def test_codes_valid_throughout_are_accepted_on_both_sides(code: str) -> None:
    batch = parse(marks_csv([(U0, BEFORE, "AM", code), (U0, FROM, "AM", code)]))
    assert batch.marks["code"].to_list() == [code, code]


def test_lowercase_codes_are_normalised() -> None:
    batch = parse(
        marks_csv([(U0, FROM, "am", "l"), (U0, FROM, "pm", "c1"), (U0, "2024-08-20", "Am", "y3")])
    )
    assert batch.marks.select("session", "code").rows() == [("AM", "L"), ("PM", "C1"), ("AM", "Y3")]


@pytest.mark.parametrize("code", ["ZZ", "A", "Y8", "X01", "?", "H1"])
def test_an_unknown_code_is_refused(code: str) -> None:
    assert refused(marks_csv([(U0, FROM, "AM", code)])) == [
        (2, "code", f"'{code}' is not a DfE attendance code")
    ]


def test_an_empty_code_is_refused() -> None:
    assert refused(marks_csv([(U0, FROM, "AM", "")])) == [(2, "code", "is empty")]


# --- sessions, dates ------------------------------------------------------------------------------


def test_session_spellings_and_a_bad_session() -> None:
    batch = parse(marks_csv([(U0, FROM, "am", "/"), (U0, FROM, "PM", "\\")]))
    assert batch.marks["session"].to_list() == ["AM", "PM"]
    assert refused(marks_csv([(U0, FROM, "morning", "/")])) == [
        (2, "session", "the value is not one of AM, PM")
    ]


def test_weekend_dates_are_refused() -> None:
    assert refused(marks_csv([(U0, "2024-08-17", "AM", "/"), (U0, "18/08/2024", "AM", "/")])) == [
        (2, "date", "17 Aug 2024 is a Saturday or Sunday, when there are no sessions"),
        (3, "date", "18 Aug 2024 is a Saturday or Sunday, when there are no sessions"),
    ]


def test_future_dates_are_refused_and_today_is_not() -> None:
    assert parse(marks_csv([(U0, TEST_TODAY.isoformat(), "AM", "/")])).marks.height == 1
    assert refused(marks_csv([(U0, "2026-11-23", "AM", "/")])) == [
        (2, "date", "23 Nov 2026 is in the future")
    ]


def test_uk_dates_and_iso_dates_are_one_session() -> None:
    batch = parse(marks_csv([(U0, "2025-09-03", "AM", "/"), (U0, "03/09/2025", "AM", "/")]))
    assert batch.marks.select("date", "session").rows() == [(date(2025, 9, 3), "AM")]
    assert batch.skipped == 1


# --- one code per session --------------------------------------------------------------------------


def test_two_codes_for_one_session_are_refused_naming_both_rows() -> None:
    text = marks_csv([(U0, FROM, "AM", "/"), (U1, FROM, "AM", "/"), (U0, FROM, "am", "N")])
    assert refused(text) == [(4, "code", "gives a different code for the same session as row 2")]


def test_exact_repeats_are_skipped_and_counted(school) -> None:
    text = marks_csv(
        [
            (U0, FROM, "AM", "/"),
            (U0, FROM, "AM", "/"),
            (U0, FROM, "PM", "\\"),
            (U0, FROM, "am", "/"),
        ]
    )
    result = school("marks", text)
    assert (result.rows_read, result.skipped, result.counts.new) == (4, 2, 2)
    assert "2 repeated rows skipped" in result.summary()


def test_the_same_code_with_different_minutes_late_is_refused() -> None:
    header = "upn,date,session,code,minutes_late"
    text = marks_csv([(U0, FROM, "AM", "L", 5), (U0, FROM, "AM", "L", 6)], header=header)
    assert refused(text) == [
        (3, "minutes_late", "gives different minutes late for the same session as row 2")
    ]


# --- pupils must be known ---------------------------------------------------------------------------


def test_an_unknown_upn_is_refused_and_nothing_changes(db, school) -> None:
    school("marks", marks_csv([(U0, FROM, "AM", "/")]), file_name="first.csv")
    before = snapshot(db)
    stranger = upn(99)
    with pytest.raises(ImportRefused) as caught:
        school("marks", marks_csv([(U0, FROM, "PM", "\\"), (stranger, FROM, "AM", "/")]))
    assert [(p.row, p.field) for p in caught.value.problems] == [(3, "upn")]
    assert "import the pupils file first" in str(caught.value)
    assert stranger not in str(caught.value)
    assert snapshot(db) == before


def test_a_mark_before_the_pupil_was_born_is_refused_at_its_row(db, school) -> None:
    school("marks", marks_csv([(U0, FROM, "AM", "/")]), file_name="first.csv")
    before = snapshot(db)
    born = "2016-03-04"  # every builder pupil's date of birth
    with pytest.raises(ImportRefused) as caught:
        school(
            "marks",
            marks_csv(
                [(U0, FROM, "PM", "/"), (U1, "2016-03-03", "AM", "/"), (U1, born, "AM", "/")]
            ),
        )
    # The day of birth itself is no mark before birth, but years before admission (2021).
    assert [(p.row, p.field, p.message[:34]) for p in caught.value.problems] == [
        (3, "date", "03 Mar 2016 is before the pupil's "),
        (4, "date", "04 Mar 2016 is more than a year be"),
    ]
    assert snapshot(db) == before
    with pytest.raises(ImportRefused) as caught:
        school("grid", f"upn,2016-03-03 AM,{FROM} AM\n{U0},/,/\n")
    assert [(p.row, p.field) for p in caught.value.problems] == [(2, "2016-03-03 AM")]
    assert snapshot(db) == before


def test_marks_before_any_pupils_are_refused(db, load) -> None:
    with pytest.raises(ImportRefused) as caught:
        load("marks", marks_csv([(U0, FROM, "AM", "/")]), school_urn=URN)
    assert "import its pupils file first" in str(caught.value)


# --- minutes late -------------------------------------------------------------------------------------


def test_minutes_late_are_read() -> None:
    header = "upn,date,session,code,minutes_late"
    batch = parse(
        marks_csv(
            [(U0, FROM, "AM", "L", 5), (U0, FROM, "PM", "U", "12.0"), (U1, FROM, "AM", "/", "")],
            header=header,
        )
    )
    assert batch.marks["minutes_late"].to_list() == [5, 12, None]
    assert batch.has_minutes_late


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-1", "'-1' is below 0"),
        ("601", "'601' is above 600"),
        ("late", "the value is not a whole number"),
    ],
)
def test_bad_minutes_late_are_refused(raw: str, message: str) -> None:
    text = marks_csv([(U0, FROM, "AM", "L", raw)], header="upn,date,session,code,minutes_late")
    assert refused(text) == [(2, "minutes_late", message)]


def test_without_a_minutes_late_column_a_same_code_mark_is_unchanged(db, school) -> None:
    school(
        "marks",
        marks_csv([(U0, FROM, "AM", "L", 7)], header="upn,date,session,code,minutes_late"),
        file_name="a.csv",
    )
    result = school("marks", marks_csv([(U0, FROM, "AM", "L")]), file_name="b.csv")
    assert (result.counts.new, result.counts.changed, result.counts.unchanged) == (0, 0, 1)
    assert current_marks(db) == {(U0, date(2024, 8, 19), "AM", "L", 7)}
    with db.connect() as con:
        assert con.execute("SELECT count(*) FROM mark_history").fetchone()[0] == 0


def test_with_a_minutes_late_column_new_minutes_change_the_mark(db, school) -> None:
    header = "upn,date,session,code,minutes_late"
    school("marks", marks_csv([(U0, FROM, "AM", "L", 7)], header=header), file_name="a.csv")
    result = school(
        "marks", marks_csv([(U0, FROM, "AM", "L", 9)], header=header), file_name="b.csv"
    )
    assert (result.counts.new, result.counts.changed, result.counts.unchanged) == (0, 1, 0)
    assert current_marks(db) == {(U0, date(2024, 8, 19), "AM", "L", 9)}
    history = read.mark_history(db, _enrolment_id(db, U0))
    assert history.select("code", "minutes_late", "replaced_by_code").rows() == [("L", 7, "L")]


def _enrolment_id(db, pupil_upn: str) -> int:
    enrolments = read.enrolments(db)
    return enrolments.filter(enrolments["upn"] == pupil_upn)["enrolment_id"][0]


def test_a_mark_up_to_a_year_before_admission_is_kept_and_earlier_is_refused(db, school) -> None:
    # The pupils were admitted on 1 Sep 2020: a year before is Sunday 1 Sep 2019.
    result = school("marks", marks_csv([(U0, "2019-09-02", "AM", "Z")]), file_name="z.csv")
    assert result.counts.new == 1
    before = snapshot(db)
    with pytest.raises(ImportRefused) as caught:
        school("marks", marks_csv([(U0, "2019-08-30", "AM", "Z")]), file_name="earlier.csv")
    assert [(p.row, p.field) for p in caught.value.problems] == [(2, "date")]
    assert "more than a year before the pupil's admission" in str(caught.value)
    assert snapshot(db) == before
