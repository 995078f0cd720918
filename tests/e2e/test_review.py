"""Every page as each role that may open it sees it, in Chromium at 1440x900 (`review.py` says
what is looked for): no internal value on screen, no table cut off at the side, no chart squashed,
a text alternative for every chart, headline counts that agree with the lists beneath them, and
no serious or critical accessibility violation (axe-core, WCAG 2.2 A and AA). One server and one
signed-in browser tab per role serve every page's check. Then the keyboard alone: the sidebar's
filters and a table."""

from __future__ import annotations

import re
import shutil

import pytest

from analytics.store import Database, read
from pages.ui.registry import PageSpec

from . import review
from .browsing import wait_for_run

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

GOVERNED = "Westbrook Academy"


@pytest.fixture(scope="module")
def reviewed(demo_db: Database, tmp_path_factory, browser):
    """The demo trust served with one account of each role; a tab per role, signed in once."""
    folder = tmp_path_factory.mktemp("review")
    served = folder / "rollcall.duckdb"
    shutil.copy(demo_db.path, served)
    schools = read.schools(demo_db)
    governed = int(schools.filter(schools["name"] == GOVERNED)["urn"][0])
    people = {person.role.value: person for person in review.readers(governed)}
    accounts = review.write_accounts(folder / "accounts.json", list(people.values()))
    server, url = review.start_server(served, accounts_file=accounts, folder=folder)
    tabs: dict[str, object] = {}

    def tab(role: str):
        if role not in tabs:
            context = browser.new_context(viewport=review.SCREEN)
            page = context.new_page()
            page.set_default_timeout(120_000)
            review.sign_in(page, url, people[role])
            tabs[role] = page
        return tabs[role]

    yield people, tab, url
    for page in tabs.values():
        page.context.close()
    server.terminate()
    server.wait(10)


def _pairs() -> list[tuple[str, PageSpec]]:
    return [(person.role.value, spec) for person in review.readers(0) for spec in person.pages()]


def _counts_agree(page, spec: PageSpec) -> list[str]:
    """The headline count a page states against the rows of the list it heads."""
    found = []
    if spec.url_path == "targets":
        heading = page.get_by_role("heading", level=3).filter(has_text=" pupils").first
        # "N pupils", or "N pupils (M sessions)" when the rows are sessions (first-day calls).
        match = re.search(
            r": ([\d,]+) pupils(?: \(([\d,]+) sessions\))?$", heading.inner_text().strip()
        )
        said = (match.group(2) or match.group(1)) if match else None
        stated = int(said.replace(",", "")) if said else None
        rows = review.grid_rows(page) if stated else 0
        if stated != rows:
            found.append(f"the list says {stated} pupils and holds {rows}")
    if spec.url_path == "pupils":
        said = page.get_by_text(re.compile(r"^Showing [\d,]+ pupils")).first.inner_text()
        stated = int(re.search(r"Showing ([\d,]+)", said).group(1).replace(",", ""))
        rows = review.grid_rows(page, "Pupil list")
        if stated != rows:
            found.append(f"'Showing {stated} pupils' above a list of {rows}")
    return found


@pytest.mark.parametrize(
    ("role", "spec"), _pairs(), ids=[f"{role}-{spec.url_path}" for role, spec in _pairs()]
)
def test_the_page_passes_its_readers_review(reviewed, role, spec):
    _, tab, _ = reviewed
    page = tab(role)
    review.open_page(page, spec)
    problems = (
        review.internal_values(page)
        + review.cut_tables(page)
        + review.squashed_charts(page)
        + review.charts_without_words(page)
        + _counts_agree(page, spec)
        + review.accessibility(page)
    )
    errors = page.locator("[data-testid='stException']").all_inner_texts()
    assert not errors and not problems, "\n".join(errors + problems)


def test_a_reload_keeps_the_tab_signed_in_and_another_roles_page_says_why(reviewed):
    people, tab, url = reviewed
    page = tab("attendance_staff")
    page.goto(url + "/pupils")  # a reload of the same tab: no password asked
    page.get_by_role("heading", name="Pupil list").wait_for()
    assert page.get_by_role("heading", name="Sign in to Rollcall").count() == 0
    page.goto(url + "/import")
    page.get_by_text("cannot open Import: it is for data managers").wait_for()
    wait_for_run(page)
    assert page.get_by_test_id("stFileUploader").count() == 0
    # A new tab is a new sign-in.
    other = page.context.browser.new_context(viewport=review.SCREEN).new_page()
    try:
        other.goto(url + "/pupils")
        other.get_by_role("heading", name="Sign in to Rollcall").wait_for()
    finally:
        other.context.close()


def test_the_filters_work_from_the_keyboard(reviewed):
    """Tab to the school filter, open it, choose with the arrow keys and Enter."""
    people, tab, url = reviewed
    page = tab("senior_leader")
    review.open_page(
        page, next(s for s in people["senior_leader"].pages() if s.url_path == "overview")
    )
    school = page.get_by_role("combobox", name=re.compile("School"))
    page.locator("[data-testid='stSidebar']").click(position={"x": 5, "y": 5})
    for _ in range(80):
        page.keyboard.press("Tab")
        if school.evaluate(
            "e => e === document.activeElement || e.contains(document.activeElement)"
        ):
            break
    else:
        pytest.fail("Tab never reached the school filter")
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    wait_for_run(page)
    assert re.search(r"school=\d{6}", page.url), page.url


def test_a_table_and_its_download_are_reached_from_the_keyboard(reviewed):
    """Tab reaches the Overview's first table (a grid whose rows and columns a screen reader is
    told), and then its CSV download, which Enter downloads: the way a keyboard user reads every
    cell, since Streamlit's grid moves between cells with the arrow keys only once a pointer has
    chosen one (said in the accessibility statement)."""
    people, tab, url = reviewed
    page = tab("senior_leader")
    overview = next(s for s in people["senior_leader"].pages() if s.url_path == "overview")
    review.open_page(page, overview)
    page.get_by_role("heading", name="Overview").click()  # start from the page
    focused = "() => document.activeElement.getAttribute('data-testid')"
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate(focused) == "data-grid-canvas":
            break
    else:
        pytest.fail("Tab never reached a table")
    grid = page.locator("[data-testid='data-grid-canvas']:focus table[role='grid']")
    assert int(grid.get_attribute("aria-rowcount")) > 1
    assert grid.locator("th").first.inner_text() == "Measure"
    # Past the grid's own toolbar, to the table's Download CSV button beneath it.
    text = "() => document.activeElement.innerText || ''"
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate(text).strip().endswith("Download CSV"):  # after its icon
            break
    else:
        pytest.fail("Tab never reached the table's CSV download")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".csv")
