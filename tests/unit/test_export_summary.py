"""`rollcall export summary` and the import command: the exact contract other tools depend on."""

import csv
import subprocess
import sys

import pytest

from analytics.cli import main
from analytics.reports.exports.summary import SUMMARY_COLUMNS

HEADER = (
    "school_urn,upn,sessions_possible,sessions_attended,sessions_present,sessions_aea,sessions_authorised,"
    "sessions_unauthorised,sessions_late_before_close,sessions_late_after_close,attendance_rate,absence_rate,"
    "authorised_rate,unauthorised_rate,persistent_absence,severe_absence"
)
PUPILS = (
    "upn,forename,surname,date_of_birth,year_group,admission_date,leaving_date\n"
    "B801200005001,Ann,Ames,2015-03-12,5,2025-09-01,\n"
    "R801200021002,Bob,Bell,2015-01-01,5,2025-09-01,\n"
    "F801200021003,Cy,Cole,2015-02-02,5,2025-09-01,2025-09-02\n"
)
MARKS = (
    "upn,date,session,code\n"
    + "".join(
        f"B801200005001,2025-09-{d:02d},{s},{c}\n"
        for d, s, c in [
            (1, "AM", "/"),
            (1, "PM", "\\"),
            (2, "AM", "L"),
            (2, "PM", "I"),
            (3, "AM", "U"),
            (3, "PM", "K"),
            (4, "AM", "G"),
            (4, "PM", "X"),
            (5, "AM", "/"),
            (5, "PM", "/"),
        ]
    )
    + "R801200021002,2025-09-01,AM,X\n"
    + "F801200021003,2025-09-01,AM,/\nF801200021003,2025-09-03,AM,O\n"
)


@pytest.fixture
def school(tmp_path):
    db = tmp_path / "t.duckdb"
    (tmp_path / "pupils.csv").write_text(PUPILS)
    (tmp_path / "marks.csv").write_text(MARKS)
    assert (
        main(
            [
                "--db",
                str(db),
                "import",
                "pupils",
                str(tmp_path / "pupils.csv"),
                "--school",
                "100001",
                "--as-of",
                "2025-09-05",
            ]
        )
        == 0
    )
    assert main(["--db", str(db), "import", "marks", str(tmp_path / "marks.csv")]) == 0
    return db


def export(db, tmp_path, *extra):
    out = tmp_path / "summary.csv"
    assert (
        main(
            [
                "--db",
                str(db),
                "export",
                "summary",
                "--from",
                "2025-09-01",
                "--to",
                "2025-09-30",
                "--out",
                str(out),
                *extra,
            ]
        )
        == 0
    )
    text = out.read_text()
    return text, list(csv.DictReader(text.splitlines()))


def test_the_header_is_exactly_the_contract(school, tmp_path):
    text, _ = export(school, tmp_path)
    assert text.splitlines()[0] == HEADER
    assert ",".join(SUMMARY_COLUMNS) == HEADER


def test_rows_carry_counts_unrounded_rates_and_flags(school, tmp_path):
    _, rows = export(school, tmp_path)
    ann = next(r for r in rows if r["upn"] == "B801200005001")
    assert ann["school_urn"] == "100001"
    assert (
        ann["sessions_possible"],
        ann["sessions_attended"],
        ann["sessions_present"],
        ann["sessions_aea"],
    ) == ("9", "6", "5", "1")
    assert (ann["sessions_authorised"], ann["sessions_unauthorised"]) == ("1", "2")
    assert (ann["sessions_late_before_close"], ann["sessions_late_after_close"]) == ("1", "1")
    assert float(ann["attendance_rate"]) == pytest.approx(600 / 9)
    assert ann["attendance_rate"] != "66.7"  # unrounded
    assert (ann["persistent_absence"], ann["severe_absence"]) == ("true", "false")


def test_an_enrolment_with_nothing_possible_has_blank_rates(school, tmp_path):
    _, rows = export(school, tmp_path)
    bob = next(r for r in rows if r["upn"] == "R801200021002")
    assert bob["sessions_possible"] == "0"
    assert bob["attendance_rate"] == bob["absence_rate"] == ""
    assert bob["persistent_absence"] == "false"


def test_leavers_are_in_with_sessions_up_to_their_leaving_day(school, tmp_path):
    _, rows = export(school, tmp_path)
    cy = next(r for r in rows if r["upn"] == "F801200021003")
    assert cy["sessions_possible"] == "1"  # the O on 3 Sep is after leaving: kept, not counted


def test_enrolments_not_on_roll_in_the_window_are_out(school, tmp_path):
    out = tmp_path / "late.csv"
    assert (
        main(
            [
                "--db",
                str(school),
                "export",
                "summary",
                "--from",
                "2025-09-03",
                "--to",
                "2025-09-30",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert "F801200021003" not in out.read_text()


def test_a_refused_import_exits_non_zero_and_says_where(school, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("upn,date,session,code\nB801200005001,2025-09-08,AM,Q9\n")
    assert main(["--db", str(school), "import", "marks", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv row 2, field 'code'" in err


def test_school_is_needed_when_the_database_holds_several(school, tmp_path, capsys):
    other = tmp_path / "other.csv"
    other.write_text(
        "upn,forename,surname,date_of_birth,year_group,admission_date\nB801200005001,A,B,2010-01-01,9,2025-09-01\n"
    )
    assert main(["--db", str(school), "import", "pupils", str(other), "--school", "100002"]) == 0
    assert main(["--db", str(school), "import", "marks", str(tmp_path / "marks.csv")]) == 2
    assert "--school" in capsys.readouterr().err
    out = tmp_path / "ambiguous.csv"
    assert (
        main(
            [
                "--db",
                str(school),
                "export",
                "summary",
                "--from",
                "2025-09-01",
                "--to",
                "2025-09-30",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert "2 schools" in capsys.readouterr().err
    export(school, tmp_path, "--school", "100001")


def test_the_console_script_runs(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics.cli",
            "--db",
            str(tmp_path / "none.duckdb"),
            "export",
            "summary",
            "--from",
            "2025-09-01",
            "--to",
            "2025-09-30",
            "--out",
            str(tmp_path / "x.csv"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "No Rollcall database" in result.stderr
