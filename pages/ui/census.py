"""Cached calls for the Census checks page: the return and its findings for a school and period."""

from __future__ import annotations


from analytics.reports.exports.census import CensusReturn, census_return
from analytics.store import Database
from analytics.access.roles import Capability
from pages.ui.access import guarded
from pages.ui.memo import shared


@guarded(Capability.PUPIL_DATA)
@shared
def census(db_path: str, version: str, urn: int, period: str, academic_year: int) -> CensusReturn:
    """The census return of one school and period, with every check's findings."""
    return census_return(Database(db_path), [urn], period, academic_year)
