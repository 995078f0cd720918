"""Many people using Rollcall at once: signed-in browser sessions against a served app, with
settle times per page, page errors, stalls and the server's memory (a script, not a test).

    uv run python benchmarks/load.py [--sessions 8] [--seconds 300] [--db PATH] [--port N]
                                     [--seed 1] [--json FILE] [--roles ROLE,...] [--pages PATH,...]

It serves the app (`streamlit run app.py`) on a copy of the database (the demo trust, built into a
temporary folder, when no `--db` is given; any other database, such as one kept by
`rollcall bench --size M --keep DIR`, with `--db`), with sign-in on: a temporary accounts file
holds one account per session. The sessions take the roles in turn: a senior leader of every
school, attendance staff of one school, a governor of one school, a data manager of every school
(the one-school accounts take the database's schools in turn; `--roles` narrows the turn). Each
session is a real headless Chromium (Debian's /usr/bin/chromium; one browser, one context per
session, all driven at once from one process), signs in, then until `--seconds` have passed walks
every page its role may open (pages/ui/registry.py says which; `--pages overview,...` narrows it)
in a seeded random order, and on each page changes one to three of its filters and choices
(school, academic year, window, term, year groups, the page's own selectboxes, multiselects,
radios and toggles outside forms), never a button.

Every action (a click in the menu, a choice) is timed until Streamlit has finished the run it
started: the settle time, as the person waits for it. A page error is an exception box, an error
alert that is not one of the app's expected findings, or a run not finished within 60 s. A thread
asks the server's /_stcore/health every second: no answer within 10 s is a stall, and the run
stops, says so and prints the server's Python thread stacks (its faulthandler dumps them on
SIGABRT, which ends it). Another thread samples the server process tree's resident memory from
/proc every half second.

It prints, per page, visits, actions timed, p50, p95 and max settle time and errors, then the
server's peak memory (the sampled peak of the process tree, and the server's VmHWM), and exits 0
when nothing stalled and no page errored, 1 on a page error, 2 on a stall (or the server ending).
`--json FILE` writes the same figures. The browsers share the machine with the server, so on a
small machine the timings include waiting for a core.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
# This folder holds pages.py, which would hide the app's `pages` package: the project root instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from playwright.async_api import Error as PlaywrightError  # noqa: E402
from playwright.async_api import TimeoutError as PlaywrightTimeoutError  # noqa: E402
from playwright.async_api import async_playwright  # noqa: E402

from analytics.access import accounts  # noqa: E402
from analytics.access.roles import Role, User  # noqa: E402
from analytics.bench.serving import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    server_environment,
    start_server,
)
from analytics.settings import setting  # noqa: E402
from analytics.store import Database, read  # noqa: E402
from pages.ui.registry import PAGES, PageSpec, pages_for  # noqa: E402
from tests.e2e.browsing import (  # noqa: E402
    RUN_RECORDER,
    open_menu_async,
    settle_after,
    shown_errors,
)

#: The roles the sessions take in turn, and whether each covers every school (else one).
ROLE_CYCLE: tuple[tuple[Role, bool], ...] = (
    (Role.SENIOR_LEADER, True),
    (Role.ATTENDANCE_STAFF, False),
    (Role.GOVERNOR, False),
    (Role.DATA_MANAGER, True),
)
#: A run not finished within this long is a page error.
SETTLE_TIMEOUT_S = 60
#: A health question unanswered within this long is a stall; asked this often.
HEALTH_TIMEOUT_S, HEALTH_INTERVAL_S = 10, 1.0
MEMORY_INTERVAL_S = 0.5
#: How many filters a session changes on each page it opens (at random, at most).
MOST_CHANGES = 3
#: The widgets a session may change: selectboxes, multiselects, radios, toggles and checkboxes.
WIDGETS = (
    "[data-testid='stSelectbox'], [data-testid='stMultiSelect'], "
    "[data-testid='stRadio'], [data-testid='stCheckbox']"
)
#: Error alerts that report what the data holds, not a fault of the app.
EXPECTED_ALERTS = ("found errors: fix them in the MIS before submitting",)
#: How much of an error's text is kept (an exception's traceback included).
MESSAGE_KEPT = 4_000
#: How long a harness step (opening a dropdown, finding a link) may take before it is skipped.
STEP_TIMEOUT_MS = 10_000


# ---------------------------------------------------------------------------------------------
# Who signs in
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """One session's account: its name, role and schools, and the pages it will walk."""

    user: User
    pages: tuple[PageSpec, ...]

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def role(self) -> str:
        return self.user.role.value

    @property
    def home(self) -> PageSpec:
        """The page the app opens after sign-in (the default page, else the first allowed)."""
        allowed = pages_for(self.user)
        return next((spec for spec in allowed if spec.default), allowed[0])


def people(count: int, urns: list[int], roles: list[Role], only: set[str] | None) -> list[Person]:
    """`count` accounts taking `roles` in turn; one-school roles take `urns` in turn. `only`
    (URL paths) narrows every person's walk to those pages."""
    cycle = [entry for entry in ROLE_CYCLE if entry[0] in roles]
    found = []
    for index in range(count):
        role, every_school = cycle[index % len(cycle)]
        schools = None if every_school else (urns[index % len(urns)],)
        user = User(f"load-{index + 1}-{role.value.replace('_', '-')}", role, schools)
        walk = [spec for spec in pages_for(user) if only is None or spec.url_path in only]
        found.append(Person(user, tuple(walk)))
    return found


def write_accounts(path: Path, sessions: list[Person], password: str) -> None:
    """The sessions' accounts, in a local accounts file of their own."""
    for person in sessions:
        accounts.add(person.name, person.role, person.user.schools, password=password, path=path)


# ---------------------------------------------------------------------------------------------
# The database and the server
# ---------------------------------------------------------------------------------------------


def served_copy(db: Path | None, folder: Path) -> Path:
    """The database the server will use: a copy of `db` (sign-ins and page views are written
    to the audit log, and the original stays as it was), or the demo trust built afresh."""
    if db is None:
        from analytics.synthetic import build_demo

        built = folder / "demo.duckdb"
        print("building the demo trust ...", flush=True)
        build_demo(built)
        return built
    if not db.exists():
        raise SystemExit(f"{db}: no such database")
    copy = folder / db.name
    shutil.copy(db, copy)
    wal = db.with_name(db.name + ".wal")
    if wal.exists():
        shutil.copy(wal, copy.with_name(copy.name + ".wal"))
    return copy


def school_urns(db: Path) -> list[int]:
    """The database's schools, by name."""
    urns = read.schools(Database(db))["urn"].to_list()
    if not urns:
        raise SystemExit(f"{db}: the database holds no school")
    return urns


def _no_core_dump() -> None:
    # A stall's stack dump aborts the server; its memory is not wanted on disk.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


@dataclass
class Server:
    """The app, served by `streamlit run app.py` as the browser tests serve it."""

    process: subprocess.Popen
    url: str
    log: Path

    @classmethod
    def start(cls, db: Path, accounts_file: Path, port: int, folder: Path) -> Server:
        """Serve `db` with sign-in from `accounts_file` (no demo mode, no OIDC) on `port`."""
        log = folder / "server.log"
        # A SIGABRT dumps every thread's stack: what a stall waits on.
        more = {"PYTHONFAULTHANDLER": "1"}
        if setting("db_key"):  # from the secrets file, which the server is not given
            more["ROLLCALL_DB_KEY"] = setting("db_key")
        env = server_environment(db, demo=False, accounts=accounts_file, **more)
        process, url = start_server(
            env,
            log,
            secrets_file=folder / "no-secrets.toml",  # local sign-in only
            port=port,
            preexec_fn=_no_core_dump,
        )
        return cls(process, url, log)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        """End the server (politely, then not)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# ---------------------------------------------------------------------------------------------
# Watching the server: health and memory
# ---------------------------------------------------------------------------------------------


class Watchdog(threading.Thread):
    """Asks the server's health endpoint every second; no answer within 10 s is a stall."""

    def __init__(self, server: Server):
        super().__init__(name="health", daemon=True)
        self.server = server
        self.stall: str | None = None
        self.slowest = 0.0
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(HEALTH_INTERVAL_S):
            began = time.monotonic()
            try:
                with urllib.request.urlopen(
                    f"{self.server.url}/_stcore/health", timeout=HEALTH_TIMEOUT_S
                ) as answer:
                    answer.read()
            except OSError as error:
                if not self._stopped.is_set():
                    self.stall = self._why(error, time.monotonic() - began)
                return
            self.slowest = max(self.slowest, time.monotonic() - began)

    def _why(self, error: OSError, waited: float) -> str:
        if self.server.process.poll() is not None:
            return f"the server ended (exit status {self.server.process.returncode})"
        return (
            f"/_stcore/health gave no answer within {HEALTH_TIMEOUT_S} s ({waited:.1f} s: {error})"
        )

    def stop(self) -> None:
        self._stopped.set()


def _descendants(pid: int) -> list[int]:
    """`pid` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, waiting = [], [pid]
    while waiting:
        current = waiting.pop()
        found.append(current)
        waiting.extend(children.get(current, []))
    return found


def status_kb(pid: int, field_name: str) -> int:
    """A `/proc/PID/status` figure in kB (`VmRSS`, `VmHWM`); 0 when the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    """Samples the resident memory of the server and its child processes twice a second."""

    def __init__(self, pid: int):
        super().__init__(name="memory", daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(MEMORY_INTERVAL_S):
            total = sum(status_kb(pid, "VmRSS") for pid in _descendants(self.pid))
            self.peak_kb = max(self.peak_kb, total)

    def stop(self) -> None:
        self._stopped.set()


def thread_stacks(server: Server) -> str:
    """The server's Python thread stacks, as its faulthandler dumps them on SIGABRT (which ends
    it). faulthandler reads them without the GIL, so a deadlocked server still answers."""
    if server.process.poll() is not None:
        return "(the server has ended: no stacks to dump)"
    server.process.send_signal(signal.SIGABRT)
    try:
        server.process.wait(30)
    except subprocess.TimeoutExpired:
        return "(the server did not answer SIGABRT)"
    text = server.log.read_text("utf-8", errors="replace")
    start = text.find("Fatal Python error")
    return text[start:] if start >= 0 else "(the server printed no stacks)"


def app_threads(stacks: str) -> str:
    """The threads of a stack dump that are in Rollcall's own code (a page, the app, analytics),
    and how many others were left out (--json keeps them all)."""
    blocks = stacks.split("\n\n")
    ours = [
        block
        for block in blocks
        if any(str(ROOT) in line and "/.venv/" not in line for line in block.splitlines())
    ]
    left_out = len(blocks) - len(ours)
    return "\n\n".join(ours or blocks) + f"\n\n({left_out} other threads left out)\n"


# ---------------------------------------------------------------------------------------------
# What the sessions saw
# ---------------------------------------------------------------------------------------------


@dataclass
class PageFigures:
    """One page's visits, settle times (seconds) and errors."""

    visits: int = 0
    settles: list[float] = field(default_factory=list)
    errors: int = 0


@dataclass
class PageError:
    """A page error: whose session, on which page and address, after which steps, and what."""

    session: str
    role: str
    page: str
    url: str
    steps: list[str]
    message: str


@dataclass
class Observed:
    """Everything the sessions recorded."""

    pages: dict[str, PageFigures] = field(default_factory=dict)
    errors: list[PageError] = field(default_factory=list)
    actions: dict[str, int] = field(default_factory=dict)  # timed runs, by session
    no_rerun: list[str] = field(default_factory=list)  # steps that started no run
    skipped: int = 0  # choices the harness could not make (a dropdown did not open in time)

    def settled(
        self, session: str, page: str, step: str, seconds: float | None, *, visit: bool
    ) -> None:
        """Record a step's settle time (None: it started no run) on the page it ended on."""
        figures = self.pages.setdefault(page, PageFigures())
        figures.visits += visit
        if seconds is None:
            self.no_rerun.append(f"{session} on {step}")
        else:
            figures.settles.append(seconds)
            self.actions[session] = self.actions.get(session, 0) + 1

    def failed(self, error: PageError) -> None:
        self.pages.setdefault(error.page, PageFigures()).errors += 1
        self.errors.append(error)


# ---------------------------------------------------------------------------------------------
# One session
# ---------------------------------------------------------------------------------------------

#: How many of a session's last steps an error report repeats (to reproduce it by hand).
STEPS_KEPT = 8


@dataclass
class Shared:
    """What every session shares: when to stop, and where to record."""

    deadline: float
    stop: asyncio.Event
    observed: Observed


@dataclass
class Session:
    """One person's browser tab, with the run's clock, its last steps and what it records."""

    person: Person
    page: object  # playwright.async_api.Page
    rng: random.Random
    shared: Shared
    steps: deque[str] = field(default_factory=lambda: deque(maxlen=STEPS_KEPT))

    @property
    def observed(self) -> Observed:
        return self.shared.observed

    @property
    def over(self) -> bool:
        return self.shared.stop.is_set() or time.monotonic() >= self.shared.deadline

    def page_shown(self) -> str:
        """The title of the page the tab shows, from its URL."""
        path = urlparse(self.page.url).path.strip("/")
        if not path:
            return self.person.home.title
        return next((spec.title for spec in PAGES if spec.url_path == path), path)

    def failed(self, message: str, page: str | None = None) -> None:
        """Record an error on the page the tab shows."""
        address = urlparse(self.page.url)
        self.observed.failed(
            PageError(
                self.person.name,
                self.person.role,
                page or self.page_shown(),
                address.path + (f"?{address.query}" if address.query else ""),
                list(self.steps),
                message[:MESSAGE_KEPT],
            )
        )

    async def act(self, action: Callable[[], Awaitable], what: str, *, visit: bool = False) -> None:
        """Do `action` (described by `what`), time the run it starts, and record it and any error
        on the page."""
        step = f"{self.page_shown()}: {what}"
        self.steps.append(step)
        try:
            seconds = await settle_after(self.page, action, SETTLE_TIMEOUT_S * 1000)
        except PlaywrightTimeoutError:
            self.failed(f"did not settle within {SETTLE_TIMEOUT_S} s")
            return
        self.observed.settled(self.person.name, self.page_shown(), step, seconds, visit=visit)
        for error in await shown_errors(self.page):
            if not any(expected in error for expected in EXPECTED_ALERTS):
                self.failed(error)


async def sign_in(session: Session, url: str, password: str) -> bool:
    """Open the app and sign in; False (an error recorded) when no page of the app opened."""
    page = session.page
    await page.goto(url, timeout=SETTLE_TIMEOUT_S * 1000)
    await page.get_by_role("textbox", name="Name").fill(session.person.name)
    await page.get_by_role("textbox", name="Password").fill(password)
    before = len(session.observed.errors)
    await session.act(page.get_by_role("button", name="Sign in").click, "sign in", visit=True)
    try:
        await page.get_by_test_id("stSidebarNav").wait_for(timeout=STEP_TIMEOUT_MS)
    except PlaywrightTimeoutError:
        if len(session.observed.errors) == before:
            session.failed("signing in opened no page of the app", "Sign in")
        return False
    return True


async def open_page(session: Session, spec: PageSpec) -> None:
    """Open a page from the sidebar's menu."""
    menu = await open_menu_async(session.page)
    link = menu.get_by_role("link", name=spec.title, exact=True)
    await link.wait_for(timeout=STEP_TIMEOUT_MS)
    await session.act(link.click, f"open {spec.title}", visit=True)


async def changeable(page) -> list[tuple[int, str, str]]:
    """The widgets a person could change now: (index among WIDGETS, kind, label), visible,
    enabled and outside forms (a form's choices run nothing until it is submitted)."""
    return await page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .map((widget, index) => [index, widget.dataset.testid, widget])
            .filter(([, , widget]) => widget.checkVisibility()
                && !widget.closest("[data-testid='stForm']")
                && !widget.querySelector("input:disabled"))
            .map(([index, kind, widget]) => [index, kind, widget.innerText.split("\\n")[0]])""",
        WIDGETS,
    )


async def _options(page) -> list:
    """The open dropdown's options that are not chosen already (and not "Select all")."""
    options = page.get_by_role("option")
    await options.first.wait_for(timeout=STEP_TIMEOUT_MS)
    found = []
    for index in range(await options.count()):
        option = options.nth(index)
        if await option.get_attribute("aria-selected") == "true":
            continue
        if await option.get_attribute("data-key") == "__select_all__":
            continue
        found.append(option)
    return found


async def _choose(session: Session, options, label: str) -> bool:
    """Click one of `options` (locators) at random, timing the run; False when there are none."""
    if not options:
        return False
    option = session.rng.choice(options)
    await session.act(option.click, f"{label} = {(await option.inner_text()).strip()}")
    return True


async def change_choice(session: Session, widget, kind: str, label: str) -> bool:
    """Change one widget to another value, timing the run; False when there was nothing to
    change to."""
    page = session.page
    if kind == "stRadio":
        others = widget.locator("[data-testid='stRadioOption']:not([data-selected='true'])")
        return await _choose(session, await others.all(), label)
    if kind == "stCheckbox":
        await session.act(widget.locator("label").first.click, f"switch {label}")
        return True
    if kind == "stMultiSelect" and session.rng.random() < 0.5:
        chosen = await widget.locator("button[aria-label^='Remove ']").all()
        if chosen:
            remove = session.rng.choice(chosen)
            await session.act(remove.click, f"{label}: {await remove.get_attribute('aria-label')}")
            return True
    await widget.locator("input").click(timeout=STEP_TIMEOUT_MS)
    await page.keyboard.press("ArrowDown")  # a multiselect opens on a key, not on the click
    changed = await _choose(session, await _options(page), label)
    if kind == "stMultiSelect" or not changed:
        await page.keyboard.press("Escape")  # a multiselect's list stays open after a choice
    return changed


async def change_something(session: Session) -> bool:
    """Change one of the page's filters or choices at random; False when it has none."""
    widgets = await changeable(session.page)
    session.rng.shuffle(widgets)
    for index, kind, label in widgets:
        widget = session.page.locator(WIDGETS).nth(index)
        try:
            if await change_choice(session, widget, kind, label):
                return True
        except PlaywrightTimeoutError:
            session.observed.skipped += 1
            await session.page.keyboard.press("Escape")
            return True
    return False


async def walk(session: Session) -> None:
    """Every page of the person's, in a random order, again and again, changing one to three
    filters on each, until the time is up."""
    while not session.over:
        for spec in session.rng.sample(session.person.pages, len(session.person.pages)):
            if session.over:
                return
            if session.page_shown() != spec.title:
                try:
                    await open_page(session, spec)
                except PlaywrightTimeoutError:
                    session.observed.skipped += 1
                    continue
            for _ in range(session.rng.randint(1, MOST_CHANGES)):
                if session.over:
                    return
                await change_something(session)
        if not session.person.pages and not await change_something(session):
            await asyncio.sleep(1)  # a walk narrowed to none of this role's pages, on a still page


async def run_session(
    browser, person: Person, url: str, password: str, rng: random.Random, shared: Shared
) -> None:
    """One person: sign in, then walk until the deadline."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    await context.add_init_script(RUN_RECORDER)
    tab = await context.new_page()
    tab.set_default_timeout(SETTLE_TIMEOUT_S * 1000)
    session = Session(person, tab, rng, shared)
    try:
        if await sign_in(session, url, password):
            await walk(session)
    except PlaywrightError as error:  # the browser or the page went away under the session
        if not shared.stop.is_set():
            session.failed(f"the browser failed: {error}", "(browser)")
    finally:
        await context.close()


async def drive(
    url: str, sessions: list[Person], password: str, seconds: float, seed: int, watchdog: Watchdog
) -> tuple[Observed, float]:
    """Run every session at once until `seconds` have passed or the server stalls; what they
    saw, and how long they ran."""
    observed, stop = Observed(), asyncio.Event()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        began = time.monotonic()
        shared = Shared(began + seconds, stop, observed)
        tasks = [
            asyncio.create_task(
                run_session(browser, person, url, password, random.Random(seed * 1000 + i), shared)
            )
            for i, person in enumerate(sessions)
        ]
        while not all(task.done() for task in tasks):
            await asyncio.wait(tasks, timeout=0.5)
            if watchdog.stall is not None and not stop.is_set():
                stop.set()
                for task in tasks:
                    task.cancel()
        ended = await asyncio.gather(*tasks, return_exceptions=True)
        ran = time.monotonic() - began
        await browser.close()
    for outcome in ended:  # a fault of the harness itself is not the app's: say so loudly
        if isinstance(outcome, Exception):
            raise outcome
    return observed, ran


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (`share` 0.5 for the median); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def page_rows(observed: Observed) -> list[dict]:
    """One row per page, in the registry's order, then the whole run."""
    order = [spec.title for spec in PAGES]
    titles = sorted(observed.pages, key=lambda t: (order.index(t) if t in order else len(order), t))
    rows = [_row(title, [observed.pages[title]]) for title in titles]
    rows.append(_row("all pages", list(observed.pages.values())))
    return rows


def _row(title: str, figures: list[PageFigures]) -> dict:
    settles = [s for f in figures for s in f.settles]
    return {
        "page": title,
        "visits": sum(f.visits for f in figures),
        "actions": len(settles),
        "p50_s": _rounded(percentile(settles, 0.5)),
        "p95_s": _rounded(percentile(settles, 0.95)),
        "max_s": _rounded(max(settles, default=None)),
        "errors": sum(f.errors for f in figures),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def roles_line(sessions: list[Person]) -> str:
    """`2 senior_leader (every school), 2 attendance_staff (one school), ...`."""
    counts: dict[tuple[str, str], int] = {}
    for person in sessions:
        scope = "every school" if person.user.schools is None else "one school"
        counts[(person.role, scope)] = counts.get((person.role, scope), 0) + 1
    return ", ".join(f"{n} {role} ({scope})" for (role, scope), n in counts.items())


def format_report(figures: dict) -> str:
    """The printed report."""
    lines = [
        "",
        f"Rollcall under load: {figures['sessions']} sessions for {figures['duration_s']:.0f} s "
        f"(asked {figures['seconds']} s, seed {figures['seed']}) on {figures['database']} "
        f"({figures['schools']} schools)",
        f"roles: {figures['roles']}",
        "",
        f"{'page':<26}{'visits':>7}{'actions':>8}{'p50 s':>8}{'p95 s':>8}{'max s':>8}{'errors':>7}",
    ]
    for row in figures["pages"]:
        shown = [_seconds(row[key]) for key in ("p50_s", "p95_s", "max_s")]
        lines.append(
            f"{row['page'][:25]:<26}{row['visits']:>7}{row['actions']:>8}"
            f"{shown[0]:>8}{shown[1]:>8}{shown[2]:>8}{row['errors']:>7}"
        )
    server = figures["server"]
    lines += [
        "",
        f"steps that started no run: {len(figures['no_rerun'])} (--json lists them); choices "
        f"skipped (a dropdown or link did not show in time): {figures['skipped']}",
        f"server memory: peak {server['peak_rss_mb']:,.0f} MB (process tree RSS, sampled every "
        f"{MEMORY_INTERVAL_S} s), VmHWM {server['vm_hwm_mb']:,.0f} MB",
        f"health: slowest answer {server['slowest_health_s']:.2f} s (a stall is "
        f"{HEALTH_TIMEOUT_S} s without one)",
    ]
    lines += error_lines(figures["errors"])
    lines.append(verdict(figures))
    return "\n".join(lines)


def error_lines(errors: list[dict]) -> list[str]:
    """The errors grouped by page and first line, each with where it was first seen and the
    steps that led to it (`--json` keeps every one, with its whole message)."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for error in errors:
        headline = error["message"].strip().splitlines()[0] if error["message"].strip() else ""
        groups.setdefault((error["page"], headline), []).append(error)
    lines = []
    for (page, headline), found in groups.items():
        first = found[0]
        lines += [
            "",
            f"ERROR x{len(found)} on {page}: {headline}",
            f"  first: {first['session']} at {first['url']}",
            f"  after: {' | '.join(first['steps'])}",
        ]
    return lines


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def verdict(figures: dict) -> str:
    if figures["stall"]:
        return f"STALL: {figures['stall']} (exit 2)"
    if figures["errors"]:
        return f"FAILED: {len(figures['errors'])} page errors (exit 1)"
    return "OK: no stall, no page error (exit 0)"


def exit_status(figures: dict) -> int:
    return 2 if figures["stall"] else 1 if figures["errors"] else 0


# ---------------------------------------------------------------------------------------------
# The whole run
# ---------------------------------------------------------------------------------------------


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=8, help="browser sessions at once")
    parser.add_argument("--seconds", type=float, default=300, help="how long they walk")
    parser.add_argument("--db", type=Path, help="the database (default: the demo trust, built)")
    parser.add_argument("--port", type=int, help="the server's port (default: a free one)")
    parser.add_argument("--seed", type=int, default=1, help="seeds each session's random walk")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--roles",
        default=",".join(role.value for role, _ in ROLE_CYCLE),
        help="the roles the sessions take in turn (default: all four)",
    )
    parser.add_argument(
        "--pages", help="only these pages, by URL path (e.g. overview): default every page"
    )
    options = parser.parse_args(argv)
    options.roles = [Role(name.strip()) for name in options.roles.split(",")]
    options.pages = None if options.pages is None else set(options.pages.split(","))
    return options


def run(options: argparse.Namespace) -> tuple[dict, str | None]:
    """Serve, sign the sessions in and let them walk; the figures, and the server's thread
    stacks when it stalled."""
    with tempfile.TemporaryDirectory(prefix="rollcall-load-") as folder:
        folder = Path(folder)
        db = served_copy(options.db, folder)
        urns = school_urns(db)
        sessions = people(options.sessions, urns, options.roles, options.pages)
        password = secrets.token_urlsafe(18)
        write_accounts(folder / "accounts.json", sessions, password)
        server = Server.start(db, folder / "accounts.json", options.port or free_port(), folder)
        print(f"serving {options.db or 'the demo trust'} at {server.url}", flush=True)
        watchdog, memory = Watchdog(server), MemorySampler(server.pid)
        try:
            watchdog.start()
            memory.start()
            observed, ran = asyncio.run(
                drive(server.url, sessions, password, options.seconds, options.seed, watchdog)
            )
            hwm_kb = status_kb(server.pid, "VmHWM")
            stacks = thread_stacks(server) if watchdog.stall else None
        finally:
            watchdog.stop()
            memory.stop()
            server.stop()
    figures = {
        "database": str(options.db or "the demo trust (built afresh)"),
        "schools": len(urns),
        "sessions": len(sessions),
        "roles": roles_line(sessions),
        "people": [
            {
                "session": person.name,
                "role": person.role,
                "schools": "all" if person.user.schools is None else list(person.user.schools),
                "actions": observed.actions.get(person.name, 0),
            }
            for person in sessions
        ],
        "seconds": options.seconds,
        "duration_s": round(ran, 1),
        "seed": options.seed,
        "pages": page_rows(observed),
        "errors": [asdict(error) for error in observed.errors],
        "no_rerun": observed.no_rerun,
        "skipped": observed.skipped,
        "stall": watchdog.stall,
        "server": {
            "peak_rss_mb": memory.peak_kb / 1024,
            "vm_hwm_mb": hwm_kb / 1024,
            "slowest_health_s": round(watchdog.slowest, 3),
        },
    }
    return figures, stacks


def main(argv: list[str] | None = None) -> int:
    """Serve, load, report; the exit status (0 fine, 1 a page error, 2 a stall)."""
    options = arguments(argv)
    figures, stacks = run(options)
    stall_threads = app_threads(stacks) if stacks else None
    if stall_threads:
        print("\nThe server's threads running Rollcall's code when it stalled:\n")
        print(stall_threads)
    print(format_report(figures))
    if options.json:
        written = figures | {"stall_threads": stall_threads, "thread_stacks": stacks}
        options.json.write_text(json.dumps(written, indent=2) + "\n")
    return exit_status(figures)


if __name__ == "__main__":
    sys.exit(main())
