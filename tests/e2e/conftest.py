"""Browser-test fixtures: a real Streamlit server on a free port, and Debian's headless Chromium."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from analytics.bench.serving import CHROMIUM, CHROMIUM_ARGS, server_environment, start_server
from analytics.store import Database


@pytest.fixture(scope="session")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    """`serve(db)` starts the app over `db` in demo mode, as `make run` does (once per database and
    settings), and returns its URL; `serve(db, demo=False, accounts=path)` needs a sign-in."""
    servers: dict[tuple, tuple[subprocess.Popen, str]] = {}
    logs = tmp_path_factory.mktemp("servers")

    def _serve(db: Database, *, demo: bool = True, accounts: Path | None = None) -> str:
        key = (db.path, demo, accounts)
        if key in servers:
            return servers[key][1]
        env = server_environment(db.path, demo=demo, accounts=accounts)
        server, url = start_server(env, logs / f"server-{len(servers)}.log")
        servers[key] = (server, url)
        return url

    yield _serve
    for server, _ in servers.values():
        server.terminate()
        server.wait(10)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, tmp_path):
    """A fresh browser page that accepts downloads."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    expect.set_options(timeout=30_000)  # a cold page on a busy 2-core CI machine
    yield page
    context.close()
