"""The review of every page as its reader sees it, in Chromium at 1440x900: each role signs in and
opens each page it may, and what a deputy head, a coordinator or a governor would notice is
found: an internal value on screen, a table cut off at the side, a squashed chart, a headline
count that disagrees with its list, an accessibility violation (axe-core). Shared by the browser
tests (`tests/e2e/test_review.py`) and `make screenshots` (`python -m tests.e2e.review`), which
writes every screen of every page of every role to a folder for a person to read.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from analytics.access import accounts
from analytics.access.roles import Role, User
from analytics.bench import serving
from analytics.bench.serving import CHROMIUM, CHROMIUM_ARGS, server_environment
from pages.ui.registry import PageSpec, pages_for
from tests.e2e.browsing import open_menu, wait_for_run

SCREEN = {"width": 1440, "height": 900}
PASSWORD = "review lantern harbour"


@dataclass(frozen=True)
class Reader:
    """Who reviews: an account of one role, for every school or one."""

    name: str
    role: Role
    schools: tuple[int, ...] | None

    @property
    def user(self) -> User:
        return User(self.name, self.role, self.schools, self.name)

    def pages(self) -> list[PageSpec]:
        """The pages this reader may open, in menu order."""
        return pages_for(self.user)


def readers(governed_school: int) -> list[Reader]:
    """One reader of each role: the governor of one school, everyone else of every school."""
    return [
        Reader("head", Role.SENIOR_LEADER, None),
        Reader("officer", Role.ATTENDANCE_STAFF, None),
        Reader("governor", Role.GOVERNOR, (governed_school,)),
        Reader("data", Role.DATA_MANAGER, None),
    ]


def write_accounts(path: Path, people: list[Reader]) -> Path:
    """An accounts file holding these readers (password PASSWORD)."""
    for person in people:
        accounts.add(
            person.name,
            person.role.value,
            None if person.schools is None else list(person.schools),
            password=PASSWORD,
            path=path,
        )
    return path


# ------------------------------------------------------------------------------------------
# Serving and signing in
# ------------------------------------------------------------------------------------------


def start_server(
    db: Path, *, demo: bool = False, accounts_file: Path | None = None, folder: Path
) -> tuple[subprocess.Popen, str]:
    """The app over `db` (sign-in from `accounts_file`, no OIDC, unless `demo`), its output in
    `folder`; returns the process and its URL once it answers."""
    env = server_environment(db, demo=demo, accounts=accounts_file)
    return serving.start_server(env, folder / "server.log", secrets_file=folder / "no-secrets.toml")


def sign_in(page, url: str, reader: Reader) -> None:
    """Open the app and sign in as `reader`; returns once their first page has finished."""
    page.goto(url)
    page.get_by_role("textbox", name="Name").fill(reader.name)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", level=1).filter(has_not_text="Sign in to Rollcall").first.wait_for()
    wait_for_run(page)


def open_page(page, spec: PageSpec) -> None:
    """Open a page from the sidebar's menu and wait until its run has finished."""
    link = open_menu(page).get_by_role("link", name=spec.title, exact=True)
    link.click()
    page.wait_for_function(
        "link => link.getAttribute('aria-current') === 'page'", arg=link.element_handle()
    )
    wait_for_run(page)
    # Charts draw a moment after the run that sends them.
    page.wait_for_timeout(400)


# ------------------------------------------------------------------------------------------
# What a reader would notice
# ------------------------------------------------------------------------------------------

#: Values the code uses that a reader should never see, as whole words.
INTERNAL_VALUES = re.compile(
    r"(?<![\w.])(None|nan|NaN|null|aea|not_counted|before_close|after_close|"
    r"ehc_plan|sen_support|01/01/1900|31/12/9999|1900-01-01|9999-12-31)(?![\w])"
)

_PAGE_TEXT = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  const cells = [...document.querySelectorAll('[data-testid="stDataFrame"] table td, [data-testid="stDataFrame"] table th')]
    .map(cell => cell.innerText);
  return [main ? main.innerText : '', sidebar ? sidebar.innerText : '', cells.join('\\n')];
}"""


def internal_values(page) -> list[str]:
    """Internal values shown on the page, its sidebar or the rows of its tables in view."""
    found = []
    for where, text in zip(("page", "sidebar", "table"), page.evaluate(_PAGE_TEXT), strict=True):
        for line in text.splitlines():
            match = INTERNAL_VALUES.search(line)
            if match:
                found.append(f"{where}: {match.group(0)!r} in {line.strip()[:120]!r}")
    return found


#: Each table on screen: its name (what its download button says it downloads, else its first
#: line), its rows (st.dataframe's grid says them), and its width against its room.
_TABLES = """() => [...document.querySelectorAll('[data-testid="stDataFrame"], [data-testid="stTable"]')]
  .filter(table => table.offsetParent !== null)
  .map(table => {
    const scroller = table.querySelector('.dvn-scroller') || table.querySelector('table')?.parentElement || table;
    const download = [...table.querySelectorAll('[aria-label^="Download as CSV: "]')][0];
    const name = download ? download.getAttribute('aria-label').replace('Download as CSV: ', '')
      : table.innerText.split('\\n')[0];
    const grid = table.querySelector('[aria-rowcount]');
    const rows = grid ? Number(grid.getAttribute('aria-rowcount')) - 1 : table.querySelectorAll('tbody tr').length;
    return [name, scroller.scrollWidth, scroller.clientWidth, rows];
  })"""


def cut_tables(page) -> list[str]:
    """Tables wider than the space they have: a column of them is off to the side."""
    return [
        f"table {name!r} is {width} px wide in {room} px"
        for name, width, room, _ in page.evaluate(_TABLES)
        if width > room + 2
    ]


_CHARTS = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
  .filter(chart => chart.offsetParent !== null)
  .map(chart => {
    const drawn = chart.querySelector('canvas, svg.marks');
    const box = drawn ? drawn.getBoundingClientRect() : {width: 0, height: 0};
    const room = chart.getBoundingClientRect();
    const label = chart.querySelector('[aria-label]')?.getAttribute('aria-label')
      || chart.closest('[data-testid="stElementContainer"]')?.getAttribute('aria-label') || '';
    return [label.slice(0, 80), Math.round(box.width), Math.round(box.height), Math.round(room.width), chart.scrollWidth, chart.clientWidth];
  })"""
#: A chart drawn shorter than this cannot show its marks and labels apart.
SMALLEST_CHART_PX = 120


def squashed_charts(page) -> list[str]:
    """Charts drawn smaller than their content needs, or wider than their room."""
    found = []
    for label, width, height, room, scroll_width, client_width in page.evaluate(_CHARTS):
        if height < SMALLEST_CHART_PX:
            found.append(f"chart {label!r} is {height} px high")
        if scroll_width > client_width + 2:
            found.append(f"chart {label!r} is {scroll_width} px wide in {client_width} px")
    return found


def charts_without_words(page) -> list[str]:
    """Charts with no text alternative (Streamlit gives a chart's `alt` as its accessible name)."""
    names = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
          .filter(chart => chart.offsetParent !== null)
          .map(chart => chart.getAttribute('aria-label') || '')"""
    )
    return [
        f"a chart has no text alternative (its accessible name is {name[:60]!r})"
        for name in names
        if not name or name.startswith(("X-axis", "Y-axis"))
    ]


def accessibility(page) -> list[str]:
    """axe-core's serious and critical violations of WCAG 2.2 A and AA on the page as shown."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={
            "runOnly": {
                "type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
            },
            "resultTypes": ["violations"],
        },
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["html"][:140] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def grid_rows(page, name: str | None = None) -> int:
    """The rows of the table called `name` (the first table on screen when None)."""
    tables = page.evaluate(_TABLES)
    for table_name, _, _, rows in tables:
        if name is None or table_name == name:
            return rows
    raise LookupError(f"no table {name!r} among {[t[0] for t in tables]}")


# ------------------------------------------------------------------------------------------
# Screens
# ------------------------------------------------------------------------------------------


def screens(page, folder: Path, stem: str) -> Iterator[Path]:
    """Screenshots of the page as a reader scrolls it, one 1440x900 screen at a time."""
    main = page.locator('[data-testid="stMain"]')
    height, view = main.evaluate("m => [m.scrollHeight, m.clientHeight]")
    step = max(view - 100, 200)  # each screen repeats the last 100 px of the one before
    position, number = 0, 1
    while True:
        main.evaluate(f"m => m.scrollTo(0, {position})")
        page.wait_for_timeout(250)
        path = folder / f"{stem}-{number:02d}.png"
        page.screenshot(path=path)
        yield path
        if position + view >= height:
            break
        position += step
        number += 1
    main.evaluate("m => m.scrollTo(0, 0)")


def take_screenshots(db: Path, out: Path, governed_school: int) -> list[Path]:
    """Every screen of every page of every role, in `out/<role>/NN-<page>-NN.png`."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        served = folder / "rollcall.duckdb"
        shutil.copy(db, served)  # sign-ins and views are written to a copy
        people = readers(governed_school)
        server, url = start_server(
            served, accounts_file=write_accounts(folder / "accounts.json", people), folder=folder
        )
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                for person in people:
                    context = browser.new_context(viewport=SCREEN)
                    page = context.new_page()
                    page.set_default_timeout(120_000)
                    sign_in(page, url, person)
                    role_folder = out / person.role.value
                    role_folder.mkdir(exist_ok=True)
                    for number, spec in enumerate(person.pages(), start=1):
                        open_page(page, spec)
                        for path in screens(page, role_folder, f"{number:02d}-{spec.url_path}"):
                            written.append(path)
                            print(path, flush=True)
                    context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    return written


def main(argv: list[str] | None = None) -> int:
    """`make screenshots`: every page of every role, screen by screen, into a folder."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--db", type=Path, help="a database to serve (default: a new demo trust)")
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--school", type=int, help="the governor's school (default: the first)")
    args = parser.parse_args(argv)
    from analytics.store import Database, read

    with tempfile.TemporaryDirectory() as scratch:
        db = args.db
        if db is None:
            from analytics.synthetic import build_demo

            db = Path(scratch) / "demo.duckdb"
            build_demo(db)
        school = args.school or int(read.schools(Database(db))["urn"][0])
        if args.out.exists():
            shutil.rmtree(args.out)
        written = take_screenshots(db, args.out, school)
    print(f"{len(written)} screens written to {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
