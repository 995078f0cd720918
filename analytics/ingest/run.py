"""Importing one file: parse and check it, then merge it into the store in one transaction.

A file is imported whole or not at all. The same bytes imported again (for the same school and
kind) change nothing. For each session, the mark of the file imported last wins; the mark it
replaces is kept in the mark history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from analytics.access.roles import command_line_actor
from analytics.ingest.batch import Batch, whole_days
from analytics.ingest.behaviour import parse_behaviour, parse_exclusions
from analytics.ingest.ctf import parse_ctf
from analytics.ingest.errors import ImportRefused, Problem
from analytics.ingest.marks import FIELD
from analytics.ingest.mis import MAPPED_COLUMNS, parse_contacts, parse_register
from analytics.ingest.pupils import parse_pupils
from analytics.ingest.source import Source
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


#: Rows merged at a time, and the most memory they may take: a large file goes in as several
#: merges within its one transaction, so that the store's work on it (the copies it compares, the
#: weekly totals of its marks) never holds all of it at once.
_MERGE_ROWS = 500_000
_MERGE_BYTES = 32 * 1024 * 1024


def _rows_at_a_time(frame: pl.DataFrame) -> int:
    width = frame.estimated_size() / max(frame.height, 1)
    return max(1, min(_MERGE_ROWS, int(_MERGE_BYTES / max(width, 1))))


def _slices(frame: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """`frame` a slice at a time (one empty slice for an empty frame)."""
    rows = _rows_at_a_time(frame)
    for start in range(0, max(frame.height, 1), rows):
        yield frame.slice(start, rows)


def _whole_days(marks: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """Marks in date order, a slice of whole days at a time: a day the school has no marks for
    goes straight in (a history load), and no slice finds a day half put in by the one before."""
    if not marks["date"].is_sorted():
        marks = marks.sort("date", maintain_order=True)
    return whole_days(marks, _rows_at_a_time(marks))


def _with_enrolments(lookup: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
    """Each row of `frame` with its enrolment (`enrolment_id`, null for a UPN not on the roll)
    and the pupil's `date_of_birth`."""
    lookup = lookup.with_columns(pl.col("upn").cast(frame.schema["upn"]))
    return frame.join(lookup, on="upn", how="left")


#: How long before a pupil's first admission a mark or an incident may be dated: a register shows
#: a prospective pupil (`Z`) for the days before they join; a year before, the admission date or
#: the file is wrong.
_BEFORE_ADMISSION = "1y"


def _enrolment_problems(joined: pl.DataFrame, school_urn: int) -> pl.DataFrame:
    """`_row, field, message` for each row whose UPN is not on the school's roll, or whose date
    (a mark's, an incident's, an exclusion's start) is before the pupil was born, or more than a
    year before their first admission to the school."""
    not_ours = f"is not a pupil of school {school_urn}: import the pupils file first"
    problems = [
        joined.filter(pl.col("enrolment_id").is_null()).select(
            ROW, pl.lit("upn").alias("field"), pl.lit(not_ours).alias("message")
        )
    ]
    column = next((c for c in ("date", "start_date") if c in joined.columns), None)
    if column is None:
        return problems[0]
    day = pl.col(column)
    # A grid's or a CTF's marks say which column or element each came from.
    field = pl.col(FIELD).cast(pl.String) if FIELD in joined.columns else pl.lit(column)
    for wrong, says in (
        (day < pl.col("date_of_birth"), "is before the pupil's date of birth"),
        (
            (day >= pl.col("date_of_birth"))
            & (day < pl.col("admission_date").dt.offset_by(f"-{_BEFORE_ADMISSION}")),
            "is more than a year before the pupil's admission to this school: correct the "
            "admission date in the pupils file, or check that the file is this school's",
        ),
    ):
        message = pl.format(f"{{}} {says}", day.dt.strftime("%d %b %Y"))
        problems.append(
            joined.filter(wrong).select(ROW, field.alias("field"), message.alias("message"))
        )
    return pl.concat(problems)


def _refuse_rows(file_name: str, unit: str, problems: Sequence[pl.DataFrame]) -> None:
    """Refuse the file when `problems` (row, field, message) hold any, naming the first 50."""
    found = pl.concat(problems) if problems else pl.DataFrame()
    if found.is_empty():
        return
    shown = [
        Problem(row, field, message, unit)
        for row, field, message in found.sort(ROW).head(50).iter_rows()
    ]
    raise ImportRefused(file_name, shown, found.height)


def _staged(
    con: Connection, file_name: str, school_urn: int, frame: pl.DataFrame, unit: str
) -> pl.DataFrame:
    """`frame` with its enrolments, or the file refused for a row that has none or is dated
    before the pupil's birth."""
    joined = _with_enrolments(write.enrolment_lookup(con, school_urn), frame)
    _refuse_rows(file_name, unit, [_enrolment_problems(joined, school_urn)])
    return joined.drop(ROW, "date_of_birth", "admission_date")


def _merge_marks(
    con: Connection,
    file_name: str,
    school_urn: int,
    batch: Batch,
    import_id: int,
    unit: str,
    restore_replaced: bool,
) -> MergeCounts:
    """Merge a file's marks a slice at a time, once every slice is checked against the roll and
    against the mark history (codes it would put back, refused unless `restore_replaced`)."""
    assert batch.marks is not None
    lookup = write.enrolment_lookup(con, school_urn)
    problems, put_back = [], []
    for marks in _slices(batch.marks):
        joined = _with_enrolments(lookup, marks)
        problems.append(_enrolment_problems(joined, school_urn))
        put_back.append(write.codes_put_back(con, school_urn, _as_stored(joined)))
    _refuse_rows(file_name, unit, problems)
    replaced = (
        pl.concat(put_back)
        .group_by("date", "session", "code", "current_code")
        .agg(pl.col("marks").sum())
        .sort("date", "session", "code", "current_code")
    )
    if not replaced.is_empty():
        if not restore_replaced:
            _refuse_putting_back(file_name, replaced)
        total = int(replaced["marks"].sum())
        batch.notes.append(f"put back {total:,} {_codes(total)} that later imports replaced")
    counts = MergeCounts()
    for marks in _whole_days(batch.marks):
        counts += write.merge_marks(
            con,
            school_urn,
            _as_stored(_with_enrolments(lookup, marks)),
            import_id,
            compare_minutes_late=batch.has_minutes_late,
        )
    return counts


def _as_stored(joined: pl.DataFrame) -> pl.DataFrame:
    """Marks with their enrolments, as the store takes them."""
    return joined.filter(pl.col("enrolment_id").is_not_null()).select(
        "enrolment_id",
        "date",
        pl.col("session").cast(pl.String),
        pl.col("code").cast(pl.String),
        "minutes_late",
    )


def _codes(count: int) -> str:
    return "code" if count == 1 else "codes"


def _refuse_putting_back(file_name: str, replaced: pl.DataFrame) -> None:
    """Refuse a file that would put back codes later imports replaced, listing them by date,
    session and code (no pupil is named)."""
    total = int(replaced["marks"].sum())
    problems = [
        Problem(
            None,
            None,
            f"would put back {total:,} {_codes(total)} that later imports replaced: to put them "
            "back, import it again with --restore-replaced (on the Import page, tick 'Put back "
            "codes that later imports replaced')",
        )
    ]
    for day, session, code, current, marks in replaced.iter_rows():
        noun = "mark" if marks == 1 else "marks"
        problems.append(
            Problem(
                None,
                None,
                f"{day:%d %b %Y} {session}: {code} in place of {current} ({marks} {noun})",
            )
        )
    raise ImportRefused(file_name, problems)


def _merge(
    con: Connection,
    file_name: str,
    school_urn: int,
    batch: Batch,
    import_id: int,
    restore_replaced: bool,
) -> MergeCounts:
    unit = "pupil" if batch.kind == "ctf" else "row"
    counts = MergeCounts()
    if batch.enrolments is not None:
        for enrolments in _slices(batch.enrolments.drop(ROW)):
            counts += write.merge_enrolments(
                con, school_urn, enrolments, import_id, fill_only=batch.kind == "ctf"
            )
        if batch.phase_hint:
            write.set_school_phase_if_unknown(con, school_urn, batch.phase_hint)
    if batch.marks is not None:
        mark_counts = _merge_marks(
            con, file_name, school_urn, batch, import_id, unit, restore_replaced
        )
        # A CTF's pupils and marks are both counted; the marks are what the file is for.
        counts = mark_counts if batch.enrolments is None else counts + mark_counts
    for records, merge in (
        (batch.behaviour, write.merge_behaviour),
        (batch.exclusions, write.merge_exclusions),
    ):
        if records is None:
            continue
        staged = _staged(con, file_name, school_urn, records, unit)
        for part in _slices(staged.drop("upn")):
            counts += merge(
                con, part.with_columns(pl.lit(school_urn).alias("school_urn")), import_id
            )
    if batch.contacts is not None:
        staged = _staged(con, file_name, school_urn, batch.contacts, unit)
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
) -> Callable[[str, Source], Batch]:
    parsers: dict[str, Callable[[str, Source], Batch]] = {
        "pupils": lambda n, d: parse_pupils(n, d, as_of=as_of),
        "marks": lambda n, d: parse_register("marks", n, d, today=today, columns=columns),
        "grid": lambda n, d: parse_register("grid", n, d, today=today, columns=columns),
        "contacts": lambda n, d: parse_contacts(n, d, columns=columns),
        "ctf": lambda n, d: parse_ctf(n, d, school_urn=school_urn, laestab=laestab, today=today),
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
    restore_replaced: bool = False,
    columns: Mapping[str, str] | None = None,
) -> ImportResult:
    """Import one file's bytes. Raises ImportRefused, leaving the database as it was.

    `as_of` is the date a pupils file's year groups refer to (default today); `today` bounds
    mark dates (marks may not be in the future). A file whose records were imported before
    changes nothing; one that would put back codes a later import replaced is refused, listing
    them, unless `restore_replaced` (then it is imported even when imported before). The import
    is recorded in the audit log, in the same transaction, as done by `actor` (default: the
    operating-system user) in `role`.
    `columns` maps Rollcall's columns to the file's headings (default: the school's saved
    mapping for this kind of file, `mappings`).
    """
    return _import(
        db,
        kind,
        Source(file_name, data=data),
        school_urn=school_urn,
        school_name=school_name,
        phase=phase,
        as_of=as_of,
        today=today,
        actor=actor,
        role=role,
        restore_replaced=restore_replaced,
        columns=columns,
    )


def _import(
    db: Database,
    kind: str,
    source: Source,
    *,
    school_urn: int | None,
    school_name: str | None,
    phase: str | None,
    as_of: date | None,
    today: date | None,
    actor: str | None = None,
    role: str | None = None,
    read_ahead: Future[Batch] | None = None,
    restore_replaced: bool = False,
    columns: Mapping[str, str] | None = None,
) -> ImportResult:
    file_name = source.name
    if kind not in KINDS:
        raise ImportRefused(
            file_name, [Problem(None, None, f"kind '{kind}' is not one of {', '.join(KINDS)}")]
        )
    if phase is not None and phase not in PHASES:
        raise ImportRefused(
            file_name, [Problem(None, "--phase", f"must be one of {', '.join(PHASES)}")]
        )
    today = today or date.today()
    source.refuse_if_too_large()
    sha256 = source.sha256()
    again = not restore_replaced  # a file imported before is imported again only to restore

    def parse(laestab: str | None) -> Batch:
        parser = _parser(
            kind,
            school_urn=urn,
            laestab=laestab,
            as_of=as_of or today,
            today=today,
            columns=columns,
        )
        return parser(file_name, source)

    # A file imported before changes no data: its audit row alone leaves the caches as they are.
    # Reading it needs nothing from the database, so it is read with the database let go.
    with db.appending() as con:
        urn = _resolve_school(con, file_name, school_urn)
        if again and (earlier := write.find_import(con, kind, urn, sha256=sha256)):
            return _imported_before(con, earlier, file_name, kind, urn, actor, role)
        known_laestab = write.school_laestab(con, urn)
        if columns is None and kind in MAPPED_COLUMNS:
            columns = mappings.saved_mapping(con, urn, kind)
    batch = read_ahead.result() if read_ahead is not None else parse(known_laestab)
    content_sha256 = batch.content_sha256()
    with db.appending() as con:
        if again and (earlier := write.find_import(con, kind, urn, content_sha256=content_sha256)):
            return _imported_before(con, earlier, file_name, kind, urn, actor, role)
    with db.transaction() as con:
        if again and (  # imported meanwhile
            earlier := write.find_import(
                con, kind, urn, sha256=sha256, content_sha256=content_sha256
            )
        ):
            return _imported_before(con, earlier, file_name, kind, urn, actor, role)
        if kind == "ctf" and write.school_laestab(con, urn) != known_laestab:  # set meanwhile
            known_laestab = write.school_laestab(con, urn)
            batch = parse(known_laestab)
        if batch.laestab and not known_laestab:
            # Only ever the school's own: a CTF is read only when the school sent it.
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
        counts = _merge(con, file_name, urn, batch, import_id, restore_replaced)
        write.record_import(
            con,
            import_id=import_id,
            file_name=file_name,
            sha256=sha256,
            content_sha256=content_sha256,
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


def import_file(db: Database, kind: str, path: Path | str, **options) -> ImportResult:
    """Import a file from disk, read a block at a time; see `import_bytes` for the options."""
    path = Path(path)
    return _import(db, kind, Source(path.name, path=path), **_with_defaults(options))


def _with_defaults(options: dict[str, Any]) -> dict[str, Any]:
    defaults = {
        "school_urn": None,
        "school_name": None,
        "phase": None,
        "as_of": None,
        "today": None,
        "restore_replaced": False,
        "columns": None,
    }
    return defaults | options


#: Kinds whose reading and checking does not depend on what the database holds.
_READ_AHEAD = ("pupils", "marks", "grid", "exclusions")


@dataclass(frozen=True)
class ImportJob:
    """One file of a batch: its kind, path and options (as for `import_file`)."""

    kind: str
    path: Path
    options: dict[str, Any] = field(default_factory=dict)


def _read_and_parse(job: ImportJob) -> tuple[Source, Batch | None]:
    source = Source(job.path.name, path=job.path)
    if job.kind not in _READ_AHEAD or (
        job.kind in MAPPED_COLUMNS and job.options.get("columns") is None
    ):
        return source, None  # read at its import, with its school's column mapping
    source.refuse_if_too_large()
    today = job.options.get("today") or date.today()
    parse = _parser(
        job.kind,
        school_urn=0,
        laestab=None,
        as_of=job.options.get("as_of") or today,
        today=today,
        columns=job.options.get("columns"),
    )
    return source, parse(source.name, source)


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
            assert current is not None  # submitted for this job: there is one
            ahead = (
                pool.submit(_read_and_parse, jobs[position + 1])
                if position + 1 < len(jobs)
                else None
            )
            source, batch = current.result()
            done: Future[Batch] | None = None
            if batch is not None:
                done = Future()
                done.set_result(batch)
            yield _import(db, job.kind, source, read_ahead=done, **_with_defaults(job.options))


def _with_saved_columns(db: Database, job: ImportJob) -> ImportJob:
    """The job with its school's saved column mapping, so that a file read ahead is read as
    its import will read it (a job naming no school is not read ahead)."""
    urn = job.options.get("school_urn")
    if job.kind not in MAPPED_COLUMNS or urn is None or "columns" in job.options:
        return job
    return ImportJob(
        job.kind, job.path, job.options | {"columns": mappings.column_mapping(db, urn, job.kind)}
    )
