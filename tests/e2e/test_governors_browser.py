"""A governor in headless Chromium: open the summary, download the PDF and the HTML report."""

from __future__ import annotations

from urllib.parse import urlencode

import polars as pl
import pypdfium2 as pdfium
import pytest

from analytics.store import read

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def open_summary(page, serve, demo_db) -> str:
    urn, name = read.schools(demo_db).filter(pl.col("phase") == "primary").row(0)[:2]
    query = urlencode({"school": urn, "year": 2025, "part": "Autumn term"})
    page.goto(f"{serve(demo_db)}/governors?{query}")
    page.get_by_text("What was suppressed and why").first.wait_for()
    return name


def test_a_governor_downloads_the_term_summary_as_a_pdf(serve, page, demo_db):
    name = open_summary(page, serve, demo_db)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    assert download.value.suggested_filename.endswith("autumn-term-2025-26.pdf")
    pdf = pdfium.PdfDocument(download.value.path().read_bytes())
    text = pdf[0].get_textpage().get_text_range()
    assert f"Governors' attendance summary: {name}" in text and "Autumn term 2025/26" in text
    image = pdf[0].render(scale=1).to_pil().convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > 0.02 * image.width * image.height  # text, tables and a chart, not a blank page


def test_the_html_report_fits_a_phone(serve, page, browser, demo_db, tmp_path):
    open_summary(page, serve, demo_db)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download HTML").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".html"
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    try:
        phone.goto(saved.as_uri())
        phone.get_by_text("Against national").first.wait_for()
        assert (
            phone.evaluate("document.documentElement.scrollWidth") <= 390
        )  # nothing wider than the screen
        assert phone.locator("svg").count() >= 2  # the charts, inline
    finally:
        phone.context.close()
