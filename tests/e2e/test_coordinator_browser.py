"""End to end in headless Chromium: the coordinator signs in, records a home visit for two pupils
and sees it, recorded in their name, in both pupils' chronologies (the demo visitor may not
record: the demo is read-only)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from analytics.access import accounts
from analytics.reports.coordinator.interventions import pupils_on_roll
from analytics.reports.coordinator.targets import coordinator_inputs
from analytics.store import Database
from analytics.store import interventions as store
from analytics.synthetic import DEMO_TODAY

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
NOTE = "Browser test visit to the family home"
PASSWORD = "quiet lantern orchard"


@pytest.fixture(scope="module")
def writable_demo(demo_db, tmp_path_factory) -> Database:
    """A copy of the demo trust the browser may write to."""
    copy = Database(tmp_path_factory.mktemp("e2e") / "demo.duckdb")
    shutil.copy(demo_db.path, copy.path)
    return copy


@pytest.fixture(scope="module")
def coordinator_account(tmp_path_factory) -> Path:
    """An accounts file with one attendance officer for every school."""
    path = tmp_path_factory.mktemp("accounts") / "accounts.json"
    accounts.add("coordinator", "attendance_staff", None, password=PASSWORD, path=path)
    return path


def choose(page, widget, text: str) -> None:
    """Type into a select or multiselect and take the first option that matches."""
    widget.click()
    widget.locator("input").fill(text)
    page.get_by_role("option").filter(has_text=text).first.click()


def test_a_home_visit_for_two_pupils_appears_in_both_chronologies(
    serve, page, writable_demo, coordinator_account
):
    pupils = pupils_on_roll(coordinator_inputs(writable_demo), DEMO_TODAY).head(2)
    first, second = pupils["label"].to_list()
    before = store.interventions(writable_demo).height

    page.goto(f"{serve(writable_demo, demo=False, accounts=coordinator_account)}/interventions")
    page.get_by_role("textbox", name="Name").fill("coordinator")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Interventions").wait_for()
    pupils_box = page.get_by_test_id("stMultiSelect").filter(has_text="Pupils")
    choose(page, pupils_box, first)
    page.keyboard.press("Escape")
    choose(page, pupils_box, second)
    page.keyboard.press("Escape")
    choose(page, page.get_by_test_id("stSelectbox").filter(has_text="Action").first, "Home visit")
    page.get_by_role("textbox", name="Owner (who is responsible)").fill("Mrs Pennington")
    page.get_by_role("textbox", name="Notes").fill(NOTE)
    expect(page.get_by_text("Recorded as coordinator (attendance staff)").first).to_be_visible()
    page.get_by_role("button", name="Record").click()
    page.get_by_text(f"Recorded home visit on {date.today():%d/%m/%Y} for 2 pupils").wait_for()

    recorded = store.interventions(writable_demo)
    assert recorded.height == before + 2

    page.get_by_role("tab", name="Chronology").click()
    panel = page.get_by_role("tabpanel", name="Chronology")
    panel.get_by_text(NOTE).first.wait_for()
    expect(panel.get_by_text(f"Chronology: {first.split(' · ')[0]}")).to_be_visible()
    expect(panel.get_by_text(f"{date.today():%d/%m/%Y} · Home visit").first).to_be_visible()

    choose(page, panel.get_by_test_id("stSelectbox").filter(has_text="Pupil").first, second)
    panel.get_by_text(f"Chronology: {second.split(' · ')[0]}").wait_for()
    panel.get_by_text(NOTE).first.wait_for()
    expect(panel.get_by_text("recorded by coordinator").first).to_be_visible()
