"""Helpers every command shares: exit codes, date arguments, choosing schools."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from analytics.access.roles import command_line_actor
from analytics.store import Database, audit, read
from analytics.store.audit import AuditEvent

EXIT_OK = 0
#: Input refused (a bad file, a missing database, an ambiguous school): nothing was changed.
EXIT_REFUSED = 2


class CommandError(Exception):
    """A command cannot run as asked; the message says why and what to do."""


def parse_date(text: str) -> date:
    """An argument date: `YYYY-MM-DD` or `DD/MM/YYYY`."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"'{text}' is not a date (write YYYY-MM-DD or DD/MM/YYYY)")


def database(args: argparse.Namespace) -> Database:
    """The database named by --db, else the configured one."""
    return Database(getattr(args, "db", None))


def record_pupil_export(
    db: Database, what: str, out: Path, urns: Sequence[int] | None, detail: str
) -> None:
    """Put a command-line export of pupil-level rows in the audit log: who ran it, which file."""
    one_school = urns[0] if urns is not None and len(urns) == 1 else None
    event = AuditEvent(
        command_line_actor(),
        "export",
        target=f"{what}: {Path(out).name}",
        school_urn=one_school,
        detail=detail,
    )
    audit.record(db, event)


def school_urns(db: Database, school: int | None) -> list[int]:
    """The one school asked for, or the only school in the database."""
    urns = read.schools(db)["urn"].to_list()
    if school is not None:
        if school not in urns:
            raise CommandError(f"no school {school} in {db.path}")
        return [school]
    if len(urns) == 1:
        return urns
    raise CommandError(f"the database holds {len(urns)} schools; name one with --school URN")
