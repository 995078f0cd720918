"""AppTest fixtures: the real app script, pointed at a database through ROLLCALL_DB."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from analytics.settings import PROJECT_ROOT
from analytics.store import Database


@pytest.fixture
def open_app(monkeypatch: pytest.MonkeyPatch) -> Callable[[Database], AppTest]:
    """`open_app(db)` runs app.py over `db` and returns the AppTest after its first run."""

    def _open(db: Database, **query: str) -> AppTest:
        monkeypatch.setenv("ROLLCALL_DB", str(db.path))
        app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
        app.query_params.update(query)
        return app.run()

    return _open
