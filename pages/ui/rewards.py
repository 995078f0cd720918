"""Cached and guarded calls for the Rewards page."""

from __future__ import annotations

from datetime import date

from analytics.access.roles import Capability
from analytics.pipelines.windows import Window
from analytics.reports.coordinator import rewards as rewards_report
from analytics.store import Database
from pages.ui.access import guarded
from pages.ui.memo import shared

Urns = tuple[int, ...] | None


@guarded(Capability.PUPIL_DATA)
@shared
def rewards(
    db_path: str,
    version: str,
    urns: Urns,
    start: date,
    end: date,
    groups: tuple[str, ...],
    by: str,
    top: int,
) -> rewards_report.Rewards:
    """Full attendance and the most improved of each group in the window."""
    return rewards_report.rewards(
        Database(db_path), Window(start, end), urns, by=by, top=top, year_groups=groups
    )
