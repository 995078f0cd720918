"""What the browser tests do to a Streamlit page: wait for a run to finish, read its metrics and
text, open its menu."""

from __future__ import annotations

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
