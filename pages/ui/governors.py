"""Cached calls for the governors' summary page. Each returns aggregates only (the report, its
PDF, its HTML), never a pupil-level frame, so nothing about a single pupil reaches the cache or
the browser session of a reader who may see nothing else of Rollcall."""

from __future__ import annotations


from analytics.reports.governors.report import GovernorsSummary, governors_summary
from analytics.reports.governors.documents import governors_html, governors_pdf
from analytics.store import Database
from analytics.access.roles import Capability
from pages.ui.access import guarded
from pages.ui.memo import shared


@guarded(Capability.GOVERNOR_SUMMARY)
@shared
def summary(
    db_path: str, version: str, urn: int, academic_year: int, term: str, threshold: int
) -> GovernorsSummary:
    """The governors' summary of one school's term."""
    return governors_summary(Database(db_path), urn, academic_year, term, threshold)


@guarded(Capability.GOVERNOR_SUMMARY)
@shared
def pdf(
    db_path: str, version: str, urn: int, academic_year: int, term: str, threshold: int
) -> bytes:
    """The summary as an A4 PDF."""
    return governors_pdf(summary(db_path, version, urn, academic_year, term, threshold))


@guarded(Capability.GOVERNOR_SUMMARY)
@shared
def html(
    db_path: str, version: str, urn: int, academic_year: int, term: str, threshold: int
) -> str:
    """The summary as a self-contained HTML page."""
    return governors_html(summary(db_path, version, urn, academic_year, term, threshold))
