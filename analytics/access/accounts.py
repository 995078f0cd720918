"""The accounts file: who may sign in, with which role and schools, and (for local sign-in) an
argon2 hash of their password. Managed with `rollcall user add|remove|list`.

With an `[auth]` section in the secrets file, people sign in with Microsoft or Google, and the
accounts file still says what each email address may see (an account added with `--oidc` has no
password). Without one, people sign in with a name and password checked against the hash here.
The file holds no password, only hashes, and is written with owner-only permissions.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from analytics.access.roles import Role, User
from analytics.settings import setting

MIN_PASSWORD_LENGTH = 12
#: After this many wrong passwords for one name, sign-in for it pauses for LOCKOUT_SECONDS.
MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60

_hasher = PasswordHasher()
# Verified against when the name is unknown, so that a wrong name takes as long as a wrong password.
_UNKNOWN = _hasher.hash("no such account: this hash is only ever compared against")
_write_guard = threading.Lock()


class AccountError(ValueError):
    """An account cannot be added or removed as asked; the message says why."""


@dataclass(frozen=True)
class Account:
    """One person who may sign in."""

    name: str
    role: Role
    schools: tuple[int, ...] | None
    password_hash: str | None
    created: str

    @property
    def sign_in(self) -> str:
        """`password` (local) or `oidc` (Microsoft or Google)."""
        return "oidc" if self.password_hash is None else "password"

    def user(self, display_name: str | None = None) -> User:
        """The signed-in user this account makes."""
        return User(self.name, self.role, self.schools, display_name)


def _key(name: str) -> str:
    return name.strip().casefold()


def accounts_path() -> Path:
    """Where the accounts file is (ROLLCALL_ACCOUNTS)."""
    return Path(setting("accounts_path"))


def load(path: Path | None = None) -> dict[str, Account]:
    """Every account, keyed by name in lower case ({} when there is no file)."""
    path = path or accounts_path()
    try:
        raw = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    accounts = {}
    for entry in raw.get("accounts", []):
        schools = entry["schools"]
        account = Account(
            entry["name"],
            Role(entry["role"]),
            None if schools == "all" else tuple(int(urn) for urn in schools),
            entry.get("password_hash"),
            entry.get("created", ""),
        )
        accounts[_key(account.name)] = account
    return accounts


def _save(path: Path, accounts: Iterable[Account]) -> None:
    entries = [
        {
            "name": a.name,
            "role": a.role.value,
            "schools": "all" if a.schools is None else list(a.schools),
            "password_hash": a.password_hash,
            "created": a.created,
        }
        for a in sorted(accounts, key=lambda a: _key(a.name))
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".accounts-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump({"version": 1, "accounts": entries}, file, indent=2)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def check_password(name: str, password: str) -> None:
    """Raise AccountError unless the password is long enough and not the name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters (three random words work well)"
        )
    if _key(password) == _key(name):
        raise AccountError("the password may not be the name")


def add(
    name: str,
    role: Role | str,
    schools: Iterable[int] | None,
    *,
    password: str | None = None,
    path: Path | None = None,
) -> Account:
    """Add an account: with a password for local sign-in, or without one for Microsoft or Google
    sign-in (`name` is then the email address). `schools` None means every school."""
    path = path or accounts_path()
    name = name.strip()
    if not name or any(c.isspace() for c in name):
        raise AccountError("a name may not be blank or contain spaces")
    role = Role(role)
    schools = None if schools is None else tuple(sorted({int(urn) for urn in schools}))
    if schools is not None and not schools:
        raise AccountError("name at least one school (--school URN), or give --all-schools")
    if schools is not None and any(not 100000 <= urn <= 999999 for urn in schools):
        raise AccountError("a school is given by its six-digit URN")
    if password is not None:
        check_password(name, password)
    with _write_guard:
        accounts = load(path)
        if _key(name) in accounts:
            raise AccountError(
                f"there is already an account '{accounts[_key(name)].name}': remove it first"
            )
        account = Account(
            name,
            role,
            schools,
            None if password is None else _hasher.hash(password),
            datetime.now().isoformat(timespec="seconds"),
        )
        accounts[_key(name)] = account
        _save(path, accounts.values())
    return account


def remove(name: str, *, path: Path | None = None) -> Account:
    """Remove an account; raises AccountError when there is none of that name."""
    path = path or accounts_path()
    with _write_guard:
        accounts = load(path)
        account = accounts.pop(_key(name), None)
        if account is None:
            raise AccountError(f"there is no account '{name}'")
        _save(path, accounts.values())
    return account


def find(name: str, *, path: Path | None = None) -> Account | None:
    """The account of this name or email address (any case), or None."""
    return load(path).get(_key(name or ""))


class SignInPaused(Exception):
    """Too many wrong passwords for this name: sign-in is paused for a while."""


_failures: dict[str, list[float]] = {}
_failures_guard = threading.Lock()


def _recent_failures(key: str, now: float) -> list[float]:
    recent = [t for t in _failures.get(key, []) if now - t < LOCKOUT_SECONDS]
    _failures[key] = recent
    return recent


def authenticate(name: str, password: str, *, path: Path | None = None) -> Account | None:
    """The account when `password` is right for `name` (local sign-in only), else None. Raises
    SignInPaused after MAX_FAILURES wrong tries for one name within LOCKOUT_SECONDS."""
    key = _key(name or "")
    now = time.monotonic()
    with _failures_guard:
        if len(_recent_failures(key, now)) >= MAX_FAILURES:
            raise SignInPaused(
                f"too many wrong passwords: try again in {LOCKOUT_SECONDS // 60} minutes"
            )
    account = load(path).get(key) if key else None
    stored = account.password_hash if account is not None else None
    try:
        _hasher.verify(stored or _UNKNOWN, password or "")
        ok = stored is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        with _failures_guard:
            _failures.setdefault(key, []).append(now)
        return None
    with _failures_guard:
        _failures.pop(key, None)
    return account
