"""Encryption at rest: an encrypted database holds no readable pupil data and opens only with its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.ingest import import_bytes
from analytics.store import Database, DatabaseKeyError, read
from analytics.store.files import spill_folder
from tests.conftest import TEST_TODAY
from tests.fixtures.ingest.builders import URN, marks_csv, pupils_csv, snapshot, upns

KEY = "correct horse battery staple 'quoted' ünïcode"
PUPILS = upns(20)


def fill(db: Database) -> None:
    options = {"today": TEST_TODAY, "as_of": TEST_TODAY}
    import_bytes(
        db,
        "pupils",
        "pupils.csv",
        pupils_csv(PUPILS).encode(),
        school_urn=URN,
        school_name="Oak Academy",
        **options,
    )
    import_bytes(
        db,
        "marks",
        "marks.csv",
        marks_csv([(u, "2025-09-01", "AM", "/") for u in PUPILS]).encode(),
        **options,
    )


@pytest.fixture
def encrypted(tmp_path: Path) -> Database:
    db = Database(tmp_path / "secret.duckdb", key=KEY)
    fill(db)
    return db


def test_an_encrypted_file_holds_no_readable_pupil_data(encrypted: Database, tmp_path: Path):
    data = encrypted.path.read_bytes()
    for secret in (b"Forename1", b"Surname1", PUPILS[0].encode(), b"Oak Academy"):
        assert secret not in data
    plain = Database(tmp_path / "plain.duckdb", key=None)
    fill(plain)
    assert b"Oak Academy" in plain.path.read_bytes()  # the check above can fail


def test_with_its_key_it_reads_like_any_other(encrypted: Database):
    again = Database(encrypted.path, key=KEY)
    assert read.schools(again)["name"].to_list() == ["Oak Academy"]
    assert read.marks(again).height == len(PUPILS)


@pytest.mark.parametrize(
    ("key", "message"),
    [(None, "is encrypted: set ROLLCALL_DB_KEY"), ("wrong", "the encryption key is wrong")],
)
def test_without_its_key_or_with_another_it_does_not_open(encrypted: Database, key, message):
    with pytest.raises(DatabaseKeyError, match=message):
        read.schools(Database(encrypted.path, key=key))


def test_a_key_for_a_plain_file_is_refused_not_ignored(tmp_path: Path):
    plain = Database(tmp_path / "plain.duckdb", key=None)
    fill(plain)
    with pytest.raises(DatabaseKeyError, match="not encrypted but a key is set"):
        read.schools(Database(plain.path, key=KEY))


def test_the_key_comes_from_the_environment(encrypted: Database, monkeypatch):
    monkeypatch.setenv("ROLLCALL_DB_KEY", KEY)
    assert Database(encrypted.path).key == KEY
    assert read.schools(Database(encrypted.path)).height == 1


def test_the_key_comes_from_the_secrets_file(encrypted: Database, monkeypatch, tmp_path: Path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "ROLLCALL_DB_KEY = \"correct horse battery staple 'quoted' ünïcode\"\n", "utf-8"
    )
    monkeypatch.delenv("ROLLCALL_DB_KEY", raising=False)
    monkeypatch.setenv("ROLLCALL_SECRETS", str(secrets))
    assert read.schools(Database(encrypted.path)).height == 1


def test_the_key_never_appears_in_the_databases_repr(encrypted: Database):
    assert KEY not in repr(encrypted) and "encrypted" in repr(encrypted)


def test_a_copy_under_another_key_holds_exactly_the_same_rows(encrypted: Database, tmp_path: Path):
    target = tmp_path / "copy.duckdb"
    encrypted.copy_to(target, "another key")
    copy = Database(target, key="another key")
    assert snapshot(copy) == snapshot(encrypted)
    assert copy.data_version() == encrypted.data_version()  # same store, same data
    with pytest.raises(FileExistsError):
        encrypted.copy_to(target, "another key")


def test_a_plain_database_copied_with_a_key_is_encrypted(tmp_path: Path):
    plain = Database(tmp_path / "plain.duckdb", key=None)
    fill(plain)
    plain.copy_to(tmp_path / "enc.duckdb", KEY)
    assert b"Oak Academy" not in (tmp_path / "enc.duckdb").read_bytes()
    assert snapshot(Database(tmp_path / "enc.duckdb", key=KEY)) == snapshot(plain)


def test_imports_keep_working_on_an_encrypted_database(encrypted: Database):
    result = import_bytes(
        encrypted,
        "marks",
        "more.csv",
        marks_csv([(u, "2025-09-02", "AM", "N") for u in PUPILS]).encode(),
        today=TEST_TODAY,
    )
    assert result.counts.new == len(PUPILS)
    assert read.marks(Database(encrypted.path, key=KEY)).height == 2 * len(PUPILS)


def spilled_bytes(db: Database, marker: str) -> bytes:
    """Make DuckDB spill a temporary table of `marker` rows to disk (its memory limit set far
    below the table's size) and return every byte of its temporary files while they exist."""
    with db.connect() as con:
        con.execute("SET memory_limit = '40MB'")
        con.execute("SET preserve_insertion_order = false")
        con.execute(
            "CREATE TEMP TABLE spill AS SELECT ? || range::VARCHAR || repeat('x', 40) AS upn "
            "FROM range(1500000)",
            [marker],
        )
        folder = spill_folder(db.path, db.encrypted)
        found = b"".join(f.read_bytes() for f in folder.rglob("*") if f.is_file())
        con.execute("DROP TABLE spill")
    return found


def test_what_duckdb_spills_to_disk_is_encrypted_with_the_database(encrypted: Database, tmp_path):
    marker = PUPILS[0]
    spilled = spilled_bytes(encrypted, marker)
    assert len(spilled) > 1_000_000, "nothing was spilled: the test proves nothing"
    assert marker.encode() not in spilled
    plain = Database(tmp_path / "plain.duckdb", key=None)
    fill(plain)
    assert marker.encode() in spilled_bytes(plain, marker)  # the check above can fail


def test_the_database_its_spill_folder_and_backups_are_for_their_owner_only(
    encrypted: Database, tmp_path
):
    encrypted.copy_to(tmp_path / "copy.duckdb", KEY)
    for path in (encrypted.path, tmp_path / "copy.duckdb"):
        assert path.stat().st_mode & 0o777 == 0o600, path
    plain = Database(tmp_path / "plain.duckdb", key=None)
    fill(plain)
    assert plain.path.stat().st_mode & 0o777 == 0o600
    for encrypted_too in (True, False):
        assert spill_folder(plain.path, encrypted_too).stat().st_mode & 0o777 == 0o700
