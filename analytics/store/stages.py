"""The staged procedure's writes and reads: stage moves, each school's letter templates, the PDF
of each letter sent, and leave of absence requests (migration 0009)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import polars as pl

from analytics.store import audit
from analytics.store.audit import AuditEvent
from analytics.store.database import Database

_MOVE_COLUMNS = (
    "school_urn, enrolment_id, academic_year, date, from_stage, to_stage, stage_key, reason, "
    "as_of, stages_digest, recorded_by, recorded_at"
)


def _schools(column: str, urns: Sequence[int] | None) -> tuple[str, list]:
    if urns is None:
        return "TRUE", []
    return f"{column} IN (SELECT unnest(?::INTEGER[]))", [list(urns)]


def replace_stage_moves(
    db: Database,
    urns: Sequence[int],
    academic_year: int,
    moves: pl.DataFrame,
    *,
    as_of: date,
    stages_digest: str,
    recorded_by: str,
) -> int:
    """Keep the moves of these schools' academic year as recomputed as of `as_of` (`moves`:
    `school_urn, enrolment_id, date, from_stage, to_stage, stage_key, reason`), in place of those
    kept before for it; returns how many were kept. In one transaction, with an audit row."""
    now = datetime.now()
    rows = moves.select(
        "school_urn",
        "enrolment_id",
        pl.lit(academic_year, pl.Int16).alias("academic_year"),
        "date",
        "from_stage",
        "to_stage",
        "stage_key",
        "reason",
        pl.lit(as_of).alias("as_of"),
        pl.lit(stages_digest).alias("stages_digest"),
        pl.lit(recorded_by).alias("recorded_by"),
        pl.lit(now).alias("recorded_at"),
    )
    where, params = _schools("school_urn", urns)
    with db.transaction() as con:
        con.execute(
            f"DELETE FROM stage_moves WHERE {where} AND academic_year = ?",
            [*params, academic_year],
        )
        con.register("new_stage_moves", rows)
        try:
            con.execute(
                f"INSERT INTO stage_moves ({_MOVE_COLUMNS}) SELECT {_MOVE_COLUMNS} FROM new_stage_moves"
            )
        finally:
            con.unregister("new_stage_moves")
        audit.append(
            con,
            AuditEvent(
                recorded_by,
                "stages",
                target=f"stage moves {academic_year}/{(academic_year + 1) % 100:02d}",
                school_urn=urns[0] if len(urns) == 1 else None,
                detail=f"{rows.height} moves as of {as_of}, stages file {stages_digest}",
            ),
        )
    return rows.height


def stage_moves(db: Database, urns: Sequence[int] | None, academic_year: int) -> pl.DataFrame:
    """The kept moves of these schools' academic year, in date order."""
    where, params = _schools("school_urn", urns)
    with db.connect() as con:
        return con.execute(
            f"SELECT {_MOVE_COLUMNS} FROM stage_moves WHERE {where} AND academic_year = ? "
            "ORDER BY date, enrolment_id",
            [*params, academic_year],
        ).pl()


def save_template(db: Database, school_urn: int, template: str, body: str, saved_by: str) -> None:
    """Keep a new version of a school's copy of a letter template (earlier versions stay)."""
    with db.transaction() as con:
        con.execute(
            "INSERT INTO letter_templates VALUES (?, ?, ?, ?, ?)",
            [school_urn, template, body, saved_by, datetime.now()],
        )
        audit.append(
            con,
            AuditEvent(saved_by, "letters", target=f"template {template}", school_urn=school_urn),
        )


def school_templates(db: Database, school_urn: int) -> dict[str, str]:
    """The school's latest copy of each letter template it has saved."""
    with db.connect() as con:
        rows = con.execute(
            "SELECT template, body FROM letter_templates WHERE school_urn = ? "
            "QUALIFY row_number() OVER (PARTITION BY template ORDER BY saved_at DESC) = 1",
            [school_urn],
        ).fetchall()
    return {template: body for template, body in rows}


def documents_of(db: Database, intervention_ids: Sequence[int]) -> pl.DataFrame:
    """`intervention_id, file_name, created_at` of the kept documents of these interventions."""
    with db.connect() as con:
        return con.execute(
            "SELECT intervention_id, file_name, created_at FROM intervention_documents "
            "WHERE intervention_id IN (SELECT unnest(?::INTEGER[])) ORDER BY intervention_id",
            [list(intervention_ids)],
        ).pl()


def document(db: Database, intervention_id: int) -> tuple[str, bytes] | None:
    """The file name and content of an intervention's kept document, if it has one."""
    with db.connect() as con:
        row = con.execute(
            "SELECT file_name, content FROM intervention_documents WHERE intervention_id = ?",
            [intervention_id],
        ).fetchone()
    return None if row is None else (row[0], bytes(row[1]))


LEAVE_COLUMNS = (
    "request_id",
    "school_urn",
    "enrolment_id",
    "first_day",
    "last_day",
    "reason",
    "decision",
    "decided_by",
    "decided_on",
    "recorded_by",
    "recorded_at",
)


def record_leave_request(
    db: Database,
    school_urn: int,
    enrolment_id: int,
    first_day: date,
    last_day: date,
    reason: str,
    decision: str,
    decided_by: str | None,
    decided_on: date | None,
    recorded_by: str,
) -> int:
    """Record a leave of absence request and its decision; returns its id."""
    with db.transaction() as con:
        row = con.execute("SELECT nextval('leave_request_id_seq')").fetchone()
        assert row is not None
        request_id = int(row[0])
        con.execute(
            f"INSERT INTO leave_requests ({', '.join(LEAVE_COLUMNS)}) VALUES ({', '.join('?' * len(LEAVE_COLUMNS))})",
            [
                request_id,
                school_urn,
                enrolment_id,
                first_day,
                last_day,
                reason,
                decision,
                decided_by,
                decided_on,
                recorded_by,
                datetime.now(),
            ],
        )
        audit.append(
            con,
            AuditEvent(
                recorded_by,
                "leave",
                target=f"leave request {request_id}",
                school_urn=school_urn,
                subject=f"enrolment {enrolment_id}",
                detail=decision,
            ),
        )
    return request_id


def leave_requests(db: Database, urns: Sequence[int] | None) -> pl.DataFrame:
    """Every leave request of these schools, latest first."""
    where, params = _schools("school_urn", urns)
    with db.connect() as con:
        return con.execute(
            f"SELECT {', '.join(LEAVE_COLUMNS)} FROM leave_requests WHERE {where} "
            "ORDER BY first_day DESC, request_id DESC",
            params,
        ).pl()
