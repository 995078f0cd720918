"""What the Settings page shows a data manager: the settings in force, the database, who may sign in."""

from __future__ import annotations

import polars as pl

from analytics.access import accounts
from analytics.access.roles import Capability, User
from analytics.settings import SETTINGS
from analytics.store import read
from pages.ui.access import current_user, deny, oidc_providers
from pages.ui.context import database


def admin() -> User:
    """The current user, when they may see the settings; otherwise the page stops."""
    user = current_user()
    if user is None or not user.can(Capability.SETTINGS):
        deny(user, "Only a data manager can see the settings.", "Settings")
    return user


def settings_table() -> pl.DataFrame:
    """Every setting, its variable and value in force (a secret only as set or not), and what it does."""
    admin()
    rows = []
    for item in SETTINGS.values():
        value = item.read()
        shown = (
            ("set" if value else "not set")
            if item.secret
            else ("" if value is None else str(value))
        )
        rows.append({"setting": item.env, "value": shown, "what it does": item.help})
    return pl.DataFrame(rows)


def accounts_table() -> pl.DataFrame:
    """Who may sign in: name, role, schools and how (never a password hash)."""
    admin()
    return pl.DataFrame(
        [
            {
                "name": a.name,
                "role": a.role.label,
                "schools": "all" if a.schools is None else ", ".join(map(str, a.schools)),
                "signs in with": "Microsoft or Google" if a.sign_in == "oidc" else "password",
                "added": a.created,
            }
            for a in accounts.load().values()
        ],
        schema={
            "name": pl.String,
            "role": pl.String,
            "schools": pl.String,
            "signs in with": pl.String,
            "added": pl.String,
        },
    )


def facts() -> dict[str, str]:
    """The database and sign-in, in a few words each."""
    admin()
    db = database()
    providers = oidc_providers()
    sign_in = (
        "with the school's accounts (" + ", ".join(p or "default" for p in providers) + ")"
        if providers
        else f"with a name and password from {accounts.accounts_path()}"
    )
    found = {
        "Database": str(db.path),
        "Encrypted": "yes" if db.encrypted else "no",
        "Sign-in": sign_in,
    }
    if db.exists():
        found["Schema version"] = str(db.schema_version())
        found["Demo trust"] = read.demo_status(db).reason
    return found
