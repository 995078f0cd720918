"""Rollcall's settings: one registry of every setting with its default, environment variable and help.

A setting is read from its environment variable when set, else its default. The README lists
every setting (a test checks it), so nothing configurable is hidden.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default, environment variable and what it does."""

    name: str
    default: Any
    env: str
    help: str

    def read(self) -> Any:
        """The value from the environment, converted to the default's type, else the default."""
        raw = os.environ.get(self.env)
        if raw is None or raw == "":
            return self.default
        if isinstance(self.default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "y"}
        if isinstance(self.default, int):
            return int(raw)
        if isinstance(self.default, Path):
            return Path(raw)
        return raw


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting(
            "db_path",
            PROJECT_ROOT / "data" / "rollcall.duckdb",
            "ROLLCALL_DB",
            "Path of the DuckDB database file. `--db` on the command line overrides it.",
        ),
        Setting(
            "suppression_threshold",
            5,
            "ROLLCALL_SUPPRESSION_THRESHOLD",
            "Groups with fewer pupils than this show `c` in governor views and reports.",
        ),
        Setting(
            "n_code_followup_school_days",
            5,
            "ROLLCALL_N_CODE_FOLLOWUP_DAYS",
            "An `N` code older than this many school days is a data-quality finding.",
        ),
        Setting(
            "intervention_types",
            "",
            "ROLLCALL_INTERVENTION_TYPES",
            "The school's own intervention types, for every school, separated by commas (e.g. "
            "`SARM,Fast-track`); a school can also add its own on the Interventions page.",
        ),
        Setting(
            "upload_limit_mb",
            200,
            "ROLLCALL_UPLOAD_LIMIT_MB",
            "Largest file the Import page accepts, in megabytes.",
        ),
        Setting(
            "lock_timeout_seconds",
            30,
            "ROLLCALL_LOCK_TIMEOUT",
            "How long a command waits for another process to release the database before it gives up.",
        ),
    ]
}


def setting(name: str) -> Any:
    """The current value of a setting."""
    return SETTINGS[name].read()
