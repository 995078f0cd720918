"""AppTest fixtures: the real app script, pointed at a database through ROLLCALL_DB, signed in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.access import accounts
from analytics.settings import PROJECT_ROOT
from analytics.store import Database, audit
from pages.ui import registry
from pages.ui.access import SIGNED_IN

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts_file(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """An empty accounts file of this test's own (ROLLCALL_ACCOUNTS); no demo mode, no secrets."""
    path = tmp_path_factory.mktemp("accounts") / "accounts.json"
    monkeypatch.setenv("ROLLCALL_ACCOUNTS", str(path))
    monkeypatch.delenv("ROLLCALL_DEMO", raising=False)
    monkeypatch.setenv("ROLLCALL_SECRETS", str(path.with_name("no-secrets.toml")))
    accounts._failures.clear()
    return path


@pytest.fixture
def account(accounts_file: Path) -> Callable[..., str]:
    """`account("governor", schools=[urn])` adds an account (password PASSWORD) and returns its name."""

    def _add(role: str, schools: list[int] | None = None, name: str | None = None) -> str:
        name = name or f"{role.replace('_', '-')}-{len(accounts.load())}"
        accounts.add(name, role, schools, password=PASSWORD)
        return name

    return _add


def _track_pupil_views(app: AppTest, db: Database, seen: list[tuple[Database, str]]) -> None:
    """Note every run of the app that shows a table on a pupil-level page the user may open."""
    run = app.run

    def tracked(*args, **kwargs) -> AppTest:
        result = run(*args, **kwargs)
        script = app._registered_pages.get(app._finished_page_script_hash, {}).get("script_path")
        spec = registry.page_at(script) if script else None
        shown = app.dataframe or app.metric
        if spec is not None and spec.pupil_level and shown and not app.exception and not app.error:
            seen.append((db, spec.title))
        return result

    app.run = tracked


@pytest.fixture
def open_app(monkeypatch: pytest.MonkeyPatch, account) -> Iterator[Callable[..., AppTest]]:
    """`open_app(db)` runs app.py over `db` signed in as a senior leader of every school and returns
    the AppTest after its first run. `as_role=` signs in with another role (`schools=` limits it),
    `as_role=None` opens it signed out, `demo=True` turns demo mode on.

    After the test, every pupil-level page the tests showed must have a `view` row in the audit log."""
    views: list[tuple[Database, str]] = []

    def _open(
        db: Database,
        *,
        as_role: str | None = "senior_leader",
        schools: list[int] | None = None,
        demo: bool = False,
        **query: str,
    ) -> AppTest:
        monkeypatch.setenv("ROLLCALL_DB", str(db.path))
        if demo:
            monkeypatch.setenv("ROLLCALL_DEMO", "1")
        app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
        if as_role is not None:
            app.session_state[SIGNED_IN] = account(as_role, schools)
        app.query_params.update(query)
        _track_pupil_views(app, db, views)
        return app.run()

    yield _open
    for db, title in views:
        if not db.exists():  # nothing to show and nowhere to record: the page said there is no data
            continue
        shown = audit.read_log(db, actions=("view",))
        assert title in shown["target"].to_list(), (
            f"a view of {title} is missing from the audit log"
        )
