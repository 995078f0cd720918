"""Importing one file: parse and check it, then merge it into the store in one transaction.

A file is imported whole or not at all. The same bytes imported again (for the same school and
kind) change nothing. For each session, the mark of the file imported last wins; the mark it
replaces is kept in the mark history.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from analytics.access.roles import command_line_actor
from analytics.ingest.batch import Batch
from analytics.ingest.behaviour import parse_behaviour, parse_exclusions
from analytics.ingest.ctf import parse_ctf
from analytics.ingest.errors import ImportRefused, Problem
from analytics.ingest.marks import FIELD
from analytics.ingest.mis import MAPPED_COLUMNS, parse_contacts, parse_register
from analytics.ingest.pupils import parse_pupils
from analytics.ingest.table import ROW
from analytics.store import Connection, Database, audit, mappings, write
from analytics.store import contacts as contact_store
from analytics.store.audit import AuditEvent
from analytics.store.write import MergeCounts

log = logging.getLogger(__name__)

KINDS = ("pupils", "marks", "grid", "ctf", "behaviour", "exclusions", "contacts")
PHASES = ("primary", "secondary", "all-through", "special", "nursery", "pru", "unknown")


@dataclass(frozen=True)
class ImportResult:
    """What one import did."""

    file_name: str
    kind: str
    school_urn: int
    import_id: int | None
    rows_read: int
    counts: MergeCounts
    skipped: int = 0
    already_imported: bool = False
    school_created: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> str:
        """One line for the command line and the Import page."""
        c = self.counts
        text = (
            f"{self.file_name}: {self.rows_read:,} {'row' if self.rows_read == 1 else 'rows'} read; "
            f"{c.new:,} new, {c.changed:,} changed, {c.unchanged:,} unchanged"
        )
        if self.already_imported:
            text += " (this file was imported before; nothing changed)"
        extras = list(self.notes)
        if self.school_created:
            extras.insert(0, f"created school {self.school_urn}")
        return text + (f" [{'; '.join(extras)}]" if extras else "")


def _resolve_school(con: Connection, file_name: str, school_urn: int | None) -> int:
    if school_urn is not None:
        return school_urn
    urns = write.school_urns(con)
    if len(urns) == 1:
        return urns[0]
    reason = (
        "the database holds no school yet"
        if not urns
        else f"the database holds {len(urns)} schools"
    )
    raise ImportRefused(
        file_name, [Problem(None, "--school", f"is needed: {reason}; name the school's URN")]
    )


def _with_enrolment_ids(
    con: Connection, file_name: str, school_urn: int, frame: pl.DataFrame, unit: str
) -> pl.DataFrame:
    """Attach each row's enrolment; refuse the file when a UPN is not on the school's roll, or
    when a row's `date` (a mark's, an incident's) is before the pupil was born."""
    lookup = write.enrolment_lookup(con, school_urn)
    joined = frame.join(lookup, on="upn", how="left")
    unknown = joined.filter(pl.col("enrolment_id").is_null())
    not_ours = f"is not a pupil of school {school_urn}: import the pupils file first"
    _refuse_rows(
        file_name,
        unit,
        unknown.select(ROW, pl.lit("upn").alias("field"), pl.lit(not_ours).alias("message")),
    )
    if "date" in joined.columns:
        unborn = joined.filter(pl.col("date") < pl.col("date_of_birth"))
        field = pl.col(FIELD) if FIELD in unborn.columns else pl.lit("date")  # a grid's column
        before_birth = pl.format(
            "{} is before the pupil's date of birth", pl.col("date").dt.strftime("%d %b %Y")
        )
        _refuse_rows(
            file_name, unit, unborn.select(ROW, field.alias("field"), before_birth.alias("message"))
        )
    return joined.drop(ROW, "date_of_birth")


def _refuse_rows(file_name: str, unit: str, problems: pl.DataFrame) -> None:
    """Refuse the file when `problems` (row, field, message) has any, naming the first 50."""
    if problems.is_empty():
        return
    shown = [
        Problem(row, field, message, unit)
        for row, field, message in problems.sort(ROW).head(50).iter_rows()
    ]
    raise ImportRefused(file_name, shown, problems.height)


def _merge(
    con: Connection, file_name: str, school_urn: int, batch: Batch, import_id: int
) -> MergeCounts:
    unit = "pupil" if batch.kind == "ctf" else "row"
    counts = MergeCounts()
    if batch.enrolments is not None:
        counts += write.merge_enrolments(
            con, school_urn, batch.enrolments.drop(ROW), import_id, fill_only=batch.kind == "ctf"
        )
        if batch.phase_hint:
            write.set_school_phase_if_unknown(con, school_urn, batch.phase_hint)
    if batch.marks is not None:
        marks = _with_enrolment_ids(con, file_name, school_urn, batch.marks, unit)
        mark_counts = write.merge_marks(
            con,
            school_urn,
            marks.select("enrolment_id", "date", "session", "code", "minutes_late"),
            import_id,
            compare_minutes_late=batch.has_minutes_late,
        )
        # A CTF's pupils and marks are both counted; the marks are what the file is for.
        counts = mark_counts if batch.enrolments is None else counts + mark_counts
    if batch.behaviour is not None:
        staged = _with_enrolment_ids(con, file_name, school_urn, batch.behaviour, unit)
        counts += write.merge_behaviour(
            con, staged.drop("upn").with_columns(pl.lit(school_urn).alias("school_urn")), import_id
        )
    if batch.exclusions is not None:
        staged = _with_enrolment_ids(con, file_name, school_urn, batch.exclusions, unit)
        counts += write.merge_exclusions(
            con, staged.drop("upn").with_columns(pl.lit(school_urn).alias("school_urn")), import_id
        )
    if batch.contacts is not None:
        staged = _with_enrolment_ids(con, file_name, school_urn, batch.contacts, unit)
        merged, removed = contact_store.merge_contacts(con, school_urn, staged, import_id)
        counts += merged
        if removed:
            batch.notes.append(
                f"{removed} contact{'s' if removed != 1 else ''} no longer in the file removed"
            )
    return counts


def _parser(
    kind: str,
    *,
    school_urn: int,
    laestab: str | None,
    as_of: date,
    today: date,
    columns: Mapping[str, str] | None = None,
) -> Callable[[str, bytes], Batch]:
    parsers: dict[str, Callable[[str, bytes], Batch]] = {
        "pupils": lambda n, d: parse_pupils(n, d, as_of=as_of),
        "marks": lambda n, d: parse_register("marks", n, d, today=today, columns=columns),
        "grid": lambda n, d: parse_register("grid", n, d, today=today, columns=columns),
        "contacts": lambda n, d: parse_contacts(n, d, columns=columns),
        "ctf": lambda n, d: parse_ctf(n, d, laestab=laestab, today=today),
        "behaviour": lambda n, d: parse_behaviour(n, d, school_urn=school_urn, today=today),
        "exclusions": lambda n, d: parse_exclusions(n, d, today=today),
    }
    return parsers[kind]


def import_bytes(
    db: Database,
    kind: str,
    file_name: str,
    data: bytes,
    *,
    school_urn: int | None = None,
    school_name: str | None = None,
    phase: str | None = None,
    as_of: date | None = None,
    today: date | None = None,
    actor: str | None = None,
    role: str | None = None,
    columns: Mapping[str, str] | None = None,
) -> ImportResult:
    """Import one file's bytes. Raises ImportRefused, leaving the database as it was.

    `as_of` is the date a pupils file's year groups refer to (default today); `today` bounds
    mark dates (marks may not be in the future). The import is recorded in the audit log, in the
    same transaction, as done by `actor` (default: the operating-system user) in `role`.
    `columns` maps Rollcall's columns to the file's headings (default: the school's saved
    mapping for this kind of file, `mappings`).
    """
    return _import(
        db,
        kind,
        file_name,
        data,
        school_urn=school_urn,
        school_name=school_name,
        phase=phase,
        as_of=as_of,
        today=today,
        actor=actor,
        role=role,
        columns=columns,
    )


def _import(
    db: Database,
    kind: str,
    file_name: str,
    data: bytes,
    *,
    school_urn: int | None,
    school_name: str | None,
    phase: str | None,
    as_of: date | None,
    today: date | None,
    actor: str | None = None,
    role: str | None = None,
    read_ahead: Future[Batch] | None = None,
    columns: Mapping[str, str] | None = None,
) -> ImportResult:
    if kind not in KINDS:
        raise ImportRefused(
            file_name, [Problem(None, None, f"kind '{kind}' is not one of {', '.join(KINDS)}")]
        )
    if phase is not None and phase not in PHASES:
        raise ImportRefused(
            file_name, [Problem(None, "--phase", f"must be one of {', '.join(PHASES)}")]
        )
    today = today or date.today()
    sha256 = hashlib.sha256(data).hexdigest()
    # A file imported before changes no data: its audit row alone leaves the caches as they are.
    with db.appending() as con:
        urn = _resolve_school(con, file_name, school_urn)
        if (earlier := write.find_import(con, sha256, kind, urn)) is not None:
            return _imported_before(con, earlier, file_name, kind, urn, actor, role)
    with db.transaction() as con:
        if (earlier := write.find_import(con, sha256, kind, urn)) is not None:  # imported meanwhile
            return _imported_before(con, earlier, file_name, kind, urn, actor, role)
        known_laestab = write.school_laestab(con, urn)
        if columns is None and kind in MAPPED_COLUMNS:
            columns = mappings.saved_mapping(con, urn, kind)
        parse = _parser(
            kind,
            school_urn=urn,
            laestab=known_laestab,
            as_of=as_of or today,
            today=today,
            columns=columns,
        )
        batch = read_ahead.result() if read_ahead is not None else parse(file_name, data)
        if batch.laestab and not known_laestab:
            # Said, because a CTF sent by another school would record that school's number here.
            batch.notes.append(
                f"school {urn} recorded as LA/establishment {batch.laestab} from the file"
            )
        if kind != "pupils" and kind != "ctf" and urn not in write.school_urns(con):
            raise ImportRefused(
                file_name,
                [
                    Problem(
                        None,
                        "--school",
                        f"school {urn} has no pupils yet: import its pupils file first",
                    )
                ],
            )
        import_id = write.next_import_id(con)
        created = write.ensure_school(
            con, urn, name=school_name, phase=phase, laestab=batch.laestab, import_id=import_id
        )
        counts = _merge(con, file_name, urn, batch, import_id)
        write.record_import(
            con,
            import_id=import_id,
            file_name=file_name,
            sha256=sha256,
            kind=kind,
            school_urn=urn,
            rows_read=batch.rows_read,
            counts=counts,
            skipped=batch.skipped,
            notes="; ".join(batch.notes),
        )
        _audit(
            con,
            actor,
            role,
            kind,
            file_name,
            urn,
            f"import {import_id}: {batch.rows_read} rows read; {counts.new} new, {counts.changed} changed",
        )
    result = ImportResult(
        file_name,
        kind,
        urn,
        import_id,
        batch.rows_read,
        counts,
        batch.skipped,
        False,
        created,
        tuple(batch.notes),
    )
    log.info("import %s: %s", import_id, result.summary())
    return result


def _imported_before(
    con: Connection,
    earlier: dict,
    file_name: str,
    kind: str,
    urn: int,
    actor: str | None,
    role: str | None,
) -> ImportResult:
    """The result of importing a file again: nothing changed, everything it brought is unchanged."""
    log.info("%s already imported as import %s", file_name, earlier["import_id"])
    _audit(
        con,
        actor,
        role,
        kind,
        file_name,
        urn,
        f"same file as import {earlier['import_id']}; nothing changed",
    )
    return ImportResult(
        file_name,
        kind,
        urn,
        earlier["import_id"],
        earlier["rows_read"],
        MergeCounts(unchanged=earlier["covered"]),
        already_imported=True,
    )


def _audit(
    con: Connection,
    actor: str | None,
    role: str | None,
    kind: str,
    file_name: str,
    urn: int,
    detail: str,
) -> None:
    actor = actor or command_line_actor()
    audit.append(
        con,
        AuditEvent(
            actor, "import", role=role, target=f"{kind}: {file_name}", school_urn=urn, detail=detail
        ),
    )


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ImportRefused(
            path.name, [Problem(None, None, f"could not be read ({error.strerror})")]
        ) from None


def import_file(db: Database, kind: str, path: Path | str, **options) -> ImportResult:
    """Import a file from disk; see `import_bytes` for the options."""
    path = Path(path)
    return import_bytes(db, kind, path.name, _read(path), **options)


#: Kinds whose reading and checking does not depend on what the database holds.
_READ_AHEAD = ("pupils", "marks", "grid", "exclusions")


@dataclass(frozen=True)
class ImportJob:
    """One file of a batch: its kind, path and options (as for `import_file`)."""

    kind: str
    path: Path
    options: dict[str, Any] = field(default_factory=dict)


def _read_and_parse(job: ImportJob) -> tuple[bytes, Batch | None]:
    data = _read(job.path)
    if job.kind not in _READ_AHEAD or (
        job.kind in MAPPED_COLUMNS and job.options.get("columns") is None
    ):
        return data, None  # read at its import, with its school's column mapping
    today = job.options.get("today") or date.today()
    parse = _parser(
        job.kind,
        school_urn=0,
        laestab=None,
        as_of=job.options.get("as_of") or today,
        today=today,
        columns=job.options.get("columns"),
    )
    return data, parse(job.path.name, data)


def import_files(db: Database, jobs: Sequence[ImportJob]) -> Iterator[ImportResult]:
    """Import files in order, each whole or not at all (a refused file raises ImportRefused, and
    the files before it stay imported), over one open database. While one file is merged, the
    next is read and checked on another thread: reading is most of an import's work and needs
    nothing from the database."""
    with db.held(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="rollcall-read") as pool:
        jobs = [_with_saved_columns(db, job) for job in jobs]
        ahead = pool.submit(_read_and_parse, jobs[0]) if jobs else None
        for position, job in enumerate(jobs):
            current = ahead
            ahead = (
                pool.submit(_read_and_parse, jobs[position + 1])
                if position + 1 < len(jobs)
                else None
            )
            data, batch = current.result()
            done: Future[Batch] | None = None
            if batch is not None:
                done = Future()
                done.set_result(batch)
            options = {
                "school_urn": None,
                "school_name": None,
                "phase": None,
                "as_of": None,
                "today": None,
                "columns": None,
            } | job.options
            yield _import(db, job.kind, job.path.name, data, read_ahead=done, **options)


def _with_saved_columns(db: Database, job: ImportJob) -> ImportJob:
    """The job with its school's saved column mapping, so that a file read ahead is read as
    its import will read it (a job naming no school is not read ahead)."""
    urn = job.options.get("school_urn")
    if job.kind not in MAPPED_COLUMNS or urn is None or "columns" in job.options:
        return job
    return ImportJob(
        job.kind, job.path, job.options | {"columns": mappings.column_mapping(db, urn, job.kind)}
    )
