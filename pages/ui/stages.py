"""Cached calls for the Stages page: the procedure, every pupil's stage as of a day and the
year's moves. Keyed on plain values, the database's data version and the stages file's digest."""

from __future__ import annotations

from datetime import date

from analytics.access.roles import Capability
from analytics.domain.stages import Procedure, load_procedure
from analytics.reports.coordinator.stages import StageReport
from analytics.reports.coordinator.stages import stage_report as build_stage_report
from analytics.store import Database
from pages.ui.access import guarded
from pages.ui.memo import shared

Urns = tuple[int, ...] | None


def procedure() -> Procedure:
    """The stages file as it now is (read afresh each run: it is small, and may be edited)."""
    return load_procedure()


@shared
def _report(db_path: str, version: str, urns: Urns, as_of: date, digest: str) -> StageReport:
    return build_stage_report(Database(db_path), as_of, urns, load_procedure())


@guarded(Capability.TARGETS)
def stage_report(db_path: str, version: str, urns: Urns, as_of: date) -> StageReport:
    """Every pupil's stage at these schools as of `as_of`, and the year's moves."""
    return _report(db_path, version, urns, as_of, procedure().digest)


def moves(report: StageReport):
    """The report's moves with each pupil's name (a plain reshaping of a report already read)."""
    from analytics.reports.coordinator.stages import moves_with_pupils

    return moves_with_pupils(report)
