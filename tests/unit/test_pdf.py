"""PDF documents render to real pages with their text and charts."""

from datetime import date

import polars as pl
import pypdfium2 as pdfium

from analytics.reports.charts.weekly import weekly_rate_chart
from analytics.reports.exports.pdf import Document, plain


def dark_pixels(data: bytes) -> int:
    image = pdfium.PdfDocument(data)[0].render(scale=1).to_pil().convert("L")
    return sum(image.histogram()[:128])


def test_a_document_renders_text_tables_and_charts():
    empty = Document("Attendance – summary", "Trust · 2025/26").to_bytes()
    document = Document("Attendance – summary", "Trust · 2025/26")
    document.heading("Headline figures")
    document.paragraph("Attendance rose 0.8 points on last autumn; ≥ 90% for most pupils.")
    document.frame_table(pl.DataFrame({"measure": ["Attendance"], "value": ["94.1%"]}))
    weekly = pl.DataFrame(
        {
            "week_start": [date(2025, 9, 1), date(2025, 9, 8)],
            "attendance_rate": [95.0, 93.0],
            "possible": [10, 10],
        }
    )
    document.chart(weekly_rate_chart(weekly), width=120, caption="Weekly attendance")
    pdf = pdfium.PdfDocument(document.to_bytes())
    assert len(pdf) == 1
    text = pdf[0].get_textpage().get_text_range()
    assert "Attendance - summary" in text and "94.1%" in text and ">= 90%" in text
    assert dark_pixels(document.to_bytes()) > 3 * dark_pixels(
        empty
    )  # a chart and text, not a blank page


def test_plain_keeps_latin1_only():
    assert plain("a – b · c ≥ d ’e’ ") == "a - b - c >= d 'e' "
    assert plain("Zoë") == "Zoë"
    assert plain("漢") == "?"
