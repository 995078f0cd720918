"""The Rollcall database: one DuckDB file, opened briefly for each unit of work.

No caller holds a connection for long. Readers and writers open the file, do their work and
close it, so that the app, the command line and a scheduled import can share one file: a process
that finds the file locked by another waits (up to `lock_timeout_seconds`) instead of failing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

import duckdb

from analytics.domain.codes import code_table
from analytics.settings import setting

log = logging.getLogger(__name__)

_LOCK_MESSAGES = ("Could not set lock", "Conflicting lock")
_process_locks: dict[Path, threading.RLock] = {}
_process_locks_guard = threading.Lock()


#: A DuckDB connection, for type hints outside the store (which never imports DuckDB itself).
Connection = duckdb.DuckDBPyConnection


class DatabaseMissing(FileNotFoundError):
    """Raised when a reader asks for a database file that does not exist."""


def _process_lock(path: Path) -> threading.RLock:
    """The lock that keeps this process's threads from using the file at the same time."""
    with _process_locks_guard:
        return _process_locks.setdefault(path, threading.RLock())


def migrations() -> list[tuple[int, str, str]]:
    """The schema migrations shipped with Rollcall: (version, name, SQL), in order."""
    found = []
    for entry in resources.files("analytics.store.migrations").iterdir():
        if entry.name.endswith(".sql"):
            version, _, name = entry.name.removesuffix(".sql").partition("_")
            found.append((int(version), name, entry.read_text("utf-8")))
    return sorted(found)


@dataclass
class _Held:
    """A connection one thread keeps open across units of work (see `Database.held`)."""

    release_every: float
    depth: int = 0
    connection: duckdb.DuckDBPyConnection | None = None
    opened: float = 0.0


_held: dict[tuple[Path, int], _Held] = {}
#: Files this process has migrated, by path, identity and modification time: a file that another
#: process replaced or changed is checked again (a cheap check once the file is open).
_migrated: set[tuple[Path, int, int, int]] = set()


class Database:
    """A Rollcall database file, with its migrations applied on first write."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else Path(setting("db_path"))
        self._migrated = False

    def __repr__(self) -> str:
        return f"Database({str(self.path)!r})"

    def exists(self) -> bool:
        """True when the database file is there."""
        return self.path.exists()

    @property
    def _key(self) -> Path:
        return self.path.resolve()

    def _open(self) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + setting("lock_timeout_seconds")
        while True:
            try:
                return duckdb.connect(str(self.path))
            except duckdb.IOException as error:
                if not any(m in str(error) for m in _LOCK_MESSAGES) or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    @contextmanager
    def held(self, release_every: float = 2.0) -> Iterator[None]:
        """Keep the file open across this thread's units of work inside the block (a batch of
        imports, one run of a page), whichever `Database` object for the file they use, instead
        of opening and closing it for each: opening costs tens of milliseconds, and closing
        checkpoints the file. It is let go at least every `release_every` seconds, so that
        another process waiting for the file gets its turn."""
        key = (self._key, threading.get_ident())
        with _process_locks_guard:
            state = _held.setdefault(key, _Held(release_every))
            state.depth += 1
        try:
            yield
        finally:
            with _process_locks_guard:
                state.depth -= 1
                last = state.depth == 0
                if last:
                    del _held[key]
            if last and state.connection is not None:
                with _process_lock(self._key):
                    state.connection.close()

    @contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with _process_lock(self._key):
            state = _held.get((self._key, threading.get_ident()))
            if state is None:
                con = self._open()
                try:
                    yield con
                finally:
                    con.close()
                return
            if state.connection is None:
                state.connection = self._open()
                state.opened = time.monotonic()
            try:
                yield state.connection
            finally:
                if time.monotonic() - state.opened > state.release_every:
                    state.connection.close()
                    state.connection = None

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for reading; the file must exist and be migrated."""
        if not self.exists():
            raise DatabaseMissing(f"No Rollcall database at {self.path}: run `rollcall demo` or import a file")
        self.migrate()
        with self._connection() as con:
            yield con

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection inside one transaction: committed when the block ends, rolled back on error."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.migrate()
        with self._connection() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def _identity(self) -> tuple[Path, int, int, int] | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return (self._key, stat.st_dev, stat.st_ino, stat.st_mtime_ns)

    def migrate(self) -> None:
        """Apply any migration not yet applied, and refresh the code table."""
        if self._migrated or self._identity() in _migrated:
            self._migrated = True
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as con:
            con.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
            )
            applied = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
            for version, name, sql in migrations():
                if version in applied:
                    continue
                log.info("applying migration %04d_%s to %s", version, name, self.path)
                con.execute("BEGIN TRANSACTION")
                con.execute(sql)
                con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, datetime.now()])
                con.execute("COMMIT")
            self._refresh_codes(con)
        self._migrated = True
        _migrated.add(self._identity())

    @staticmethod
    def _refresh_codes(con: duckdb.DuckDBPyConnection) -> None:
        codes = code_table()
        current = con.execute("SELECT * FROM attendance_codes ORDER BY code, valid_from").pl()
        if current.equals(codes.sort("code", "valid_from")):
            return
        from analytics.store import aggregates  # the totals depend on the code table

        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM attendance_codes")
        con.execute("INSERT INTO attendance_codes SELECT * FROM codes")
        aggregates.rebuild(con)
        con.execute("COMMIT")

    def schema_version(self) -> int:
        """The highest migration applied."""
        with self.connect() as con:
            return con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]

    def data_version(self) -> str:
        """A cheap token that changes whenever the file changes; caches key on it."""
        parts = []
        for candidate in (self.path, self.path.with_name(self.path.name + ".wal")):
            if candidate.exists():
                stat = candidate.stat()
                parts.append(f"{stat.st_mtime_ns}:{stat.st_size}")
        return "|".join(parts) or "missing"
