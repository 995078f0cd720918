"""End to end in headless Chromium: a senior leader signs in, opens the Stages page for one
school, sees the engine's counts per stage, previews the first concern letter and makes them all;
each is then in the pupils' chronologies with its PDF."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from playwright.sync_api import expect

from analytics.access import accounts
from analytics.reports.coordinator.stages import stage_report
from analytics.reports.letters.run import stage_letters
from analytics.store import Database
from analytics.store import interventions as intervention_store
from analytics.synthetic import DEMO_TODAY

from .browsing import read_metrics, wait_for_run

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PASSWORD = "copper willow lantern"
URN = 990114


@pytest.fixture(scope="module")
def writable_demo(demo_db, tmp_path_factory) -> Database:
    copy = Database(tmp_path_factory.mktemp("e2e-stages") / "demo.duckdb")
    shutil.copy(demo_db.path, copy.path)
    return copy


@pytest.fixture(scope="module")
def leader(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("accounts") / "accounts.json"
    accounts.add("leader", "senior_leader", None, password=PASSWORD, path=path)
    return path


def test_stages_and_their_letters_in_the_browser(serve, page, writable_demo, leader):
    report = stage_report(writable_demo, DEMO_TODAY, (URN,))
    expected = stage_letters(writable_demo, report, "concern", URN)
    page.goto(f"{serve(writable_demo, demo=False, accounts=leader)}/stages?school={URN}")
    page.get_by_role("textbox", name="Name").fill("leader")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Stages").first.wait_for()
    metrics = read_metrics(page)
    counts = report.counts()
    assert metrics == {
        row["stage_name"]: f"{row['pupils']:,}" for row in counts.iter_rows(named=True)
    }
    page.get_by_role("tab", name="Letters").click()
    wait_for_run(page)
    expect(page.get_by_text("Preview of the first letter")).to_be_visible()
    expect(
        page.get_by_text(f"{len(expected.letters):,} letters for {expected.pupils:,} pupils")
    ).to_be_visible()
    page.get_by_role("button", name=f"Make all {len(expected.letters):,} letters").click()
    expect(page.get_by_text("entries recorded in the pupils' chronologies")).to_be_visible()
    log = intervention_store.interventions(writable_demo, [URN])
    made = log.filter(pl.col("notes").str.starts_with("Stage letter concern"))
    assert made.height == expected.pupils
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the letters sent, to print").click()
    assert download.value.suggested_filename == expected.merged_file_name
