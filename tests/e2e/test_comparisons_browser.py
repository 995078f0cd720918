"""In headless Chromium: the Overview of a school whose LAESTAB is known shows its local
authority's and region's figures beside national."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from analytics.domain.rounding import format_percent
from analytics.pipelines.windows import Window
from analytics.reports.analysis.overview import overview_comparison
from analytics.reports.comparisons.periods import national_window, same_window_last_year
from analytics.reports.inputs.calendar import school_calendar
from analytics.store import Database, benchmarks, read

from .browsing import shown_text, wait_for_page

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PRIMARY = 990114


@pytest.fixture(scope="module")
def in_manchester(demo_db, tmp_path_factory) -> Database:
    """The demo trust with its first primary school's LAESTAB set (still the demo: nothing imported)."""
    copy = Database(tmp_path_factory.mktemp("la") / "demo.duckdb")
    shutil.copy(demo_db.path, copy.path)
    benchmarks.set_school_laestab(copy, PRIMARY, "3524001", actor="test")
    assert read.demo_status(copy).synthetic
    return copy


def test_the_overview_shows_the_la_and_region_beside_national(serve, page, in_manchester):
    page.goto(f"{serve(in_manchester)}/?school={PRIMARY}")
    wait_for_page(page, "Against last year, national, region and local authority")
    text = shown_text(page)
    assert "Region and local authority: Manchester (LA 352), North West" in text
    expect(page.get_by_role("region", name="Headline comparison")).to_be_visible()
    # The figures shown are the engine's, rounded as every page rounds them.
    _, last = read.mark_date_range(in_manchester)
    window = Window.year_to_date(last)
    earlier = same_window_last_year(school_calendar(in_manchester, (PRIMARY,)), "ytd", window)
    table = overview_comparison(
        in_manchester, (PRIMARY,), window, earlier, (), national_window("ytd", window)
    ).table
    shown = table.filter(table["measure"].is_in(["attendance_rate", "persistent_absence_rate"]))
    for row in shown.iter_rows(named=True):
        line = (
            f"{row['label']} of compulsory-age pupils: {format_percent(row['compared_value'])}; "
            f"England {format_percent(row['national'])}, North West {format_percent(row['region'])}, "
            f"Manchester {format_percent(row['la'])} ({row['national_year']}"
        )
        assert line in text
    page.get_by_text("Where the published figures come from").click()
    expect(page.get_by_text("Local authority: Manchester, Primary:").first).to_be_visible()
    expect(page.get_by_text("Region: North West, Primary:").first).to_be_visible()
