"""Writing to the store: each function merges one validated batch inside the caller's transaction.

Merges report what they did as new, changed and unchanged rows. A mark that a batch replaces is
copied to `mark_history` first; nothing is ever deleted. Merges that change marks or spells on
roll recount the weekly totals they touch (`aggregates`) in the same transaction: any new code
that writes marks or spells must do the same.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import polars as pl

from analytics.store import aggregates
from analytics.store.database import one_row

#: Enrolment columns an import may set, besides the key (school_urn, upn).
ENROLMENT_ATTRIBUTES = (
    "forename",
    "surname",
    "date_of_birth",
    "sex",
    "year_group",
    "year_group_academic_year",
    "form",
    "admission_date",
    "leaving_date",
    "fsm",
    "fsm6",
    "looked_after",
    "sen",
    "eal",
    "ethnicity",
    "disadvantaged",
    "address",
    "postcode",
    "leaving_reason",
    "social_care",
    "vulnerable",
)
BEHAVIOUR_ATTRIBUTES = ("points", "severity", "location", "subject", "staff", "action", "notes")
EXCLUSION_ATTRIBUTES = ("end_date", "sessions", "reason_1", "reason_2", "reason_3")


@dataclass(frozen=True)
class MergeCounts:
    """What a merge did: rows added, rows that replaced different values, rows already there."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0

    def __add__(self, other: MergeCounts) -> MergeCounts:
        return MergeCounts(
            self.new + other.new, self.changed + other.changed, self.unchanged + other.unchanged
        )


def _status_counts(con: duckdb.DuckDBPyConnection, table: str) -> MergeCounts:
    counts = dict(con.execute(f"SELECT status, count(*) FROM {table} GROUP BY status").fetchall())
    return MergeCounts(counts.get("new", 0), counts.get("changed", 0), counts.get("unchanged", 0))


def find_import(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    school_urn: int,
    *,
    sha256: str | None = None,
    content_sha256: str | None = None,
) -> dict | None:
    """The earlier import of the same file for the same kind and school, if any: the same bytes
    (`sha256`), or the same records however they were saved (`content_sha256`). With `covered`:
    how many records (marks, pupils, incidents) it brought, new, changed or unchanged."""
    row = con.execute(
        "SELECT import_id, file_name, rows_read, new_rows + changed_rows + unchanged_rows, imported_at "
        "FROM imports WHERE kind = ? AND school_urn = ? AND (sha256 = ? OR content_sha256 = ?) "
        "ORDER BY import_id LIMIT 1",
        [kind, school_urn, sha256, content_sha256],
    ).fetchone()
    if row is None:
        return None
    return dict(
        zip(("import_id", "file_name", "rows_read", "covered", "imported_at"), row, strict=True)
    )


def next_import_id(con: duckdb.DuckDBPyConnection) -> int:
    """A fresh import id."""
    return one_row(con.execute("SELECT nextval('import_id_seq')").fetchone())[0]


def record_import(
    con: duckdb.DuckDBPyConnection,
    *,
    import_id: int,
    file_name: str,
    sha256: str,
    content_sha256: str,
    kind: str,
    school_urn: int,
    rows_read: int,
    counts: MergeCounts,
    skipped: int,
    notes: str,
) -> None:
    """Add one line to the import log."""
    con.execute(
        "INSERT INTO imports (import_id, file_name, sha256, kind, school_urn, rows_read, new_rows, "
        "changed_rows, unchanged_rows, skipped_rows, notes, imported_at, content_sha256) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            import_id,
            file_name,
            sha256,
            kind,
            school_urn,
            rows_read,
            counts.new,
            counts.changed,
            counts.unchanged,
            skipped,
            notes,
            datetime.now(),
            content_sha256,
        ],
    )


def school_urns(con: duckdb.DuckDBPyConnection) -> list[int]:
    """URNs of every school in the store."""
    return [row[0] for row in con.execute("SELECT urn FROM schools ORDER BY urn").fetchall()]


def school_laestab(con: duckdb.DuckDBPyConnection, urn: int) -> str | None:
    """The school's LA and establishment number (e.g. `8012000`), when known."""
    row = con.execute("SELECT laestab FROM schools WHERE urn = ?", [urn]).fetchone()
    return row[0] if row else None


def ensure_school(
    con: duckdb.DuckDBPyConnection,
    urn: int,
    *,
    name: str | None,
    phase: str | None,
    laestab: str | None,
    import_id: int,
) -> bool:
    """Create the school when it is new; fill in a missing LAESTAB. True when it was created."""
    existing = con.execute("SELECT laestab FROM schools WHERE urn = ?", [urn]).fetchone()
    if existing is not None:
        if laestab and not existing[0]:
            con.execute("UPDATE schools SET laestab = ? WHERE urn = ?", [laestab, urn])
        return False
    con.execute(
        "INSERT INTO schools VALUES (?, ?, ?, ?, ?)",
        [urn, name or f"School {urn}", phase or "unknown", laestab, import_id],
    )
    return True


def set_school_phase_if_unknown(con: duckdb.DuckDBPyConnection, urn: int, phase: str) -> None:
    """Record a phase inferred from year groups when the school's phase is not yet known."""
    con.execute("UPDATE schools SET phase = ? WHERE urn = ? AND phase = 'unknown'", [phase, urn])


def enrolment_lookup(con: duckdb.DuckDBPyConnection, school_urn: int) -> pl.DataFrame:
    """upn -> enrolment_id (and date_of_birth, and admission_date: the first admission) for one
    school."""
    return con.execute(
        "SELECT upn, enrolment_id, date_of_birth, admission_date FROM enrolments WHERE school_urn = ?",
        [school_urn],
    ).pl()


#: Enrolment columns that describe a spell on roll rather than the pupil.
SPELL_COLUMNS = ("admission_date", "leaving_date")


def merge_enrolments(
    con: duckdb.DuckDBPyConnection,
    school_urn: int,
    staged: pl.DataFrame,
    import_id: int,
    *,
    fill_only: bool = False,
) -> MergeCounts:
    """Insert new enrolments, update the given attributes of existing ones, and record their
    spells on roll.

    `staged` has `upn`, `admission_date` and any of ENROLMENT_ATTRIBUTES; attributes it lacks are
    left as they are. With `fill_only` (a CTF, which carries what it happens to hold), a blank
    value never replaces a recorded one; a pupils file's blank does. How the admission date is
    read is in `_merge_spells`.
    """
    present = [c for c in ENROLMENT_ATTRIBUTES if c in staged.columns and c not in SPELL_COLUMNS]
    con.register("staged_enrolments", staged)
    try:
        new_value = (lambda c: f"coalesce(s.{c}, e.{c})") if fill_only else (lambda c: f"s.{c}")
        differs = " OR ".join(f"e.{c} IS DISTINCT FROM {new_value(c)}" for c in present) or "FALSE"
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE enrolment_diff AS
            SELECT s.upn, {"".join(f"{new_value(c)} AS {c}, " for c in present)}e.enrolment_id,
                   CASE WHEN e.enrolment_id IS NULL THEN 'new'
                        WHEN {differs} THEN 'changed' ELSE 'unchanged' END AS status
            FROM staged_enrolments s
            LEFT JOIN (SELECT * FROM enrolments WHERE school_urn = ?) e ON e.upn = s.upn
            """,
            [school_urn],
        )
        assignments = ", ".join(f"{c} = d.{c}" for c in present)
        regrouped = _year_groups_moved(con, present)
        if assignments:
            con.execute(
                f"UPDATE enrolments SET {assignments}, import_id = ? FROM enrolment_diff d "
                "WHERE d.status = 'changed' AND enrolments.enrolment_id = d.enrolment_id",
                [import_id],
            )
        columns = "".join(f"{c}, " for c in present)
        con.execute(
            f"INSERT INTO enrolments (school_urn, upn, {columns}admission_date, import_id) "
            f"SELECT ?, d.upn, {''.join(f'd.{c}, ' for c in present)}s.admission_date, ? "
            "FROM enrolment_diff d JOIN staged_enrolments s USING (upn) WHERE d.status = 'new' ORDER BY d.upn",
            [school_urn, import_id],
        )
        if regrouped:
            aggregates.recount_session_counts(con, school_urn)
        respelled = _merge_spells(
            con, school_urn, "leaving_date" in staged.columns, fill_only, import_id
        )
        con.execute(
            "UPDATE enrolment_diff SET status = 'changed' WHERE status = 'unchanged' "
            "AND upn IN (SELECT unnest(?::VARCHAR[]))",
            [respelled],
        )
        return _status_counts(con, "enrolment_diff")
    finally:
        con.unregister("staged_enrolments")


def _year_groups_moved(con: duckdb.DuckDBPyConnection, present: Sequence[str]) -> bool:
    """True when `enrolment_diff` moves an existing enrolment to another year-group cohort (a
    corrected year group, not the move up a year), which the session counts are keyed on."""
    if "year_group" not in present and "year_group_academic_year" not in present:
        return False
    new = {
        c: f"d.{c}" if c in present else f"e.{c}"
        for c in ("year_group", "year_group_academic_year")
    }
    moved = aggregates.n1_year_sql(new["year_group"], new["year_group_academic_year"])
    return one_row(
        con.execute(
            "SELECT EXISTS (SELECT 1 FROM enrolment_diff d JOIN enrolments e USING (enrolment_id) "
            f"WHERE d.status = 'changed' AND {moved} IS DISTINCT FROM {aggregates.N1_YEAR})"
        ).fetchone()
    )[0]


def _merge_spells(
    con: duckdb.DuckDBPyConnection,
    school_urn: int,
    has_leaving: bool,
    fill_only: bool,
    import_id: int,
) -> list[str]:
    """Record the spells the staged rows describe; returns the UPNs whose spells changed.

    Against the enrolment's spells, a staged admission date:
    - equal to a spell's admission date updates that spell's leaving date;
    - after the latest spell's leaving date is a readmission: a new spell;
    - otherwise corrects the latest spell (its admission date, and leaving date when given).
    Then the enrolment's own dates are refreshed: first admission, the latest spell's leaving.
    """
    leaving = "s.leaving_date" if has_leaving else "NULL::DATE"
    keep_leaving = "TRUE" if (not has_leaving or fill_only) else "FALSE"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE spell_diff AS
        WITH latest AS (
            SELECT enrolment_id, max(admission_date) AS admission_date FROM enrolment_spells GROUP BY enrolment_id
        )
        SELECT e.enrolment_id, s.upn, s.admission_date, {leaving} AS leaving_date,
               l.admission_date AS latest_admission, ls.leaving_date AS latest_leaving,
               same.admission_date IS NOT NULL AS same_spell, same.leaving_date AS same_leaving,
               CASE
                 WHEN l.admission_date IS NULL THEN 'insert'
                 WHEN same.admission_date IS NOT NULL THEN
                   CASE WHEN ({leaving} IS NULL AND {keep_leaving}) OR same.leaving_date IS NOT DISTINCT FROM {leaving}
                        THEN 'none' ELSE 'set_leaving' END
                 WHEN ls.leaving_date IS NOT NULL AND s.admission_date > ls.leaving_date THEN 'insert'
                 ELSE 'correct_latest'
               END AS action
        FROM staged_enrolments s
        JOIN enrolments e ON e.school_urn = ? AND e.upn = s.upn
        LEFT JOIN latest l ON l.enrolment_id = e.enrolment_id
        LEFT JOIN enrolment_spells ls ON ls.enrolment_id = l.enrolment_id AND ls.admission_date = l.admission_date
        LEFT JOIN enrolment_spells same ON same.enrolment_id = e.enrolment_id AND same.admission_date = s.admission_date
        """,
        [school_urn],
    )
    con.execute(
        "INSERT INTO enrolment_spells SELECT enrolment_id, admission_date, leaving_date, ? "
        "FROM spell_diff WHERE action = 'insert'",
        [import_id],
    )
    con.execute(
        "UPDATE enrolment_spells SET leaving_date = d.leaving_date, import_id = ? FROM spell_diff d "
        "WHERE d.action = 'set_leaving' AND enrolment_spells.enrolment_id = d.enrolment_id "
        "AND enrolment_spells.admission_date = d.admission_date",
        [import_id],
    )
    # A correction rewrites the key of the latest spell: delete and insert, as DuckDB updates keys.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE corrected_spells AS
        SELECT d.enrolment_id, d.admission_date,
               CASE WHEN (d.leaving_date IS NULL AND {keep_leaving}) THEN d.latest_leaving ELSE d.leaving_date END AS leaving_date
        FROM spell_diff d WHERE d.action = 'correct_latest'
        """
    )
    con.execute(
        "DELETE FROM enrolment_spells USING spell_diff d WHERE d.action = 'correct_latest' "
        "AND enrolment_spells.enrolment_id = d.enrolment_id AND enrolment_spells.admission_date = d.latest_admission"
    )
    con.execute(
        "INSERT INTO enrolment_spells SELECT enrolment_id, admission_date, leaving_date, ? FROM corrected_spells",
        [import_id],
    )
    con.execute(
        """
        UPDATE enrolments SET admission_date = f.first_admission, leaving_date = f.latest_leaving
        FROM (
            SELECT enrolment_id, min(admission_date) AS first_admission,
                   arg_max_null(leaving_date, admission_date) AS latest_leaving
            FROM enrolment_spells
            WHERE enrolment_id IN (SELECT enrolment_id FROM spell_diff)
            GROUP BY enrolment_id
        ) f
        WHERE enrolments.enrolment_id = f.enrolment_id
        """
    )
    # The first day whose being on roll may have changed: a new spell's admission, the earlier of
    # a spell's old and new leaving dates, or of the latest spell's old and new admission dates.
    aggregates.refresh_enrolments(
        con,
        school_urn,
        """
        SELECT enrolment_id, CASE action
            WHEN 'insert' THEN admission_date
            WHEN 'set_leaving' THEN coalesce(least(same_leaving, leaving_date), same_leaving, leaving_date)
            WHEN 'correct_latest' THEN least(admission_date, latest_admission) END AS since
        FROM spell_diff WHERE action <> 'none'
        """,
    )
    rows = con.execute(
        "SELECT upn FROM spell_diff WHERE action <> 'none' AND latest_admission IS NOT NULL"
    ).fetchall()
    return [upn for (upn,) in rows]


def merge_marks(
    con: duckdb.DuckDBPyConnection,
    school_urn: int,
    staged: pl.DataFrame,
    import_id: int,
    *,
    compare_minutes_late: bool,
) -> MergeCounts:
    """Merge marks (enrolment_id, date, session, code, minutes_late): a differing mark replaces
    the current one, which goes to the history first.

    When the file gave no minutes late, a mark with the same code is unchanged.
    """
    if staged.is_empty():
        return MergeCounts()
    first, last = staged["date"].min(), staged["date"].max()
    assert isinstance(first, date) and isinstance(last, date)
    con.register("staged_marks", staged)
    try:
        if not _marks_held(con, school_urn, first, last):
            # Days the school has no mark for yet (a history load, the next term's file): all new.
            # Files come in date order; only a file that does not is sorted before it goes in.
            order = "" if staged["date"].is_sorted() else " ORDER BY date, enrolment_id, session"
            con.execute(
                "INSERT INTO marks SELECT ?, enrolment_id, date, session::session_name, code, minutes_late, ? "
                f"FROM staged_marks{order}",
                [school_urn, import_id],
            )
            changes = staged.select(
                "enrolment_id", "date", "session", "code", pl.lit(None, pl.String).alias("old_code")
            )
            aggregates.refresh_marks(con, school_urn, changes, new_days=True)
            return MergeCounts(new=staged.height)
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE mark_diff AS
            SELECT s.enrolment_id, s.date, s.session::session_name AS session, s.code, s.minutes_late,
                   m.code AS old_code, m.minutes_late AS old_minutes_late, m.import_id AS old_import_id,
                   CASE WHEN m.code IS NULL THEN 'new'
                        WHEN m.code = s.code
                             AND (NOT ? OR m.minutes_late IS NOT DISTINCT FROM s.minutes_late)
                        THEN 'unchanged' ELSE 'changed' END AS status
            FROM staged_marks s
            LEFT JOIN (SELECT * FROM marks WHERE school_urn = ? AND date BETWEEN ? AND ?) m
              ON m.enrolment_id = s.enrolment_id AND m.date = s.date
             AND m.session = s.session::session_name
            """,
            [compare_minutes_late, school_urn, first, last],
        )
        con.execute(
            "INSERT INTO mark_history SELECT ?, enrolment_id, date, session, old_code, old_minutes_late, "
            "old_import_id, ?, code FROM mark_diff WHERE status = 'changed'",
            [school_urn, import_id],
        )
        con.execute(
            "UPDATE marks SET code = d.code, minutes_late = d.minutes_late, import_id = ? "
            "FROM mark_diff d WHERE d.status = 'changed' AND marks.school_urn = ? "
            "AND marks.enrolment_id = d.enrolment_id AND marks.date = d.date AND marks.session = d.session",
            [import_id, school_urn],
        )
        con.execute(
            "INSERT INTO marks SELECT ?, enrolment_id, date, session, code, minutes_late, ? "
            "FROM mark_diff WHERE status = 'new' ORDER BY date, enrolment_id, session",
            [school_urn, import_id],
        )
        changes = con.execute(
            "SELECT enrolment_id, date, session::VARCHAR AS session, code, old_code::VARCHAR AS old_code "
            "FROM mark_diff WHERE status <> 'unchanged'"
        ).pl()
        aggregates.refresh_marks(con, school_urn, changes)
        return _status_counts(con, "mark_diff")
    finally:
        con.unregister("staged_marks")


def codes_put_back(
    con: duckdb.DuckDBPyConnection, school_urn: int, staged: pl.DataFrame
) -> pl.DataFrame:
    """Where marks (enrolment_id, date, session, code) would put back a code that a later import
    replaced: a code other than the session's current one that the session held before (it is
    in the mark history). One row per date, session, code put back and code now: `date, session,
    code, current_code, marks` (how many), in date order; no pupil is named."""
    columns = {"date": pl.Date, "session": pl.String, "code": pl.String, "current_code": pl.String}
    if staged.is_empty():
        return pl.DataFrame(schema={**columns, "marks": pl.Int64})
    first, last = staged["date"].min(), staged["date"].max()
    replaced = con.execute(
        "SELECT EXISTS (SELECT 1 FROM mark_history WHERE school_urn = ? AND date BETWEEN ? AND ?)",
        [school_urn, first, last],
    ).fetchone()
    if not (replaced and replaced[0]):
        return pl.DataFrame(schema={**columns, "marks": pl.Int64})  # nothing was ever replaced
    con.register("staged_put_back", staged.select("enrolment_id", "date", "session", "code"))
    try:
        return con.execute(
            """
            SELECT s.date, s.session, s.code, m.code AS current_code, count(*) AS marks
            FROM staged_put_back s
            JOIN marks m ON m.school_urn = ? AND m.date BETWEEN ? AND ?
             AND m.enrolment_id = s.enrolment_id AND m.date = s.date
             AND m.session = s.session::session_name
            WHERE m.code <> s.code AND EXISTS (
                SELECT 1 FROM mark_history h
                WHERE h.school_urn = ? AND h.date BETWEEN ? AND ? AND h.enrolment_id = s.enrolment_id
                  AND h.date = s.date AND h.session = m.session AND h.code = s.code
            )
            GROUP BY ALL ORDER BY s.date, s.session, s.code, current_code
            """,
            [school_urn, first, last, school_urn, first, last],
        ).pl()
    finally:
        con.unregister("staged_put_back")


def _marks_held(con: duckdb.DuckDBPyConnection, school_urn: int, first: date, last: date) -> bool:
    """True when the school has any mark between the two dates."""
    return one_row(
        con.execute(
            "SELECT EXISTS (SELECT 1 FROM marks WHERE school_urn = ? AND date BETWEEN ? AND ?)",
            [school_urn, first, last],
        ).fetchone()
    )[0]


def _merge_keyed(
    con: duckdb.DuckDBPyConnection,
    *,
    table: str,
    staged: pl.DataFrame,
    key: Sequence[str],
    attributes: Sequence[str],
    import_id: int,
) -> MergeCounts:
    """Insert rows whose key is new, update the attributes of rows whose key is there."""
    con.register("staged_rows", staged)
    try:
        on = " AND ".join(f"t.{k} = s.{k}" for k in key)
        differs = " OR ".join(f"t.{a} IS DISTINCT FROM s.{a}" for a in attributes) or "FALSE"
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE keyed_diff AS
            SELECT s.*, CASE WHEN t.{key[0]} IS NULL THEN 'new'
                             WHEN {differs} THEN 'changed' ELSE 'unchanged' END AS status
            FROM staged_rows s LEFT JOIN {table} t ON {on}
            """
        )
        assignments = ", ".join(f"{a} = d.{a}" for a in attributes)
        match = " AND ".join(f"{table}.{k} = d.{k}" for k in key)
        con.execute(
            f"UPDATE {table} SET {assignments}, import_id = ? FROM keyed_diff d "
            f"WHERE d.status = 'changed' AND {match}",
            [import_id],
        )
        columns = ", ".join(c for c in staged.columns)
        con.execute(
            f"INSERT INTO {table} ({columns}, import_id) SELECT {columns}, ? FROM keyed_diff "
            "WHERE status = 'new'",
            [import_id],
        )
        return _status_counts(con, "keyed_diff")
    finally:
        con.unregister("staged_rows")


def merge_behaviour(
    con: duckdb.DuckDBPyConnection, staged: pl.DataFrame, import_id: int
) -> MergeCounts:
    """Merge behaviour incidents keyed on `incident_key`."""
    return _merge_keyed(
        con,
        table="behaviour_incidents",
        staged=staged,
        key=("incident_key",),
        attributes=BEHAVIOUR_ATTRIBUTES,
        import_id=import_id,
    )


def merge_exclusions(
    con: duckdb.DuckDBPyConnection, staged: pl.DataFrame, import_id: int
) -> MergeCounts:
    """Merge exclusions keyed on enrolment, start date and category."""
    return _merge_keyed(
        con,
        table="exclusions",
        staged=staged,
        key=("enrolment_id", "start_date", "category"),
        attributes=EXCLUSION_ATTRIBUTES,
        import_id=import_id,
    )


def latest_mark_date(con: duckdb.DuckDBPyConnection, school_urn: int) -> date | None:
    """The last date with a mark at a school."""
    return one_row(
        con.execute("SELECT max(date) FROM marks WHERE school_urn = ?", [school_urn]).fetchone()
    )[0]


def mark_as_demo(con: duckdb.DuckDBPyConnection, *, seed: int, upn_la_prefix: str) -> None:
    """Record that this database is the synthetic demo trust, as built up to its latest import.
    Only `rollcall demo` calls this; anything imported afterwards ends demo mode (`read.demo_status`).
    `upn_la_prefix` starts the LA number of every UPN the demo made up."""
    last_import = one_row(
        con.execute("SELECT coalesce(max(import_id), 0) FROM imports").fetchone()
    )[0]
    marker = {
        "seed": seed,
        "last_import_id": last_import,
        "upn_la_prefix": upn_la_prefix,
        "built_at": datetime.now().isoformat(timespec="seconds"),
    }
    con.execute("INSERT OR REPLACE INTO store_state VALUES ('demo', ?)", [json.dumps(marker)])
