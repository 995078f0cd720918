"""Rollcall's settings: one registry of every setting with its default, environment variable and help.

A setting is read from its environment variable when set, else its default. The README lists
every setting (a test checks it), so nothing configurable is hidden.
"""

from __future__ import annotations

import os
import tomllib
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
    #: A secret may also be given in the secrets file (`ROLLCALL_SECRETS`), under the same name.
    secret: bool = False

    def read(self) -> Any:
        """The value from the environment (or, for a secret, the secrets file), converted to the
        default's type, else the default."""
        raw = os.environ.get(self.env)
        if (raw is None or raw == "") and self.secret:
            raw = _secrets_file().get(self.env)
            raw = None if raw is None else str(raw)
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
            "small_group_pupils",
            10,
            "ROLLCALL_SMALL_GROUP",
            "Cohort gaps of groups (or of the rest they are compared with) with fewer pupils than this are marked too small to read.",
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
            "Largest file an import reads, in megabytes: the Import page refuses a larger upload "
            "and `rollcall import` a larger file, unread.",
        ),
        Setting(
            "accounts_path",
            PROJECT_ROOT / "data" / "accounts.json",
            "ROLLCALL_ACCOUNTS",
            "The local accounts file (`rollcall user add|remove|list`); used when no `[auth]` sign-in is configured.",
        ),
        Setting(
            "demo_mode",
            False,
            "ROLLCALL_DEMO",
            "Serve the synthetic demo trust without sign-in. Only a database built by `rollcall demo`, "
            "with nothing imported since, is ever served this way.",
        ),
        Setting(
            "db_key",
            None,
            "ROLLCALL_DB_KEY",
            "Encryption key of the database file (also read from the secrets file). Unset: not encrypted.",
            secret=True,
        ),
        Setting(
            "backup_key",
            None,
            "ROLLCALL_BACKUP_KEY",
            "Key that `rollcall backup` encrypts with and `rollcall restore` reads with (also read from "
            "the secrets file). Unset: the database key.",
            secret=True,
        ),
        Setting(
            "secrets_path",
            PROJECT_ROOT / ".streamlit" / "secrets.toml",
            "ROLLCALL_SECRETS",
            "The secrets file: `[auth]` for sign-in with Microsoft or Google, and the keys above.",
        ),
        Setting(
            "duckdb_memory_limit",
            "1GB",
            "ROLLCALL_DUCKDB_MEMORY",
            "Most memory DuckDB may use in one process (the app or a command) before it spills to "
            "disk, in DuckDB's units (`1GB`, `512MB`). What it spills is kept beside the database, "
            "readable by its owner only, and encrypted when the database is.",
        ),
        Setting(
            "cache_mb",
            1024,
            "ROLLCALL_CACHE_MB",
            "Most memory, in megabytes, the app's shared cache of figures may hold; beyond it the "
            "least recently used figures are let go (and computed again when next asked for).",
        ),
        Setting(
            "lock_timeout_seconds",
            30,
            "ROLLCALL_LOCK_TIMEOUT",
            "How long a command waits for another process to release the database before it gives up.",
        ),
        Setting(
            "stages_path",
            PROJECT_ROOT / "analytics" / "domain" / "stages.toml",
            "ROLLCALL_STAGES",
            "The stages file: the staged attendance procedure (stages, criteria, actions, review "
            "periods); the default is the one shipped with Rollcall.",
        ),
    ]
}


def setting(name: str) -> Any:
    """The current value of a setting."""
    return SETTINGS[name].read()


def _secrets_file() -> dict[str, Any]:
    """The secrets file's top-level values ({} when there is none)."""
    path = SETTINGS["secrets_path"].read()
    try:
        with open(path, "rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        return {}
