"""End to end in headless Chromium: from the Cohorts page's widest gap to its pupil list, a CSV
download whose figures equal the engine's, and on to a pupil's profile."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlparse

import pytest

from analytics.domain.rounding import format_percent
from analytics.pipelines.windows import Window
from analytics.reports.analysis.pupils import pupil_list
from analytics.reports.inputs.records import load_behaviour
from analytics.reports.inputs.register import load_register
from analytics.store import read

from .browsing import read_metrics, wait_for_page
from tests.fixtures.reference import enrolment_table

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_from_the_widest_cohort_gap_to_a_pupil_profile(serve, page, demo_db):
    page.goto(serve(demo_db))
    page.get_by_test_id("stMetric").first.wait_for()

    # Cohorts: the widest gap against national is named first; its trend is drawn below.
    page.get_by_role("link", name="Cohorts").click()
    wait_for_page(page, "Widest gap:")
    headline = page.get_by_text("Widest gap:").first.inner_text()
    page.get_by_text("Attendance by week:").first.wait_for()

    # The pupils of that group.
    page.get_by_role("link", name="Open the pupil list").click()
    wait_for_page(page, "Pupil list")
    query = parse_qs(urlparse(page.url).query)
    key, group = query["characteristic"][0], query["group"][0]
    assert group in headline

    _, last = read.mark_date_range(demo_db)
    window = Window.year_to_date(last)
    register = load_register(demo_db, None)
    expected = pupil_list(
        enrolment_table(register, window, load_behaviour(demo_db, None)), [(key, group)]
    )

    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").last.click()
    assert download.value.suggested_filename == "pupil-list.csv"
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text("utf-8"))))
    assert len(rows) == expected.height
    by_upn = {row["upn"]: row for row in expected.iter_rows(named=True)}
    for row in rows:
        engine = by_upn[row["upn"]]
        for column in (
            "possible",
            "attended",
            "authorised",
            "unauthorised",
            "late_before_close",
            "late_after_close",
        ):
            assert int(row[column]) == engine[column], (row["upn"], column)
        assert (row["persistent_absence"] == "true") is engine["persistent_absence"]
        if engine["attendance_rate"] is not None:
            assert float(row["attendance_rate"]) == pytest.approx(
                engine["attendance_rate"]
            )  # unrounded

    # Open the profile of the pupil with the lowest attendance.
    pupil = expected.row(0, named=True)
    chooser = page.get_by_test_id("stSelectbox").filter(
        has_text="Or find a pupil in the list by name"
    )
    chooser.click()
    page.keyboard.type(f"{pupil['surname']}, {pupil['forename']}")
    page.get_by_role("option").first.click()
    wait_for_page(page, "Pupil profile")
    page.get_by_role("heading", name=f"{pupil['forename']} {pupil['surname']}").wait_for()
    assert parse_qs(urlparse(page.url).query)["pupil"] == [str(pupil["enrolment_id"])]
    shown = read_metrics(page)
    assert shown["Attendance"] == format_percent(pupil["attendance_rate"])
    page.get_by_text("Register: every AM and PM mark").first.wait_for()

    # Back to the list keeps the group and the filters.
    page.get_by_role("button", name="Back to the pupil list").click()
    wait_for_page(page, "Pupil list")
    back = parse_qs(urlparse(page.url).query)
    assert back["characteristic"] == [key] and back["group"] == [group]
