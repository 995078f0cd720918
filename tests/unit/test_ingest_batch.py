"""Importing several files in one go: the same result as one by one, each file whole or not at
all, and the next file read while one is merged."""

from __future__ import annotations

from datetime import datetime

import pytest

from analytics.ingest import ImportJob, ImportRefused, import_file, import_files
from analytics.store import Database
from tests.conftest import TEST_TODAY
from tests.fixtures.ingest.builders import URN, marks_csv, pupils_csv, snapshot, upns

PUPILS = upns(3)
OPTIONS = {"school_urn": URN, "today": TEST_TODAY, "as_of": TEST_TODAY}


def files(folder) -> list[ImportJob]:
    written = {
        "pupils.csv": pupils_csv(PUPILS),
        "week1.csv": marks_csv(
            [(u, f"2025-09-0{d}", s, "/") for u in PUPILS for d in (1, 2, 3) for s in ("AM", "PM")]
        ),
        "week1-fixes.csv": marks_csv([(PUPILS[0], "2025-09-02", "AM", "I")]),
        "behaviour.csv": "upn,date,type,category\n"
        + f"{PUPILS[1]},2025-09-02,negative,Disruption\n",
    }
    for name, text in written.items():
        (folder / name).write_text(text)
    kinds = {"pupils.csv": "pupils", "behaviour.csv": "behaviour"}
    return [ImportJob(kinds.get(name, "marks"), folder / name, OPTIONS) for name in written]


def without_times(tables: dict) -> dict:
    """The tables without the import log's times (`imported_at`)."""
    return {
        table: [
            tuple(v for v in row if not isinstance(v, datetime)) if table == "imports" else row
            for row in rows
        ]
        for table, rows in tables.items()
    }


def test_a_batch_gives_what_importing_one_by_one_gives(tmp_path):
    jobs = files(tmp_path)
    one_by_one, batch = Database(tmp_path / "a.duckdb"), Database(tmp_path / "b.duckdb")
    expected = [
        import_file(one_by_one, job.kind, job.path, **job.options).summary() for job in jobs
    ]
    assert [result.summary() for result in import_files(batch, jobs)] == expected
    assert without_times(snapshot(batch)) == without_times(snapshot(one_by_one))


def test_a_refused_file_stops_the_batch_and_keeps_the_files_before_it(tmp_path):
    jobs = files(tmp_path)
    (tmp_path / "bad.csv").write_text("upn,date,session,code\nNOT-A-UPN,2025-09-04,AM,/\n")
    jobs.insert(2, ImportJob("marks", tmp_path / "bad.csv", OPTIONS))
    db = Database(tmp_path / "c.duckdb")
    done = []
    with pytest.raises(ImportRefused, match="bad.csv"):
        for result in import_files(db, jobs):
            done.append(result.file_name)
    assert done == ["pupils.csv", "week1.csv"]
    assert len(snapshot(db)["marks"]) == 18


def test_a_missing_file_is_refused_in_its_turn(tmp_path):
    jobs = files(tmp_path)[:2] + [ImportJob("marks", tmp_path / "missing.csv", OPTIONS)]
    db = Database(tmp_path / "d.duckdb")
    with pytest.raises(ImportRefused, match="could not be read"):
        list(import_files(db, jobs))
    assert len(snapshot(db)["marks"]) == 18
