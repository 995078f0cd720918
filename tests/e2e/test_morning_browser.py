"""End to end in headless Chromium: the attendance officer signs in, imports the morning's
register export (as SIMS writes it) on the Calling list page, and works down the list one click
a call until nobody is left; each call is in the pupil's chronology, and the A4 sheet prints."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from playwright.sync_api import expect

from analytics.access import accounts
from analytics.ingest import import_bytes
from analytics.store import Database
from analytics.store import interventions as intervention_store
from tests.fixtures.morning import DAY, TO_CALL, build_morning_school, morning_file

from .browsing import read_metrics, wait_for_run

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PASSWORD = "amber kettle meadow"


@pytest.fixture(scope="module")
def school(tmp_path_factory) -> Database:
    """The small school of `tests.fixtures.morning`, up to the day before the morning import."""
    db = Database(tmp_path_factory.mktemp("morning") / "rollcall.duckdb", key=None)

    def load(kind: str, text: str, **options) -> None:
        options.setdefault("today", DAY)
        options.setdefault("as_of", DAY)
        import_bytes(db, kind, f"{kind}.csv", text.encode(), **options)

    build_morning_school(load)
    return db


@pytest.fixture(scope="module")
def officer(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("accounts") / "accounts.json"
    accounts.add("officer", "attendance_staff", None, password=PASSWORD, path=path)
    return path


def test_from_the_morning_import_to_a_ticked_off_calling_list(
    serve, page, school, officer, tmp_path
):
    page.goto(f"{serve(school, demo=False, accounts=officer)}/calls")
    page.get_by_role("textbox", name="Name").fill("officer")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Calling list").wait_for()
    assert read_metrics(page)["Pupils to call"] == "0"  # yesterday: everyone was in

    # The morning import, on the list itself.
    page.get_by_text("Import this morning's registers").click()
    morning = tmp_path / "sims-registers.csv"
    morning.write_bytes(morning_file())
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(morning))
    page.get_by_text("sims-registers.csv").first.wait_for()
    wait_for_run(page)
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("sims-registers.csv: 7 rows read; 7 new").wait_for()
    assert read_metrics(page) == {"Pupils to call": "4", "Done": "0", "Left": "4", "Urgent": "1"}

    # One click a call: the picker moves on to the next pupil left to call.
    for done in range(1, len(TO_CALL) + 1):
        page.get_by_role("button", name="Reached").click()
        page.get_by_text("spoke to parent or carer recorded in the chronology").first.wait_for()
        expect(page.get_by_test_id("stMetricValue").nth(1)).to_have_text(str(done))
    assert read_metrics(page) == {"Pupils to call": "4", "Done": "4", "Left": "0", "Urgent": "1"}
    calls = intervention_store.interventions(school).filter(pl.col("date") == DAY)
    assert calls.height == len(TO_CALL)
    assert set(calls["recorded_by"]) == {"officer"}

    # Everyone, ticked off; and the A4 sheet.
    page.get_by_role("radiogroup").get_by_text("Done").click()
    wait_for_run(page)
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Print the list (A4 PDF)").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
