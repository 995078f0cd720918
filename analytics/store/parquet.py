"""The whole store as Parquet files, partitioned by school and academic year, and back.

An export is a folder that DuckDB (or any Parquet reader) can query where it lies, on disk or in
object storage: one folder per table, tables with a school split into `school_urn=URN/` folders,
and those with dates further into `academic_year=YYYY/` (the year starting 1 August), so that a
query for one school or year reads only its files. `manifest.json` records the schema version,
the tables and their rows. Every table is exported, whoever added it, so nothing is lost.

An import restores an export into an empty database in one transaction, then recounts the
weekly totals from the marks rather than trusting the copied ones.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from analytics.store import aggregates
from analytics.store.database import Connection, Database, one_row

FORMAT = "rollcall-parquet"
#: Tables the store keeps for itself: never copied, always rebuilt from the others.
_NOT_EXPORTED = ("schema_migrations", "attendance_codes")
_DERIVED = ("enrolment_weeks", "school_day_codes", "session_counts", "absence_spells")
#: Tables that belong to one database file and are neither exported nor restored: its identity
#: and data version (which caches key on).
_LOCAL = ("store_state",)
#: The date column an academic year is read from, in order of preference.
_DATE_COLUMNS = ("date", "start_date", "week_start")
#: Tables restored first, in this order, so that later tables may refer to their rows.
_FIRST = ("schools", "imports", "enrolments", "enrolment_spells", "marks")
#: Sequences the store numbers rows with, and the column each numbers.
_SEQUENCES = {
    "enrolment_id_seq": ("enrolments", "enrolment_id"),
    "import_id_seq": ("imports", "import_id"),
    "intervention_id_seq": ("intervention_versions", "intervention_id"),
    "intervention_batch_seq": ("intervention_versions", "batch_id"),
    "risk_model_id_seq": ("risk_models", "model_id"),
}


class ParquetRefused(Exception):
    """An export cannot be imported here (the message says why)."""


def _tables(con: Connection) -> dict[str, list[str]]:
    """Every base table of the main database, with its columns in order."""
    rows = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name IN (SELECT table_name FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary) "
        "ORDER BY table_name, column_index"
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        if table not in _NOT_EXPORTED:
            tables.setdefault(table, []).append(column)
    return tables


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _partitions(columns: list[str]) -> tuple[list[str], str | None]:
    """The partition columns of a table, and the date column its academic year comes from."""
    if "school_urn" not in columns:
        return [], None
    dated = next((c for c in _DATE_COLUMNS if c in columns), None)
    return (["school_urn", "academic_year"], dated) if dated else (["school_urn"], None)


def export_parquet(db: Database, folder: Path | str) -> dict[str, int]:
    """Write every table to `folder` (which must be empty or new); returns rows per table."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise ParquetRefused(f"{folder} is not empty: export into a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    manifest: dict = {
        "format": FORMAT,
        "exported_at": datetime.now().isoformat(timespec="seconds"),
        "tables": {},
    }
    with db.connect() as con:
        manifest["schema_version"] = one_row(
            con.execute("SELECT max(version) FROM schema_migrations").fetchone()
        )[0]
        for table, columns in _tables(con).items():
            if table in _LOCAL:
                continue
            partition_by, dated = _partitions(columns)
            select = ", ".join(_quoted(c) for c in columns)
            if dated:
                year = f"(year({_quoted(dated)}) - (month({_quoted(dated)}) < 8)::INTEGER) AS academic_year"
                select = f"{select}, {year}"
            order = ", ".join(
                _quoted(c)
                for c in (*partition_by, *([dated] if dated else []))
                if c != "academic_year"
            )
            query = f"SELECT {select} FROM {_quoted(table)}" + (
                f" ORDER BY {order}" if order else ""
            )
            target = folder / table
            options = "FORMAT parquet, COMPRESSION zstd"
            if partition_by:
                options += f", PARTITION_BY ({', '.join(partition_by)})"
                target.mkdir()
            else:
                target.mkdir()
                target = target / "data.parquet"
            # The folder is a path the caller chose, passed as a value; identifiers are quoted.
            con.execute(f"COPY ({query}) TO '{_literal(target)}' ({options})")
            rows = one_row(con.execute(f"SELECT count(*) FROM {_quoted(table)}").fetchone())[0]
            manifest["tables"][table] = {
                "rows": rows,
                "partitioned_by": partition_by,
                "columns": columns,
            }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")
    return {table: entry["rows"] for table, entry in manifest["tables"].items()}


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")


def read_manifest(folder: Path | str) -> dict:
    """The export's manifest; refuses a folder that is not a Rollcall export."""
    path = Path(folder) / "manifest.json"
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        raise ParquetRefused(
            f"{folder} is not a Rollcall Parquet export (no readable manifest.json)"
        ) from None
    if manifest.get("format") != FORMAT:
        raise ParquetRefused(f"{folder} is not a Rollcall Parquet export")
    return manifest


def import_parquet(db: Database, folder: Path | str) -> dict[str, int]:
    """Restore an export into an empty database; returns rows per table."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    with db.transaction() as con:
        version = one_row(con.execute("SELECT max(version) FROM schema_migrations").fetchone())[0]
        if manifest["schema_version"] > version:
            raise ParquetRefused(
                f"the export is of a newer Rollcall (schema {manifest['schema_version']}, this one {version}): upgrade first"
            )
        tables = _tables(con)
        held = [
            t
            for t in tables
            if t not in _DERIVED + _LOCAL
            and one_row(con.execute(f"SELECT count(*) FROM {_quoted(t)}").fetchone())[0]
        ]
        if held:
            raise ParquetRefused(
                f"{db.path} already holds data ({', '.join(held)}): import into a new database"
            )
        counts = {}
        order = sorted(
            manifest["tables"], key=lambda t: (_FIRST.index(t) if t in _FIRST else len(_FIRST), t)
        )
        for table in order:
            entry = manifest["tables"][table]
            if table in _DERIVED + _LOCAL or table not in tables or not entry["rows"]:
                continue
            columns = [c for c in entry["columns"] if c in tables[table]]
            names = ", ".join(_quoted(c) for c in columns)
            source = (
                folder / table / ("**/*.parquet" if entry["partitioned_by"] else "data.parquet")
            )
            con.execute(
                f"INSERT INTO {_quoted(table)} ({names}) SELECT {names} FROM "
                f"read_parquet('{_literal(source)}', hive_partitioning = {str(bool(entry['partitioned_by'])).lower()})"
            )
            counts[table] = one_row(
                con.execute(f"SELECT count(*) FROM {_quoted(table)}").fetchone()
            )[0]
            if counts[table] != entry["rows"]:
                raise ParquetRefused(
                    f"{table}: the export lists {entry['rows']:,} rows but its files hold {counts[table]:,}"
                )
        for sequence, (table, column) in _SEQUENCES.items():
            if table in counts:
                # DuckDB cannot set a sequence: draw it past the highest number restored.
                con.execute(
                    f"SELECT max(nextval('{sequence}')) FROM range((SELECT max({column}) FROM {table}))"
                )
        aggregates.rebuild(con)
    return counts
