"""End to end in headless Chromium: the coordinator records a home visit for two pupils and sees
it in both pupils' chronologies."""

from __future__ import annotations

import shutil

import pytest

from analytics.reports.interventions import pupils_on_roll
from analytics.reports.targets import coordinator_inputs
from analytics.store import Database
from analytics.store import interventions as store
from analytics.synthetic import DEMO_TODAY

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
NOTE = "Browser test visit to the family home"


@pytest.fixture(scope="module")
def writable_demo(demo_db, tmp_path_factory) -> Database:
    """A copy of the demo trust the browser may write to."""
    copy = Database(tmp_path_factory.mktemp("e2e") / "demo.duckdb")
    shutil.copy(demo_db.path, copy.path)
    return copy


def choose(page, widget, text: str) -> None:
    """Type into a select or multiselect and take the first option that matches."""
    widget.click()
    widget.locator("input").fill(text)
    page.get_by_role("option").filter(has_text=text).first.click()


def test_a_home_visit_for_two_pupils_appears_in_both_chronologies(serve, page, writable_demo):
    pupils = pupils_on_roll(coordinator_inputs(writable_demo), DEMO_TODAY).head(2)
    first, second = pupils["label"].to_list()
    before = store.interventions(writable_demo).height

    page.goto(f"{serve(writable_demo)}/interventions")
    pupils_box = page.get_by_test_id("stMultiSelect").filter(has_text="Pupils")
    choose(page, pupils_box, first)
    page.keyboard.press("Escape")
    choose(page, pupils_box, second)
    page.keyboard.press("Escape")
    choose(page, page.get_by_test_id("stSelectbox").filter(has_text="Action").first, "Home visit")
    page.get_by_role("textbox", name="Owner (who is responsible)").fill("Mrs Pennington")
    page.get_by_role("textbox", name="Notes").fill(NOTE)
    page.get_by_role("textbox", name="Your name").first.fill("Browser coordinator")
    page.get_by_role("button", name="Record").click()
    page.get_by_text("Recorded home visit on 20/11/2026 for 2 pupils").wait_for()

    recorded = store.interventions(writable_demo)
    assert recorded.height == before + 2

    page.get_by_role("tab", name="Chronology").click()
    panel = page.get_by_role("tabpanel", name="Chronology")
    panel.get_by_text(NOTE).first.wait_for()
    assert panel.get_by_text(f"Chronology: {first.split(' · ')[0]}").is_visible()
    assert panel.get_by_text("20/11/2026 · Home visit").first.is_visible()

    choose(page, panel.get_by_test_id("stSelectbox").filter(has_text="Pupil").first, second)
    panel.get_by_text(f"Chronology: {second.split(' · ')[0]}").wait_for()
    panel.get_by_text(NOTE).first.wait_for()
    assert panel.get_by_text("recorded by Browser coordinator").first.is_visible()
