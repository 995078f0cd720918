"""Cached calls for the Calling list page. The list itself (marks, contacts, flags) is kept until
an import changes what it is drawn from; what the intervention log adds (who is done, open
actions) is read again after every recorded call, for the list's pupils only."""

from __future__ import annotations

from datetime import date

import polars as pl

from analytics.access.roles import Capability
from analytics.reports.coordinator import calls as calls_report
from analytics.reports.coordinator.calls import CallingList
from analytics.store import Database, read
from analytics.store import interventions as intervention_store
from pages.ui.access import guarded
from pages.ui.memo import shared

Urns = tuple[int, ...] | None


@shared
def _register_version(db_path: str, version: str) -> str:
    return intervention_store.register_version(Database(db_path))


@shared
def _call_rows(
    db_path: str,
    register_version: str,
    urns: Urns,
    day: date,
    groups: tuple[str, ...],
    forms: tuple[str, ...],
) -> CallingList:
    return calls_report.call_rows(Database(db_path), day, urns, groups, forms)


@shared
def _last_register_day(db_path: str, register_version: str, urns: Urns) -> date | None:
    found = read.mark_date_range(Database(db_path), urns)
    return None if found is None else found[1]


@guarded(Capability.TARGETS)
def last_register_day(db_path: str, version: str, urns: Urns) -> date | None:
    """The latest day with marks at these schools (only an import changes it)."""
    return _last_register_day(db_path, _register_version(db_path, version), urns)


@guarded(Capability.TARGETS)
@shared
def calling_list(
    db_path: str,
    version: str,
    urns: Urns,
    day: date,
    groups: tuple[str, ...] = (),
    forms: tuple[str, ...] = (),
) -> CallingList:
    """The calling list of `day` for these schools, with the day's calls recorded so far."""
    base = _call_rows(db_path, _register_version(db_path, version), urns, day, groups, forms)
    log = intervention_store.interventions(
        Database(db_path), urns, enrolment_ids=base.rows["enrolment_id"].to_list()
    )
    return calls_report.with_actions(base, log)


@guarded(Capability.TARGETS)
@shared
def export_table(
    db_path: str,
    version: str,
    urns: Urns,
    day: date,
    groups: tuple[str, ...] = (),
    forms: tuple[str, ...] = (),
) -> pl.DataFrame:
    """The list as `rollcall export calls` writes it."""
    return calls_report.calls_export(calling_list(db_path, version, urns, day, groups, forms))
