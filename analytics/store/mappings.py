"""The column mapping each school saves for its MIS's headings: which heading of its files holds
which of Rollcall's columns, for one kind of file (saved on the Import page, read by every
import of that school and kind)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from analytics.store import audit
from analytics.store.audit import AuditEvent
from analytics.store.database import Connection, Database

#: Longest heading a mapping may name.
MAX_HEADING = 100


class MappingRefused(ValueError):
    """A mapping that cannot be saved; the message says which heading or column."""


def saved_mapping(con: Connection, school_urn: int, kind: str) -> dict[str, str]:
    """The school's saved mapping for a kind of file: column -> heading ({} when none)."""
    rows = con.execute(
        "SELECT column_name, heading FROM column_mappings WHERE school_urn = ? AND kind = ? "
        "ORDER BY column_name",
        [school_urn, kind],
    ).fetchall()
    return dict(rows)


def column_mapping(db: Database, school_urn: int, kind: str) -> dict[str, str]:
    """`saved_mapping`, opening the database for it ({} when there is no database yet)."""
    if not db.exists():
        return {}
    with db.connect() as con:
        return saved_mapping(con, school_urn, kind)


def save_mapping(
    db: Database,
    school_urn: int,
    kind: str,
    mapping: Mapping[str, str],
    *,
    columns: tuple[str, ...],
    saved_by: str,
    role: str | None = None,
) -> None:
    """Replace the school's mapping for `kind` with `mapping` (column -> heading; blank headings
    are left out) and record it in the audit log. `columns` are the columns the kind has."""
    chosen = {c: (h or "").strip() for c, h in mapping.items() if (h or "").strip()}
    unknown = sorted(set(chosen) - set(columns))
    if unknown:
        raise MappingRefused(f"{', '.join(unknown)} is not a column of a {kind} file")
    for column, heading in chosen.items():
        if len(heading) > MAX_HEADING:
            raise MappingRefused(
                f"the heading for {column} is longer than {MAX_HEADING} characters"
            )
    headings = [h.casefold() for h in chosen.values()]
    repeated = sorted({h for h in chosen.values() if headings.count(h.casefold()) > 1})
    if repeated:
        raise MappingRefused(f"'{repeated[0]}' is given for two columns")
    who = (saved_by or "").strip()
    if not who:
        raise MappingRefused("saved by is required (who is saving this)")
    with db.transaction() as con:
        con.execute(
            "DELETE FROM column_mappings WHERE school_urn = ? AND kind = ?", [school_urn, kind]
        )
        now = datetime.now()
        for column, heading in sorted(chosen.items()):
            con.execute(
                "INSERT INTO column_mappings VALUES (?, ?, ?, ?, ?, ?)",
                [school_urn, kind, column, heading, who, now],
            )
        described = ", ".join(f"{c} <- {h}" for c, h in sorted(chosen.items())) or "none"
        audit.append(
            con,
            AuditEvent(
                who,
                "import",
                role=role,
                target=f"column mapping: {kind}",
                school_urn=school_urn,
                detail=f"saved: {described}",
            ),
        )
