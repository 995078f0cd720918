"""The Rollcall database: one DuckDB file, shared by this process's threads and by other processes.

Inside a process, one open handle on the file serves every thread: each unit of work (a read, a
transaction) gets a cursor of its own, so the app's sessions read at the same time instead of
queueing behind one another, and writes queue behind each other only (DuckDB keeps readers apart
from them). The file is closed when no unit of work and no `held()` block needs it.

Between processes the file is shared by taking turns: a process that finds the file locked by
another waits (up to `lock_timeout_seconds`) and says so (an exclusive lock on `<file>.lock`); a
process holding the file lets it go at the next boundary between units of work, and does not
start new ones until the waiting process has had its turn. So imports queue behind the app's
readers rather than fail, and a stream of short reads cannot keep an import out.

The file may be encrypted (see `analytics.store.files`).
"""

from __future__ import annotations

import enum
import fcntl
import itertools
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from analytics.domain.codes import code_table
from analytics.settings import setting
from analytics.store.files import (
    LOCK_MESSAGES,
    Connection,
    DatabaseKeyError,
    OpenFile,
    httpfs_extension,
    key_literal,
    literal,
    open_file,
    restrict,
)

log = logging.getLogger(__name__)

#: path -> (file signature, data version): the version is read again only when the file changed.
_versions: dict[Path, tuple[tuple, str]] = {}


class _FromSettings(enum.Enum):
    """The type of `_FROM_SETTINGS`: an enum of one member, which the type check tells from a key."""

    TOKEN = enum.auto()


#: `Database(path)` takes its key from the settings; `Database(path, key=None)` is a plain file.
_FROM_SETTINGS = _FromSettings.TOKEN
#: How often a thread waiting for the handle looks again for a change it cannot be told of.
_POLL = 0.02
_copies = itertools.count(1)
#: Migrations that add kept aggregates, filled by a rebuild in the migration's own transaction.
REBUILDS_AGGREGATES = {7}

__all__ = [
    "Connection",
    "Database",
    "DatabaseBusy",
    "DatabaseKeyError",
    "DatabaseMissing",
    "one_row",
]


def one_row(row: tuple[Any, ...] | None) -> tuple[Any, ...]:
    """The row `fetchone()` gave for a query that always yields one (an aggregate without GROUP
    BY, `nextval`, ...): DuckDB's types allow None, which such a query never returns."""
    assert row is not None, "the query returned no row"
    return row


class DatabaseMissing(FileNotFoundError):
    """Raised when a reader asks for a database file that does not exist."""


class DatabaseBusy(TimeoutError):
    """Raised when another process held the database for longer than the lock timeout."""


class _SharedFile:
    """This process's one handle on a database file, and who is using it.

    `users` counts the units of work running (each on a cursor of its own), `holds` the `held()`
    blocks keeping the file open between them. `draining` stops new units starting (nested ones
    excepted) until the running ones finish and the file is closed: when another process waits
    for the file, or it must be reopened with another key. `exclusive` is the thread that has the
    file to itself (`Database.holding`). `writes` keeps this process's transactions one at a time
    (the audit log's chain and ids are read and written inside them).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.changed = threading.Condition()
        self.file: OpenFile | None = None
        self.key: str | None = None
        self.users = 0
        self.holds = 0
        self.draining = False
        self.exclusive: int | None = None
        self.writes = threading.RLock()
        self.nesting = threading.local()
        self.idle_since = 0.0
        #: A transaction committed since the file was opened: then it is closed when idle, which
        #: checkpoints it, so that the file itself (copied, say) holds every change.
        self.wrote = False

    def depth(self) -> int:
        return getattr(self.nesting, "depth", 0)

    def close(self) -> None:
        """Close the file (the caller holds `changed` and no unit is running)."""
        if self.file is not None:
            try:
                self.file.close()
            finally:
                self.file = None
                self.draining = False
                self.wrote = False
                self.changed.notify_all()

    def settle(self, waiting: bool) -> None:
        """Close the file once nothing needs it (the caller holds `changed`): no unit of work
        running, no thread having it to itself, no `held()` block, or another process waiting
        for it. With `keep_open_when_idle`, an idle file stays open a while for the next unit."""
        if self.file is None or self.users or self.exclusive is not None:
            return
        if self.draining or waiting:
            self.close()
        elif not self.holds:
            if _linger_seconds > 0 and not self.wrote:
                self.idle_since = time.monotonic()
                _start_reaper()
            else:
                self.close()


_shared: dict[Path, _SharedFile] = {}
_shared_guard = threading.Lock()
#: How long an idle file stays open (0: closed at once); see `keep_open_when_idle`.
_linger_seconds = 0.0
_reaper: threading.Thread | None = None


def keep_open_when_idle(seconds: float) -> None:
    """Keep each database file open for `seconds` after this process last used it, instead of
    closing it at once: for a server, whose next page run then finds DuckDB's cache warm. Another
    process waiting for the file still gets it within a tenth of a second."""
    global _linger_seconds
    _linger_seconds = seconds


def close_idle_files() -> None:
    """Close every file this process keeps open with no unit of work or `held()` block on it."""
    with _shared_guard:
        files = list(_shared.values())
    for shared in files:
        with shared.changed:
            if shared.file is not None and not (shared.users or shared.holds or shared.exclusive):
                shared.close()


def _start_reaper() -> None:
    global _reaper
    with _shared_guard:
        if _reaper is None:
            _reaper = threading.Thread(target=_reap, name="rollcall-idle-files", daemon=True)
            _reaper.start()


def _reap() -> None:
    """Close the files left open idle for longer than the linger, or that another process waits
    for (runs for the life of the process)."""
    while True:
        time.sleep(0.1)
        with _shared_guard:
            files = list(_shared.values())
        for shared in files:
            with shared.changed:
                idle = shared.file is not None and not (shared.users or shared.holds)
                if idle and shared.exclusive is None:
                    expired = time.monotonic() - shared.idle_since > _linger_seconds
                    if expired or _someone_waiting(shared.path):
                        shared.close()


def _someone_waiting(path: Path) -> bool:
    """True while another process waits for the file at `path` (it holds `<file>.lock`)."""
    try:
        handle = open(path.with_name(path.name + ".lock"), "rb")  # noqa: SIM115
    except FileNotFoundError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def _shared_file(path: Path) -> _SharedFile:
    with _shared_guard:
        return _shared.setdefault(path, _SharedFile(path))


def migrations() -> list[tuple[int, str, str]]:
    """The schema migrations shipped with Rollcall: (version, name, SQL), in order."""
    found = []
    for entry in resources.files("analytics.store.migrations").iterdir():
        if entry.name.endswith(".sql"):
            version, _, name = entry.name.removesuffix(".sql").partition("_")
            found.append((int(version), name, entry.read_text("utf-8")))
    return sorted(found)


class Database:
    """A Rollcall database file, with its migrations applied on first write."""

    def __init__(
        self, path: Path | str | None = None, *, key: str | None | _FromSettings = _FROM_SETTINGS
    ) -> None:
        self.path = Path(path) if path is not None else Path(setting("db_path"))
        self.key: str | None = setting("db_key") if key is _FROM_SETTINGS else key
        self._migrated = False

    def __repr__(self) -> str:
        # Never the key.
        return f"Database({str(self.path)!r}{', encrypted' if self.key else ''})"

    @property
    def encrypted(self) -> bool:
        """True when this database is opened with a key."""
        return self.key is not None

    def exists(self) -> bool:
        """True when the database file is there."""
        return self.path.exists()

    def _busy(self, timeout: float) -> DatabaseBusy:
        return DatabaseBusy(
            f"{self.path} is in use by another process (an import?) and was not released "
            f"within {timeout} s (ROLLCALL_LOCK_TIMEOUT): try again when it has finished"
        )

    def _open(self) -> OpenFile:
        """Open the file, waiting for another process to release it. A process that has to wait
        says so (an exclusive lock on `<file>.lock`); others do not open the file while it does,
        and one holding it lets it go, so that waiting processes take turns."""
        timeout = setting("lock_timeout_seconds")
        deadline = time.monotonic() + timeout
        intent = None
        try:
            while True:
                if intent is None and self.someone_waiting():
                    if time.monotonic() > deadline:
                        raise self._busy(timeout)
                    time.sleep(0.01)
                    continue
                try:
                    return open_file(self.path, self.key)
                except duckdb.IOException as error:
                    if not any(m in str(error) for m in LOCK_MESSAGES):
                        raise
                    if time.monotonic() > deadline:
                        raise self._busy(timeout) from None
                    if intent is None:
                        intent = self._announce_waiting()
                    time.sleep(0.02)
        finally:
            if intent is not None:
                intent.close()  # closing the file releases its lock

    @property
    def _intent_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def _announce_waiting(self):
        """The `.lock` file, locked, when no other process has announced itself; else None."""
        handle = open(self._intent_path, "a+b")  # noqa: SIM115 - held until the file is open
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return None
        return handle

    def someone_waiting(self) -> bool:
        """True while another process waits for this file (it holds the `.lock` file)."""
        return _someone_waiting(self.path)

    @property
    def _file(self) -> Path:
        return self.path.resolve()

    @contextmanager
    def held(self) -> Iterator[None]:
        """Keep the file open across the units of work inside the block (a batch of imports, one
        run of a page), whichever thread or `Database` object for the file they use, instead of
        opening and closing it for each: opening costs tens of milliseconds, and closing
        checkpoints the file. Another process waiting for the file still gets its turn at the
        next boundary between units of work."""
        shared = _shared_file(self._file)
        with shared.changed:
            shared.holds += 1
        try:
            yield
        finally:
            with shared.changed:
                shared.holds -= 1
                shared.settle(self.someone_waiting())

    def _must_drain(self, shared: _SharedFile) -> bool:
        # Called with `shared.changed` held, the file open.
        return shared.key != self.key or self.someone_waiting()

    @contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of this process's handle on the file (opened now if need be) for one unit of
        work; the handle is closed when the last unit ends and no `held()` block keeps it."""
        shared = _shared_file(self._file)
        me = threading.get_ident()
        nested = shared.depth() > 0
        with shared.changed:
            while not nested:
                if shared.exclusive not in (None, me):
                    shared.changed.wait(_POLL * 5)
                    continue
                if (
                    shared.exclusive is None
                    and shared.file is not None
                    and not shared.draining
                    and self._must_drain(shared)
                ):
                    shared.draining = True
                if shared.draining:
                    if shared.users == 0:
                        shared.close()
                    else:
                        shared.changed.wait(_POLL)
                        continue
                break
            if shared.file is None:
                shared.file = self._open()
                shared.key = self.key
            cursor = shared.file.cursor()
            shared.users += 1
        shared.nesting.depth = shared.depth() + 1
        try:
            yield cursor
        finally:
            shared.nesting.depth -= 1
            try:
                cursor.close()
            finally:
                with shared.changed:
                    shared.users -= 1
                    shared.settle(self.someone_waiting())
                    shared.changed.notify_all()

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for reading; the file must exist and be migrated."""
        if not self.exists():
            raise DatabaseMissing(
                f"No Rollcall database at {self.path}: run `rollcall demo` or import a file"
            )
        self.migrate()
        with self._connection() as con:
            yield con

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection inside one transaction: committed when the block ends, rolled back on error."""
        with self._transaction(changes_data=True) as con:
            yield con

    @contextmanager
    def _transaction(self, *, changes_data: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction on the writer's connection; `changes_data` raises the data version
        (which empties the caches) when it commits."""
        self.migrate()  # creates the file's folder too
        with self._connection() as con, _shared_file(self._file).writes:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            if changes_data:
                _bump_data_version(con)
            con.execute("COMMIT")
            _shared_file(self._file).wrote = True
        restrict(self.path)  # the WAL a commit may have made

    def migrate(self) -> None:
        """Apply any migration not yet applied, and refresh the code table."""
        if self._migrated:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as con, _shared_file(self._file).writes:
            con.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
            )
            applied = {
                row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()
            }
            for version, name, sql in migrations():
                if version in applied:
                    continue
                log.info("applying migration %04d_%s to %s", version, name, self.path)
                con.execute("BEGIN TRANSACTION")
                con.execute(sql)
                con.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                    [version, name, datetime.now()],
                )
                if version in REBUILDS_AGGREGATES:
                    from analytics.store import aggregates  # fills the tables it added

                    aggregates.rebuild(con)
                _bump_data_version(con)
                con.execute("COMMIT")
            changed = self._refresh_codes(con) or len(applied) < len(migrations())
            if changed:
                _shared_file(self._file).wrote = True
        self._migrated = True

    @staticmethod
    def _refresh_codes(con: duckdb.DuckDBPyConnection) -> bool:
        """Bring the stored code table (and the totals counted with it) up to date; True when it
        changed."""
        codes = code_table()
        current = con.execute("SELECT * FROM attendance_codes ORDER BY code, valid_from").pl()
        if current.equals(codes.sort("code", "valid_from")):
            return False
        from analytics.store import aggregates  # the weekly totals depend on the code table

        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM attendance_codes")
        con.execute("INSERT INTO attendance_codes SELECT * FROM codes")
        aggregates.rebuild(con)
        _bump_data_version(con)
        con.execute("COMMIT")
        return True

    @contextmanager
    def appending(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A transaction that leaves the data version alone: for audit rows only, so that viewing
        a page does not empty every cache."""
        with self._transaction(changes_data=False) as con:
            yield con

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Have the file to this thread alone while the block runs: no other process can open it,
        no other thread of this one starts a unit of work, and this thread's units (`copy_to`,
        say) work on it as usual. For reading a file and replacing it in one step (encrypting it,
        restoring a backup over it), so that nothing written in between is lost."""
        self.migrate()
        shared = _shared_file(self._file)
        me = threading.get_ident()
        with shared.changed:
            while shared.exclusive is not None:
                shared.changed.wait(_POLL * 5)
            shared.exclusive = me
            while shared.users > 0:
                shared.changed.wait(_POLL)
            if shared.file is not None and shared.key != self.key:
                shared.close()
        try:
            with self._connection() as con:
                con.execute("CHECKPOINT")
            with shared.changed:  # kept open from here to the end of the block
                shared.holds += 1
            try:
                yield
            finally:
                with shared.changed:
                    shared.holds -= 1
        finally:
            with shared.changed:
                shared.exclusive = None
                if shared.users == 0:
                    shared.close()
                shared.changed.notify_all()

    def schema_version(self) -> int:
        """The highest migration applied."""
        with self.connect() as con:
            return one_row(con.execute("SELECT max(version) FROM schema_migrations").fetchone())[0]

    def _signature(self) -> tuple:
        parts: list[tuple[int, int, int] | None] = []
        for candidate in (self.path, self.path.with_name(self.path.name + ".wal")):
            try:
                stat = candidate.stat()
            except FileNotFoundError:
                parts.append(None)
            else:
                parts.append((stat.st_ino, stat.st_mtime_ns, stat.st_size))
        return tuple(parts)

    def data_version(self) -> str:
        """A token that changes whenever the data changes (not when an audit row is added); caches
        key on it. The database is read only when the file has changed since the last call."""
        if not self.exists():
            return "missing"
        signature = self._signature()
        known = _versions.get(self.path)
        if known is not None and known[0] == signature:
            return known[1]
        with self.connect() as con:
            state = dict(
                con.execute(
                    "SELECT key, value FROM store_state WHERE key IN ('store_id', 'data_version')"
                ).fetchall()
            )
        version = f"{state['store_id']}:{state['data_version']}"
        _versions[self.path] = (signature, version)
        return version

    def state(self, key: str) -> str | None:
        """One fact about the database from `store_state` (e.g. `demo`), or None."""
        with self.connect() as con:
            row = con.execute("SELECT value FROM store_state WHERE key = ?", [key]).fetchone()
        return None if row is None else row[0]

    def copy_to(self, target: Path | str, key: str | None) -> None:
        """Copy every table, view, type and sequence to a new file at `target` (encrypted with
        `key`, or plain when None). The target must not exist."""
        target = Path(target)
        if target.exists():
            raise FileExistsError(f"{target} exists")
        self.migrate()
        with self._connection() as con:
            source = one_row(con.execute("SELECT current_database()").fetchone())[0]
            if key is not None and self.key is None:
                con.execute(f"LOAD {literal(httpfs_extension())}")
            options = f" (ENCRYPTION_KEY {key_literal(key)})" if key is not None else ""
            copy = f"rollcall_copy_{next(_copies)}"
            con.execute(f"ATTACH {literal(str(target))} AS {copy}{options}")
            try:
                con.execute(f"COPY FROM DATABASE {source} TO {copy}")
                con.execute(f"CHECKPOINT {copy}")
            finally:
                con.execute(f"DETACH {copy}")
        restrict(target)


def _bump_data_version(con: duckdb.DuckDBPyConnection) -> None:
    """Raise the data version inside the caller's transaction (a no-op before migration 4)."""
    exists = one_row(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'store_state' AND database_name = current_database()"
        ).fetchone()
    )[0]
    if exists:
        con.execute(
            "UPDATE store_state SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'data_version'"
        )


def replace_file(target: Path, source: Path) -> None:
    """Move the database file at `source` over `target` (both on one file system), atomically."""
    for stale in (target.with_name(target.name + ".wal"),):
        stale.unlink(missing_ok=True)
    os.replace(source, target)
    _versions.pop(target, None)
