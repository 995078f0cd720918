"""Browser-test fixtures: a real Streamlit server on a free port, and Debian's headless Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from analytics.settings import PROJECT_ROOT
from analytics.store import Database

CHROMIUM = "/usr/bin/chromium"
# Flags that keep Chromium quiet on a machine with no network beyond localhost.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_healthy(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(
                f"streamlit exited with {server.returncode}: {server.stderr.read().decode()[-2000:]}"
            )
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not come up at {url}")


@pytest.fixture(scope="session")
def serve() -> Iterator[Callable[..., str]]:
    """`serve(db)` starts the app over `db` in demo mode, as `make run` does (once per database and
    settings), and returns its URL; `serve(db, demo=False, accounts=path)` needs a sign-in."""
    servers: dict[tuple, tuple[subprocess.Popen, str]] = {}

    def _serve(db: Database, *, demo: bool = True, accounts: Path | None = None) -> str:
        key = (db.path, demo, accounts)
        if key in servers:
            return servers[key][1]
        port = _free_port()
        env = os.environ | {"ROLLCALL_DB": str(db.path), "ROLLCALL_DEMO": "1" if demo else ""}
        if accounts is not None:
            env["ROLLCALL_ACCOUNTS"] = str(accounts)
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(PROJECT_ROOT / "app.py"),
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(url, server)
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
