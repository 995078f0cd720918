"""The store: migrations, the code table copy, data versions, missing files and locks."""

import multiprocessing
import time

import duckdb
import pytest

from analytics.domain.codes import code_table
from analytics.store import Database, DatabaseMissing, read
from analytics.store.database import migrations


def test_migrations_are_numbered_and_applied_once(db):
    versions = [version for version, _, _ in migrations()]
    assert versions == sorted(set(versions)) and versions[0] == 1
    db.migrate()
    assert db.schema_version() == versions[-1]
    again = Database(db.path)
    again.migrate()  # nothing to do, no error
    with again.connect() as con:
        assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(versions)


def test_the_code_table_in_the_store_is_the_domain_table(db):
    db.migrate()
    assert read.codes(db).equals(code_table().sort("code", "valid_from"))


def test_reading_a_missing_database_says_so(tmp_path):
    with pytest.raises(DatabaseMissing, match="rollcall demo"):
        read.schools(Database(tmp_path / "nothing.duckdb"))
    assert not (tmp_path / "nothing.duckdb").exists()


def test_data_version_changes_when_the_data_does(db, load):
    db.migrate()
    before = db.data_version()
    load(
        "pupils",
        "upn,forename,surname,date_of_birth,year_group,admission_date\nB801200005001,A,B,2015-01-01,5,2025-09-01\n",
        school_urn=100001,
    )
    assert db.data_version() != before


def test_a_failed_transaction_leaves_nothing(db):
    db.migrate()
    with pytest.raises(RuntimeError):
        with db.transaction() as con:
            con.execute("INSERT INTO schools VALUES (1, 'x', 'primary', NULL, NULL)")
            raise RuntimeError("boom")
    assert read.schools(db).is_empty()


def _hold_lock(path: str, seconds: float, ready) -> None:
    con = duckdb.connect(path)
    ready.set()
    time.sleep(seconds)
    con.close()


def test_a_writer_waits_for_another_process_to_release_the_file(db, monkeypatch):
    db.migrate()
    ready = multiprocessing.get_context("spawn").Event()
    holder = multiprocessing.get_context("spawn").Process(
        target=_hold_lock, args=(str(db.path), 1.5, ready)
    )
    holder.start()
    ready.wait(30)
    started = time.monotonic()
    with db.transaction() as con:
        con.execute("INSERT INTO schools VALUES (1, 'x', 'primary', NULL, NULL)")
    holder.join()
    assert time.monotonic() - started > 0.5
    assert read.schools(db).height == 1
