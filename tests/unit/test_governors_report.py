"""The governors' summary: the engine's figures, suppression in the report (primary and
secondary), aggregates only, and the PDF and HTML it makes."""

from __future__ import annotations

import json
import re
from datetime import date

import polars as pl
import pypdfium2 as pdfium
import pytest

from analytics.domain.rounding import format_percent
from analytics.domain.suppression import SUPPRESSED, is_safe, suppress
from analytics.pipelines.windows import Window
from analytics.reports.governors.report import (
    SECTIONS,
    GovernorsSummary,
    governors_summary,
    suppression_cells,
    term_figures,
)
from analytics.reports.governors.documents import file_stem, governors_html, governors_pdf
from analytics.reports.analysis.overview import headline
from analytics.reports.exports.pdf import Document
from analytics.reports.inputs.register import load_register
from analytics.store import read
from tests.unit.governors_school import AUTUMN_2024, AUTUMN_2025, URN, Pupil, build

# 14 pupils: 3 disadvantaged, 1 with SEN support, 3 in Year 6: small groups everywhere.
PUPILS = [
    Pupil(
        n,
        year_group="6" if n >= 11 else "5",
        date_of_birth=date(2014 if n >= 11 else 2015, 3, 4),
        disadvantaged=n < 3,
        sen="K" if n == 5 else "N",
    )
    for n in range(14)
]


def absent_on_mondays(pupil: Pupil, day: date, session: str) -> str:
    if pupil.n < 4 and day.weekday() == 0:
        return "O" if pupil.n % 2 else "I"
    return "/" if session == "AM" else "\\"


def texts(value) -> list[str]:
    """Every string inside a summary (tables' cells and headers, chart specs, sentences)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, pl.DataFrame):
        return [
            *value.columns,
            *(str(v) for column in value.iter_columns() for v in column.to_list()),
        ]
    if isinstance(value, dict):
        return [json.dumps(value, default=str)]
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in texts(item)]
    if hasattr(value, "__dataclass_fields__"):
        return [t for name in value.__dataclass_fields__ for t in texts(getattr(value, name))]
    return [str(value)]


def table(summary: GovernorsSummary, section: str, index: int = 0) -> pl.DataFrame:
    return summary.section(section).tables[index].frame


def row(frame: pl.DataFrame, column: str, value: str) -> dict:
    return frame.filter(pl.col(column) == value).row(0, named=True)


@pytest.fixture
def tiny(db, load):
    build(load, PUPILS, absent_on_mondays, terms=(AUTUMN_2024, AUTUMN_2025))
    return db


def test_the_summary_shows_the_engines_headline_figures(tiny):
    summary = governors_summary(tiny, URN, 2025, "Autumn term")
    window = Window(*AUTUMN_2025)
    figures = headline(load_register(tiny, (URN,), window), window)
    shown = table(summary, "attendance")
    assert row(shown, "Measure", "Attendance")["Autumn term 2025/26"] == format_percent(
        figures["attendance_rate"]
    )
    assert row(shown, "Measure", "Pupils on roll in the term")["Autumn term 2025/26"] == "14"
    assert summary.window == Window(*AUTUMN_2025, "Autumn term 2025/26")
    assert summary.comparison.start == AUTUMN_2024[0]


def test_small_groups_show_c_and_their_complements_are_hidden_too(tiny):
    summary = governors_summary(tiny, URN, 2025, "Autumn term", threshold=5)
    groups = table(summary, "groups")
    for label in (
        "Disadvantaged pupils",
        "Other pupils",
        "Year 5",
        "Year 6",
        "SEN support",
        "No SEN",
    ):
        shown = row(groups, "Group", label)
        assert shown["Pupils"] == shown["Attendance"] == SUPPRESSED, label
    assert row(groups, "Group", "EHC plan")["Pupils"] == "0"  # none: nothing to protect
    notes = " ".join(summary.section("suppression").bullets)
    assert "Year 6, autumn term 2025/26: fewer than 5 pupils." in notes
    assert (
        "Year 5, autumn term 2025/26: hidden as well, so that the figure for Year 6 cannot be worked out"
        in notes
    )
    assert not any("disadvantaged" in s.lower() for s in summary.section("summary").bullets)


def test_no_hidden_figure_can_be_worked_out_in_the_report(tiny):
    cells = suppression_cells(term_figures(tiny, URN, 2025, "Autumn term"))
    hidden = suppress(cells.counts, cells.constraints, 5, links=cells.links, keep=cells.keep)
    assert hidden.hidden  # the tiny school has small groups
    assert is_safe(cells.counts, cells.constraints, hidden)


def test_with_a_threshold_of_one_nothing_is_hidden(tiny):
    summary = governors_summary(tiny, URN, 2025, "Autumn term", threshold=1)
    assert SUPPRESSED not in [
        v for t in summary.section("groups").tables for v in t.frame["Pupils"]
    ]
    assert "Nothing needed hiding" in summary.section("suppression").bullets[0]


def test_the_threshold_is_the_setting(tiny, monkeypatch):
    monkeypatch.setenv("ROLLCALL_SUPPRESSION_THRESHOLD", "1")
    assert (
        "Nothing needed hiding"
        in governors_summary(tiny, URN, 2025, "Autumn term").section("suppression").bullets[0]
    )
    monkeypatch.setenv("ROLLCALL_SUPPRESSION_THRESHOLD", "15")
    summary = governors_summary(tiny, URN, 2025, "Autumn term")
    assert (
        row(table(summary, "attendance"), "Measure", "Attendance")["Autumn term 2025/26"]
        == SUPPRESSED
    )  # 14 pupils


def test_the_summary_names_no_pupil(tiny):
    summary = governors_summary(tiny, URN, 2025, "Autumn term")
    enrolments = read.enrolments(tiny)
    forbidden = [
        *enrolments["upn"],
        *enrolments["forename"],
        *enrolments["surname"],
        "enrolment_id",
        "upn",
    ]
    everything = "\n".join(texts(summary) + [governors_html(summary)])
    assert not [word for word in forbidden if word in everything]


def test_sections_are_a_list_a_new_one_can_join():
    assert [builder.__name__ for builder in SECTIONS] == [
        "summary_section",
        "attendance_section",
        "national_section",
        "trend_section",
        "similar_section",
        "groups_section",
        "bands_section",
        "behaviour_section",
        "interventions_section",
        "rewards_section",
    ]


def test_a_term_missing_from_the_register_is_refused(tiny):
    with pytest.raises(ValueError, match="no Summer term"):
        governors_summary(tiny, URN, 2025, "Summer term")


def dark_pixels(data: bytes, page: int = 0) -> int:
    image = pdfium.PdfDocument(data)[page].render(scale=1).to_pil().convert("L")
    return sum(image.histogram()[:128])


def test_the_pdf_renders_with_text_and_charts(tiny):
    summary = governors_summary(tiny, URN, 2025, "Autumn term")
    data = governors_pdf(summary)
    pdf = pdfium.PdfDocument(data)
    assert len(pdf) >= 2
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "Governors' attendance summary: Tiny Primary" in text
    assert "What was suppressed and why" in text and "About these figures" in text
    images = sum(
        1
        for i in range(len(pdf))
        for obj in pdf[i].get_objects()
        if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE
    )
    assert images >= 1  # the weekly chart at least
    empty = Document(summary.title, summary.subtitle).to_bytes()
    assert dark_pixels(data) > 3 * dark_pixels(empty)  # text and a chart, not a blank page
    assert file_stem(summary) == "governors-summary-tiny-primary-autumn-term-2025-26"


def test_the_html_stands_alone_prints_on_a4_and_fits_a_phone(tiny):
    page = governors_html(governors_summary(tiny, URN, 2025, "Autumn term"))
    assert page.startswith("<!doctype html>")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@page { size: A4 portrait" in page
    assert (
        "<script" not in page and "http" not in page.split("<svg")[0]
    )  # nothing fetched from elsewhere
    assert "<svg" in page and 'role="img"' in page
    assert "Against national" in page and "What was suppressed and why" in page


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["primary", "secondary"])
def test_the_demo_schools_autumn_summary(demo_db, phase):
    urn, _name = read.schools(demo_db).filter(pl.col("phase") == phase).row(0)[:2]
    summary = governors_summary(demo_db, urn, 2025, "Autumn term")
    window = summary.window
    figures = headline(load_register(demo_db, (urn,), window), window)
    shown = table(summary, "attendance")
    for measure, column in (("Attendance", "attendance_rate"), ("Overall absence", "absence_rate")):
        assert row(shown, "Measure", measure)["Autumn term 2025/26"] == format_percent(
            figures[column]
        )
    national = table(summary, "national")
    assert row(national, "Measure", "Attendance")[f"National, {phase} schools"] != "–"
    assert summary.section("summary").bullets[0].startswith("Attendance in autumn term 2025/26 was")
    enrolments = read.enrolments(demo_db, (urn,))
    everything = "\n".join(texts(summary) + [governors_html(summary)])
    pdf = pdfium.PdfDocument(governors_pdf(summary))
    everything += "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    for column in ("upn", "forename", "surname"):
        names = set(enrolments[column])
        assert not [word for word in names if re.search(rf"\b{re.escape(word)}\b", everything)], (
            column
        )


def test_a_first_term_has_no_comparison_with_last_year(db, load):
    build(load, PUPILS, absent_on_mondays, terms=(AUTUMN_2025,))
    summary = governors_summary(db, URN, 2025, "Autumn term")
    assert summary.comparison is None
    assert row(table(summary, "attendance"), "Measure", "Attendance")["Autumn term 2024/25"] == "–"
    assert "No register for the same term last year" in " ".join(summary.section("about").bullets)
    attendance = next(
        b for b in summary.section("summary").bullets if b.startswith("Attendance in")
    )
    assert attendance.endswith("%.")  # no "up ... on last year" clause


def test_a_school_smaller_than_the_threshold_shows_nothing(db, load):
    build(load, PUPILS[:3], absent_on_mondays, terms=(AUTUMN_2025,))
    summary = governors_summary(db, URN, 2025, "Autumn term")
    assert summary.section("summary").bullets == (
        "The school had fewer than 5 pupils on roll in the term, so no figure is shown.",
    )
    published = ("national", "region", "local authority", "published")
    cells = [
        v
        for s in summary.sections
        for t in s.tables
        for c in t.frame.columns[1:]
        if not any(word in c.lower() for word in published)
        for v in t.frame[c]
    ]
    assert set(cells) <= {SUPPRESSED, "–", "", "0"}
    assert all(not s.charts for s in summary.sections)


def test_labels_keep_their_capitals_inside_a_sentence():
    """The suppression note said "ehc plan" and "sen support"."""
    from analytics.reports.governors.report import in_sentence

    assert in_sentence("SEN support") == "SEN support"
    assert in_sentence("EHC plan") == "EHC plan"
    assert in_sentence("Year 9") == "Year 9"
    assert in_sentence("Disadvantaged pupils") == "disadvantaged pupils"
    assert in_sentence("No SEN") == "no SEN"


def test_the_terms_actions_by_type_and_all_together():
    """The section on interventions counts each type's actions and pupils, and pupils with any
    action once (a pupil with a call and a letter is one pupil)."""
    from datetime import date

    from analytics.pipelines.windows import Window
    from analytics.reports.governors.report import ALL_ACTIONS, intervention_counts

    log = pl.DataFrame(
        {
            "enrolment_id": [1, 1, 2, 3, 3],
            "type": ["Phone call", "Letter", "Phone call", "Phone call", "Phone call"],
            "date": [date(2025, 9, d) for d in (1, 2, 3, 4, 30)],
        }
    )
    counts = intervention_counts(log, Window(date(2025, 9, 1), date(2025, 9, 29)))
    assert counts.rows() == [("Phone call", 3, 3), ("Letter", 1, 1), (ALL_ACTIONS, 4, 3)]


def test_rewards_are_counts_only_and_suppressed_when_small(tiny):
    summary = governors_summary(tiny, URN, 2025, "Autumn term", threshold=1)
    table = summary.section("rewards").tables[0].frame
    assert table.columns[0] == "Measure"
    assert table["Measure"].to_list() == [
        "Pupils with full attendance (every possible session)",
        "Most improved pupils (the top 3 rises in attendance of each form)",
    ]
    figures = term_figures(tiny, URN, 2025, "Autumn term")
    assert table.row(0)[1] == f"{figures.this.rewards['full_attendance']:,}"
    assert table.row(1)[1] == f"{figures.this.rewards['most_improved']:,}"
    hidden = governors_summary(tiny, URN, 2025, "Autumn term", threshold=1000)
    assert hidden.section("rewards").tables[0].frame.row(0)[1] == "c"
