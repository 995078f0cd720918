"""What the browser tests do to a Streamlit page: wait for a run to finish, read its metrics and
text, open its menu."""

from __future__ import annotations

from playwright.async_api import TimeoutError as PlaywrightTimeoutError

# Streamlit marks its root with the script's state: "running" while a run's elements are still
# arriving, "notRunning" once the run has finished.
FINISHED = "[data-testid='stApp'][data-test-connection-state='CONNECTED'][data-test-script-state='notRunning']"
# A click's rerun reaches the server a moment after the click; a finished state seen sooner is the
# previous run's.
RERUN_START_MS = 300


def wait_for_run(page) -> None:
    """Wait until the app's current script run has finished and every element it sent is shown."""
    page.wait_for_timeout(RERUN_START_MS)
    page.locator(FINISHED).wait_for()


def wait_for_page(page, text: str) -> None:
    """Wait until `text` is shown and the run that shows it has finished."""
    page.get_by_text(text).first.wait_for()
    wait_for_run(page)


def read_metrics(page) -> dict[str, str]:
    """Every metric on the page, label to value, once the run has finished."""
    page.get_by_test_id("stMetric").first.wait_for()
    wait_for_run(page)
    labels = page.get_by_test_id("stMetricLabel").all_inner_texts()
    values = page.get_by_test_id("stMetricValue").all_inner_texts()
    return {label.strip(): value.strip() for label, value in zip(labels, values, strict=True)}


def shown_text(page) -> str:
    """The page's whole text once the run has finished."""
    wait_for_run(page)
    return page.inner_text("body")


def open_menu(page):
    """The sidebar's page menu, with every page listed (Streamlit folds a long menu)."""
    more = page.get_by_test_id("stSidebarNavViewButton")
    if more.count() and more.inner_text().startswith("View") and "more" in more.inner_text():
        more.click()
    return page.get_by_test_id("stSidebarNav")


# The same waits for Playwright's async API, which the load harness (benchmarks/load.py) uses to
# drive many sessions at once in one process. A fixed pause cannot time a run, so the page counts
# the script-state changes itself: `RUN_RECORDER` goes in with `context.add_init_script`.

#: Counts the runs the page has seen start (asked for, `rerunRequested`, or running) and end
#: (`notRunning`), and the messages from the server, with the page clock at the last of each. A
#: run too quick to show its state between two frames still brings messages.
RUN_RECORDER = """
(() => {
  const runs = {starts: 0, ends: 0, lastEnd: 0, state: null, messages: 0, lastMessage: 0};
  window.__rollcallRuns = runs;
  new MutationObserver((changes) => {
    for (const change of changes) {
      const state = change.target.getAttribute('data-test-script-state');
      if (state === runs.state) continue;
      if (state === 'notRunning') { runs.ends += 1; runs.lastEnd = performance.now(); }
      else if (runs.state === 'notRunning' || runs.state === null) runs.starts += 1;
      runs.state = state;
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => {
        runs.messages += 1;
        runs.lastMessage = performance.now();
      });
    }
  };
})();
"""
#: How long after the action the page may take to ask for a run before the action is taken to
#: have asked for none (it asks at once, but a browser short of CPU can take seconds to show it).
RUN_START_WAIT_MS = 5_000
#: A page that reruns itself (`st.rerun`) starts its next run within this long of the last; a run
#: has ended when this long has passed with no new run and no message.
RUN_QUIET_MS = 250
#: A Streamlit exception box, and an error alert (st.error) outside one.
EXCEPTION = "[data-testid='stException']"
ERROR_ALERT = "[data-testid='stAlertContentError']"


async def settle_after(page, action, timeout_ms: float = 60_000) -> float | None:
    """Do `action` (an async callable: a click, a key press) and wait until the run it starts, and
    any run that follows straight on, has finished; return the seconds from just before the action
    to the end of the last run (its last state change or message), or None when the action
    started no run. Raises Playwright's TimeoutError when the run does not finish within
    `timeout_ms`."""
    runs = "window.__rollcallRuns"
    start, before = await page.evaluate(f"[performance.now(), {runs}.starts + {runs}.messages]")
    await action()
    try:
        await page.wait_for_function(
            f"n => {runs}.starts + {runs}.messages > n", arg=before, timeout=RUN_START_WAIT_MS
        )
    except PlaywrightTimeoutError:  # nothing ran
        await page.locator(FINISHED).wait_for(timeout=timeout_ms)
        return None
    while True:
        await page.locator(FINISHED).wait_for(timeout=timeout_ms)
        seen = await page.evaluate(f"{runs}.starts + {runs}.messages")
        await page.wait_for_timeout(RUN_QUIET_MS)
        ended, now = await page.evaluate(
            f"[Math.max({runs}.lastEnd, {runs}.lastMessage), {runs}.starts + {runs}.messages]"
        )
        if now == seen:
            return (ended - start) / 1000


async def shown_errors(page) -> list[str]:
    """The text of every exception box and error alert on the page (an exception's own alert is
    reported once, as the exception)."""
    return await page.evaluate(
        """([exception, alert]) => [
          ...[...document.querySelectorAll(exception)].map(e => 'exception: ' + e.innerText),
          ...[...document.querySelectorAll(alert)]
              .filter(e => !e.closest(exception))
              .map(e => 'error: ' + e.innerText),
        ]""",
        [EXCEPTION, ERROR_ALERT],
    )


async def open_menu_async(page):
    """`open_menu` for the async API: the sidebar's page menu with every page listed."""
    more = page.get_by_test_id("stSidebarNavViewButton")
    if await more.count():
        label = await more.inner_text()
        if label.startswith("View") and "more" in label:
            await more.click()
    return page.get_by_test_id("stSidebarNav")
