"""Merging imports into the store: re-imports, later files winning, history, counts, schools."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from analytics.ingest import KINDS, ImportRefused, import_file
from analytics.store import read
from tests.conftest import TEST_TODAY
from tests.fixtures.ingest.builders import (
    OTHER_URN,
    URN,
    current_marks,
    marks_csv,
    pupils_csv,
    snapshot,
    upn,
)

U0, U1, U2 = upn(1), upn(2), upn(3)
D1, D2 = date(2025, 9, 3), date(2025, 9, 4)


@pytest.fixture
def school(load):
    load("pupils", pupils_csv([U0, U1, U2]), school_urn=URN)
    return load


def counts(result) -> tuple[int, int, int]:
    return result.counts.new, result.counts.changed, result.counts.unchanged


def enrolment_id(db, pupil_upn: str) -> int:
    enrolments = read.enrolments(db)
    return enrolments.filter(enrolments["upn"] == pupil_upn)["enrolment_id"][0]


# --- re-imports -------------------------------------------------------------------------------------


def test_reimporting_the_same_bytes_changes_nothing_and_says_so(db, school) -> None:
    text = marks_csv([(U0, D1, "AM", "/"), (U1, D1, "AM", "N")])
    first = school("marks", text)
    before = snapshot(db)
    again = school("marks", text, file_name="renamed.csv")
    assert again.already_imported
    assert again.import_id == first.import_id
    assert counts(again) == (0, 0, 2)
    assert "this file was imported before; nothing changed" in again.summary()
    assert snapshot(db) == before


def test_reimporting_counts_every_mark_as_unchanged_and_keeps_the_caches(db, school) -> None:
    """A grid of 2 rows brought 4 marks: again, all 4 are unchanged. Only an audit row is written,
    so the data version (which empties the caches) stays as it was."""
    grid = f"upn,{D1} AM,{D1} PM\n{U0},/,\\\n{U1},N,N\n"
    assert counts(school("grid", grid)) == (4, 0, 0)
    version = db.data_version()
    again = school("grid", grid)
    assert again.already_imported and counts(again) == (0, 0, 4)
    assert db.data_version() == version


def test_reimporting_an_older_file_after_a_newer_one_keeps_the_newer_marks(db, school) -> None:
    old = marks_csv([(U0, D1, "AM", "N")])
    school("marks", old, file_name="old.csv")
    school("marks", marks_csv([(U0, D1, "AM", "I")]), file_name="new.csv")
    assert school("marks", old, file_name="old.csv").already_imported
    assert current_marks(db) == {(U0, D1, "AM", "I", None)}


def test_the_same_bytes_for_another_school_are_a_new_import(db, load) -> None:
    text = pupils_csv([U0])
    load("pupils", text, school_urn=URN)
    result = load("pupils", text, school_urn=OTHER_URN)
    assert not result.already_imported
    assert counts(result) == (1, 0, 0)


def test_reimporting_pupils_changes_nothing(db, school) -> None:
    before = snapshot(db)
    result = school("pupils", pupils_csv([U0, U1, U2]), school_urn=URN)
    assert result.already_imported
    assert snapshot(db) == before


# --- re-imports are decided by content: the same rows saved another way are the same file ---------

AUTUMN_DAYS = [date(2025, 9, d) for d in (1, 2, 3, 4, 5, 8, 9, 10, 11, 12)]


def autumn_rows() -> list[tuple]:
    """An autumn file: U0 present, U1 with ten N codes (mornings), U2 present."""
    return [
        (pupil, day, session, "N" if pupil == U1 and session == "AM" else "/")
        for day in AUTUMN_DAYS
        for session in ("AM", "PM")
        for pupil in (U0, U1, U2)
    ]


def corrected(db, school) -> str:
    """Import the autumn file, then a correction file turning U1's ten N codes into I."""
    autumn = marks_csv(autumn_rows())
    school("marks", autumn, file_name="autumn.csv")
    correction = marks_csv([(U1, day, "AM", "I") for day in AUTUMN_DAYS])
    assert counts(school("marks", correction, file_name="correction.csv")) == (0, 10, 0)
    return autumn


def uk_dates(line: str) -> str:
    """A marks row with its date written DD/MM/YYYY."""
    upn_, day, *rest = line.split(",")
    if day[:4].isdigit():
        day = f"{day[8:10]}/{day[5:7]}/{day[:4]}"
    return ",".join([upn_, day, *rest])


SAVED_ANOTHER_WAY = {
    "CRLF": lambda text: text.replace("\n", "\r\n").encode(),
    "UTF-16": lambda text: text.encode("utf-16"),
    "Windows-1252": lambda text: text.encode("cp1252"),
    "UTF-8 with BOM": lambda text: b"\xef\xbb\xbf" + text.encode(),
    "semicolons": lambda text: text.replace(",", ";").encode(),
    "columns in another order": lambda text: "\n".join(
        ",".join(reversed(line.split(","))) for line in text.splitlines()
    ).encode(),
    "rows in another order": lambda text: "\n".join(
        [text.splitlines()[0], *reversed(text.splitlines()[1:])]
    ).encode(),
    "UK dates": lambda text: "\n".join(uk_dates(line) for line in text.splitlines()).encode(),
}


@pytest.mark.parametrize("saved", SAVED_ANOTHER_WAY, ids=list(SAVED_ANOTHER_WAY))
def test_the_same_rows_saved_another_way_are_imported_before(db, school, saved: str) -> None:
    """Issue 11: the autumn file saved with CRLF put back the ten corrected N codes."""
    autumn = corrected(db, school)
    before = snapshot(db)
    again = school("marks", SAVED_ANOTHER_WAY[saved](autumn), file_name="autumn-again.csv")
    assert again.already_imported
    assert "this file was imported before; nothing changed" in again.summary()
    assert snapshot(db) == before
    mornings = {code for (pupil, _, session, code, _) in current_marks(db) if pupil == U1}
    assert mornings == {"I", "/"}  # the corrections stay


def test_a_file_that_would_put_back_replaced_codes_is_refused_listing_them(db, school) -> None:
    corrected(db, school)
    before = snapshot(db)
    # The autumn file again, with one more day: not the same file, and it would put back N.
    extra = [(U0, date(2025, 9, 15), "AM", "/")]
    with pytest.raises(ImportRefused) as caught:
        school("marks", marks_csv(autumn_rows() + extra), file_name="autumn-2.csv")
    message = caught.value.message()
    lines = message.splitlines()
    assert lines[0] == "autumn-2.csv was not imported (11 problems); nothing was changed."
    assert lines[1] == (
        "  autumn-2.csv would put back 10 codes that later imports replaced: to put them back, "
        "import it again with --restore-replaced (on the Import page, tick 'Put back codes that "
        "later imports replaced')"
    )
    assert lines[2] == "  autumn-2.csv 01 Sep 2025 AM: N in place of I (1 mark)"
    assert U1 not in message and U0 not in message
    assert snapshot(db) == before


def test_with_restore_replaced_the_codes_are_put_back_and_noted(db, school) -> None:
    autumn = corrected(db, school)
    result = school("marks", autumn, file_name="autumn.csv", restore_replaced=True)
    assert not result.already_imported
    assert counts(result) == (0, 10, 50)
    assert "put back 10 codes that later imports replaced" in result.summary()
    assert {
        (day, code)
        for (pupil, day, session, code, _) in current_marks(db)
        if pupil == U1 and session == "AM"
    } == {(day, "N") for day in AUTUMN_DAYS}


def test_a_later_file_changing_other_codes_is_not_held_back(db, school) -> None:
    corrected(db, school)
    result = school("marks", marks_csv([(U0, AUTUMN_DAYS[0], "AM", "L")]), file_name="late.csv")
    assert counts(result) == (0, 1, 0)


def test_restore_replaced_from_the_command_line(db, school, tmp_path: Path, capsys) -> None:
    from analytics.cli import main

    autumn = corrected(db, school)
    path = tmp_path / "autumn-2.csv"
    path.write_text(autumn.replace("\n", "\r\n") + f"{U0},2025-09-15,AM,/\r\n")
    command = ["--db", str(db.path), "import", "marks", str(path), "--school", str(URN)]
    assert main(command) == 2
    assert "would put back 10 codes" in capsys.readouterr().err
    assert main([*command, "--restore-replaced"]) == 0
    assert "put back 10 codes that later imports replaced" in capsys.readouterr().out


# --- a later file wins --------------------------------------------------------------------------------


def test_a_later_file_wins_and_the_replaced_mark_goes_to_the_history(db, school) -> None:
    first = school(
        "marks",
        marks_csv([(U0, D1, "AM", "N"), (U0, D1, "PM", "N"), (U1, D1, "AM", "/")]),
        file_name="a.csv",
    )
    second = school(
        "marks",
        marks_csv(
            [(U0, D1, "AM", "I"), (U0, D1, "PM", "N"), (U1, D1, "AM", "/"), (U1, D2, "AM", "/")]
        ),
        file_name="b.csv",
    )
    assert counts(first) == (3, 0, 0)
    assert counts(second) == (1, 1, 2)
    assert current_marks(db) == {
        (U0, D1, "AM", "I", None),
        (U0, D1, "PM", "N", None),
        (U1, D1, "AM", "/", None),
        (U1, D2, "AM", "/", None),
    }
    history = read.mark_history(db, enrolment_id(db, U0))
    assert history.rows(named=True) == [
        {
            "date": D1,
            "session": "AM",
            "code": "N",
            "minutes_late": None,
            "import_id": first.import_id,
            "replaced_by_import": second.import_id,
            "replaced_by_code": "I",
        }
    ]
    assert read.mark_history(db, enrolment_id(db, U1)).is_empty()


def test_each_replacement_is_kept_in_order(db, school) -> None:
    ids = [
        school("marks", marks_csv([(U0, D1, "AM", code)]), file_name=f"{n}.csv").import_id
        for n, code in enumerate("NIM")
    ]
    history = read.mark_history(db, enrolment_id(db, U0))
    assert history.select("code", "import_id", "replaced_by_import", "replaced_by_code").rows() == [
        ("N", ids[0], ids[1], "I"),
        ("I", ids[1], ids[2], "M"),
    ]
    assert current_marks(db) == {(U0, D1, "AM", "M", None)}


def test_the_import_log_records_each_file(db, school) -> None:
    school("marks", marks_csv([(U0, D1, "AM", "N"), (U0, D1, "AM", "N")]), file_name="a.csv")
    school("marks", marks_csv([(U0, D1, "AM", "I"), (U1, D1, "AM", "/")]), file_name="b.csv")
    log = read.imports(db).sort("import_id")
    assert log.select(
        "file_name",
        "kind",
        "school_urn",
        "rows_read",
        "new_rows",
        "changed_rows",
        "unchanged_rows",
        "skipped_rows",
    ).rows() == [
        ("pupils.csv", "pupils", URN, 3, 3, 0, 0, 0),
        ("a.csv", "marks", URN, 2, 1, 0, 0, 1),
        ("b.csv", "marks", URN, 2, 1, 1, 0, 0),
    ]


def test_summary_prints_rows_read_new_changed_and_unchanged(school) -> None:
    school("marks", marks_csv([(U0, D1, "AM", "N")]), file_name="a.csv")
    result = school(
        "marks",
        marks_csv([(U0, D1, "AM", "I"), (U0, D1, "PM", "N"), (U1, D1, "AM", "/")]),
        file_name="b.csv",
    )
    result2 = school(
        "marks", marks_csv([(U0, D1, "AM", "I"), (U0, D1, "PM", "N")]), file_name="c.csv"
    )
    assert result.summary() == "b.csv: 3 rows read; 2 new, 1 changed, 0 unchanged"
    assert result2.summary() == "c.csv: 2 rows read; 0 new, 0 changed, 2 unchanged"


# --- pupils updates -------------------------------------------------------------------------------------


def test_a_pupils_reimport_updates_only_the_columns_in_the_file(db, load) -> None:
    load(
        "pupils", pupils_csv([U0, U1], extra={"sen": "K", "fsm": "Y", "form": "5A"}), school_urn=URN
    )
    result = load(
        "pupils",
        pupils_csv([U0, U1, U2], year_group="6", extra={"fsm": "N"}).replace("Surname1", "Newname"),
        school_urn=URN,
    )
    assert counts(result) == (1, 2, 0)
    stored = {row["upn"]: row for row in read.enrolments(db).iter_rows(named=True)}
    assert (stored[U0]["year_group"], stored[U0]["fsm"], stored[U0]["sen"], stored[U0]["form"]) == (
        "6",
        False,
        "K",
        "5A",
    )
    assert stored[U1]["surname"] == "Newname"
    assert (stored[U2]["sen"], stored[U2]["form"]) == (None, None)


def test_a_pupils_reimport_with_the_same_values_is_unchanged(db, load) -> None:
    load("pupils", pupils_csv([U0, U1]), school_urn=URN)
    result = load("pupils", pupils_csv([U0, U1, U2]).replace("\n", "\r\n"), school_urn=URN)
    assert not result.already_imported
    assert counts(result) == (1, 0, 2)


# --- which school -----------------------------------------------------------------------------------------


def test_without_a_school_and_an_empty_database_the_import_is_refused(db, load) -> None:
    with pytest.raises(ImportRefused) as caught:
        load("pupils", pupils_csv([U0]))
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("--school", "is needed: the database holds no school yet; name the school's URN")
    ]
    assert snapshot(db) == {t: [] for t in snapshot(db)}


def test_without_a_school_the_only_school_is_used(school) -> None:
    result = school("marks", marks_csv([(U0, D1, "AM", "/")]))
    assert result.school_urn == URN


def test_without_a_school_and_many_schools_the_import_is_refused(db, school) -> None:
    school("pupils", pupils_csv([U0]), school_urn=OTHER_URN)
    with pytest.raises(ImportRefused) as caught:
        school("marks", marks_csv([(U0, D1, "AM", "/")]))
    assert "the database holds 2 schools" in str(caught.value)


def test_the_first_import_for_a_urn_creates_the_school_with_its_name_and_phase(db, load) -> None:
    result = load(
        "pupils", pupils_csv([U0]), school_urn=URN, school_name="Oak Primary", phase="special"
    )
    assert result.school_created
    assert f"created school {URN}" in result.summary()
    assert read.schools(db).rows() == [(URN, "Oak Primary", "special", None)]
    again = load(
        "pupils", pupils_csv([U0, U1]), school_urn=URN, school_name="Renamed", phase="primary"
    )
    assert not again.school_created
    assert read.schools(db).rows() == [(URN, "Oak Primary", "special", None)]


@pytest.mark.parametrize(("year_group", "phase"), [("3", "primary"), ("Y9", "secondary")])
def test_a_new_schools_phase_is_inferred_from_year_groups(
    db, load, year_group: str, phase: str
) -> None:
    load("pupils", pupils_csv([U0], year_group=year_group), school_urn=URN)
    assert read.schools(db).rows() == [(URN, f"School {URN}", phase, None)]


def test_an_unknown_phase_or_kind_is_refused(db, load) -> None:
    with pytest.raises(ImportRefused, match="--phase"):
        load("pupils", pupils_csv([U0]), school_urn=URN, phase="infant")
    with pytest.raises(ImportRefused, match="is not one of"):
        load("timetable", pupils_csv([U0]), school_urn=URN)
    assert "pupils" in KINDS and "ctf" in KINDS


# --- import_file ----------------------------------------------------------------------------------------


def test_import_file_reads_from_disk_and_names_the_file(db, tmp_path: Path) -> None:
    path = tmp_path / "Autumn pupils.csv"
    path.write_bytes(pupils_csv([U0]).encode("cp1252"))
    result = import_file(db, "pupils", path, school_urn=URN, as_of=TEST_TODAY, today=TEST_TODAY)
    assert result.file_name == "Autumn pupils.csv"
    assert counts(result) == (1, 0, 0)


def test_import_file_refuses_a_missing_file(db, tmp_path: Path) -> None:
    with pytest.raises(ImportRefused) as caught:
        import_file(db, "pupils", tmp_path / "missing.csv", school_urn=URN)
    assert str(caught.value).startswith("missing.csv was not imported")


def test_a_ctf_fills_gaps_but_never_blanks_what_a_pupils_file_recorded(db, load):
    load(
        "pupils",
        "upn,forename,surname,date_of_birth,year_group,admission_date,sex,leaving_date\n"
        "B801200005001,Ann,Ames,2015-03-12,5,2021-09-01,F,2026-07-22\n",
        school_urn=100001,
    )
    ctf = (
        "<CTfile><Header><SourceSchool><LEA>801</LEA><Estab>2000</Estab><URN>100001</URN>"
        "<AcademicYear>2025</AcademicYear>"
        "</SourceSchool></Header><CTFpupilData><Pupil><UPN>B801200005001</UPN><Surname>Ames</Surname>"
        "<Forename>Ann</Forename><DOB>2015-03-12</DOB><BasicDetails><NCyearActual>5</NCyearActual></BasicDetails>"
        "<SchoolHistory><School><LEA>801</LEA><Estab>2000</Estab><EntryDate>2021-09-01</EntryDate></School>"
        "</SchoolHistory></Pupil></CTFpupilData></CTfile>"
    )
    load("ctf", ctf, file_name="pupil.xml", school_urn=100001)
    row = read.enrolments(db).row(0, named=True)
    assert row["sex"] == "F"  # the CTF had no <Sex>
    assert row["leaving_date"] == date(2026, 7, 22)  # nor a leaving date


def test_a_pupils_file_blank_clears_a_leaving_date(db, load):
    header = "upn,forename,surname,date_of_birth,year_group,admission_date,leaving_date\n"
    load(
        "pupils",
        header + "B801200005001,Ann,Ames,2015-03-12,5,2021-09-01,2025-07-22\n",
        school_urn=100001,
    )
    result = load(
        "pupils",
        header + "B801200005001,Ann,Ames,2015-03-12,5,2021-09-01,\n",
        file_name="again.csv",
        school_urn=100001,
    )
    assert result.counts.changed == 1
    assert read.enrolments(db).row(0, named=True)["leaving_date"] is None
