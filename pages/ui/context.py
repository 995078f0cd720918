"""Which database the app reads, and the token its caches key on."""

from __future__ import annotations

import os
from pathlib import Path

from analytics.store import Database

#: The app keeps its database open this long after the last page run used it, so the next run
#: finds DuckDB's cache warm (a command line import waiting for the file still gets it at once).
KEEP_OPEN_SECONDS = 30.0

_databases: dict[tuple[str, str | None], Database] = {}


def database() -> Database:
    """The app's database (ROLLCALL_DB, else data/rollcall.duckdb; its key from ROLLCALL_DB_KEY or
    the secrets file). One object per file and key, so migrations are checked once per process."""
    db = Database(os.environ.get("ROLLCALL_DB") or None)
    return _databases.setdefault((str(db.path.resolve()), db.key), db)


def cache_key(db: Database) -> tuple[str, str]:
    """(path, data version): cached results are reused until the file changes."""
    return str(Path(db.path).resolve()), db.data_version()
