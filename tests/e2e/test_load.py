"""Several people at once in headless Chromium: the load harness (benchmarks/load.py) serves the demo
trust, signs in four sessions of mixed roles and has them walk their pages and change filters for a
minute; the server must keep answering and no page may error. Timings are printed, never judged."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from analytics.settings import PROJECT_ROOT
from analytics.store import Database

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SESSIONS, SECONDS = 4, 60


def test_four_sessions_for_a_minute_neither_stall_the_server_nor_error(demo_db: Database, tmp_path):
    figures_file = tmp_path / "load.json"
    harness = subprocess.run(
        [
            sys.executable,
            str(PROJECT_ROOT / "benchmarks" / "load.py"),
            "--db",
            str(demo_db.path),  # the harness serves a copy: the shared demo stays as it is
            "--sessions",
            str(SESSIONS),
            "--seconds",
            str(SECONDS),
            "--json",
            str(figures_file),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=SECONDS + 300,
    )
    printed = harness.stdout[-6000:] + harness.stderr[-3000:]
    assert figures_file.exists(), printed
    figures = json.loads(figures_file.read_text())
    assert figures["stall"] is None, printed + (figures["stall_threads"] or "")
    assert figures["errors"] == [], printed
    assert harness.returncode == 0, printed
    # Every session signed in and got somewhere: a harness that did nothing would pass nothing.
    assert len(figures["people"]) == SESSIONS
    assert all(person["actions"] >= 1 for person in figures["people"]), printed
    assert {person["role"] for person in figures["people"]} == {
        "senior_leader",
        "attendance_staff",
        "governor",
        "data_manager",
    }
