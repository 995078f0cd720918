"""Which database the app reads, and the token its caches key on."""

from __future__ import annotations

import os
from pathlib import Path

from analytics.store import Database


def database() -> Database:
    """The app's database (ROLLCALL_DB, else data/rollcall.duckdb)."""
    return Database(os.environ.get("ROLLCALL_DB") or None)


def cache_key(db: Database) -> tuple[str, str]:
    """(path, data version): cached results are reused until the file changes."""
    return str(Path(db.path).resolve()), db.data_version()
