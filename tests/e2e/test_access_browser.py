"""Access in a real browser: a governor signs in and tries every page and URL; a fresh server's first
request for a page script is not let through; the demo says what it is."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from analytics.access import accounts
from analytics.store import Database, audit, read

from .browsing import open_menu, shown_text, wait_for_run

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PASSWORD = "violet harbour compass"
UPN = re.compile(r"\b[A-Z]\d{12}\b|\b[A-Z]\d{11}[A-Z]\b")


@pytest.fixture(scope="module")
def school_db(demo_db: Database, tmp_path_factory: pytest.TempPathFactory) -> Database:
    """The demo trust copied, served as a school's real database would be: sign-in required."""
    path = tmp_path_factory.mktemp("served") / "rollcall.duckdb"
    shutil.copy(demo_db.path, path)
    return Database(path, key=None)


@pytest.fixture(scope="module")
def accounts_path(school_db: Database, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("accounts") / "accounts.json"
    urn = read.schools(school_db)["urn"][0]
    accounts.add("governor", "governor", [urn], password=PASSWORD, path=path)
    accounts.add("staff", "attendance_staff", [urn], password=PASSWORD, path=path)
    return path


def sign_in(page, name: str) -> None:
    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def close_page_not_found(page) -> None:
    page.wait_for_timeout(500)
    if page.get_by_text("Page not found").count():
        page.keyboard.press("Escape")
        page.get_by_text("Page not found").wait_for(state="hidden")


def test_a_governor_finds_no_pupil_and_no_page_beyond_their_own(
    serve, page, school_db, accounts_path
):
    url = serve(school_db, demo=False, accounts=accounts_path)
    page.goto(url)
    page.get_by_role("heading", name="Sign in to Rollcall").wait_for()
    sign_in(page, "governor")
    summary = page.get_by_role("heading", name=re.compile("^Governors' attendance summary"))
    summary.wait_for()
    # Their two pages, and no other, in the menu.
    listed = open_menu(page).inner_text()
    assert "Governors' summary" in listed and "How figures are counted" in listed
    assert (
        "Overview" not in listed
        and "Import" not in listed
        and "Audit log" not in listed
        and "Pupils" not in listed
    )
    assert "Signed in as governor (governor)" in shown_text(page)
    assert not UPN.search(shown_text(page))
    urn = read.schools(school_db)["urn"][0]
    # Typing another page's URL in the same tab keeps the sign-in (the tab holds it) and still
    # shows only their pages: another role's page is refused, saying why.
    for path in (
        "/import",
        "/audit",
        "/overview",
        "/import_data",
        f"/?school={urn}&window=year",
        "/pupils",
    ):
        page.goto(url + path)
        page.get_by_text("Signed in as governor (governor)").first.wait_for()
        wait_for_run(page)
        close_page_not_found(page)  # a page of another role's: Streamlit says it is not there
        text = shown_text(page)
        assert not UPN.search(text), path
        assert page.get_by_role("heading", name="Sign in to Rollcall").count() == 0, path
        # Either their own summary or another role's page refused by name, with no figures.
        assert summary.count() == 1 or "(governor) cannot open" in text, path
        if summary.count() == 0:
            assert page.get_by_test_id("stMetric").count() == 0, path
        assert page.get_by_test_id("stFileUploader").count() == 0, path
    signed_in = audit.read_log(school_db, actions=("sign_in",), actor="governor")
    assert signed_in.height == 1


def test_staff_see_their_school_and_every_sign_in_is_recorded(
    serve, page, school_db, accounts_path
):
    url = serve(school_db, demo=False, accounts=accounts_path)
    page.goto(url)
    sign_in(page, "staff")
    page.get_by_test_id("stMetric").first.wait_for()
    name = read.schools(school_db)["name"][0]
    expect(page.get_by_text(f"{name} ·").first).to_be_visible()
    assert "Whole trust" not in shown_text(page)
    assert audit.read_log(school_db, actions=("sign_in",), actor="staff").height >= 1


def test_the_first_request_to_a_fresh_server_for_a_page_script_shows_the_sign_in(
    serve, page, school_db, tmp_path
):
    """Streamlit runs a script in pages/ directly for the first request after it starts; the
    page's own guard must stop it."""
    empty_accounts = tmp_path / "none.json"
    url = serve(school_db, demo=False, accounts=empty_accounts)  # a server no one has visited
    page.goto(url + "/import_data")
    page.get_by_role("heading", name="Sign in to Rollcall").wait_for()
    text = shown_text(page)
    assert "Each file is imported whole" not in text
    assert page.get_by_test_id("stFileUploader").count() == 0


def test_the_demo_says_on_every_page_that_it_is_synthetic(serve, page, demo_db):
    url = serve(demo_db)
    page.goto(url)
    page.get_by_test_id("stMetric").first.wait_for()
    expect(page.get_by_text("Demo: synthetic data only.").first).to_be_visible()
    open_menu(page).get_by_text("How figures are counted").click()
    page.get_by_role("heading", name="How figures are counted").wait_for()
    expect(page.get_by_text("Demo: synthetic data only.").first).to_be_visible()
    assert "Import" not in open_menu(page).inner_text()
