"""`rollcall export stages`: the contract's header, one row per pupil on roll in a stage, a stage a
review, the moves of the year kept (and replaced when recomputed), a stages file refused with
its reason, and the demo trust's export."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest

from analytics.cli import main
from analytics.store import Database
from analytics.store import stages as stage_store
from tests.fixtures.ingest.builders import URN, upns

CONTRACT = "school_urn,upn,stage,stage_name,since,reason,previous_stage,review_due"
A, B, C, D = upns(4)
AS_OF = date(2025, 10, 17)  # the seventh Friday of the autumn term


def weekdays(first: date, last: date) -> list[date]:
    return [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() < 5
    ]


@pytest.fixture
def school(tmp_path):
    """A away without reason every Monday and Tuesday (`O`), B ill every Friday (`I`), C left
    after the first week, D present every session."""
    db = tmp_path / "t.duckdb"
    pupils = "upn,forename,surname,date_of_birth,year_group,admission_date,leaving_date,form\n"
    pupils += (
        f"{A},Ann,Ames,2015-03-12,5,2024-09-02,,5A\n{B},Bob,Bell,2015-01-01,5,2024-09-02,,5B\n"
        f"{C},Cy,Cole,2015-02-02,5,2024-09-02,2025-09-05,5A\n{D},Di,Dee,2015-02-02,5,2024-09-02,,5B\n"
    )
    (tmp_path / "pupils.csv").write_text(pupils)
    lines = ["upn,date,session,code"]
    for day in weekdays(date(2025, 9, 1), AS_OF):
        for session in ("AM", "PM"):
            lines.append(f"{A},{day},{session},{'O' if day.weekday() < 2 else '/'}")
            lines.append(f"{B},{day},{session},{'I' if day.weekday() == 4 else '/'}")
            lines.append(f"{D},{day},{session},/")
            if day <= date(2025, 9, 5):
                lines.append(f"{C},{day},{session},O")
    (tmp_path / "marks.csv").write_text("\n".join(lines) + "\n")
    options = ["--db", str(db)]
    assert (
        main(
            [
                *options,
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
    assert main([*options, "import", "marks", str(tmp_path / "marks.csv")]) == 0
    return db


def export(db, tmp_path, as_of: date = AS_OF, *extra: str) -> tuple[str, dict[str, dict]]:
    out = tmp_path / "stages.csv"
    arguments = ["--db", str(db), "export", "stages", "--as-of", as_of.isoformat()]
    assert main([*arguments, "--out", str(out), *extra]) == 0
    text = out.read_text()
    return text, {row["upn"]: row for row in csv.DictReader(text.splitlines())}


def test_the_header_starts_with_the_contract(school, tmp_path):
    text, _ = export(school, tmp_path)
    assert text.splitlines()[0].startswith(CONTRACT)


def test_one_row_per_pupil_on_roll_in_a_stage(school, tmp_path, capsys):
    _, rows = export(school, tmp_path)
    assert set(rows) == {A, B}  # C has left, D is in no stage
    a, b = rows[A], rows[B]
    # A: 60% from the first week: stage 1, then a stage a review; the threshold (10 G N O U
    # sessions in 10 school weeks) was met in the third week, stage 4 follows at the fourth.
    assert (a["stage"], a["stage_name"], a["previous_stage"]) == (
        "4",
        "Stage 4: Notice to Improve",
        "3",
    )
    assert a["since"] == "2025-09-26"
    assert "penalty-notice threshold: 16 G N O U sessions" in a["reason"]
    assert a["moves_this_year"] == "4"
    assert a["review_due"] == "2025-11-21"  # 8 weeks after 26 Sep
    # B: ill every Friday (80%, authorised): persistent, below 85%, never the penalty threshold.
    assert (b["stage"], b["since"]) == ("3", "2025-09-19")
    assert "attendance 80.0% over the last 10 school weeks (below 85%)" in b["reason"]
    assert "2 pupils on roll in a stage on 17 Oct 2025; 8 moves" in capsys.readouterr().out


def test_the_moves_of_the_year_are_kept_and_replaced_when_recomputed(school, tmp_path):
    export(school, tmp_path)
    kept = stage_store.stage_moves(Database(school), None, 2025)
    assert kept.height == 8  # A 4, B 3, C 1 (before leaving)
    assert set(kept["as_of"].to_list()) == {AS_OF}
    export(school, tmp_path, date(2025, 9, 12))
    again = stage_store.stage_moves(Database(school), None, 2025)
    assert again["date"].max() <= date(2025, 9, 12)
    assert again.height == 5  # A 2, B 2, C 1


def test_a_stages_file_with_a_mistake_is_refused(school, tmp_path, capsys):
    bad = tmp_path / "stages.toml"
    bad.write_text('[[stage]]\nkey = "one"\nname = "One"\n')
    out = tmp_path / "stages.csv"
    arguments = ["--db", str(school), "export", "stages", "--as-of", AS_OF.isoformat()]
    assert main([*arguments, "--out", str(out), "--stages", str(bad)]) == 2
    assert "stage 1: action is missing" in capsys.readouterr().err
    assert not out.exists()


def test_an_unknown_school_is_refused(school, tmp_path, capsys):
    out = tmp_path / "stages.csv"
    arguments = ["--db", str(school), "export", "stages", "--as-of", AS_OF.isoformat()]
    assert main([*arguments, "--out", str(out), "--school", "999999"]) == 2
    assert "no school 999999" in capsys.readouterr().err


@pytest.mark.slow
def test_the_demo_trusts_export(demo_db, tmp_path):
    import shutil

    copy = tmp_path / "demo.duckdb"
    shutil.copy(demo_db.path, copy)
    _, by_upn = export(copy, tmp_path, date(2026, 11, 20))
    rows = list(by_upn.values())
    assert len(rows) > 100
    assert {r["stage"] for r in rows} == {"1", "2", "3", "4"}
    assert all(r["reason"].startswith(("up: ", "down: ")) for r in rows)
    assert all(abs(int(r["previous_stage"]) - int(r["stage"])) == 1 for r in rows)


def test_the_moves_shown_are_those_of_pupils_on_roll_by_year_group(school):
    from analytics.reports.coordinator.stages import moves_with_pupils, stage_report

    report = stage_report(Database(school), AS_OF)
    shown = moves_with_pupils(report)
    assert set(shown["upn"]) == {A, B}  # C left: their move is kept, not shown
    assert shown.height == 7
    assert shown["date"].to_list() == sorted(shown["date"].to_list(), reverse=True)
    assert report.pupils.height == 3  # A, B, D on roll
    none = report.in_year_groups(["3"])
    assert none.current.is_empty() and none.moves.is_empty()
    assert none.counts()["pupils"].to_list() == [0, 0, 0, 0]
    assert report.in_year_groups(["5"]).counts()["pupils"].to_list() == [0, 0, 1, 1]
