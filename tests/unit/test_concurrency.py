"""Concurrency and crashes, with real processes: readers never see half an import, imports queue
rather than fail, and an import killed with SIGKILL leaves the database as it was."""

from __future__ import annotations

import multiprocessing
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from analytics.ingest import import_bytes
from analytics.store import Database, read
from tests.conftest import TEST_TODAY
from tests.fixtures import workers
from tests.fixtures.ingest.builders import URN, everything, marks_csv, pupils_csv, upns

SPAWN = multiprocessing.get_context("spawn")
PUPILS = upns(1_000)
WEEKDAYS = [d for d in (date(2024, 9, 2) + timedelta(n) for n in range(600)) if d.weekday() < 5]


def base(tmp_path: Path, pupils: list[str] = PUPILS) -> Database:
    db = Database(tmp_path / "rollcall.duckdb", key=None)
    options = {"today": TEST_TODAY, "as_of": TEST_TODAY}
    import_bytes(db, "pupils", "pupils.csv", pupils_csv(pupils).encode(), school_urn=URN, **options)
    import_bytes(
        db,
        "marks",
        "first.csv",
        marks_csv([(u, WEEKDAYS[0], "AM", "/") for u in pupils]).encode(),
        **options,
    )
    return db


def day_files(
    tmp_path: Path, days: list[date], pupils: list[str] = PUPILS, name: str = "day"
) -> list[str]:
    """One marks file per day: every pupil, both sessions."""
    files = []
    for day in days:
        path = tmp_path / f"{name}-{day.isoformat()}.csv"
        path.write_text(
            marks_csv(
                [
                    (u, day, s, "/" if n % 7 else "N")
                    for n, u in enumerate(pupils)
                    for s in ("AM", "PM")
                ]
            )
        )
        files.append(str(path))
    return files


def drain(queue) -> list:
    items = []
    while True:
        try:
            items.append(queue.get(timeout=0.5))
        except Exception:  # noqa: BLE001 - queue.Empty, from another module
            return items


def test_readers_never_see_half_an_import_and_imports_queue_rather_than_fail(tmp_path):
    db = base(tmp_path)
    marks0, imports0, audited0 = len(PUPILS), read.imports(db).height, 2
    per_file = 2 * len(PUPILS)
    first = day_files(tmp_path, WEEKDAYS[1:5], name="a")
    second = day_files(tmp_path, WEEKDAYS[5:9], name="b")
    stop = tmp_path / "stop"
    observations, results = SPAWN.Queue(), SPAWN.Queue()
    readers = [
        SPAWN.Process(target=workers.read_until, args=(str(db.path), str(stop), observations))
        for _ in range(3)
    ]
    importers = [
        SPAWN.Process(target=workers.import_files, args=(str(db.path), files, results))
        for files in (first, second)
    ]
    for process in readers:
        process.start()
    seen = [observations.get(timeout=60)]  # the readers are busy before the imports start
    for process in importers:
        process.start()
    for process in importers:
        process.join(120)
    time.sleep(0.5)
    stop.touch()
    for process in readers:
        process.join(60)
    seen += drain(observations)
    imported = drain(results)

    # Both importers, running at once against busy readers, imported every file.
    assert sorted(name for name, _, _ in imported) == sorted(Path(f).name for f in first + second)
    assert [error for _, _, error in imported if error] == []
    assert all(new == per_file for _, new, _ in imported)
    # Every state any reader saw was a whole number of imports, never part of one.
    errors = [item for kind, item in seen if kind == "error"]
    assert errors == []
    states = {item for kind, item in seen if kind == "state"}
    assert len(seen) > 20
    for marks, imports, audited in states:
        done = imports - imports0
        assert (
            0 <= done <= 8 and marks == marks0 + done * per_file and audited == audited0 + done
        ), (marks, imports)
    assert (marks0 + 8 * per_file, imports0 + 8, audited0 + 8) in states  # the end was seen
    assert len(states) >= 3, sorted(states)  # and states in between


def test_an_import_killed_before_its_commit_leaves_the_database_as_it_was(tmp_path):
    db = base(tmp_path)
    before = everything(db)
    (big,) = day_files(tmp_path, WEEKDAYS[1:2])
    halfway = tmp_path / "halfway"
    process = SPAWN.Process(
        target=workers.import_and_hang_before_commit, args=(str(db.path), big, str(halfway))
    )
    process.start()
    deadline = time.monotonic() + 120
    while not halfway.exists():
        assert time.monotonic() < deadline and process.is_alive(), (
            "the import never reached its commit"
        )
        time.sleep(0.05)
    process.kill()  # SIGKILL: no clean-up, no rollback, the lock dropped by the kernel
    process.join(30)
    assert process.exitcode == -9
    assert everything(db) == before
    # and the database still works: the same file imports whole afterwards
    result = import_bytes(db, "marks", "again.csv", Path(big).read_bytes(), today=TEST_TODAY)
    assert result.counts.new == 2 * len(PUPILS)


@pytest.mark.slow
def test_an_import_killed_at_any_moment_leaves_it_as_it_was_or_whole(tmp_path):
    """SIGKILL at moments spread over a large import (reading, merging, committing, checkpointing):
    afterwards the database opens and holds either nothing of the file or all of it."""
    pupils = upns(1_500)
    db = base(tmp_path, pupils)
    first, *files = day_files(tmp_path, WEEKDAYS[1:8], pupils)
    # How long one import takes in a process of its own, from its start to its end.
    timing = tmp_path / "timing"
    process = SPAWN.Process(target=workers.import_one, args=(str(db.path), first, str(timing)))
    process.start()
    process.join(120)
    seconds = Path(f"{timing}.done").stat().st_mtime - timing.stat().st_mtime
    # Kills spread over the import's run, and one well after it, at fractions of its length.
    moments = (0.15, 0.4, 0.65, 0.9, 1.05, 3.0)
    outcomes = []
    for n, (file, moment) in enumerate(zip(files, moments, strict=True)):
        before = everything(db)
        began = tmp_path / f"began-{n}"
        process = SPAWN.Process(target=workers.import_one, args=(str(db.path), file, str(began)))
        process.start()
        while not began.exists():
            time.sleep(0.01)
        time.sleep(moment * seconds)
        process.kill()
        process.join(30)
        after = everything(db)
        whole = len(after["marks"]) == len(before["marks"]) + 2 * len(pupils)
        assert after == before or (whole and len(after["imports"]) == len(before["imports"]) + 1), (
            file
        )
        outcomes.append("whole" if whole else "as it was")
    assert (
        "as it was" in outcomes
    )  # kills landed mid-import (and any after the commit found it whole)


def test_a_command_that_cannot_get_the_database_in_time_says_so_and_changes_nothing(
    tmp_path, monkeypatch, capsys
):
    from analytics.cli import main

    db = base(tmp_path, PUPILS[:10])
    before = everything(db)
    (file,) = day_files(tmp_path, WEEKDAYS[1:2], PUPILS[:10])
    monkeypatch.setenv("ROLLCALL_LOCK_TIMEOUT", "1")
    ready = SPAWN.Event()
    holder = SPAWN.Process(target=workers.hold, args=(str(db.path), 6, ready))
    holder.start()
    assert ready.wait(60)
    assert main(["import", "marks", file, "--db", str(db.path)]) == 2
    assert "is in use by another process" in capsys.readouterr().err
    holder.join(30)
    assert everything(db) == before
    assert not Path(f"{db.path}.lock").read_bytes()  # the writer's notice is a lock, never content
