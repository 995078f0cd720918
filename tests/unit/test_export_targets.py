"""`rollcall export targets`: the contract's columns, one row per enrolment on roll at the as-of
date, the year to date, the penalty threshold reaching back into the last academic year, and the
risk score's basis; and `rollcall risk train`."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest

from analytics.cli import main
from analytics.reports.coordinator.targets import TARGETS_EXPORT_COLUMNS
from tests.fixtures.ingest.builders import OTHER_URN, URN, upns

CONTRACT = (
    "school_urn,upn,attendance_rate,persistent_absence,severe_absence,penalty_threshold_met,penalty_threshold_date,"
    "unauthorised_last_10_weeks,risk_score,reasons"
)
A, B, C, D = upns(4)
AS_OF = date(2025, 9, 12)  # the second Friday of the autumn term


def weekdays(first: date, last: date) -> list[date]:
    return [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() < 5
    ]


@pytest.fixture
def school(tmp_path):
    """Three pupils at one school (C left before the as-of date) and one at another. A missed nine
    sessions on the Mondays of the last five weeks of the summer term (G) and one morning in
    September: the tenth G N O U session in ten school weeks, counting back over the holiday."""
    db = tmp_path / "t.duckdb"
    pupils = "upn,forename,surname,date_of_birth,year_group,admission_date,leaving_date,form\n"
    pupils += f"{A},Ann,Ames,2015-03-12,5,2024-09-02,,5A\n{B},Bob,Bell,2015-01-01,5,2024-09-02,,5B\n{C},Cy,Cole,2015-02-02,5,2024-09-02,2025-09-05,5A\n"
    (tmp_path / "pupils.csv").write_text(pupils)
    (tmp_path / "other.csv").write_text(
        f"upn,forename,surname,date_of_birth,year_group,admission_date\n{D},Di,Dee,2015-02-02,5,2024-09-02\n"
    )
    summer = weekdays(date(2025, 6, 16), date(2025, 7, 18))
    autumn = weekdays(date(2025, 9, 1), AS_OF)
    lines = ["upn,date,session,code"]
    for day in summer + autumn:
        for session in ("AM", "PM"):
            away_a = (
                day in summer and day.weekday() == 0 and (day, session) != (date(2025, 7, 14), "PM")
            ) or (day == date(2025, 9, 10) and session == "AM")
            lines.append(
                f"{A},{day},{session},{'G' if away_a and day in summer else 'O' if away_a else '/'}"
            )
            lines.append(f"{B},{day},{session},{'I' if day.weekday() == 4 else '/'}")
            if day <= date(2025, 9, 5):
                lines.append(f"{C},{day},{session},/")
    (tmp_path / "marks.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "other_marks.csv").write_text(
        "upn,date,session,code\n" + "".join(f"{D},{d},AM,/\n" for d in autumn)
    )
    assert (
        main(
            [
                "--db",
                str(db),
                "import",
                "pupils",
                str(tmp_path / "pupils.csv"),
                "--school",
                str(URN),
                "--as-of",
                "2025-09-12",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "--db",
                str(db),
                "import",
                "pupils",
                str(tmp_path / "other.csv"),
                "--school",
                str(OTHER_URN),
                "--as-of",
                "2025-09-12",
            ]
        )
        == 0
    )
    assert (
        main(
            ["--db", str(db), "import", "marks", str(tmp_path / "marks.csv"), "--school", str(URN)]
        )
        == 0
    )
    assert (
        main(
            [
                "--db",
                str(db),
                "import",
                "marks",
                str(tmp_path / "other_marks.csv"),
                "--school",
                str(OTHER_URN),
            ]
        )
        == 0
    )
    return db


def export(db, tmp_path, *extra) -> tuple[str, dict[str, dict]]:
    out = tmp_path / "targets.csv"
    assert (
        main(
            [
                "--db",
                str(db),
                "export",
                "targets",
                "--as-of",
                AS_OF.isoformat(),
                "--out",
                str(out),
                *extra,
            ]
        )
        == 0
    )
    text = out.read_text()
    return text, {row["upn"]: row for row in csv.DictReader(text.splitlines())}


def test_the_header_starts_with_the_contract(school, tmp_path):
    text, _ = export(school, tmp_path)
    header = text.splitlines()[0]
    assert header.startswith(CONTRACT + ",")
    assert header == ",".join(TARGETS_EXPORT_COLUMNS)


def test_one_row_per_enrolment_on_roll_at_the_as_of_date(school, tmp_path, capsys):
    _, rows = export(school, tmp_path)
    assert set(rows) == {A, B, D}  # C left on 5 September
    assert "3 enrolments on roll on 12 Sep 2025" in capsys.readouterr().out
    _, one_school = export(school, tmp_path, "--school", str(URN))
    assert set(one_school) == {A, B}


def test_the_penalty_threshold_counts_back_into_the_last_academic_year(school, tmp_path):
    _, rows = export(school, tmp_path)
    a, b = rows[A], rows[B]
    assert (a["penalty_threshold_met"], a["penalty_threshold_date"]) == ("true", "2025-09-10")
    # The last ten school weeks reach back over the summer holiday to the week of 16 June.
    assert a["unauthorised_last_10_weeks"] == "10"
    assert "penalty-notice threshold: threshold met on Wed 10/09/2025 (AM)" in a["reasons"]
    assert (
        b["penalty_threshold_met"],
        b["penalty_threshold_date"],
        b["unauthorised_last_10_weeks"],
    ) == ("false", "", "0")


def test_attendance_is_the_academic_year_to_date_unrounded(school, tmp_path):
    _, rows = export(school, tmp_path)
    # B: 10 days in September, two Fridays off: 16 of 20 sessions (the summer term is last year).
    b = rows[B]
    assert (b["sessions_possible"], b["sessions_absent"]) == ("20", "4")
    assert float(b["attendance_rate"]) == pytest.approx(80.0)
    assert (b["persistent_absence"], b["severe_absence"]) == ("true", "false")
    assert float(rows[A]["attendance_rate"]) == pytest.approx(95.0)
    assert rows[A]["persistent_absence"] == "false"


def test_without_enough_history_the_risk_comes_from_rules_and_says_so(school, tmp_path, capsys):
    _, rows = export(school, tmp_path)
    assert {row["risk_basis"] for row in rows.values()} == {"rules"}
    assert 0 <= float(rows[B]["risk_score"]) <= 1
    assert "risk_score from transparent rules" in capsys.readouterr().err
    assert main(["--db", str(school), "risk", "train", "--by", "tester"]) == 0
    assert "risk rules" in capsys.readouterr().out


def test_an_unknown_school_is_refused(school, tmp_path, capsys):
    assert (
        main(
            [
                "--db",
                str(school),
                "export",
                "targets",
                "--as-of",
                "2025-09-12",
                "--out",
                str(tmp_path / "x.csv"),
                "--school",
                "999999",
            ]
        )
        == 2
    )
    assert "no school 999999" in capsys.readouterr().err


@pytest.mark.slow
def test_the_demo_trusts_export(demo_db, tmp_path):
    out = tmp_path / "targets.csv"
    assert (
        main(
            [
                "--db",
                str(demo_db.path),
                "export",
                "targets",
                "--as-of",
                "2026-11-20",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert len(rows) > 2000
    assert {r["risk_basis"] for r in rows} == {"model"}
    met = [r for r in rows if r["penalty_threshold_met"] == "true"]
    assert met and all(r["penalty_threshold_date"] for r in met)
    assert all(
        r["penalty_threshold_date"] == "" for r in rows if r["penalty_threshold_met"] == "false"
    )
    persistent = [r for r in rows if r["persistent_absence"] == "true"]
    assert persistent and all(float(r["attendance_rate"]) <= 90 for r in persistent)
    assert all("persistent absence:" in r["reasons"] for r in persistent)


def test_the_penalty_threshold_is_met_at_the_first_possible_session_after_a_closure(tmp_path):
    # Ten G in the last week of July 2026; 1 September an INSET day (`#` for everyone), the first
    # real session 2 September: met on 2 September, AM, in the new academic year.
    db = str(tmp_path / "inset.duckdb")
    pupils = "upn,forename,surname,date_of_birth,year_group,admission_date\n"
    pupils += f"{A},Ann,Ames,2015-03-12,5,2025-09-01\n{B},Bob,Bell,2015-01-01,5,2025-09-01\n"
    (tmp_path / "pupils.csv").write_text(pupils)
    lines = ["upn,date,session,code"]
    for day in weekdays(date(2026, 6, 1), date(2026, 7, 24)) + weekdays(
        date(2026, 9, 1), date(2026, 9, 11)
    ):
        for session in ("AM", "PM"):
            inset = day == date(2026, 9, 1)
            away = day >= date(2026, 7, 20) and day.month == 7
            lines.append(f"{A},{day},{session},{'#' if inset else 'G' if away else '/'}")
            lines.append(f"{B},{day},{session},{'#' if inset else '/'}")
    (tmp_path / "marks.csv").write_text("\n".join(lines) + "\n")
    options = ["--school", str(URN)]
    assert main(["--db", db, "import", "pupils", str(tmp_path / "pupils.csv"), *options]) == 0
    assert main(["--db", db, "import", "marks", str(tmp_path / "marks.csv"), *options]) == 0
    out = tmp_path / "targets.csv"
    assert main(["--db", db, "export", "targets", "--as-of", "2026-09-11", "--out", str(out)]) == 0
    rows = {row["upn"]: row for row in csv.DictReader(out.read_text().splitlines())}
    assert rows[A]["penalty_threshold_date"] == "2026-09-02"
    assert "threshold met on Wed 02/09/2026 (AM)" in rows[A]["reasons"]
