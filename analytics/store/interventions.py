"""The intervention log, the school's own intervention types and trained risk models: writes and reads.

The log only ever grows. Recording an action adds version 1 of an intervention; an edit adds the
next version with every field as it now stands; a deletion adds a version marked deleted. Nothing
is updated or removed, so a chronology can show what was recorded, by whom and when, and what
changed afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

import polars as pl
from polars.datatypes import DataTypeClass

from analytics.domain.interventions import (
    BUILT_IN_LABELS,
    Entry,
    InterventionRefused,
    settings_types,
)
from analytics.settings import setting
from analytics.store import audit
from analytics.store.audit import AuditEvent
from analytics.store.database import Connection, Database, one_row

_ENTRY_FIELDS = tuple(f.name for f in fields(Entry))
#: Fields an edit may change.
EDITABLE = ("type", "date", "owner", "outcome", "notes", "next_review", "issued_to")
_VERSION_COLUMNS = (
    "intervention_id, version, school_urn, enrolment_id, type, date, owner, outcome, notes, "
    "next_review, batch_id, deleted, change_reason, recorded_by, recorded_at, issued_to"
)
_SCHEMA: dict[str, pl.DataType | DataTypeClass] = {
    "intervention_id": pl.Int32,
    "version": pl.Int32,
    "school_urn": pl.Int32,
    "enrolment_id": pl.Int32,
    "type": pl.String,
    "date": pl.Date,
    "owner": pl.String,
    "outcome": pl.String,
    "notes": pl.String,
    "next_review": pl.Date,
    "batch_id": pl.Int32,
    "deleted": pl.Boolean,
    "change_reason": pl.String,
    "recorded_by": pl.String,
    "recorded_at": pl.Datetime("us"),
    "issued_to": pl.String,
}


def _who(recorded_by: str) -> str:
    who = (recorded_by or "").strip()
    if not who:
        raise InterventionRefused("recorded by is required (who is recording this)")
    return who


def _ids_filter(column: str, values: Sequence[int] | None) -> tuple[str, list]:
    if values is None:
        return "TRUE", []
    return f"{column} IN (SELECT unnest(?::INTEGER[]))", [list(values)]


# ----------------------------------------------------------------------------------------------
# Intervention types
# ----------------------------------------------------------------------------------------------


def known_types(con: Connection, school_urn: int) -> tuple[str, ...]:
    """Every type label an entry at this school may use: built in, from settings, added by it."""
    added = [
        row[0]
        for row in con.execute(
            "SELECT label FROM intervention_types WHERE school_urn = ? AND retired_at IS NULL ORDER BY added_at",
            [school_urn],
        ).fetchall()
    ]
    from_settings = [t.label for t in settings_types(setting("intervention_types"))]
    return tuple(dict.fromkeys([*BUILT_IN_LABELS, *from_settings, *added]))


def intervention_types(db: Database, school_urns: Sequence[int] | None = None) -> pl.DataFrame:
    """Types the schools added themselves: `school_urn, label, description, added_by, added_at,
    retired_by, retired_at` (retired ones included)."""
    where, params = _ids_filter("school_urn", school_urns)
    with db.connect() as con:
        return con.execute(
            f"SELECT * FROM intervention_types WHERE {where} ORDER BY school_urn, added_at", params
        ).pl()


def add_intervention_type(
    db: Database, school_urn: int, label: str, *, added_by: str, description: str | None = None
) -> None:
    """Add a school's own type (or bring back one it retired)."""
    name = (label or "").strip()
    if not name:
        raise InterventionRefused("type is required")
    if len(name) > 120:
        raise InterventionRefused("type is longer than 120 characters")
    who = _who(added_by)
    with db.transaction() as con:
        if con.execute("SELECT 1 FROM schools WHERE urn = ?", [school_urn]).fetchone() is None:
            raise InterventionRefused(f"there is no school {school_urn}")
        if name.casefold() in {t.casefold() for t in known_types(con, school_urn)}:
            raise InterventionRefused(f"type '{name}' already exists")
        con.execute(
            "DELETE FROM intervention_types WHERE school_urn = ? AND label = ?", [school_urn, name]
        )
        con.execute(
            "INSERT INTO intervention_types VALUES (?, ?, ?, ?, ?, NULL, NULL)",
            [school_urn, name, (description or "").strip() or None, who, datetime.now()],
        )


def retire_intervention_type(db: Database, school_urn: int, label: str, *, retired_by: str) -> None:
    """Offer a school's own type no more; entries that used it keep it."""
    who = _who(retired_by)
    with db.transaction() as con:
        found = con.execute(
            "UPDATE intervention_types SET retired_by = ?, retired_at = ? "
            "WHERE school_urn = ? AND label = ? AND retired_at IS NULL RETURNING label",
            [who, datetime.now(), school_urn, label],
        ).fetchall()
        if not found:
            raise InterventionRefused(f"'{label}' is not a type this school added")


def types_for_schools(db: Database, school_urns: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """The types each school may use, in the order they are offered."""
    with db.connect() as con:
        return {urn: known_types(con, urn) for urn in school_urns}


# ----------------------------------------------------------------------------------------------
# The intervention log
# ----------------------------------------------------------------------------------------------


def _school_of(con: Connection, enrolment_ids: Sequence[int]) -> dict[int, int]:
    rows = con.execute(
        "SELECT enrolment_id, school_urn FROM enrolments WHERE enrolment_id IN (SELECT unnest(?::INTEGER[]))",
        [list(enrolment_ids)],
    ).fetchall()
    return dict(rows)


@dataclass(frozen=True)
class Batch:
    """Entries recorded together (one action for one pupil or many), by one person at one time."""

    entries: Sequence[Entry]
    recorded_by: str
    recorded_at: datetime | None = None


def record_interventions(
    db: Database, entries: Sequence[Entry], *, recorded_by: str, recorded_at: datetime | None = None
) -> list[int]:
    """Record checked entries (one action for one pupil or many) in one transaction; they share
    a batch. Returns the new intervention ids. Refused whole when any entry names an unknown
    enrolment or a type its school does not have."""
    return record_batches(db, [Batch(entries, recorded_by, recorded_at)])[0]


def record_batches(
    db: Database,
    batches: Sequence[Batch],
    documents: Sequence[tuple[str, bytes]] | None = None,
) -> list[list[int]]:
    """Record several batches in one transaction (all or none); returns each batch's new ids.
    `documents`, one (file name, content) per entry in order, are kept beside the entries (a
    letter's PDF) in the same transaction."""
    checked = [
        (batch, _who(batch.recorded_by), batch.recorded_at or datetime.now())
        for batch in batches
        if batch.entries
    ]
    with db.transaction() as con:
        all_ids = _insert_new(con, checked)
        _audit(
            con,
            "recorded",
            [b.recorded_by for b, _, _ in checked],
            [e.enrolment_id for b, _, _ in checked for e in b.entries],
            all_ids,
        )
        if documents is not None:
            if len(documents) != len(all_ids):
                raise ValueError("one document per entry")
            now = datetime.now()
            con.executemany(
                "INSERT INTO intervention_documents VALUES (?, ?, ?, ?)",
                [
                    (i, name, content, now)
                    for i, (name, content) in zip(all_ids, documents, strict=True)
                ],
            )
        new_ids = iter(all_ids)
        return [[next(new_ids) for _ in batch.entries] for batch in batches]


def _audit(
    con: Connection,
    what: str,
    actors: Sequence[str],
    enrolment_ids: Sequence[int],
    intervention_ids: Sequence[int],
) -> None:
    """One audit row for a change to the log, in the change's own transaction: who, which
    interventions, and the pupil (by enrolment number only) when there is one."""
    if not intervention_ids:
        return
    people = sorted(set(actors))
    pupils = sorted(set(enrolment_ids))
    audit.append(
        con,
        AuditEvent(
            people[0] if len(people) == 1 else f"{len(people)} people",
            "intervention",
            target=f"{what} {len(intervention_ids)} intervention{'s' if len(intervention_ids) != 1 else ''}",
            subject=f"enrolment {pupils[0]}" if len(pupils) == 1 else None,
            detail=f"interventions {min(intervention_ids)}-{max(intervention_ids)}"
            if len(intervention_ids) > 1
            else f"intervention {intervention_ids[0]}",
        ),
    )


def _insert_new(con: Connection, batches: Sequence[tuple[Batch, str, datetime]]) -> list[int]:
    """Check every entry of the batches against its enrolment's school and types, then write
    them all with one statement; returns the new ids in entry order."""
    entries = [
        (number, entry) for number, (batch, _, _) in enumerate(batches) for entry in batch.entries
    ]
    if not entries:
        return []
    schools = _school_of(con, list({e.enrolment_id for _, e in entries}))
    types: dict[int, frozenset[str]] = {}
    for position, (_, entry) in enumerate(entries, start=1):
        urn = schools.get(entry.enrolment_id)
        if urn is None:
            raise InterventionRefused(
                f"entry {position}: there is no enrolment {entry.enrolment_id}"
            )
        if urn not in types:
            types[urn] = frozenset(known_types(con, urn))
        if entry.type not in types[urn]:
            raise InterventionRefused(
                f"entry {position}: type '{entry.type}' is not an intervention type of school {urn}"
            )
    batch_ids = sorted(
        row[0]
        for row in con.execute(
            f"SELECT nextval('intervention_batch_seq') FROM range({len(batches)})"
        ).fetchall()
    )
    ids = sorted(
        row[0]
        for row in con.execute(
            f"SELECT nextval('intervention_id_seq') FROM range({len(entries)})"
        ).fetchall()
    )
    frame = pl.DataFrame(
        [
            {
                "intervention_id": intervention_id,
                "version": 1,
                "school_urn": schools[entry.enrolment_id],
                **{name: getattr(entry, name) for name in _ENTRY_FIELDS},
                "batch_id": batch_ids[number],
                "deleted": False,
                "change_reason": None,
                "recorded_by": batches[number][1],
                "recorded_at": batches[number][2],
            }
            for intervention_id, (number, entry) in zip(ids, entries, strict=True)
        ],
        schema=_SCHEMA,
    )
    con.register("new_interventions", frame)
    try:
        con.execute(
            f"INSERT INTO intervention_versions ({_VERSION_COLUMNS}) SELECT {_VERSION_COLUMNS} FROM new_interventions"
        )
    finally:
        con.unregister("new_interventions")
    return ids


@dataclass(frozen=True)
class Edit:
    """A new version of an intervention with the fields of `entry` (already checked); `reason`
    says why it changed."""

    intervention_id: int
    entry: Entry
    recorded_by: str
    reason: str
    recorded_at: datetime | None = None


@dataclass(frozen=True)
class Deletion:
    """An intervention marked deleted; its earlier versions stay in the history."""

    intervention_id: int
    recorded_by: str
    reason: str
    recorded_at: datetime | None = None


def apply_changes(db: Database, changes: Sequence[Edit | Deletion]) -> list[int]:
    """Record edits and deletions in one transaction (all or none), each as a new version;
    returns the new version numbers. Several changes to one intervention apply in order."""
    if not changes:
        return []
    with db.transaction() as con:
        cursor = con.execute(
            f"SELECT {_VERSION_COLUMNS} FROM intervention_versions WHERE intervention_id IN (SELECT unnest(?::INTEGER[])) "
            "QUALIFY row_number() OVER (PARTITION BY intervention_id ORDER BY version DESC) = 1",
            [sorted({c.intervention_id for c in changes})],
        )
        names = [d[0] for d in cursor.description]
        latest = {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
        types: dict[int, frozenset[str]] = {}
        added, numbers = [], []
        for change in changes:
            current = latest.get(change.intervention_id)
            if current is None:
                raise InterventionRefused(f"there is no intervention {change.intervention_id}")
            if current["deleted"]:
                raise InterventionRefused(f"intervention {change.intervention_id} was deleted")
            urn = current["school_urn"]
            if urn not in types:
                types[urn] = frozenset(known_types(con, urn))
            row = _changed(current, change, types[urn])
            latest[change.intervention_id] = row
            added.append(row)
            numbers.append(row["version"])
        frame = pl.DataFrame(added, schema=_SCHEMA)
        con.register("changed_interventions", frame)
        try:
            con.execute(
                f"INSERT INTO intervention_versions ({_VERSION_COLUMNS}) SELECT {_VERSION_COLUMNS} FROM changed_interventions"
            )
        finally:
            con.unregister("changed_interventions")
        kind = "deleted" if all(isinstance(c, Deletion) for c in changes) else "changed"
        _audit(
            con,
            kind,
            [c.recorded_by for c in changes],
            [row["enrolment_id"] for row in added],
            [c.intervention_id for c in changes],
        )
        return numbers


def _changed(
    latest: dict[str, Any], change: Edit | Deletion, types: frozenset[str]
) -> dict[str, Any]:
    """The next version of an intervention after one change, checked."""
    who = _who(change.recorded_by)
    why = (change.reason or "").strip()
    if not why:
        raise InterventionRefused(
            "reason for deleting is required"
            if isinstance(change, Deletion)
            else "reason for the change is required"
        )
    stamp = {
        "change_reason": why,
        "recorded_by": who,
        "recorded_at": change.recorded_at or datetime.now(),
        "version": latest["version"] + 1,
    }
    if isinstance(change, Deletion):
        return latest | stamp | {"deleted": True}
    entry = change.entry
    if entry.enrolment_id != latest["enrolment_id"]:
        raise InterventionRefused("an edit cannot move an intervention to another pupil")
    if entry.type not in types:
        raise InterventionRefused(f"type '{entry.type}' is not an intervention type of this school")
    edited = {field: getattr(entry, field) for field in EDITABLE}
    if all(edited[f] == latest[f] for f in EDITABLE):
        raise InterventionRefused("nothing was changed")
    return latest | edited | stamp


def edit_intervention(
    db: Database,
    intervention_id: int,
    entry: Entry,
    *,
    recorded_by: str,
    reason: str,
    recorded_at: datetime | None = None,
) -> int:
    """Record a new version of an intervention with the fields of `entry` (already checked);
    the earlier version stays. `reason` says why it changed. Returns the new version number."""
    return apply_changes(db, [Edit(intervention_id, entry, recorded_by, reason, recorded_at)])[0]


def delete_intervention(
    db: Database,
    intervention_id: int,
    *,
    recorded_by: str,
    reason: str,
    recorded_at: datetime | None = None,
) -> int:
    """Mark an intervention deleted (a new version); its earlier versions stay in the history."""
    return apply_changes(db, [Deletion(intervention_id, recorded_by, reason, recorded_at)])[0]


def interventions(
    db: Database,
    school_urns: Sequence[int] | None = None,
    enrolment_ids: Sequence[int] | None = None,
) -> pl.DataFrame:
    """Each intervention as it now stands, deleted ones left out: one row per intervention with
    `first_recorded_by, first_recorded_at` (version 1) beside the latest version's fields."""
    school_where, school_params = _ids_filter("i.school_urn", school_urns)
    enrolment_where, enrolment_params = _ids_filter("i.enrolment_id", enrolment_ids)
    with db.connect() as con:
        frame = con.execute(
            "SELECT i.intervention_id, i.version, i.school_urn, i.enrolment_id, i.type, i.date, i.owner, "
            "i.outcome, i.notes, i.next_review, i.batch_id, i.change_reason, i.recorded_by, i.recorded_at, "
            "f.recorded_by AS first_recorded_by, f.recorded_at AS first_recorded_at, i.issued_to "
            "FROM interventions i JOIN intervention_versions f ON f.intervention_id = i.intervention_id AND f.version = 1 "
            f"WHERE {school_where} AND {enrolment_where} ORDER BY i.date, i.intervention_id",
            [*school_params, *enrolment_params],
        ).pl()
    return frame.with_columns(pl.col("recorded_at", "first_recorded_at").cast(pl.Datetime("us")))


def intervention_versions(
    db: Database,
    *,
    enrolment_ids: Sequence[int] | None = None,
    intervention_ids: Sequence[int] | None = None,
) -> pl.DataFrame:
    """Every version of the interventions asked for (deleted ones too), oldest first."""
    enrolment_where, enrolment_params = _ids_filter("enrolment_id", enrolment_ids)
    id_where, id_params = _ids_filter("intervention_id", intervention_ids)
    with db.connect() as con:
        frame = con.execute(
            f"SELECT {_VERSION_COLUMNS} FROM intervention_versions WHERE {enrolment_where} AND {id_where} "
            "ORDER BY intervention_id, version",
            [*enrolment_params, *id_params],
        ).pl()
    return frame.with_columns(pl.col("recorded_at").cast(pl.Datetime("us")))


# ----------------------------------------------------------------------------------------------
# Risk models
# ----------------------------------------------------------------------------------------------


def save_risk_model(
    db: Database,
    *,
    kind: str,
    trained_by: str,
    seed: int,
    data_through: date | None,
    sklearn_version: str,
    card: dict,
    backtest: dict | None,
    model: bytes | None,
    trained_at: datetime | None = None,
) -> int:
    """Keep one training run; returns its model id."""
    with db.transaction() as con:
        model_id = one_row(con.execute("SELECT nextval('risk_model_id_seq')").fetchone())[0]
        con.execute(
            "INSERT INTO risk_models VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                model_id,
                kind,
                trained_at or datetime.now(),
                trained_by,
                seed,
                data_through,
                sklearn_version,
                json.dumps(card, default=str),
                None if backtest is None else json.dumps(backtest, default=str),
                model,
            ],
        )
    return model_id


def latest_risk_model(db: Database) -> dict[str, Any] | None:
    """The newest training run (card and backtest parsed, model bytes as stored), or None."""
    with db.connect() as con:
        cursor = con.execute("SELECT * FROM risk_models ORDER BY model_id DESC LIMIT 1")
        row = cursor.fetchone()
        if row is None:
            return None
        stored = dict(zip([d[0] for d in cursor.description], row, strict=True))
    stored["card"] = json.loads(stored["card"])
    stored["backtest"] = None if stored["backtest"] is None else json.loads(stored["backtest"])
    return stored


def risk_model_runs(db: Database) -> pl.DataFrame:
    """Every training run, newest first, without the model bytes."""
    with db.connect() as con:
        return con.execute(
            "SELECT model_id, kind, trained_at, trained_by, seed, data_through, sklearn_version "
            "FROM risk_models ORDER BY model_id DESC"
        ).pl()


def register_version(db: Database) -> str:
    """A token that changes when an import or a training run changes what the coordinator's
    figures are computed from (and not when an action is recorded): caches of the register and
    the model key on it."""
    with db.connect() as con:
        imports, models = one_row(
            con.execute(
                "SELECT (SELECT max(import_id) FROM imports), (SELECT max(model_id) FROM risk_models)"
            ).fetchone()
        )
    return f"{db.data_version() if imports is None else imports}:{models}"
