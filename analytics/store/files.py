"""Opening one DuckDB file, plain or encrypted, with the settings every Rollcall connection has.

An encrypted file is attached with its key to an in-memory DuckDB that has the httpfs extension
loaded from the installed `duckdb-ext-httpfs` package (DuckDB writes encrypted files only with it;
nothing is ever downloaded). Whatever DuckDB spills to disk goes to a folder beside the database
that only its owner can read, encrypted when the database is; the database file and its WAL are
made readable by their owner only.
"""

from __future__ import annotations

import atexit
import functools
import itertools
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import duckdb

from analytics.settings import setting

#: A DuckDB connection, for type hints outside the store (which never imports DuckDB itself).
Connection = duckdb.DuckDBPyConnection
#: What DuckDB says when another process holds the file.
LOCK_MESSAGES = ("Could not set lock", "Conflicting lock")
OWNER_ONLY = 0o600


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


def literal(text: str) -> str:
    """`text` as an SQL string literal (ATTACH and SET take no prepared parameters)."""
    if "\x00" in text:
        raise ValueError("a database path or key may not contain a NUL character")
    return "'" + text.replace("'", "''") + "'"


def key_literal(key: str) -> str:
    """A key as a BLOB literal: every byte written as \\xHH, so no character of the key (a quote, a
    backslash, a non-ASCII letter) can change how the statement reads."""
    if not key:
        raise DatabaseKeyError("the database key is empty")
    return "'" + "".join(f"\\x{byte:02X}" for byte in key.encode("utf-8")) + "'"


def _private_folder(folder: Path) -> Path:
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def spill_folder(path: Path, encrypted: bool) -> Path:
    """Where DuckDB spills for the database at `path`: beside it (`<file>.tmp`) for a plain file;
    for an encrypted one, a folder of this process's own, its files encrypted (the in-memory
    DuckDB that encrypted files are attached to cannot move its spill folder once used)."""
    if encrypted:
        return _host_spill_folder()
    return _private_folder(path.with_name(path.name + ".tmp"))


@functools.cache
def _host_spill_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="rollcall-spill-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return _private_folder(folder)


def restrict(path: Path) -> None:
    """Make the database file and its WAL readable and writable by their owner only."""
    for candidate in (path, path.with_name(path.name + ".wal")):
        try:
            if candidate.stat().st_mode & 0o777 != OWNER_ONLY:
                os.chmod(candidate, OWNER_ONLY)
        except FileNotFoundError:
            pass


def _limit_memory(con: Connection) -> None:
    con.execute(f"SET memory_limit = {literal(setting('duckdb_memory_limit'))}")


_host: Connection | None = None
_host_guard = threading.Lock()
_aliases = itertools.count(1)


def _encrypted_host() -> Connection:
    """A cursor of the process's one in-memory DuckDB with httpfs loaded (loading it costs ~0.1 s;
    attaching a file to it ~1 ms)."""
    global _host
    with _host_guard:
        if _host is None:
            host = duckdb.connect()
            host.execute(f"LOAD {literal(httpfs_extension())}")
            host.execute(f"SET temp_directory = {literal(str(spill_folder(Path(), True)))}")
            host.execute("SET temp_file_encryption = true")
            _host = host
        return _host.cursor()


@dataclass
class OpenFile:
    """A database file opened by this process: `connection` is the file's own connection (plain)
    or a connection to the in-memory host with the file attached as `alias` (encrypted)."""

    path: Path
    connection: Connection
    alias: str | None = None

    def cursor(self) -> Connection:
        """A connection of its own for one thread's unit of work, on the same open file."""
        cursor = self.connection.cursor()
        if self.alias is not None:
            cursor.execute(f"USE {self.alias}")
        return cursor

    def close(self) -> None:
        """Close the file (detaching it when encrypted), which releases its lock."""
        try:
            if self.alias is not None:
                self.connection.execute("USE memory")
                self.connection.execute(f"DETACH {self.alias}")
        finally:
            self.connection.close()
            restrict(self.path)


def open_file(path: Path, key: str | None) -> OpenFile:
    """Open the file at `path`, attached with `key` when it is encrypted. Raises duckdb's own
    errors (a lock held elsewhere is an IOException) and DatabaseKeyError for a missing, wrong or
    unneeded key."""
    if key is None:
        try:
            con = duckdb.connect(str(path))
        except duckdb.CatalogException as error:
            if "encrypted" in str(error):
                raise DatabaseKeyError(
                    f"{path} is encrypted: set ROLLCALL_DB_KEY (or ROLLCALL_DB_KEY in the secrets file)"
                ) from None
            raise
        try:
            con.execute(f"SET temp_directory = {literal(str(spill_folder(path, False)))}")
            _limit_memory(con)
        except BaseException:
            con.close()
            raise
        restrict(path)
        return OpenFile(path, con)
    con = _encrypted_host()
    alias = f"rollcall_{next(_aliases)}"
    try:
        _limit_memory(con)
        con.execute(f"ATTACH {literal(str(path))} AS {alias} (ENCRYPTION_KEY {key_literal(key)})")
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
    restrict(path)
    return OpenFile(path, con, alias)
