"""Store features for size: held connections, the compact schema, migrating a store that already
holds marks, optimising its order, and the `rollcall store` commands."""

from __future__ import annotations

import multiprocessing
import re
import threading
import time
from datetime import date

import duckdb
import polars as pl
import pytest

from analytics.cli import main
from analytics.domain.codes import code_table
from analytics.pipelines.windows import Window
from analytics.reports.analysis.overview import overview_figures
from analytics.store import Database, maintenance, read
from analytics.store import database
from analytics.store.database import migrations
from tests.fixtures import workers
from tests.conftest import AGREE

SPAWN = multiprocessing.get_context("spawn")

PUPILS = "upn,forename,surname,date_of_birth,year_group,admission_date\nB801200005001,Ann,Ames,2015-03-12,5,2024-09-02\n"
MARKS = "upn,date,session,code,minutes_late\nB801200005001,2025-09-03,AM,L,12\nB801200005001,2025-09-03,PM,\\,\n"


def count_opens(monkeypatch) -> list[int]:
    """A list that gets the opening thread's id each time the file is opened."""
    opened = []
    original = Database._open
    monkeypatch.setattr(
        Database,
        "_open",
        lambda self, **options: opened.append(threading.get_ident()) or original(self, **options),
    )
    return opened


def test_a_held_file_is_opened_once_for_many_units_of_work(db, load, monkeypatch):
    load("pupils", PUPILS, school_urn=100001)
    opened = count_opens(monkeypatch)
    with db.held():
        for _ in range(5):
            read.schools(db)
            read.schools(Database(db.path))  # another object for the same file shares it
        with db.transaction() as con:
            con.execute("UPDATE schools SET name = 'Renamed'")
        assert read.schools(db)["name"].to_list() == ["Renamed"]
    assert len(opened) == 1
    read.schools(db)
    assert len(opened) == 2  # let go when the block ended


def test_a_held_file_is_let_go_when_the_block_ends_and_on_error(db, load, monkeypatch):
    load("pupils", PUPILS, school_urn=100001)
    opened = count_opens(monkeypatch)
    with db.held():
        read.schools(db)
        read.schools(db)
    assert len(opened) == 1
    with pytest.raises(RuntimeError), db.held(), db.transaction() as con:
        con.execute("UPDATE schools SET name = 'Lost'")
        raise RuntimeError("boom")
    assert read.schools(db)["name"].to_list() != ["Lost"]
    duckdb.connect(str(db.path)).close()  # nobody holds the file any more


def test_threads_share_the_open_file_each_on_a_cursor_of_its_own(db, load, monkeypatch):
    load("pupils", PUPILS, school_urn=100001)
    opened = count_opens(monkeypatch)
    seen = []
    with db.held():
        read.schools(db)
        worker = threading.Thread(target=lambda: seen.append(read.schools(Database(db.path))))
        worker.start()
        worker.join()
    assert len(opened) == 1 and seen[0].height == 1


def test_one_threads_long_read_does_not_hold_up_another_threads_reads(db, load):
    """The app's sessions are threads: a slow page for one user must not stall the others."""
    load("pupils", PUPILS, school_urn=100001)
    started, finished = threading.Event(), []

    def slow() -> None:
        with db.connect() as con:
            started.set()
            con.execute(
                "SELECT count(*) FROM range(400000000) a WHERE hash(a.range) % 7 = 0"
            ).fetchone()
        finished.append("slow")

    worker = threading.Thread(target=slow)
    worker.start()
    started.wait(10)
    for _ in range(20):
        read.schools(db)
    finished.append("quick")
    worker.join()
    assert finished == ["quick", "slow"]


def test_a_held_file_is_let_go_for_another_process_and_taken_back(db, load, tmp_path):
    load("pupils", PUPILS, school_urn=100001)
    done = tmp_path / "renamed"
    with db.held():
        read.schools(db)
        other = SPAWN.Process(
            target=workers.rename_schools, args=(str(db.path), "Other", str(done))
        )
        other.start()
        deadline = time.monotonic() + 60
        while not done.exists():  # each read is a boundary at which the waiting process gets in
            assert time.monotonic() < deadline, "the other process never got the file"
            read.schools(db)
            time.sleep(0.05)
        other.join(30)
        assert read.schools(db)["name"].to_list() == ["Other"]


def test_a_server_keeps_an_idle_file_open_until_another_process_wants_it(
    db, load, tmp_path, monkeypatch
):
    load("pupils", PUPILS, school_urn=100001)
    monkeypatch.setattr(database, "_linger_seconds", 30.0)
    opened = count_opens(monkeypatch)
    read.schools(db)
    read.schools(db)
    assert len(opened) == 1  # kept open between the two reads
    done = tmp_path / "renamed"
    other = SPAWN.Process(target=workers.rename_schools, args=(str(db.path), "Other", str(done)))
    other.start()
    other.join(30)
    assert done.exists()  # the idle file was let go for it
    assert read.schools(db)["name"].to_list() == ["Other"] and len(opened) == 2


def test_a_thread_may_have_the_file_to_itself_while_others_wait(db, load):
    load("pupils", PUPILS, school_urn=100001)
    order = []
    with db.holding():
        reader = threading.Thread(target=lambda: order.append(read.schools(db).height))
        reader.start()
        time.sleep(0.3)
        order.append("held")  # the reader is still waiting
        read.schools(db)  # the holding thread itself reads as usual
    reader.join(10)
    assert order == ["held", 1]


def test_codes_and_sessions_are_stored_compactly_and_read_as_text(db, load):
    load("pupils", PUPILS, school_urn=100001)
    load("marks", MARKS)
    with db.connect() as con:
        types = dict(
            con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'marks'"
            ).fetchall()
        )
    assert types["code"].startswith("ENUM") and types["session"].startswith("ENUM")
    marks = read.marks(db)
    assert marks.schema["code"] == pl.String and marks.schema["session"] == pl.String
    assert sorted(marks["code"]) == ["L", "\\"]


def test_every_code_in_the_code_table_can_be_stored():
    sql = next(text for version, _, text in migrations() if version == 3)
    enum = sql[sql.index("CREATE TYPE attendance_code AS ENUM") :]
    stored = set(re.findall(r"'([^']*)'", enum[: enum.index(");")]))
    assert set(code_table()["code"]) <= stored


def test_a_store_with_marks_from_before_the_migration_is_migrated_with_its_totals(tmp_path):
    """A store made by the foundation's schema (migration 1 only) keeps its marks and gets totals."""
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    _, name, sql = migrations()[0]
    con.execute(sql)
    con.execute("INSERT INTO schema_migrations VALUES (1, ?, now())", [name])
    codes = code_table()  # noqa: F841 - read by DuckDB's replacement scan below
    con.execute("INSERT INTO attendance_codes SELECT * FROM codes")
    con.execute("INSERT INTO schools VALUES (100001, 'Old School', 'primary', NULL, 1)")
    con.execute(
        "INSERT INTO enrolments (enrolment_id, school_urn, upn, forename, surname, date_of_birth, year_group, "
        "year_group_academic_year, admission_date, import_id) VALUES (1, 100001, 'B801200005001', 'A', 'B', "
        "'2015-03-12', '5', 2025, '2025-09-01', 1)"
    )
    con.execute("INSERT INTO enrolment_spells VALUES (1, '2025-09-01', NULL, 1)")
    con.execute(
        "INSERT INTO marks VALUES (100001, 1, '2025-09-03', 'PM', 'N', NULL, 2), (100001, 1, '2025-09-03', 'AM', '/', NULL, 2)"
    )
    con.close()
    db = Database(path)
    db.migrate()
    assert db.schema_version() >= 3
    assert sorted(read.marks(db)["code"]) == ["/", "N"]
    assert maintenance.check(db) == AGREE
    figures = overview_figures(db, None, Window(date(2025, 9, 1), date(2025, 9, 5)))
    assert (figures.headline["possible"], figures.headline["unauthorised"]) == (2, 1)


def test_optimise_keeps_every_figure_and_orders_the_marks(load, db):
    load("pupils", PUPILS, school_urn=100001)
    load(
        "marks", "upn,date,session,code\nB801200005001,2025-09-10,AM,/\n", file_name="later-day.csv"
    )
    load("marks", MARKS, file_name="earlier-day.csv")
    window = Window(date(2025, 9, 1), date(2025, 9, 30))
    before = overview_figures(db, None, window).headline
    maintenance.optimise(db)
    assert overview_figures(db, None, window).headline == before
    with db.connect() as con:
        days = [row[0] for row in con.execute("SELECT date FROM marks").fetchall()]
    assert days == sorted(days)
    assert maintenance.check(db) == AGREE


def test_the_store_commands(load, db, capsys):
    load("pupils", PUPILS, school_urn=100001)
    load("marks", MARKS)
    assert main(["--db", str(db.path), "store", "check"]) == 0
    with db.transaction() as con:  # as if someone wrote marks behind the importers' back
        con.execute("UPDATE marks SET code = 'O' WHERE session = 'AM'")
    assert main(["--db", str(db.path), "store", "check"]) == 2
    assert main(["--db", str(db.path), "store", "rebuild"]) == 0
    assert main(["--db", str(db.path), "store", "check"]) == 0
    assert main(["--db", str(db.path), "store", "optimise"]) == 0
    assert "agrees with the raw marks" in capsys.readouterr().out


def test_several_files_import_in_one_command(tmp_path, capsys):
    (tmp_path / "pupils.csv").write_text(PUPILS)
    (tmp_path / "a.csv").write_text(MARKS)
    (tmp_path / "b.csv").write_text("upn,date,session,code\nB801200005001,2025-09-04,AM,I\n")
    path = str(tmp_path / "r.duckdb")
    assert (
        main(
            [
                "--db",
                path,
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
    assert (
        main(["--db", path, "import", "marks", str(tmp_path / "a.csv"), str(tmp_path / "b.csv")])
        == 0
    )
    out = capsys.readouterr().out
    assert "a.csv: 2 rows read" in out and "b.csv: 1 row read" in out
    assert read.marks(Database(path)).height == 3
