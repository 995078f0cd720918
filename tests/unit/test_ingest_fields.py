"""Typed columns: dates, booleans, numbers, choices, UPNs, text limits; and how pupils files use them."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from analytics.domain.cohorts import SEX_SPELLINGS
from analytics.ingest import ImportRefused
from analytics.ingest.fields import Checker
from analytics.ingest.pupils import parse_pupils
from analytics.ingest.table import ROW
from tests.conftest import TEST_TODAY
from tests.fixtures.ingest.builders import pupils_csv, upn


def checker(values: list[str | None], field: str = "x") -> Checker:
    frame = pl.DataFrame(
        {ROW: list(range(2, 2 + len(values))), field: values},
        schema={ROW: pl.Int64, field: pl.String},
    )
    return Checker("f.csv", frame)


def problems(check: Checker) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.field, p.message) for p in check.problems]


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-09-03", date(2025, 9, 3)),
        ("03/09/2025", date(2025, 9, 3)),
        ("3/9/2025", date(2025, 9, 3)),
        ("03/9/2025", date(2025, 9, 3)),
        ("2025-9-3", date(2025, 9, 3)),
        ("29/02/2024", date(2024, 2, 29)),
        ("03/09/2025 00:00", date(2025, 9, 3)),
        ("03/09/2025 00:00:00", date(2025, 9, 3)),
        ("2025-09-03 00:00:00", date(2025, 9, 3)),
        ("2025-09-03T00:00:00", date(2025, 9, 3)),
        ("2025-09-03 00:00:00.000", date(2025, 9, 3)),
    ],
)
def test_iso_and_uk_dates_are_read(raw: str, expected: date) -> None:
    check = checker([raw])
    assert check.date("x").to_list() == [expected]
    assert check.problems == []


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("31/02/2025", "'31/02/2025' is not a date (write YYYY-MM-DD or DD/MM/YYYY)"),
        ("29/02/2025", "'29/02/2025' is not a date (write YYYY-MM-DD or DD/MM/YYYY)"),
        ("2025-02-30", "'2025-02-30' is not a date (write YYYY-MM-DD or DD/MM/YYYY)"),
        ("03/09/25", "'03/09/25' has a short year: write the year in full"),
        ("25-09-03", "'25-09-03' has a short year: write the year in full"),
        ("12/31/2025", "'12/31/2025' is not a date (write YYYY-MM-DD or DD/MM/YYYY)"),
        ("3.9.2025", "'3.9.2025' is not a date (write YYYY-MM-DD or DD/MM/YYYY)"),
        ("2025-09-03abc", "the value is not a date (write YYYY-MM-DD or DD/MM/YYYY)"),
        (
            "yesterday",
            "the value is not a date (write YYYY-MM-DD or DD/MM/YYYY)",
        ),  # a word: withheld
        (
            "45903",
            "'45903' looks like an Excel serial number, not a date: format the column as a date",
        ),
        (
            "45903.0",
            "'45903.0' looks like an Excel serial number, not a date: format the column as a date",
        ),
        ("2025-09-03 13:45", "'2025-09-03 13:45' has a time of day: give the date alone"),
        ("03/09/2025 09:00:00", "'03/09/2025 09:00:00' has a time of day: give the date alone"),
        ("01/01/1900", "'01/01/1900' is not between 1950 and 2100"),
        ("2101-01-01", "'2101-01-01' is not between 1950 and 2100"),
    ],
)
def test_impossible_and_ambiguous_dates_are_refused(raw: str, message: str) -> None:
    check = checker(["2025-09-03", raw])
    assert check.date("x").to_list() == [date(2025, 9, 3), None]
    assert problems(check) == [(3, "x", message)]


def test_every_bad_date_is_reported_not_just_the_first() -> None:
    check = checker(["31/02/2025", "2025-09-03", "x", "y"])
    check.date("x")
    assert [p.row for p in check.problems] == [2, 4, 5]


def test_a_required_date_must_be_given() -> None:
    check = checker(["2025-09-03", None])
    check.date("x", required=True)
    assert problems(check) == [(3, "x", "is empty")]


def test_an_optional_date_may_be_blank() -> None:
    check = checker([None])
    assert check.date("x").to_list() == [None]
    assert check.problems == []


def test_dates_after_a_limit_are_refused() -> None:
    check = checker(["2026-11-20", "2026-11-21"])
    check.date("x", not_after=date(2026, 11, 20))
    assert problems(check) == [(3, "x", "'2026-11-21' is after 2026-11-20")]


def test_weekend_dates_can_be_refused() -> None:
    check = checker(["2025-09-05", "2025-09-06", "07/09/2025"])
    check.date("x", weekdays_only=True)
    assert [p.row for p in check.problems] == [3, 4]


# --- booleans, numbers, choices -----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["Y", "y", "Yes", "YES", "yes", "true", "TRUE", "True", "1", "T", "t"]
)
def test_true_spellings(raw: str) -> None:
    check = checker([raw])
    assert check.boolean("x").to_list() == [True]
    assert check.problems == []


@pytest.mark.parametrize(
    "raw", ["N", "n", "No", "NO", "no", "false", "FALSE", "False", "0", "F", "f"]
)
def test_false_spellings(raw: str) -> None:
    check = checker([raw])
    assert check.boolean("x").to_list() == [False]
    assert check.problems == []


@pytest.mark.parametrize("raw", ["maybe", "2", "yess", "-1", "x"])
def test_a_bad_boolean_is_refused_with_the_spellings_to_use(raw: str) -> None:
    check = checker([raw])
    assert check.boolean("x").to_list() == [None]
    shown = "the value" if raw.isalpha() and len(raw) > 2 else f"'{raw}'"  # a word may be a name
    assert problems(check) == [
        (2, "x", f"{shown} is not yes or no (use Y/N, yes/no, true/false or 1/0)")
    ]


def test_a_blank_boolean_is_unknown() -> None:
    check = checker([None])
    assert check.boolean("x").to_list() == [None]
    assert check.problems == []


def test_integers_with_bounds() -> None:
    check = checker(["5", "5.0", "+4", "007", "x", "5.5", "-1", "601"])
    assert check.integer("x", minimum=0, maximum=600).to_list() == [5, 5, 4, 7, None, None, -1, 601]
    assert problems(check) == [
        (6, "x", "'x' is not a whole number"),
        (7, "x", "'5.5' is not a whole number"),
        (8, "x", "'-1' is below 0"),
        (9, "x", "'601' is above 600"),
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("M", "M"),
        ("m", "M"),
        ("Male", "M"),
        ("boy", "M"),
        ("F", "F"),
        ("female", "F"),
        ("GIRL", "F"),
    ],
)
def test_sex_spellings(raw: str, expected: str) -> None:
    check = checker([raw])
    assert check.choice("x", SEX_SPELLINGS, allowed="M, F").to_list() == [expected]


def test_an_unknown_choice_is_refused_with_the_allowed_values() -> None:
    check = checker(["X"])
    check.choice("x", SEX_SPELLINGS, allowed="M, F")
    assert problems(check) == [(2, "x", "'X' is not one of M, F")]


def test_text_length_limit() -> None:
    check = checker(["a" * 20, "a" * 21])
    assert check.text("x", max_length=20).to_list() == ["a" * 20, "a" * 21]
    assert problems(check) == [(3, "x", "is longer than 20 characters")]


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("Ann\x00", "NUL"),
        ("A\tnn", "tab"),
        ("A\nnn", "line feed"),
        ("A\x7fnn", "delete"),
        ("A\u2028nn", "U+2028"),
        ("\u202eAnn", "U+202E"),
    ],
)
def test_a_control_character_in_text_is_refused_without_the_value(value: str, name: str) -> None:
    check = checker(["Ann", value])
    check.text("x")
    assert problems(check) == [(3, "x", f"holds a control character ({name})")]


def test_free_text_of_several_lines_may_hold_tabs_and_new_lines_but_no_other_control() -> None:
    check = checker(["one\r\ntwo\tthree", "one\x0ctwo"])
    check.text("x", lines=True)
    assert problems(check) == [(3, "x", "holds a control character (form feed)")]


def test_a_value_holding_a_control_character_is_never_quoted() -> None:
    check = checker(["/\x00"])
    check.choice("x", {"/": "/"})
    assert problems(check) == [(2, "x", "the value is not one of /")]


# --- UPNs -----------------------------------------------------------------------------------------


def test_a_valid_upn_passes_and_is_upper_cased() -> None:
    check = checker(["B801200005001", "b801200005001", "B8012 00005001"], field="upn")
    assert check.upn().to_list() == ["B801200005001"] * 3
    assert check.problems == []


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("A801200005001", "the check letter does not match the rest of the UPN"),
        ("B80120000500", "a UPN has 13 characters, this has 12"),
        ("B8012000050011", "a UPN has 13 characters, this has 14"),
        ("I801200005001", "a UPN is a check letter, 11 digits, then a digit or letter"),
        ("B80120000500O", "a UPN is a check letter, 11 digits, then a digit or letter"),
        ("1801200005001", "a UPN is a check letter, 11 digits, then a digit or letter"),
    ],
)
def test_an_invalid_upn_is_refused_with_its_reason(raw: str, reason: str) -> None:
    check = checker([raw], field="upn")
    check.upn()
    assert problems(check) == [(2, "upn", f"is not a valid UPN: {reason}")]


def test_a_missing_upn_is_refused() -> None:
    check = checker([None], field="upn")
    check.upn()
    assert problems(check) == [(2, "upn", "is empty")]


# --- the pupils file's typed columns ---------------------------------------------------------------


def parse(text: str):
    return parse_pupils("pupils.csv", text.encode(), as_of=TEST_TODAY)


def refused(text: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ImportRefused) as caught:
        parse(text)
    return [(p.row, p.field, p.message) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Y7", "7"),
        ("Year 7", "7"),
        ("year 7", "7"),
        ("07", "7"),
        ("7", "7"),
        ("Y 11", "11"),
        ("R", "R"),
        ("Reception", "R"),
        ("YR", "R"),
        ("Year R", "R"),
        ("N1", "N1"),
        ("Nursery 2", "N2"),
        ("14", "14"),
    ],
)
def test_year_group_spellings(raw: str, expected: str) -> None:
    batch = parse(pupils_csv([upn(1)], year_group=raw))
    assert batch.enrolments["year_group"].to_list() == [expected]


@pytest.mark.parametrize("raw", ["15", "0", "X", "N", "Year", "Y15"])
def test_a_bad_year_group_is_refused(raw: str) -> None:
    assert [(r, f) for r, f, _ in refused(pupils_csv([upn(1)], year_group=raw))] == [
        (2, "year_group")
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("N", "N"),
        ("none", "N"),
        ("K", "K"),
        ("SEN support", "K"),
        ("E", "E"),
        ("EHCP", "E"),
        ("EHC plan", "E"),
        ("S", "E"),  # legacy statement
        ("A", "K"),  # legacy School Action
        ("P", "K"),  # legacy School Action Plus
        ("", None),
    ],
)
def test_sen_spellings_including_legacy_codes(raw: str, expected: str | None) -> None:
    batch = parse(pupils_csv([upn(1)], extra={"sen": raw}))
    assert batch.enrolments["sen"].to_list() == [expected]


def test_a_bad_sen_code_is_refused() -> None:
    assert refused(pupils_csv([upn(1)], extra={"sen": "Q"})) == [
        (2, "sen", "'Q' is not one of N, K (SEN support), E (EHC plan)")
    ]


@pytest.mark.parametrize(
    ("field", "limit"), [("forename", 100), ("surname", 100), ("form", 20), ("ethnicity", 40)]
)
def test_text_limits_of_the_pupils_file(field: str, limit: int) -> None:
    written = {"forename": "Forename0", "surname": "Surname0", "form": "5A", "ethnicity": "WBRI"}[
        field
    ]
    base = pupils_csv([upn(1)], extra={"form": "5A", "ethnicity": "WBRI"})
    assert parse(base.replace(written, "a" * limit)).enrolments.height == 1
    assert refused(base.replace(written, "a" * (limit + 1))) == [
        (2, field, f"is longer than {limit} characters")
    ]
