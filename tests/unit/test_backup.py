"""`rollcall backup`, `restore` and `encrypt`: encrypted copies, and nothing lost when one fails."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from analytics.cli import main
from analytics.store import Database, DatabaseKeyError, audit, read
from tests.fixtures import workers
from tests.fixtures.ingest.builders import marks_csv, pupils_csv, snapshot, upns

SPAWN = multiprocessing.get_context("spawn")

KEY = "backup key for tests"


@pytest.fixture
def filled(db, load, monkeypatch) -> Database:
    monkeypatch.delenv("ROLLCALL_DB_KEY", raising=False)
    monkeypatch.delenv("ROLLCALL_BACKUP_KEY", raising=False)
    monkeypatch.setenv("ROLLCALL_SECRETS", str(db.path.with_name("no-secrets.toml")))
    load("pupils", pupils_csv(upns(5)), school_urn=100001, school_name="Oak Academy")
    load("marks", marks_csv([(u, "2025-09-01", "AM", "/") for u in upns(5)]))
    return db


def test_a_backup_needs_a_key(filled, tmp_path, capsys):
    assert main(["backup", str(tmp_path / "b.duckdb"), "--db", str(filled.path)]) == 2
    assert "backups are always encrypted" in capsys.readouterr().err
    assert not (tmp_path / "b.duckdb").exists()


def test_backup_and_restore_round_trip_encrypted(filled, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ROLLCALL_BACKUP_KEY", KEY)
    out = tmp_path / "backup.duckdb"
    assert main(["backup", str(out), "--db", str(filled.path)]) == 0
    assert b"Oak Academy" not in out.read_bytes() and b"Forename1" not in out.read_bytes()
    with pytest.raises(DatabaseKeyError):
        read.schools(Database(out, key=None))
    restored = tmp_path / "restored.duckdb"
    assert main(["restore", str(out), "--db", str(restored)]) == 0
    assert snapshot(Database(restored, key=None)) == snapshot(filled)
    assert audit.read_log(filled, actions=("backup",)).height == 1
    assert audit.read_log(Database(restored, key=None), actions=("restore",)).height == 1
    assert "not encrypted" in capsys.readouterr().out


def test_a_restore_into_an_encrypted_database_keeps_it_encrypted(filled, tmp_path, monkeypatch):
    monkeypatch.setenv("ROLLCALL_BACKUP_KEY", KEY)
    out = tmp_path / "backup.duckdb"
    assert main(["backup", str(out), "--db", str(filled.path)]) == 0
    monkeypatch.setenv("ROLLCALL_DB_KEY", "the live key")
    restored = tmp_path / "live.duckdb"
    assert main(["restore", str(out), "--db", str(restored)]) == 0
    assert b"Oak Academy" not in restored.read_bytes()
    assert snapshot(Database(restored, key="the live key")) == snapshot(filled)


def test_a_restore_over_a_database_needs_force_and_replaces_it_whole(
    filled, tmp_path, monkeypatch, load
):
    monkeypatch.setenv("ROLLCALL_BACKUP_KEY", KEY)
    out = tmp_path / "backup.duckdb"
    assert main(["backup", str(out), "--db", str(filled.path)]) == 0
    before = snapshot(filled)
    load("marks", marks_csv([(u, "2025-09-02", "AM", "N") for u in upns(5)]), file_name="later.csv")
    assert main(["restore", str(out), "--db", str(filled.path)]) == 2
    assert snapshot(filled) != before  # refused: the later marks are still there
    assert main(["restore", str(out), "--db", str(filled.path), "--force"]) == 0
    assert snapshot(Database(filled.path, key=None)) == before


@pytest.mark.parametrize("problem", ["wrong key", "not a backup"])
def test_a_failed_restore_changes_nothing(filled, tmp_path, monkeypatch, capsys, problem):
    monkeypatch.setenv("ROLLCALL_BACKUP_KEY", KEY)
    out = tmp_path / "backup.duckdb"
    if problem == "wrong key":
        assert main(["backup", str(out), "--db", str(filled.path)]) == 0
        monkeypatch.setenv("ROLLCALL_BACKUP_KEY", "another key")
    else:
        out.write_bytes(b"this is not a database" * 1000)
    before = snapshot(filled)
    assert main(["restore", str(out), "--db", str(filled.path), "--force"]) == 2
    assert "nothing was changed" in capsys.readouterr().err
    assert snapshot(filled) == before
    assert not any(p.name.endswith(".partial") for p in tmp_path.rglob("*"))


def test_encrypt_a_plain_database_in_place(filled, monkeypatch, capsys):
    before = snapshot(filled)
    assert main(["encrypt", "--db", str(filled.path)]) == 2  # no key set
    monkeypatch.setenv("ROLLCALL_DB_KEY", KEY)
    assert main(["encrypt", "--db", str(filled.path)]) == 0
    assert b"Oak Academy" not in filled.path.read_bytes()
    assert snapshot(Database(filled.path, key=KEY)) == before
    with pytest.raises(DatabaseKeyError):
        read.schools(Database(filled.path, key=None))
    assert main(["encrypt", "--db", str(filled.path)]) == 2
    assert "already encrypted" in capsys.readouterr().err


def test_the_command_line_works_end_to_end_on_an_encrypted_database(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ROLLCALL_DB_KEY", KEY)
    db = tmp_path / "enc.duckdb"
    pupils = tmp_path / "pupils.csv"
    pupils.write_text(pupils_csv(upns(3)))
    assert (
        main(
            [
                "import",
                "pupils",
                str(pupils),
                "--school",
                "100001",
                "--db",
                str(db),
                "--as-of",
                "2025-10-01",
            ]
        )
        == 0
    )
    marks = tmp_path / "marks.csv"
    marks.write_text(marks_csv([(u, "2025-09-01", "AM", "/") for u in upns(3)]))
    assert main(["import", "marks", str(marks), "--db", str(db)]) == 0
    out = tmp_path / "summary.csv"
    assert (
        main(
            [
                "export",
                "summary",
                "--from",
                "2025-09-01",
                "--to",
                "2025-09-30",
                "--out",
                str(out),
                "--db",
                str(db),
            ]
        )
        == 0
    )
    assert out.read_text().count("\n") == 4
    assert b"Forename1" not in db.read_bytes()
    monkeypatch.delenv("ROLLCALL_DB_KEY")
    assert (
        main(
            [
                "export",
                "summary",
                "--from",
                "2025-09-01",
                "--to",
                "2025-09-30",
                "--out",
                str(out),
                "--db",
                str(db),
            ]
        )
        == 2
    )
    assert "is encrypted: set ROLLCALL_DB_KEY" in capsys.readouterr().err


def test_an_import_while_encrypt_runs_is_never_lost(filled, tmp_path, monkeypatch, capsys):
    """`rollcall encrypt` holds the file from before it reads it to after the encrypted copy
    replaces it: an import that comes in between waits, then finds the file encrypted (and
    says so), instead of landing in the plain file just before it is replaced (issue 11)."""
    marks = tmp_path / "more.csv"
    marks.write_text(marks_csv([(u, "2025-09-02", "AM", "/") for u in upns(5)]))
    copied = tmp_path / "copied"
    copy_to = Database.copy_to

    def copy_then_linger(self, target, key):
        copy_to(self, target, key)
        copied.touch()  # the importer starts now, while the copy waits to replace the file
        time.sleep(2)

    monkeypatch.setattr(Database, "copy_to", copy_then_linger)
    results = SPAWN.Queue()
    importer = SPAWN.Process(
        target=workers.import_when, args=(str(filled.path), str(marks), str(copied), results)
    )
    importer.start()
    monkeypatch.setenv("ROLLCALL_DB_KEY", KEY)
    assert main(["encrypt", "--db", str(filled.path)]) == 0
    importer.join(60)
    _, new, error = results.get(timeout=10)
    assert (new, error and "is encrypted" in error) == (None, True)
    assert read.marks(Database(filled.path, key=KEY)).height == 5
