"""Shared fixtures: an empty store, a helper to import inline CSV, and the demo trust (built once)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from analytics.ingest import ImportResult, import_bytes
from analytics.store import Database
from analytics.store.database import close_idle_files, keep_open_when_idle

#: A fixed "today" for tests that import marks, so they do not age.
TEST_TODAY = date(2026, 11, 20)
#: `aggregates.differences` when every kept table equals a recount from the raw marks.
AGREE = {"enrolment_weeks": 0, "school_day_codes": 0, "session_counts": 0, "absence_spells": 0}


@pytest.fixture(autouse=True)
def _no_database_left_open():
    """The app keeps its database open between page runs (app.py); an AppTest run in this
    process would leave it so for the tests after it, which open files of their own."""
    yield
    keep_open_when_idle(0.0)
    close_idle_files()


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """An empty Rollcall database in a temporary folder."""
    return Database(tmp_path / "rollcall.duckdb")


@pytest.fixture
def load(db: Database) -> Callable[..., ImportResult]:
    """Import inline text into `db`: `load("marks", "upn,date,...\\n...", school_urn=...)`."""

    def _load(
        kind: str, text: str | bytes, *, file_name: str | None = None, **options
    ) -> ImportResult:
        data = text.encode("utf-8") if isinstance(text, str) else text
        options.setdefault("today", TEST_TODAY)
        options.setdefault("as_of", TEST_TODAY)
        return import_bytes(db, kind, file_name or f"{kind}.csv", data, **options)

    return _load


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    """The synthetic demo trust, built once per test session (read-only for tests)."""
    from analytics.synthetic import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(path)
    os.environ.setdefault("ROLLCALL_DEMO_DB", str(path))
    return Database(path)
