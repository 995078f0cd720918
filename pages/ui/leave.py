"""Cached and guarded calls for the Leave of absence page: the requests and the register checked
against them (anyone who sees pupils: the data manager corrects the register), recording a
request and its decision letter (the attendance team and senior leaders)."""

from __future__ import annotations

from datetime import date

from analytics.access.roles import Capability
from analytics.domain.leave import LeaveRequest
from analytics.reports.coordinator import leave as leave_report
from analytics.store import Database
from pages.ui.access import guarded
from pages.ui.memo import shared

Urns = tuple[int, ...] | None


@guarded(Capability.PUPIL_DATA)
@shared
def register(db_path: str, version: str, urns: Urns, as_of: date) -> leave_report.LeaveRegister:
    """The schools' leave requests and the register's mismatches with their decisions."""
    return leave_report.leave_register(Database(db_path), urns, as_of)


@guarded(Capability.INTERVENTIONS)
def record(db_path: str, urn: int, request: LeaveRequest, recorded_by: str) -> int:
    """Record a checked request at this school; returns its id."""
    return leave_report.record_request(Database(db_path), request, recorded_by)


@guarded(Capability.INTERVENTIONS)
def send_letter(db_path: str, urn: int, request_id: int, recorded_by: str, day: date) -> bytes:
    """The decision's letter, recorded in the pupil's chronology; returns its PDF."""
    return leave_report.send_decision_letter(Database(db_path), request_id, recorded_by, day)
