"""The Rollcall database: one DuckDB file, opened briefly for each unit of work.

No caller holds a connection for long. Readers and writers open the file, do their work and
close it, so that the app, the command line and a scheduled import can share one file: a process
that finds the file locked by another waits (up to `lock_timeout_seconds`) instead of failing.
Inside `Database.held()` (one run of a page, a batch of imports) a thread keeps the file open
across its units of work, letting it go at least every two seconds.

The file may be encrypted (AES, DuckDB's own encryption) with a key from `ROLLCALL_DB_KEY` or the
secrets file. An encrypted file is attached with its key to an in-memory connection that has the
httpfs extension loaded from the installed `duckdb-ext-httpfs` package (DuckDB writes encrypted
files only with it; nothing is ever downloaded).
"""

from __future__ import annotations

import fcntl
import functools
import itertools
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata, resources
from pathlib import Path

import duckdb

from analytics.domain.codes import code_table
from analytics.settings import setting

log = logging.getLogger(__name__)

_LOCK_MESSAGES = ("Could not set lock", "Conflicting lock")
_process_locks: dict[Path, threading.RLock] = {}
_process_locks_guard = threading.Lock()
#: path -> (file signature, data version): the version is read again only when the file changed.
_versions: dict[Path, tuple[tuple, str]] = {}
#: The name an encrypted file is attached under.
_ATTACHED = "rollcall"
#: `Database(path)` takes its key from the settings; `Database(path, key=None)` is a plain file.
_FROM_SETTINGS = object()


#: A DuckDB connection, for type hints outside the store (which never imports DuckDB itself).
Connection = duckdb.DuckDBPyConnection


class DatabaseMissing(FileNotFoundError):
    """Raised when a reader asks for a database file that does not exist."""


class DatabaseBusy(TimeoutError):
    """Raised when another process held the database for longer than the lock timeout."""


class DatabaseKeyError(PermissionError):
    """Raised when the database cannot be opened with the key given (none, wrong, or one too many)."""


@functools.cache
def httpfs_extension() -> str:
    """Path of the httpfs extension shipped in the `duckdb-ext-httpfs` package."""
    for file in metadata.files("duckdb-ext-httpfs") or ():
        if file.name == "httpfs.duckdb_extension":
            return str(file.locate())
    raise RuntimeError(
        "the duckdb-ext-httpfs package has no httpfs.duckdb_extension: run `uv sync --locked`"
    )


def _literal(text: str) -> str:
    # ATTACH takes no prepared parameters; a path or key is quoted as an SQL string literal.
    if "\x00" in text:
        raise ValueError("a database path or key may not contain a NUL character")
    return "'" + text.replace("'", "''") + "'"


_host: duckdb.DuckDBPyConnection | None = None
_host_guard = threading.Lock()
_aliases = itertools.count(1)
#: id(connection) -> the name its encrypted file is attached under.
_attached: dict[int, str] = {}


def _encrypted_host() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per process with httpfs loaded (loading it costs ~0.1 s; attaching a
    file to it ~1 ms). Each unit of work attaches the file to a cursor of it and detaches after."""
    global _host
    with _host_guard:
        if _host is None:
            host = duckdb.connect()
            host.execute(f"LOAD {_literal(httpfs_extension())}")
            _host = host
        return _host.cursor()


def _key_literal(key: str) -> str:
    # DuckDB reads the key as a BLOB: every byte is written as \xHH, so no character of the key
    # (a quote, a backslash, a non-ASCII letter) can change how the statement reads.
    if not key:
        raise DatabaseKeyError("the database key is empty")
    return "'" + "".join(f"\\x{byte:02X}" for byte in key.encode("utf-8")) + "'"


def connect_file(path: Path | str, key: str | None) -> duckdb.DuckDBPyConnection:
    """One connection to the file at `path`, attached with `key` when it is encrypted; close it
    with `close_file`. Raises duckdb's own errors (a lock held elsewhere is an IOException) and
    DatabaseKeyError for a missing, wrong or unneeded key."""
    if key is None:
        try:
            return duckdb.connect(str(path))
        except duckdb.CatalogException as error:
            if "encrypted" in str(error):
                raise DatabaseKeyError(
                    f"{path} is encrypted: set ROLLCALL_DB_KEY (or ROLLCALL_DB_KEY in the secrets file)"
                ) from None
            raise
    con = _encrypted_host()
    alias = f"{_ATTACHED}_{next(_aliases)}"
    try:
        con.execute(f"ATTACH {_literal(str(path))} AS {alias} (ENCRYPTION_KEY {_key_literal(key)})")
        con.execute(f"USE {alias}")
    except duckdb.IOException as error:
        con.close()
        if "encryption key" in str(error):
            raise DatabaseKeyError(
                f"{path} could not be opened: the encryption key is wrong"
            ) from None
        raise
    except duckdb.CatalogException as error:
        con.close()
        if "not encrypted" in str(error):
            raise DatabaseKeyError(
                f"{path} is not encrypted but a key is set: encrypt it with `rollcall encrypt`, "
                "or unset ROLLCALL_DB_KEY"
            ) from None
        raise
    except BaseException:
        con.close()
        raise
    _attached[id(con)] = alias
    return con


def close_file(con: duckdb.DuckDBPyConnection) -> None:
    """Close a connection from `connect_file`, detaching (and so releasing) an encrypted file."""
    alias = _attached.pop(id(con), None)
    try:
        if alias is not None:
            con.execute("USE memory")
            con.execute(f"DETACH {alias}")
    finally:
        con.close()


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


#: (resolved path, thread id) -> the connection that thread holds open.
_held: dict[tuple[Path, int], _Held] = {}


class Database:
    """A Rollcall database file, with its migrations applied on first write."""

    def __init__(
        self, path: Path | str | None = None, *, key: str | None | object = _FROM_SETTINGS
    ) -> None:
        self.path = Path(path) if path is not None else Path(setting("db_path"))
        self.key: str | None = setting("db_key") if key is _FROM_SETTINGS else key  # type: ignore[assignment]
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

    def _open(self, *, writer: bool = False) -> duckdb.DuckDBPyConnection:
        """Open the file, waiting for another process to release it. A writer that has to wait
        says so (an exclusive lock on `<file>.lock`) and readers do not start while it does, so a
        stream of short reads (the app's sessions) cannot keep an import out; writers queue."""
        timeout = setting("lock_timeout_seconds")
        deadline = time.monotonic() + timeout
        intent = None
        try:
            while True:
                if not writer and self._writer_waiting():
                    if time.monotonic() > deadline:
                        raise self._busy(timeout)
                    time.sleep(0.01)
                    continue
                try:
                    return connect_file(self.path, self.key)
                except duckdb.IOException as error:
                    if not any(m in str(error) for m in _LOCK_MESSAGES):
                        raise
                    if time.monotonic() > deadline:
                        raise self._busy(timeout) from None
                    if writer and intent is None:
                        intent = self._announce_writer()
                    time.sleep(0.02)
        finally:
            if intent is not None:
                intent.close()  # closing the file releases its lock

    @property
    def _intent_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def _announce_writer(self):
        """The `.lock` file, locked, when no other writer has announced itself; else None."""
        handle = open(self._intent_path, "a+b")  # noqa: SIM115 - held until the file is open
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return None
        return handle

    def _writer_waiting(self) -> bool:
        try:
            handle = open(self._intent_path, "rb")  # noqa: SIM115
        except FileNotFoundError:
            return False
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False

    @property
    def _file(self) -> Path:
        return self.path.resolve()

    @contextmanager
    def held(self, release_every: float = 2.0) -> Iterator[None]:
        """Keep the file open across this thread's units of work inside the block (a batch of
        imports, one run of a page), whichever `Database` object for the file they use, instead
        of opening and closing it for each: opening costs tens of milliseconds, and closing
        checkpoints the file. It is let go at least every `release_every` seconds, so that
        another process waiting for the file gets its turn."""
        key = (self._file, threading.get_ident())
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
                with _process_lock(self._file):
                    close_file(state.connection)

    @contextmanager
    def _connection(self, *, writer: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """The thread's held connection if it holds one (opened now if need be), else a new one
        closed when the block ends."""
        with _process_lock(self._file):
            state = _held.get((self._file, threading.get_ident()))
            if state is None:
                con = self._open(writer=writer)
                try:
                    yield con
                finally:
                    close_file(con)
                return
            if state.connection is None:
                state.connection = self._open(writer=writer)
                state.opened = time.monotonic()
            try:
                yield state.connection
            finally:
                if time.monotonic() - state.opened > state.release_every:
                    close_file(state.connection)
                    state.connection = None

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
        with self._connection(writer=True) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            if changes_data:
                _bump_data_version(con)
            con.execute("COMMIT")

    def migrate(self) -> None:
        """Apply any migration not yet applied, and refresh the code table."""
        if self._migrated:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection(writer=True) as con:
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
                _bump_data_version(con)
                con.execute("COMMIT")
            self._refresh_codes(con)
        self._migrated = True

    @staticmethod
    def _refresh_codes(con: duckdb.DuckDBPyConnection) -> None:
        codes = code_table()
        current = con.execute("SELECT * FROM attendance_codes ORDER BY code, valid_from").pl()
        if current.equals(codes.sort("code", "valid_from")):
            return
        from analytics.store import aggregates  # the weekly totals depend on the code table

        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM attendance_codes")
        con.execute("INSERT INTO attendance_codes SELECT * FROM codes")
        aggregates.rebuild(con)
        _bump_data_version(con)
        con.execute("COMMIT")

    @contextmanager
    def appending(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A transaction that leaves the data version alone: for audit rows only, so that viewing
        a page does not empty every cache."""
        with self._transaction(changes_data=False) as con:
            yield con

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Hold the file (no other process can open it) while the block runs, e.g. to replace it."""
        with _process_lock(self._file):
            con = self._open(writer=True)
            try:
                con.execute("CHECKPOINT")
                yield
            finally:
                close_file(con)

    def schema_version(self) -> int:
        """The highest migration applied."""
        with self.connect() as con:
            return con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]

    def _signature(self) -> tuple:
        parts = []
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
        with _process_lock(self._file):
            con = self._open()
            try:
                source = con.execute("SELECT current_database()").fetchone()[0]
                if key is not None and self.key is None:
                    con.execute(f"LOAD {_literal(httpfs_extension())}")
                options = f" (ENCRYPTION_KEY {_key_literal(key)})" if key is not None else ""
                copy = f"rollcall_copy_{next(_aliases)}"
                con.execute(f"ATTACH {_literal(str(target))} AS {copy}{options}")
                try:
                    con.execute(f"COPY FROM DATABASE {source} TO {copy}")
                    con.execute(f"CHECKPOINT {copy}")
                finally:
                    con.execute(f"DETACH {copy}")
            finally:
                close_file(con)


def _bump_data_version(con: duckdb.DuckDBPyConnection) -> None:
    """Raise the data version inside the caller's transaction (a no-op before migration 4)."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'store_state' AND database_name = current_database()"
    ).fetchone()[0]
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
