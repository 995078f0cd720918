"""Cached calls for the Returns page: each return to the local authority for a period."""

from __future__ import annotations

from datetime import date

from analytics.access.roles import Capability
from analytics.reports.returns import ReturnList, return_list, with_due_status
from analytics.store import Database
from pages.ui.access import guarded
from pages.ui.memo import shared

Urns = tuple[int, ...] | None


@guarded(Capability.PUPIL_DATA)
@shared
def returns(
    db_path: str, version: str, urns: Urns, kind: str, start: date, end: date, today: date
) -> ReturnList:
    """The return `kind` for the period, with each pupil's due status against `today`."""
    found = return_list(Database(db_path), kind, start, end, urns)
    return ReturnList(found.kind, found.start, found.end, with_due_status(found.rows, today))
