"""Published DfE figures imported into the database (`rollcall import benchmarks`), and a
school's LAESTAB set by hand: the only code that writes or reads those tables."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import polars as pl

from analytics.store import audit
from analytics.store.audit import AuditEvent
from analytics.store.database import Database, one_row

#: Columns of `benchmark_figures` after its file id.
FIGURE_COLUMNS = (
    "data_kind",
    "academic_year",
    "window",
    "window_label",
    "window_start",
    "window_end",
    "geographic_level",
    "region_code",
    "region_name",
    "la_name",
    "new_la_code",
    "old_la_code",
    "phase",
    "characteristic",
    "measure",
    "value",
    "source_note",
)
#: Columns of `benchmark_school_figures` after its file id.
SCHOOL_COLUMNS = (
    "academic_year",
    "urn",
    "school_name",
    "phase",
    "old_la_code",
    "la_name",
    "measure",
    "value",
)


def _listed(columns: tuple[str, ...], table: str = "") -> str:
    """Column names for SQL, quoted (`window` is a keyword)."""
    return ", ".join(f'{table}"{column}"' for column in columns)


@dataclass(frozen=True)
class StoredFile:
    """What an import of one published file did."""

    file_id: int
    new: bool  # False: the same file (by its SHA-256) was imported before; nothing changed


def store_file(
    db: Database,
    *,
    file_name: str,
    sha256: str,
    kind: str,
    source: str,
    academic_years: str,
    rows_read: int,
    figures: pl.DataFrame,
    schools: pl.DataFrame,
    actor: str,
    role: str | None = None,
) -> StoredFile:
    """Keep one published file's figures, whole, in one transaction (with its audit row); the
    same file again changes nothing but the audit log."""
    event = AuditEvent(
        actor,
        "import",
        role=role,
        target=f"published figures: {file_name}",
        detail=f"{kind}, {academic_years}",
    )
    with db.connect() as con:
        known = con.execute(
            "SELECT file_id FROM benchmark_files WHERE sha256 = ?", [sha256]
        ).fetchone()
    if known is not None:
        audit.record(db, replace(event, detail="already imported"))
        return StoredFile(known[0], False)
    with db.transaction() as con:
        file_id = one_row(
            con.execute("SELECT coalesce(max(file_id), 0) + 1 FROM benchmark_files").fetchone()
        )[0]
        con.execute(
            "INSERT INTO benchmark_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                file_id,
                file_name,
                sha256,
                kind,
                source,
                academic_years,
                rows_read,
                figures.height + schools.height,
                datetime.now(),
                actor,
            ],
        )
        if not figures.is_empty():
            con.register("new_figures", figures.select(FIGURE_COLUMNS))
            con.execute(
                f"INSERT INTO benchmark_figures SELECT ?, {_listed(FIGURE_COLUMNS)} FROM new_figures",
                [file_id],
            )
            con.unregister("new_figures")
        if not schools.is_empty():
            con.register("new_schools", schools.select(SCHOOL_COLUMNS))
            con.execute(
                f"INSERT INTO benchmark_school_figures SELECT ?, {_listed(SCHOOL_COLUMNS)} FROM new_schools",
                [file_id],
            )
            con.unregister("new_schools")
        audit.append(con, event)
    return StoredFile(file_id, True)


def files(db: Database) -> pl.DataFrame:
    """Every published file imported, newest first."""
    if not db.exists():
        return pl.DataFrame()
    with db.connect() as con:
        return con.execute(
            "SELECT file_id, file_name, kind, source, academic_years, figures, imported_at, "
            "imported_by FROM benchmark_files ORDER BY imported_at DESC, file_id DESC"
        ).pl()


def figures(db: Database) -> pl.DataFrame:
    """Every imported figure, with its file's name (`source_file`) and when it was imported
    (`origin`: `imported YYYY-MM-DD HH:MM`, which sorts by time)."""
    columns = _listed(FIGURE_COLUMNS, "f.")
    with db.connect() as con:
        return con.execute(
            f"SELECT b.file_name AS source_file, {columns}, "
            "'imported ' || strftime(b.imported_at, '%Y-%m-%d %H:%M') AS origin "
            "FROM benchmark_figures f JOIN benchmark_files b USING (file_id) "
            "ORDER BY f.file_id"
        ).pl()


def school_figures(db: Database) -> pl.DataFrame:
    """Every imported school-level figure, with its file's name and kind."""
    columns = _listed(SCHOOL_COLUMNS, "s.")
    with db.connect() as con:
        return con.execute(
            f"SELECT b.file_name AS source_file, b.kind, b.imported_at, {columns} "
            "FROM benchmark_school_figures s JOIN benchmark_files b USING (file_id)"
        ).pl()


def set_school_laestab(
    db: Database, urn: int, laestab: str, *, actor: str, role: str | None = None
) -> str | None:
    """Record a school's LAESTAB (its LA and establishment number); returns the one it replaced
    (None when there was none). The change is in the audit log."""
    with db.transaction() as con:
        row = con.execute("SELECT laestab FROM schools WHERE urn = ?", [urn]).fetchone()
        if row is None:
            raise ValueError(f"no school {urn} in {db.path}")
        con.execute("UPDATE schools SET laestab = ? WHERE urn = ?", [laestab, urn])
        audit.append(
            con,
            AuditEvent(
                actor,
                "school",
                role=role,
                target=f"school {urn}",
                school_urn=urn,
                detail=f"LAESTAB set to {laestab}" + (f" (was {row[0]})" if row[0] else ""),
            ),
        )
    return row[0]
