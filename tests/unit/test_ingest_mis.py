"""The morning import: marks files as SIMS, Arbor, Bromcom, Go 4 Schools and Wonde write them,
the week grid, and the column mapping a school saves once."""

from __future__ import annotations

from datetime import date

import pytest

from analytics.ingest import ImportRefused
from analytics.ingest.mis import MAPPED_COLUMNS, file_headings, parse_register
from analytics.ingest.synonyms import SYNONYMS, header_names, recognised, squashed
from analytics.store import audit, mappings
from tests.conftest import TEST_TODAY
from tests.fixtures.ingest.builders import URN, current_marks, pupils_csv, snapshot, upn

U0, U1 = upn(1), upn(2)
MONDAY = "2026-11-16"
#: The same two marks as five MIS export them: their headings, and each row's cells in order.
MIS_FILES = {
    "sims": (
        "UPN,Surname,AttendanceDate,SessionName,AttendanceMark,MinsLate",
        [f"{U0},A,16/11/2026,AM,N,", f"{U1},B,16/11/2026,AM,L,12"],
    ),
    "arbor": (
        "Student UPN,Date,Session,Mark,Minutes Late",
        [f"{U0},2026-11-16,AM,N,", f"{U1},2026-11-16,AM,L,12"],
    ),
    "bromcom": (
        "Pupil UPN;Session Date;Session;Attendance Code;Mins Late",
        [f"{U0};16/11/2026;AM;N;", f"{U1};16/11/2026;AM;L;12"],
    ),
    "go4schools": (
        "UPN\tAttendance Date\tAM/PM\tAttendance Mark\tLate (mins)",
        [f"{U0}\t16/11/2026\tAM\tN\t", f"{U1}\t16/11/2026\tAM\tL\t12"],
    ),
    "wonde": (
        "upn,date,session,code,session_minutes_late",
        [f"{U0},2026-11-16 00:00:00,AM,N,", f"{U1},2026-11-16 00:00:00,AM,L,12"],
    ),
}
EXPECTED = {
    (U0, MONDAY, "AM", "N", None),
    (U1, MONDAY, "AM", "L", 12),
}


def as_marks(batch) -> set[tuple]:
    return {
        (r["upn"], r["date"].isoformat(), r["session"], r["code"], r["minutes_late"])
        for r in batch.marks.iter_rows(named=True)
    }


def text(header: str, rows: list[str]) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.mark.parametrize("mis", MIS_FILES)
def test_each_mis_export_is_read_by_its_own_headings(mis: str) -> None:
    batch = parse_register("marks", f"{mis}.csv", text(*MIS_FILES[mis]), today=TEST_TODAY)
    assert as_marks(batch) == EXPECTED
    assert batch.has_minutes_late


def test_headings_are_compared_without_case_spaces_or_punctuation() -> None:
    name = header_names(MAPPED_COLUMNS["marks"])
    assert {name(h) for h in ("AttendanceDate", "attendance date", "ATTENDANCE_DATE")} == {"date"}
    assert name("Minutes-Late") == "minutes_late"
    assert name("Surname") == "surname"  # not a column of ours: read as written, then ignored


def test_the_synonyms_table_never_gives_one_heading_two_columns() -> None:
    seen: dict[str, str] = {}
    for column, headings in SYNONYMS.items():
        for heading in (column, *headings):
            assert seen.setdefault(squashed(heading), column) == column, heading


def test_a_heading_no_synonym_knows_is_refused_naming_the_missing_column() -> None:
    data = text("Pupil Ref,Date,Session,Mark", [f"{U0},2026-11-16,AM,N"])
    with pytest.raises(ImportRefused) as caught:
        parse_register("marks", "odd.csv", data, today=TEST_TODAY)
    assert [(p.row, p.field) for p in caught.value.problems] == [(1, "upn")]


def test_a_saved_mapping_reads_the_schools_own_headings() -> None:
    data = text("Pupil Ref,When,AM or PM,Reg", [f"{U0},2026-11-16,AM,N"])
    mapping = {"upn": "Pupil Ref", "date": "When", "session": "AM or PM", "code": "reg"}
    batch = parse_register("marks", "odd.csv", data, today=TEST_TODAY, columns=mapping)
    assert as_marks(batch) == {(U0, MONDAY, "AM", "N", None)}


def test_recognised_says_which_heading_gives_each_column() -> None:
    headings = file_headings(text(*MIS_FILES["sims"]))
    assert headings == [
        "UPN",
        "Surname",
        "AttendanceDate",
        "SessionName",
        "AttendanceMark",
        "MinsLate",
    ]
    assert recognised(headings, MAPPED_COLUMNS["marks"]) == {
        "upn": "UPN",
        "date": "AttendanceDate",
        "session": "SessionName",
        "code": "AttendanceMark",
        "minutes_late": "MinsLate",
    }
    assert recognised(["Ref"], MAPPED_COLUMNS["marks"], {"upn": "ref"}) == {"upn": "Ref"}


# --- the week grid -------------------------------------------------------------------------------

WEEK_HEADER = (
    "UPN,Surname,Week Beginning,MonAM,MonPM,Tue AM,Tue PM,WedAM,WedPM,ThuAM,ThuPM,FriAM,FriPM"
)


def test_a_week_grid_becomes_a_mark_per_filled_cell_dated_by_its_week_start() -> None:
    data = text(
        WEEK_HEADER,
        [
            f"{U0},A,16/11/2026,/,\\,N,N,-,,/,\\,L,\\",
            f"{U1},B,2026-11-09,/,\\,/,\\,/,\\,/,\\,/,\\",
        ],
    )
    batch = parse_register("marks", "week.csv", data, today=TEST_TODAY)
    marks = as_marks(batch)
    assert len(marks) == 8 + 10  # U0's Wednesday is blank and '-': no mark
    assert (U0, "2026-11-17", "PM", "N", None) in marks
    assert (U0, "2026-11-20", "AM", "L", None) in marks
    assert (U1, "2026-11-09", "AM", "/", None) in marks
    assert not any(m[0] == U0 and m[1] == "2026-11-18" for m in marks)
    assert batch.notes[0] == "a week grid of 2 weeks"


def test_a_week_grid_is_read_under_the_grid_kind_too() -> None:
    data = text("UPN,WeekStart,MonAM", [f"{U0},2026-11-16,N"])
    assert as_marks(parse_register("grid", "w.csv", data, today=TEST_TODAY)) == {
        (U0, MONDAY, "AM", "N", None)
    }


def test_a_week_grid_week_must_start_on_a_monday_and_appear_once_per_pupil() -> None:
    data = text(
        "UPN,WeekStart,MonAM,FriPM",
        [f"{U0},2026-11-17,/,\\", f"{U1},2026-11-16,/,\\", f"{U1},16/11/2026,/,\\"],
    )
    with pytest.raises(ImportRefused) as caught:
        parse_register("marks", "w.csv", data, today=TEST_TODAY)
    assert [(p.row, p.field, p.message) for p in caught.value.problems] == [
        (2, "week_start", "17 Nov 2026 is a Tuesday: a week starts on a Monday"),
        (4, "week_start", "repeats the pupil and week of row 3"),
    ]


def test_a_week_grid_without_a_week_start_is_refused() -> None:
    with pytest.raises(ImportRefused) as caught:
        parse_register("marks", "w.csv", text("UPN,MonAM", [f"{U0},/"]), today=TEST_TODAY)
    assert [(p.row, p.field) for p in caught.value.problems] == [(1, "week_start")]


def test_a_week_grids_cells_go_through_the_checks_every_mark_does() -> None:
    # Friday is after a Wednesday "today", and 'ZZ' is no code.
    data = text("UPN,WeekStart,MonAM,FriAM", [f"{U0},2026-11-16,ZZ,/"])
    with pytest.raises(ImportRefused) as caught:
        parse_register("marks", "w.csv", data, today=TEST_TODAY.replace(day=18))
    assert [(p.row, p.field, p.message) for p in caught.value.problems] == [
        (2, "Fri AM", "20 Nov 2026 is in the future"),
        (2, "Mon AM", "'ZZ' is not a DfE attendance code"),
    ]


# --- through the store ---------------------------------------------------------------------------


def test_a_mapping_saved_for_a_school_is_used_by_its_imports_and_audited(db, load) -> None:
    load("pupils", pupils_csv([U0, U1]), school_urn=URN)
    odd = f"Pupil Ref,When,AM or PM,Reg\n{U0},2026-11-16,AM,N\n"
    before = snapshot(db)
    with pytest.raises(ImportRefused):
        load("marks", odd, school_urn=URN)
    assert snapshot(db) == before
    mappings.save_mapping(
        db,
        URN,
        "marks",
        {
            "upn": "Pupil Ref",
            "date": "When",
            "session": "AM or PM",
            "code": "Reg",
            "minutes_late": "",
        },
        columns=MAPPED_COLUMNS["marks"],
        saved_by="dm",
    )
    assert mappings.column_mapping(db, URN, "marks") == {
        "code": "Reg",
        "date": "When",
        "session": "AM or PM",
        "upn": "Pupil Ref",
    }
    result = load("marks", odd, school_urn=URN)
    assert result.counts.new == 1
    assert current_marks(db) == {(U0, date(2026, 11, 16), "AM", "N", None)}
    log = audit.read_log(db)
    assert "column mapping: marks" in log["target"].to_list()


def test_a_mapping_naming_one_heading_twice_or_another_kinds_column_is_refused(db, load) -> None:
    load("pupils", pupils_csv([U0]), school_urn=URN)
    columns = MAPPED_COLUMNS["marks"]
    with pytest.raises(mappings.MappingRefused, match="given for two columns"):
        mappings.save_mapping(
            db, URN, "marks", {"upn": "Ref", "date": "ref"}, columns=columns, saved_by="dm"
        )
    with pytest.raises(mappings.MappingRefused, match="not a column"):
        mappings.save_mapping(
            db, URN, "marks", {"forename": "Name"}, columns=columns, saved_by="dm"
        )
    assert mappings.column_mapping(db, URN, "marks") == {}
