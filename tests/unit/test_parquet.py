"""The whole store as Parquet, partitioned by school and academic year, and back: every table
round-trips, figures are unchanged, and DuckDB can query one school's year where it lies."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from analytics.cli import main
from analytics.pipelines.windows import Window
from analytics.reports.analysis.overview import overview_figures
from analytics.store import Database, maintenance
from analytics.store.parquet import ParquetRefused, export_parquet, import_parquet, read_manifest
from tests.conftest import AGREE

TABLES = (
    "schools",
    "imports",
    "enrolments",
    "enrolment_spells",
    "marks",
    "mark_history",
    "behaviour_incidents",
    "exclusions",
)


def rows(db: Database, table: str) -> list[tuple]:
    with db.connect() as con:
        return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


def differing_rows(a: Database, b: Database, table: str) -> int:
    """Rows of `table` in one database and not the other (as multisets), both ways."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{a.path}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{b.path}' AS b (READ_ONLY)")
    both = f"(SELECT * FROM a.{table} EXCEPT ALL SELECT * FROM b.{table}) UNION ALL (SELECT * FROM b.{table} EXCEPT ALL SELECT * FROM a.{table})"
    try:
        return con.execute(f"SELECT count(*) FROM ({both})").fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def exported(demo_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("parquet") / "trust"
    counts = export_parquet(demo_db, folder)
    return folder, counts


@pytest.fixture(scope="module")
def restored(exported, tmp_path_factory) -> Database:
    db = Database(tmp_path_factory.mktemp("restored") / "rollcall.duckdb")
    import_parquet(db, exported[0])
    return db


def test_every_table_round_trips(demo_db, exported, restored):
    _, counts = exported
    assert counts["marks"] > 2_000_000 and counts["mark_history"] > 0
    for table in TABLES:
        assert differing_rows(restored, demo_db, table) == 0, table
        assert len(rows(restored, "schools")) == 3
    assert maintenance.check(restored) == AGREE


def test_figures_are_the_same_after_a_round_trip(demo_db, restored):
    for window in (Window.academic_year(2024), Window(date(2026, 9, 2), date(2026, 11, 18))):
        assert (
            overview_figures(restored, None, window).headline
            == overview_figures(demo_db, None, window).headline
        )


def test_the_restored_store_keeps_numbering_after_the_highest_restored_id(demo_db, restored, load):
    with restored.transaction() as con:
        highest = con.execute("SELECT max(enrolment_id) FROM enrolments").fetchone()[0]
        assert con.execute("SELECT nextval('enrolment_id_seq')").fetchone()[0] > highest
        assert (
            con.execute("SELECT nextval('import_id_seq')").fetchone()[0]
            > con.execute("SELECT max(import_id) FROM imports").fetchone()[0]
        )


def test_files_are_partitioned_by_school_and_academic_year_and_queryable(demo_db, exported):
    folder, _ = exported
    manifest = read_manifest(folder)
    assert manifest["tables"]["marks"]["partitioned_by"] == ["school_urn", "academic_year"]
    assert manifest["tables"]["enrolments"]["partitioned_by"] == ["school_urn"]
    one_year = sorted((folder / "marks").glob("school_urn=*/academic_year=2024/*.parquet"))
    assert len(one_year) >= 3  # one folder per school
    urn = int(one_year[0].parent.parent.name.split("=")[1])
    query = (
        f"SELECT count(*) FROM read_parquet('{folder}/marks/*/*/*.parquet', hive_partitioning = true) "
        "WHERE school_urn = ? AND academic_year = 2024"
    )
    from_files = duckdb.connect().execute(query, [urn]).fetchone()[0]
    with demo_db.connect() as con:
        in_store = con.execute(
            "SELECT count(*) FROM marks WHERE school_urn = ? AND date BETWEEN '2024-08-01' AND '2025-07-31'",
            [urn],
        ).fetchone()[0]
    assert from_files == in_store > 0


def test_an_export_goes_only_into_an_empty_database_and_a_new_folder(demo_db, exported, tmp_path):
    folder, _ = exported
    with pytest.raises(ParquetRefused, match="already holds data"):
        import_parquet(demo_db, folder)
    with pytest.raises(ParquetRefused, match="not a Rollcall Parquet export"):
        import_parquet(Database(tmp_path / "new.duckdb"), tmp_path)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "file.txt").write_text("x")
    with pytest.raises(ParquetRefused, match="not empty"):
        export_parquet(demo_db, tmp_path / "busy")


def test_the_commands_export_and_restore(load, db, tmp_path):
    load(
        "pupils",
        "upn,forename,surname,date_of_birth,year_group,admission_date\nB801200005001,Ann,Ames,2015-03-12,5,2024-09-02\n",
        school_urn=100001,
    )
    load(
        "marks",
        "upn,date,session,code\nB801200005001,2025-09-03,AM,/\nB801200005001,2025-09-03,PM,N\n",
    )
    load("marks", "upn,date,session,code\nB801200005001,2025-09-03,PM,I\n", file_name="later.csv")
    assert main(["--db", str(db.path), "export", "parquet", str(tmp_path / "out")]) == 0
    assert (
        main(["--db", str(tmp_path / "copy.duckdb"), "import", "parquet", str(tmp_path / "out")])
        == 0
    )
    copy = Database(tmp_path / "copy.duckdb")
    for table in TABLES:
        assert rows(copy, table) == rows(db, table), table
    assert (
        main(["--db", str(tmp_path / "copy.duckdb"), "import", "parquet", str(tmp_path / "out")])
        == 2
    )
