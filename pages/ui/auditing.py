"""The audit log for the Audit log page: read fresh on every run (audit rows are never cached)."""

from __future__ import annotations

from datetime import date

import polars as pl

from analytics.access.roles import Capability, User
from analytics.store import audit
from pages.ui.access import current_user, deny
from pages.ui.context import database


def _admin() -> User:
    user = current_user()
    if user is None or not user.can(Capability.AUDIT):
        deny(user, "Only a data manager can read the audit log.", "Audit log")
    return user


def audit_rows(
    start: date, end: date, actions: tuple[str, ...] | None, actor: str | None
) -> pl.DataFrame:
    """Rows of the log the current admin may read: their schools' rows and rows of no school."""
    user = _admin()
    return audit.read_log(
        database(), start=start, end=end, actions=actions, actor=actor, school_urns=user.schools
    )


def broken_rows() -> list[int]:
    """Rows whose hash does not match: changed or removed outside Rollcall."""
    _admin()
    return audit.verify(database())
