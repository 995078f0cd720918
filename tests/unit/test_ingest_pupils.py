"""The pupils CSV: what is stored, the checks across columns, and the school it creates."""

from __future__ import annotations

from datetime import date

import pytest

from analytics.ingest import ImportRefused
from analytics.ingest.pupils import parse_pupils, phase_of
from analytics.store import read
from tests.conftest import TEST_TODAY
from tests.fixtures.ingest.builders import URN, pupils_csv, upn

U0, U1, U2 = upn(1), upn(2), upn(3)
FULL_HEADER = (
    "upn,forename,surname,date_of_birth,year_group,admission_date,sex,form,leaving_date,fsm,fsm6,"
    "looked_after,sen,eal,ethnicity,disadvantaged"
)


def refused(text: str, as_of: date = TEST_TODAY) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ImportRefused) as caught:
        parse_pupils("pupils.csv", text.encode(), as_of=as_of)
    return [(p.row, p.field, p.message) for p in caught.value.problems]


def test_every_column_is_stored(db, load) -> None:
    text = (
        f"{FULL_HEADER}\n"
        f"{U0},Ann,Example,04/03/2016,Year 5,01/09/2021,female,5A,,Y,yes,0,S,true,wbri,1\n"
        f"{U1},Ben,Sample,2015-01-02,6,2020-09-01,M,6B,2025-07-20,n,No,FALSE,n,0,MWBC,\n"
    )
    result = load("pupils", text, school_urn=URN, as_of=date(2025, 10, 1))
    assert (result.rows_read, result.counts.new) == (2, 2)
    stored = {row["upn"]: row for row in read.enrolments(db).iter_rows(named=True)}
    ann, ben = stored[U0], stored[U1]
    assert ann | {"enrolment_id": None} == {
        "enrolment_id": None,
        "school_urn": URN,
        "upn": U0,
        "forename": "Ann",
        "surname": "Example",
        "date_of_birth": date(2016, 3, 4),
        "sex": "F",
        "year_group": "5",
        "year_group_academic_year": 2025,
        "form": "5A",
        "admission_date": date(2021, 9, 1),
        "leaving_date": None,
        "fsm": True,
        "fsm6": True,
        "looked_after": False,
        "sen": "E",
        "eal": True,
        "ethnicity": "WBRI",
        "disadvantaged": True,
    }
    assert (
        ben["sex"],
        ben["leaving_date"],
        ben["fsm"],
        ben["looked_after"],
        ben["disadvantaged"],
    ) == (
        "M",
        date(2025, 7, 20),
        False,
        False,
        None,
    )
    # Ben left in July 2025: his year group is that of 2024/25, not of the file's date.
    assert ben["year_group_academic_year"] == 2024


def test_leaving_before_admission_is_refused() -> None:
    text = pupils_csv([U0], extra={"leaving_date": "2021-08-31"})
    assert refused(text) == [(2, "leaving_date", "is before the admission date")]


def test_born_on_or_after_admission_is_refused() -> None:
    text = pupils_csv([U0], admission_date="2016-03-04")
    assert refused(text) == [(2, "date_of_birth", "is not before the admission date")]


def test_born_in_the_future_is_refused_without_showing_the_date() -> None:
    text = pupils_csv([U0]).replace("2016-03-04", "2027-01-01")
    problems = refused(text)
    assert (2, "date_of_birth", f"the value is after {TEST_TODAY.isoformat()}") in problems
    assert all("2027" not in message for *_, message in problems)


def test_a_repeated_upn_is_refused_naming_both_rows() -> None:
    text = pupils_csv([U0, U1, U0])
    assert refused(text) == [(4, "upn", "repeats the UPN of row 2")]


def test_a_missing_required_value_is_refused() -> None:
    text = pupils_csv([U0]).replace("Surname0", "")
    assert refused(text) == [(2, "surname", "is empty")]


@pytest.mark.parametrize(
    ("year_groups", "phase"),
    [
        (["R", "1", "6"], "primary"),
        (["7", "11", "13"], "secondary"),
        (["R", "11"], "all-through"),
        ([], "unknown"),
    ],
)
def test_phase_from_year_groups(year_groups: list[str], phase: str) -> None:
    assert phase_of(year_groups) == phase


def test_ignored_columns_are_noted(load) -> None:
    result = load(
        "pupils", pupils_csv([U0], extra={"Pupil Premium": "Y", "House": "Red"}), school_urn=URN
    )
    assert "ignored columns: pupil_premium, house" in result.summary()


def test_as_of_sets_the_academic_year_of_the_year_groups() -> None:
    batch = parse_pupils("pupils.csv", pupils_csv([U0]).encode(), as_of=date(2025, 7, 31))
    assert batch.enrolments["year_group_academic_year"].to_list() == [2024]
    batch = parse_pupils("pupils.csv", pupils_csv([U0]).encode(), as_of=date(2025, 8, 1))
    assert batch.enrolments["year_group_academic_year"].to_list() == [2025]
