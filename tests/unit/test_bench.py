"""`rollcall bench`: the fast generator at a tiny size, and the command end to end."""

from __future__ import annotations

import hashlib

import polars as pl
import pytest

from analytics.bench.generate import SIZES, generate, plan_schools, school_days
from analytics.cli import main
from analytics.domain.upn import upn_problem
from analytics.ingest import import_file
from analytics.store import Database, database, maintenance, read
from tests.conftest import AGREE

XS = SIZES["XS"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return generate(XS, tmp_path_factory.mktemp("xs"), seed=7)


def test_sizes_match_the_issue():
    assert (SIZES["S"].schools, SIZES["S"].pupils, len(SIZES["S"].years)) == (1, 1200, 1)
    assert (SIZES["M"].schools, SIZES["M"].pupils, len(SIZES["M"].years)) == (20, 20_000, 3)
    assert 22e6 < SIZES["M"].expected_marks < 24e6
    assert SIZES["L"].pupils == 100_000 and len(SIZES["L"].years) == 1
    assert 37e6 < SIZES["L"].expected_marks < 39e6


def test_the_same_seed_gives_the_same_files(files, tmp_path):
    again = generate(XS, tmp_path, seed=7)
    digest = lambda fs: [hashlib.sha256(f.path.read_bytes()).hexdigest() for f in fs]
    assert digest(again) == digest(files)
    assert [f.path.name for f in files] == [f.path.name for f in again]


def test_files_look_like_a_schools_exports(files):
    kinds = [f.kind for f in files]
    assert kinds == ["pupils", "marks", "marks"] * XS.schools  # roll, register, corrections
    days = set(school_days(XS.years[0]))
    assert 185 <= len(days) <= 195 and all(d.weekday() < 5 for d in days)
    pupils = pl.read_csv(files[0].path, try_parse_dates=True)
    marks = pl.read_csv(
        files[1].path, try_parse_dates=True, schema_overrides={"minutes_late": pl.Int64}
    )
    assert all(upn_problem(u) is None for u in pupils["upn"])
    assert set(marks["date"].unique()) <= days
    assert marks.select("upn", "date", "session").is_duplicated().sum() == 0
    assert set(marks["upn"].unique()) <= set(pupils["upn"])
    # Marks fall inside each pupil's time on roll.
    on_roll = marks.join(pupils.select("upn", "admission_date", "leaving_date"), on="upn")
    assert on_roll.filter(
        (pl.col("date") < pl.col("admission_date")) | (pl.col("date") > pl.col("leaving_date"))
    ).is_empty()
    assert (
        pupils["leaving_date"].drop_nulls().len() > 0
    )  # leavers during the year, and the top year
    absence = marks.filter(~pl.col("code").is_in(["/", "\\", "L", "V"])).height / marks.height
    assert 0.03 < absence < 0.15
    corrections = pl.read_csv(files[2].path, try_parse_dates=True)
    corrected = corrections.join(marks, on=["upn", "date", "session"], suffix="_first")
    assert corrected.height == corrections.height and set(corrected["code_first"]) == {"N"}


def test_the_files_import_cleanly_and_totals_agree(files, tmp_path):
    db = Database(tmp_path / "xs.duckdb")
    with db.held():
        for f in files:
            import_file(
                db,
                f.kind,
                f.path,
                school_urn=f.school.urn,
                as_of=f.as_of,
                today=XS.today,
                school_name=f.school.name,
                phase=f.school.phase,
            )
    assert read.schools(db).height == len(plan_schools(XS))
    assert maintenance.check(db) == AGREE
    with db.connect() as con:
        assert con.execute("SELECT count(*) FROM marks").fetchone()[0] == sum(
            f.rows for f in files if f.path.name.endswith("_marks.csv")
        )


@pytest.mark.slow
def test_the_bench_command_runs_at_a_tiny_size(tmp_path, capsys, monkeypatch):
    # The bench keeps files open when idle, as the app does: not for the tests after this one
    # (a file of theirs left open would keep another process out).
    monkeypatch.setattr(database, "_linger_seconds", database._linger_seconds)
    table = tmp_path / "results.md"
    assert (
        main(["bench", "--size", "XS", "--keep", str(tmp_path / "work"), "--markdown", str(table)])
        == 0
    )
    text = table.read_text()
    for step in (
        "import from CSV",
        "per-enrolment year summary (SQL floor)",
        "cohort table (pandas)",
        "weekly series",
        "targets lists",
        "risk scoring",
        "overview page: whole trust, year to date, cold",
        "import page: import log, warm",
        "the morning import: a day's registers for every school",
    ):
        assert step in text
    assert "give the same figures" in text and "DIFFERENT" not in text
    assert (tmp_path / "work" / "bench.duckdb").exists()
