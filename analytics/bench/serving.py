"""Serving the app as `make run` does, for the browser tests and the load harness: the
`streamlit run` command line, a free port, waiting for the health endpoint, and Debian's
headless Chromium with the flags it needs on a machine with no network beyond localhost.

One place, so the tests and `benchmarks/load.py` always exercise the same server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from analytics.settings import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
#: Flags that keep Chromium quiet on a machine with no network beyond localhost.
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


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody is listening on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def streamlit_command(port: int, *, secrets_file: Path | None = None) -> list[str]:
    """`streamlit run app.py` on 127.0.0.1:`port`, headless, with no file watcher (as served in
    production). `secrets_file` replaces `.streamlit/secrets.toml` (a missing file: local sign-in
    only, no OIDC)."""
    command = [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "app.py")]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    command += ["--server.headless", "true", "--server.fileWatcherType", "none"]
    command += ["--browser.gatherUsageStats", "false"]
    if secrets_file is not None:
        command += ["--secrets.files", str(secrets_file)]
    return command


def server_environment(
    db: Path, *, demo: bool, accounts: Path | None = None, **more: str
) -> dict[str, str]:
    """The environment the app is served with: its database, demo mode or not, the local
    accounts file, and any further variables."""
    env = os.environ | {"ROLLCALL_DB": str(db), "ROLLCALL_DEMO": "1" if demo else ""}
    if accounts is not None:
        env["ROLLCALL_ACCOUNTS"] = str(accounts)
    return env | more


def wait_until_healthy(
    url: str,
    running: Callable[[], int | None],
    output: Callable[[], str],
    timeout: float = 90,
) -> None:
    """Wait for the server at `url` to answer its health endpoint. `running` is the process's
    `poll` (not None once it has exited); `output` gives what it wrote, for the error."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (code := running()) is not None:
            raise RuntimeError(f"streamlit exited with {code}: {output()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not come up at {url}")


def start_server(
    env: dict[str, str],
    log: Path,
    *,
    secrets_file: Path | None = None,
    port: int | None = None,
    **popen: object,
) -> tuple[subprocess.Popen[bytes], str]:
    """Serve the app with `env` on `port` (default a free one), its output into `log` (a pipe
    nobody read would fill and stall the server); returns the process and its URL once it
    answers."""
    port = port or free_port()
    command = streamlit_command(port, secrets_file=secrets_file)
    with log.open("wb") as sink:
        server = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            **popen,  # type: ignore[call-overload]  # e.g. preexec_fn, passed through
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server.poll, lambda: log.read_text(errors="replace"))
    except BaseException:
        server.kill()
        server.wait()
        raise
    return server, url
