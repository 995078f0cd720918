"""End to end in headless Chromium: the app as a user's browser sees it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from analytics.domain.rounding import format_percent
from analytics.pipelines.windows import Window
from analytics.reports.analysis.overview import HEADLINE_MEASURES, headline
from analytics.reports.inputs.register import load_register
from analytics.store import read

from .browsing import read_metrics

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_the_overview_shows_the_demo_trusts_figures(serve, page, demo_db):
    page.goto(serve(demo_db))
    shown = read_metrics(page)
    _, last = read.mark_date_range(demo_db)
    window = Window.year_to_date(last)
    figures = headline(load_register(demo_db, None, window), window)
    assert shown == {m.label: format_percent(figures[m.column]) for m in HEADLINE_MEASURES}
    expect(page.get_by_text("Whole trust ·").first).to_be_visible()


def test_a_bookmarked_url_opens_the_same_view(serve, page, demo_db):
    urn, name = read.schools(demo_db).row(0)[:2]
    _, last = read.mark_date_range(demo_db)
    year = Window.year_to_date(last).academic_year_start - 1
    page.goto(f"{serve(demo_db)}/?school={urn}&year={year}&window=year")
    shown = read_metrics(page)
    window = Window.academic_year(year)
    figures = headline(load_register(demo_db, (urn,), window), window)
    assert shown["Attendance"] == format_percent(figures["attendance_rate"])
    expect(page.get_by_text(f"{name} ·").first).to_be_visible()
