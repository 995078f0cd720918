"""Pupils' contacts and the details the pupils file gives for the returns and the calling list
(address, postcode, ground of leaving, social-care and vulnerable flags): writes and reads.

Contacts are personal data of the families: only the calling list, the returns and the exports
that hold them read them, each for the schools and roles allowed to see pupils (never a
governor's view). The database file holding them is encrypted when a key is set.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from analytics.store.database import Connection, Database
from analytics.store.write import MergeCounts

#: A contact's columns, besides its pupil (`enrolment_id`), in table order.
CONTACT_COLUMNS = (
    "priority",
    "contact_name",
    "relationship",
    "phone",
    "mobile",
    "email",
    "address",
    "postcode",
    "parental_responsibility",
    "lives_with_pupil",
)
#: What the pupils file gives an enrolment for the returns and the calling list.
PUPIL_DETAILS = ("address", "postcode", "leaving_reason", "social_care", "vulnerable")
_SCHEMA = pl.Schema(
    {
        "school_urn": pl.Int32(),
        "enrolment_id": pl.Int32(),
        "priority": pl.Int16(),
        "contact_name": pl.String(),
        "relationship": pl.String(),
        "phone": pl.String(),
        "mobile": pl.String(),
        "email": pl.String(),
        "address": pl.String(),
        "postcode": pl.String(),
        "parental_responsibility": pl.Boolean(),
        "lives_with_pupil": pl.Boolean(),
    }
)


def merge_contacts(
    con: Connection, school_urn: int, staged: pl.DataFrame, import_id: int
) -> tuple[MergeCounts, int]:
    """Replace the contacts of every pupil in `staged` (`enrolment_id` and CONTACT_COLUMNS) with
    the staged ones, keyed by priority: new, changed and unchanged contacts, and how many held
    contacts of those pupils the file no longer gives (removed). Other pupils keep theirs."""
    con.register("staged_contacts", staged.select("enrolment_id", *CONTACT_COLUMNS))
    try:
        differs = " OR ".join(f"c.{name} IS DISTINCT FROM s.{name}" for name in CONTACT_COLUMNS)
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE contact_diff AS
            SELECT s.*, CASE WHEN c.enrolment_id IS NULL THEN 'new'
                             WHEN {differs} THEN 'changed' ELSE 'unchanged' END AS status
            FROM staged_contacts s
            LEFT JOIN pupil_contacts c ON c.enrolment_id = s.enrolment_id AND c.priority = s.priority
            """
        )
        removed = con.execute(
            "DELETE FROM pupil_contacts WHERE enrolment_id IN (SELECT enrolment_id FROM contact_diff) "
            "AND (enrolment_id, priority) NOT IN (SELECT (enrolment_id, priority) FROM contact_diff) "
            "RETURNING priority"
        ).fetchall()
        assignments = ", ".join(f"{name} = d.{name}" for name in CONTACT_COLUMNS[1:])
        con.execute(
            f"UPDATE pupil_contacts SET {assignments}, import_id = ? FROM contact_diff d "
            "WHERE d.status = 'changed' AND pupil_contacts.enrolment_id = d.enrolment_id "
            "AND pupil_contacts.priority = d.priority",
            [import_id],
        )
        columns = ", ".join(CONTACT_COLUMNS)
        con.execute(
            f"INSERT INTO pupil_contacts (school_urn, enrolment_id, {columns}, import_id) "
            f"SELECT ?, enrolment_id, {columns}, ? FROM contact_diff WHERE status = 'new' "
            "ORDER BY enrolment_id, priority",
            [school_urn, import_id],
        )
        counts = dict(
            con.execute("SELECT status, count(*) FROM contact_diff GROUP BY status").fetchall()
        )
    finally:
        con.unregister("staged_contacts")
    merged = MergeCounts(counts.get("new", 0), counts.get("changed", 0), counts.get("unchanged", 0))
    return merged, len(removed)


def _scope(
    school_urns: Sequence[int] | None, enrolment_ids: Sequence[int] | None
) -> tuple[str, list]:
    where, params = "TRUE", []
    if school_urns is not None:
        where += " AND school_urn IN (SELECT unnest(?::INTEGER[]))"
        params.append(list(school_urns))
    if enrolment_ids is not None:
        where += " AND enrolment_id IN (SELECT unnest(?::INTEGER[]))"
        params.append(list(enrolment_ids))
    return where, params


def contacts(
    db: Database,
    school_urns: Sequence[int] | None = None,
    enrolment_ids: Sequence[int] | None = None,
) -> pl.DataFrame:
    """The contacts of these schools' pupils (all when None), by pupil and priority:
    `school_urn, enrolment_id` and CONTACT_COLUMNS."""
    where, params = _scope(school_urns, enrolment_ids)
    with db.connect() as con:
        frame = con.execute(
            f"SELECT school_urn, enrolment_id, {', '.join(CONTACT_COLUMNS)} FROM pupil_contacts "
            f"WHERE {where} ORDER BY enrolment_id, priority",
            params,
        ).pl()
    return frame.cast(_SCHEMA) if frame.height else pl.DataFrame(schema=_SCHEMA)


def pupil_details(
    db: Database,
    school_urns: Sequence[int] | None = None,
    enrolment_ids: Sequence[int] | None = None,
) -> pl.DataFrame:
    """One row per enrolment: `enrolment_id` and PUPIL_DETAILS (null where the pupils file
    gave none)."""
    where, params = _scope(school_urns, enrolment_ids)
    with db.connect() as con:
        return con.execute(
            f"SELECT enrolment_id, {', '.join(PUPIL_DETAILS)} FROM enrolments WHERE {where} "
            "ORDER BY enrolment_id",
            params,
        ).pl()
