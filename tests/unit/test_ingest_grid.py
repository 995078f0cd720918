"""The register grid CSV: one row per pupil, one column per session."""

from __future__ import annotations

from datetime import date

import pytest

from analytics.ingest import ImportRefused
from analytics.ingest.grid import parse_grid, session_of_column
from tests.conftest import TEST_TODAY
from tests.fixtures.ingest.builders import URN, current_marks, pupils_csv, upn

U0, U1 = upn(1), upn(2)
WED, THU = date(2025, 9, 3), date(2025, 9, 4)


def parse(text: str):
    return parse_grid("grid.csv", text.encode(), today=TEST_TODAY)


def refused(text: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ImportRefused) as caught:
        parse(text)
    return [(p.row, p.field, p.message) for p in caught.value.problems]


def marks(batch) -> set[tuple]:
    return set(batch.marks.select("upn", "date", "session", "code").rows())


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("2025-09-03 AM", (WED, "AM")),
        ("2025-09-03 pm", (WED, "PM")),
        ("03/09/2025 AM", (WED, "AM")),
        ("3/9/2025 PM", (WED, "PM")),
        ("Wed 03/09/2025 PM", (WED, "PM")),
        ("Wednesday 2025-09-03 AM", (WED, "AM")),
        ("03/09/2025-PM", (WED, "PM")),
        ("2025-09-03AM", (WED, "AM")),
        ("31/02/2025 AM", None),
        ("2025-13-01 AM", None),
        ("Pupil name", None),
    ],
)
def test_session_columns_in_iso_and_uk_forms(header: str, expected) -> None:
    assert session_of_column(header) == expected


def test_a_grid_becomes_marks_and_blank_and_dash_cells_are_skipped() -> None:
    text = (
        "UPN,Name,Form,Wed 03/09/2025 AM,Wed 03/09/2025 PM,2025-09-04 AM\n"
        f"{U0},Example Ann,5A,/,\\,-\n"
        f"{U1},Sample Ben,5A,,n,l\n"
    )
    batch = parse(text)
    assert marks(batch) == {
        (U0, WED, "AM", "/"),
        (U0, WED, "PM", "\\"),
        (U1, WED, "PM", "N"),
        (U1, THU, "AM", "L"),
    }
    assert batch.rows_read == 2
    assert "3 session columns" in batch.notes
    assert "ignored columns: name, form" in batch.notes


def test_a_grid_is_imported_and_read_back(db, load) -> None:
    load("pupils", pupils_csv([U0, U1]), school_urn=URN)
    result = load("grid", f"upn,2025-09-03 AM,2025-09-03 PM\n{U0},/,\\\n{U1},N,.\n", school_urn=URN)
    assert (result.rows_read, result.counts.new) == (2, 3)
    assert current_marks(db) == {
        (U0, WED, "AM", "/", None),
        (U0, WED, "PM", "\\", None),
        (U1, WED, "AM", "N", None),
    }


def test_an_invalid_date_in_a_header_is_refused() -> None:
    assert refused(f"UPN,31/02/2025 AM,2025-09-03 AM\n{U0},/,/\n") == [
        (
            1,
            "31/02/2025 AM",
            "is not a session with a real date (head it like '2025-09-03 AM' or 'Wed 03/09/2025 PM')",
        )
    ]


def test_a_heading_with_no_space_before_am_or_pm_is_a_session_column() -> None:
    """Such a column was once taken for an unknown one and its marks dropped without a word."""
    batch = parse(f"UPN,2025-09-03AM,03/09/2025PM,Programme\n{U0},/,N,x\n")
    assert marks(batch) == {(U0, WED, "AM", "/"), (U0, WED, "PM", "N")}
    assert "ignored columns: programme" in batch.notes
    assert [(r, f) for r, f, _ in refused(f"UPN,2025-02-30AM\n{U0},/\n")] == [(1, "2025-02-30AM")]


def test_a_two_digit_year_in_a_header_is_refused_not_ignored() -> None:
    assert [(r, f) for r, f, _ in refused(f"UPN,03/09/25 AM\n{U0},/\n")] == [(1, "03/09/25 AM")]


def test_a_weekday_that_does_not_match_the_date_is_refused() -> None:
    # 09/03/2025 read as DD/MM is Sunday 9 March: a US-style heading for 3 September.
    assert refused(f"UPN,Wed 09/03/2025 AM\n{U0},/\n") == [
        (1, "Wed 09/03/2025 AM", "says Wednesday but 09 Mar 2025 is a Sunday")
    ]


def test_two_columns_for_one_session_are_refused() -> None:
    assert refused(f"UPN,2025-09-03 AM,Wed 03/09/2025 am\n{U0},/,/\n") == [
        (1, "Wed 03/09/2025 am", "is the same session as column '2025-09-03 AM'")
    ]


def test_a_grid_without_session_columns_is_refused() -> None:
    assert refused(f"UPN,Name\n{U0},x\n") == [
        (1, None, "has no session columns (headed like '2025-09-03 AM')")
    ]


def test_a_pupil_twice_is_refused() -> None:
    assert refused(f"UPN,2025-09-03 AM\n{U0},/\n{U0},/\n") == [
        (3, "upn", "repeats the UPN of row 2")
    ]


def test_a_bad_cell_names_its_row_and_column() -> None:
    assert refused(f"UPN,2025-09-03 AM,2025-09-03 PM\n{U0},/,\\\n{U1},/,QQ\n") == [
        (3, "2025-09-03 PM", "'QQ' is not a DfE attendance code")
    ]


def test_weekend_and_future_columns_are_refused_at_their_cells() -> None:
    problems = refused(f"UPN,2025-09-06 AM,2026-11-23 AM\n{U0},/,/\n")
    assert problems == [
        (2, "2025-09-06 AM", "06 Sep 2025 is a Saturday or Sunday, when there are no sessions"),
        (2, "2026-11-23 AM", "23 Nov 2026 is in the future"),
    ]


def test_an_empty_weekend_column_is_harmless() -> None:
    assert marks(parse(f"UPN,2025-09-05 PM,2025-09-06 AM\n{U0},\\,\n")) == {
        (U0, date(2025, 9, 5), "PM", "\\")
    }


def test_codes_in_a_grid_are_checked_by_date() -> None:
    assert refused(f"UPN,2024-08-16 AM,2024-08-19 AM\n{U0},C1,Y\n") == [
        (
            2,
            "2024-08-16 AM",
            "code 'C1' was not in use on 16 Aug 2024 (it is valid from 19 Aug 2024)",
        ),
        (
            2,
            "2024-08-19 AM",
            "code 'Y' was not in use on 19 Aug 2024 (it is valid until 18 Aug 2024)",
        ),
    ]
