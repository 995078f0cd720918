"""The audit log: who did what, when. Rows are appended and read; nothing changes or deletes one.

Recorded: sign-ins (and refused sign-ins), views of pupil-level pages, exports of pupil data,
imports, changes to interventions and to a school's details (its LAESTAB), backups and restores.
A row names a pupil only by enrolment number, never by name or UPN. Each row holds the SHA-256
of its own content and of the row before, so `verify` finds any row changed or removed outside
Rollcall.

To record a change in the same transaction as the change itself (an intervention added, say):

    with db.transaction() as con:
        ...  # the change
        audit.append(con, AuditEvent(actor, "intervention", role=role, target="intervention 12",
                                     school_urn=urn, subject="enrolment 345", detail="closed"))
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from analytics.store.database import Connection, Database, one_row

#: What a row may record.
ACTIONS = (
    "sign_in",
    "sign_in_refused",
    "sign_out",
    "access_refused",
    "view",
    "export",
    "import",
    "intervention",
    "school",
    "backup",
    "restore",
    "stages",
    "letters",
    "leave",
)
#: The hash the first row points back to.
GENESIS = "0" * 64
COLUMNS = (
    "audit_id",
    "occurred_at",
    "actor",
    "role",
    "action",
    "target",
    "school_urn",
    "subject",
    "detail",
)


@dataclass(frozen=True)
class AuditEvent:
    """One thing someone did. `subject` names a pupil only as `enrolment N`."""

    actor: str
    action: str
    role: str | None = None
    target: str | None = None
    school_urn: int | None = None
    subject: str | None = None
    detail: str | None = None

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"audit action '{self.action}' is not one of {', '.join(ACTIONS)}")
        if not self.actor:
            raise ValueError("an audit row needs an actor")


def _row_hash(prev_hash: str, audit_id: int, at: datetime, event: AuditEvent) -> str:
    content = [
        prev_hash,
        audit_id,
        at.isoformat(),
        event.actor,
        event.role,
        event.action,
        event.target,
        event.school_urn,
        event.subject,
        event.detail,
    ]
    return hashlib.sha256(json.dumps(content, separators=(",", ":")).encode("utf-8")).hexdigest()


def append(con: Connection, event: AuditEvent, at: datetime | None = None) -> int:
    """Add one row inside the caller's transaction; returns its id."""
    at = at or datetime.now()
    last = con.execute(
        "SELECT audit_id, row_hash FROM audit_log ORDER BY audit_id DESC LIMIT 1"
    ).fetchone()
    audit_id, prev_hash = (1, GENESIS) if last is None else (last[0] + 1, last[1])
    con.execute(
        "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            audit_id,
            at,
            event.actor,
            event.role,
            event.action,
            event.target,
            event.school_urn,
            event.subject,
            event.detail,
            prev_hash,
            _row_hash(prev_hash, audit_id, at, event),
        ],
    )
    return audit_id


def record(db: Database, event: AuditEvent) -> int:
    """Add one row in a transaction of its own (the data version, and so every cache, is kept)."""
    with db.appending() as con:
        return append(con, event)


def read_log(
    db: Database,
    *,
    start: date | None = None,
    end: date | None = None,
    actions: tuple[str, ...] | None = None,
    actor: str | None = None,
    school_urns: tuple[int, ...] | None = None,
) -> pl.DataFrame:
    """Rows of the log, newest first: audit_id, occurred_at, actor, role, action, target, school_urn,
    subject, detail. `school_urns` keeps rows of those schools and rows of no school."""
    with db.connect() as con:
        return con.execute(
            f"SELECT {', '.join(COLUMNS)} FROM audit_log "
            "WHERE (?::DATE IS NULL OR occurred_at >= ?::DATE) "
            "AND (?::DATE IS NULL OR occurred_at < ?::DATE + INTERVAL 1 DAY) "
            "AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], action)) "
            "AND (?::VARCHAR IS NULL OR actor = ?) "
            "AND (?::INTEGER[] IS NULL OR school_urn IS NULL OR list_contains(?::INTEGER[], school_urn)) "
            "ORDER BY audit_id DESC",
            [
                start,
                start,
                end,
                end,
                None if actions is None else list(actions),
                None if actions is None else list(actions),
                actor,
                actor,
                None if school_urns is None else list(school_urns),
                None if school_urns is None else list(school_urns),
            ],
        ).pl()


def verify(db: Database) -> list[int]:
    """Ids of rows that do not match their hash or the row before them; [] when the log is intact.
    A removed last row is found by comparing `count` with what an earlier check saw."""
    with db.connect() as con:
        rows = con.execute(
            f"SELECT {', '.join(COLUMNS)}, prev_hash, row_hash FROM audit_log ORDER BY audit_id"
        ).fetchall()
    broken = []
    expected_prev, expected_id = GENESIS, 1
    for (
        audit_id,
        at,
        actor,
        role,
        action,
        target,
        school_urn,
        subject,
        detail,
        prev_hash,
        row_hash,
    ) in rows:
        try:
            event = AuditEvent(actor, action, role, target, school_urn, subject, detail)
            computed = _row_hash(prev_hash, audit_id, at, event)
        except ValueError:
            computed = None
        if audit_id != expected_id or prev_hash != expected_prev or computed != row_hash:
            broken.append(audit_id)
        expected_prev, expected_id = row_hash, audit_id + 1
    return broken


def count(db: Database) -> int:
    """How many rows the log holds."""
    with db.connect() as con:
        return one_row(con.execute("SELECT count(*) FROM audit_log").fetchone())[0]
