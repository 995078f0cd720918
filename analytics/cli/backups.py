"""`rollcall backup`, `rollcall restore` and `rollcall encrypt`: encrypted copies of the database.

A backup is always encrypted (ROLLCALL_BACKUP_KEY, else the database key). Restoring writes the
copy next to the database, checks it opens, and only then moves it into place, so a failed restore
leaves the database as it was; the restored file is encrypted with the database key when one is set.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analytics.access.roles import command_line_actor
from analytics.cli.common import EXIT_OK, CommandError, database
from analytics.settings import setting
from analytics.store import Database, DatabaseKeyError, audit, read
from analytics.store.audit import AuditEvent
from analytics.store.database import replace_file


def _backup_key() -> str:
    key = setting("backup_key") or setting("db_key")
    if not key:
        raise CommandError(
            "backups are always encrypted: set ROLLCALL_BACKUP_KEY (or ROLLCALL_DB_KEY), "
            "in the environment or the secrets file"
        )
    return key


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


def _describe(db: Database) -> str:
    schools = read.schools(db).height
    enrolments = read.enrolments(db).height
    return f"{schools} schools, {enrolments:,} enrolments"


def run_backup(args: argparse.Namespace) -> int:
    db = database(args)
    if not db.exists():
        raise CommandError(f"no database at {db.path}")
    out = Path(args.out)
    if out.exists() and not args.force:
        raise CommandError(f"{out} exists; add --force to replace it")
    key = _backup_key()
    partial = _partial(out)
    partial.unlink(missing_ok=True)
    try:
        db.copy_to(partial, key)
        replace_file(out, partial)
    finally:
        partial.unlink(missing_ok=True)
    audit.record(
        db, AuditEvent(command_line_actor(), "backup", target=out.name, detail=_describe(db))
    )
    print(f"{out}: encrypted backup of {db.path} ({_describe(Database(out, key=key))})")
    return EXIT_OK


def run_restore(args: argparse.Namespace) -> int:
    db = database(args)
    backup = Database(Path(args.backup), key=_backup_key())
    if not backup.exists():
        raise CommandError(f"no backup at {backup.path}")
    if db.exists() and not args.force:
        raise CommandError(f"{db.path} exists; add --force to replace it with the backup")
    try:
        contents = _describe(backup)
    except DatabaseKeyError as error:
        raise CommandError(f"{error} (the backup key); nothing was changed") from None
    except Exception as error:  # noqa: BLE001 - a damaged or foreign file: say so, change nothing
        raise CommandError(
            f"{backup.path} is not a readable Rollcall backup ({type(error).__name__}); nothing was changed"
        ) from None
    db.path.parent.mkdir(parents=True, exist_ok=True)
    partial = _partial(db.path)
    partial.unlink(missing_ok=True)
    try:
        backup.copy_to(partial, db.key)
        restored = Database(partial, key=db.key)
        restored.migrate()  # a backup from an older Rollcall is brought up to date before it goes live
        if db.exists():
            with db.holding():
                replace_file(db.path, partial)
        else:
            replace_file(db.path, partial)
    finally:
        partial.unlink(missing_ok=True)
    audit.record(
        Database(db.path, key=db.key),
        AuditEvent(command_line_actor(), "restore", target=backup.path.name, detail=contents),
    )
    note = "" if db.key else " (not encrypted: set ROLLCALL_DB_KEY to keep it encrypted)"
    print(f"{db.path}: restored from {backup.path} ({contents}){note}")
    return EXIT_OK


def run_encrypt(args: argparse.Namespace) -> int:
    db = database(args)
    if not db.key:
        raise CommandError(
            "set ROLLCALL_DB_KEY (in the environment or the secrets file) to the key to encrypt with"
        )
    if not db.exists():
        raise CommandError(f"no database at {db.path}")
    plain = Database(db.path, key=None)
    try:
        plain.migrate()
    except DatabaseKeyError:
        raise CommandError(f"{db.path} is already encrypted") from None
    partial = _partial(db.path)
    partial.unlink(missing_ok=True)
    try:
        # Held from before the copy is read to after it replaces the file: an import that comes
        # in the meantime waits, and lands in the encrypted file, instead of being lost.
        with plain.holding():
            plain.copy_to(partial, db.key)
            replace_file(db.path, partial)
    finally:
        partial.unlink(missing_ok=True)
    print(f"{db.path}: encrypted ({_describe(db)}); it now opens only with ROLLCALL_DB_KEY")
    return EXIT_OK


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `backup`, `restore` and `encrypt`."""
    backup = commands.add_parser(
        "backup", parents=[common], help="write an encrypted copy of the database"
    )
    backup.add_argument("out", type=Path, help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="replace an existing backup file")
    backup.set_defaults(run=run_backup)
    restore = commands.add_parser(
        "restore", parents=[common], help="replace the database with an encrypted backup"
    )
    restore.add_argument("backup", type=Path, help="a file written by `rollcall backup`")
    restore.add_argument("--force", action="store_true", help="replace an existing database")
    restore.set_defaults(run=run_restore)
    encrypt = commands.add_parser(
        "encrypt", parents=[common], help="encrypt a plain database in place with ROLLCALL_DB_KEY"
    )
    encrypt.set_defaults(run=run_encrypt)
