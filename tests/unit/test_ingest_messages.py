"""Refusal messages: they name the file, row and field, and never a pupil's name, UPN or birth date."""

from __future__ import annotations

import logging

import pytest

from analytics.ingest import ImportRefused
from analytics.ingest.errors import Problem, shown_value
from tests.fixtures.ingest.builders import URN, ctf, ctf_pupil, marks_csv, pupils_csv, upn

U0, SECRET_UPN = upn(1), upn(4242)
FORENAME, SURNAME, DOB = "Zebedee", "Quixotic", "2015-06-07"
PRIVATE = (FORENAME, SURNAME, SECRET_UPN, DOB, "07/06/2015")
HEADER = "upn,forename,surname,date_of_birth,year_group,admission_date,sex,sen,form"


def row(**changes: str) -> str:
    values = {
        "upn": SECRET_UPN,
        "forename": FORENAME,
        "surname": SURNAME,
        "date_of_birth": DOB,
        "year_group": "5",
        "admission_date": "2021-09-01",
        "sex": "F",
        "sen": "N",
        "form": "5A",
    }
    values.update(changes)
    return ",".join(values.values())


def refusal(load, kind: str, text: str, file_name: str = "export.csv") -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        load(kind, text, file_name=file_name, school_urn=URN)
    return caught.value


def assert_private(text: str) -> None:
    for secret in PRIVATE:
        assert secret.lower() not in text.lower(), f"{secret!r} leaked into: {text}"


@pytest.mark.parametrize(
    ("bad_row", "field"),
    [
        (row(sex=SURNAME), "sex"),  # the surname slipped into the next column
        (row(sex=FORENAME.upper()), "sex"),
        (row(sen=SECRET_UPN), "sen"),  # a UPN where a code belongs
        (row(sen=DOB), "sen"),
        (row(year_group=SURNAME), "year_group"),
        (row(admission_date=FORENAME), "admission_date"),
        (row(date_of_birth="31/02/2015"), "date_of_birth"),
        (row(date_of_birth="2030-06-07"), "date_of_birth"),
        (row(upn="A801200005001"), "upn"),  # a wrong check letter
        (row(upn=SECRET_UPN.lower()[:-1]), "upn"),
        (row(forename=FORENAME * 30), "forename"),
        (row(form=f"{SURNAME} {FORENAME} {SURNAME}"), "form"),
    ],
)
def test_a_bad_pupil_row_is_named_without_the_pupil(load, bad_row: str, field: str) -> None:
    text = f"{HEADER}\n{row(upn=U0, forename='Ann', surname='Example')}\n{bad_row}\n"
    error = refusal(load, "pupils", text)
    assert f"export.csv row 3, field '{field}':" in str(error)
    assert_private(str(error))
    assert "A801200005001" not in str(error)


def test_a_marks_row_with_a_upn_in_the_wrong_column_does_not_show_it(load) -> None:
    load("pupils", pupils_csv([U0, SECRET_UPN]), school_urn=URN)
    text = marks_csv([(U0, "2025-09-03", "AM", "/"), ("2025-09-03", SECRET_UPN, "AM", "/")])
    error = refusal(load, "marks", text, file_name="marks.csv")
    assert "marks.csv row 3, field 'date':" in str(error)
    assert "marks.csv row 3, field 'upn':" in str(error)
    assert_private(str(error))


def test_a_name_in_a_file_without_name_columns_is_not_shown(load) -> None:
    """Marks, grid and behaviour files carry no names to check a value against: a name that
    slipped into a code, session or type column is withheld all the same."""
    load("pupils", pupils_csv([U0]), school_urn=URN)
    name = f"{FORENAME} {SURNAME}"
    marks = refusal(
        load, "marks", marks_csv([(U0, "2025-09-03", "AM", name), (U0, "2025-09-04", SURNAME, "/")])
    )
    assert "row 2, field 'code': the value is not a DfE attendance code" in str(marks)
    assert "row 3, field 'session': the value is not one of AM, PM" in str(marks)
    grid = refusal(load, "grid", f"upn,2025-09-03 AM\n{U0},{FORENAME}0\n", file_name="grid.csv")
    behaviour = refusal(
        load, "behaviour", f"upn,date,type,category\n{U0},2025-09-03,{name},Disruption\n"
    )
    for error in (marks, grid, behaviour):
        assert_private(str(error))


def test_a_grid_cell_holding_a_upn_does_not_show_it(load) -> None:
    load("pupils", pupils_csv([U0]), school_urn=URN)
    error = refusal(load, "grid", f"upn,2025-09-03 AM\n{U0},{SECRET_UPN}\n", file_name="grid.csv")
    assert "grid.csv row 2, field '2025-09-03 AM': the value is not a DfE attendance code" in str(
        error
    )
    assert_private(str(error))


@pytest.mark.parametrize(
    ("pupil", "field"),
    [
        (ctf_pupil(SECRET_UPN, "/", forename=FORENAME, surname=SURNAME, dob="2015-02-30"), "DOB"),
        (ctf_pupil(SECRET_UPN[:-1] + "Z", "/", forename=FORENAME, surname=SURNAME, dob=DOB), "UPN"),
        (
            ctf_pupil(SECRET_UPN, "/", forename=FORENAME, surname=SURNAME, dob=DOB, year="Q"),
            "NCyearActual",
        ),
        (ctf_pupil(SECRET_UPN, "/", forename="", surname=SURNAME, dob=DOB), "Forename"),
    ],
)
def test_a_bad_ctf_pupil_is_named_by_number_and_element_without_the_pupil(
    load, pupil: str, field: str
) -> None:
    error = refusal(load, "ctf", ctf(ctf_pupil(U0, "/"), pupil), file_name="in.xml")
    assert f"in.xml pupil 2, field '{field}':" in str(error)
    assert_private(str(error))
    assert SECRET_UPN[:-1] + "Z" not in str(error)


def test_logs_never_show_a_pupil(load, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    load("pupils", f"{HEADER}\n{row()}\n", school_urn=URN)
    load("marks", marks_csv([(SECRET_UPN, "2025-09-03", "AM", "/")]))
    with pytest.raises(ImportRefused):
        load("pupils", f"{HEADER}\n{row(sex=SURNAME)}\n", file_name="again.csv")
    assert caplog.records
    assert_private(caplog.text)


def test_many_problems_are_cut_to_ten_lines_with_the_total(load) -> None:
    rows = [row(upn=upn(n), date_of_birth=f"2015-02-{30 + n % 2}") for n in range(10, 130)]
    error = refusal(load, "pupils", "\n".join([HEADER, *rows]) + "\n")
    lines = str(error).splitlines()
    assert lines[0] == "export.csv was not imported (120 problems); nothing was changed."
    assert len(lines) == 1 + 10 + 1
    assert lines[-1] == "  … and 110 more"
    assert error.total == 120


def test_a_message_never_shows_more_than_the_one_field() -> None:
    assert shown_value("code", "1x" * 50) == "'" + "1x" * 20 + "…'"
    assert shown_value("surname", "Anything") == "the value"
    assert shown_value("category", f"see {SECRET_UPN}") == "the value"
    assert shown_value("sex", "Zebedee", private=("Zebedee", None)) == "the value"
    assert shown_value("sex", "X", private=("Zebedee",)) == "'X'"


@pytest.mark.parametrize(
    "value", ["Zelda Quixote", "ZELDA QUIXOTE", "O'Brien", "Zelda0", "Mary-Ann", "Zoë", "Øyvind"]
)
def test_a_word_is_never_shown_for_it_may_be_a_name(value) -> None:
    """Marks, grid, behaviour and exclusion files carry no names to check a value against."""
    assert shown_value("code", value) == "the value"
    assert shown_value("type", value) == "the value"


@pytest.mark.parametrize(
    "value", ["ZZ", "C9", "#", "31/02/2025", "2025-13-01", "12.5", "maybe?"[:2], "-3"]
)
def test_codes_dates_and_numbers_are_shown(value) -> None:
    assert shown_value("code", value) == f"'{value}'"


def test_problem_description() -> None:
    assert Problem(12, "date", "is bad").describe() == "row 12, field 'date': is bad"
    assert (
        Problem(3, "UPN", "is empty", unit="pupil").describe() == "pupil 3, field 'UPN': is empty"
    )
    assert Problem(None, None, "is empty").describe() == "is empty"


def test_a_name_in_a_register_column_is_not_shown(load) -> None:
    load("pupils", pupils_csv([U0]), school_urn=URN)
    error = refusal(
        load, "grid", f"upn,2025-09-03 AM,2025-09-03 PM\n{U0},{FORENAME},Al\n", file_name="grid.csv"
    )
    assert "grid.csv row 2, field '2025-09-03 AM': the value is not a DfE attendance code" in str(
        error
    )
    assert "grid.csv row 2, field '2025-09-03 PM': 'AL' is not a DfE attendance code" in str(error)
    assert_private(str(error))
