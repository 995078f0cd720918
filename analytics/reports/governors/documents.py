"""The governors' summary as files to take away: an A4 PDF with its charts, and a self-contained
HTML page (no scripts, charts inline as SVG) that prints on A4 and reads on a phone."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime

import vl_convert
from fpdf.enums import XPos, YPos

from analytics.reports.governors.report import GovernorsSummary, Section, Table
from analytics.reports.exports.pdf import Document, plain


class _Spec:
    """A Vega-Lite specification where `Document.chart` expects an Altair chart."""

    def __init__(self, spec: dict) -> None:
        self.spec = spec

    def to_json(self) -> str:
        return json.dumps(self.spec)


def file_stem(summary: GovernorsSummary) -> str:
    """`governors-summary-oakfield-primary-school-autumn-term-2025-26`."""
    text = f"governors summary {summary.school_name} {summary.term} {summary.academic_year}-{(summary.academic_year + 1) % 100:02d}"
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _widths(table: Table) -> tuple[float, ...]:
    # The first column holds the labels; the figures share the rest.
    columns = table.frame.width
    return (2.6, *([1.0] * (columns - 1))) if columns > 1 else (1.0,)


def governors_pdf(summary: GovernorsSummary) -> bytes:
    """The report as an A4 PDF: every section's text, tables and charts."""
    document = Document(summary.title, summary.subtitle)
    for section in summary.sections:
        if document.get_y() > document.page_break_trigger - 45:
            document.add_page()  # a heading never sits alone at the foot of a page
        document.heading(section.title)
        for paragraph in section.paragraphs:
            document.paragraph(paragraph)
        if section.bullets:
            document.bullets(list(section.bullets))
        for table in section.tables:
            if table.title != section.title:
                document.set_font("Helvetica", "B", 9.5)
                document.multi_cell(0, 5, plain(table.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            document.frame_table(
                table.frame, widths=_widths(table), size=8.5 if table.frame.width <= 4 else 7.5
            )
            if table.note:
                document.paragraph(table.note, size=8)
        for chart in section.charts:
            document.chart(_Spec(chart.spec), width=155, caption=chart.caption)
    return document.to_bytes()


_CSS = """
:root { color-scheme: light; --ink: #1b1b1b; --muted: #555; --rule: #c8c8c8; --head: #eef0f3; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
main { max-width: 52rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0.5rem 0 0.25rem; }
h2 { font-size: 1.2rem; margin: 1.75rem 0 0.5rem; border-bottom: 2px solid var(--ink); padding-bottom: 0.2rem; }
h3 { font-size: 1rem; margin: 1rem 0 0.4rem; }
.subtitle, .note, figcaption, footer { color: var(--muted); }
.subtitle { margin: 0 0 1rem; }
.note { font-size: 0.85rem; margin: 0.3rem 0 1rem; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--rule); padding: 0.3rem 0.45rem; vertical-align: top; }
th { background: var(--head); text-align: left; font-weight: 600; }
td + td, th + th { text-align: right; }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 0.85rem; font-style: italic; margin-top: 0.3rem; }
ul { padding-left: 1.25rem; }
li { margin: 0.25rem 0; }
footer { font-size: 0.8rem; border-top: 1px solid var(--rule); margin-top: 2rem; padding-top: 0.5rem; }
@media (max-width: 600px) {
  body { font-size: 15px; }
  main { padding: 0.75rem; }
  table { font-size: 0.8rem; }
  th, td { padding: 0.25rem 0.3rem; }
}
@media print {
  @page { size: A4 portrait; margin: 15mm; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table, figure, .note, li { break-inside: avoid; page-break-inside: avoid; }
  .scroll { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
"""


def _table_html(table: Table, section: Section) -> str:
    head = "".join(f'<th scope="col">{html.escape(column)}</th>' for column in table.frame.columns)
    rows = []
    for values in table.frame.iter_rows():
        cells = [f'<th scope="row">{html.escape(str(values[0]))}</th>'] + [
            f"<td>{html.escape('' if v is None else str(v))}</td>" for v in values[1:]
        ]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    title = f"<h3>{html.escape(table.title)}</h3>" if table.title != section.title else ""
    note = f'<p class="note">{html.escape(table.note)}</p>' if table.note else ""
    return (
        f'{title}<div class="scroll"><table><caption class="visually-hidden">{html.escape(table.title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>{note}"
    )


def _chart_html(spec: dict, title: str, caption: str) -> str:
    svg = vl_convert.vegalite_to_svg(spec)
    svg = svg.replace(
        "<svg ", f'<svg role="img" aria-label="{html.escape(title)}: {html.escape(caption)}" ', 1
    )
    return f"<figure>{svg}<figcaption>{html.escape(caption)}</figcaption></figure>"


def governors_html(summary: GovernorsSummary, produced: datetime | None = None) -> str:
    """The report as one self-contained HTML page (UTF-8): styles inline, charts as SVG."""
    produced = produced or datetime.now()
    parts = [
        "<!doctype html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(summary.title)} – {html.escape(summary.term)}</title>",
        f"<style>{_CSS}.visually-hidden{{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}}</style>",
        "</head><body><main>",
        f'<header><h1>{html.escape(summary.title)}</h1><p class="subtitle">{html.escape(summary.subtitle)}</p></header>',
    ]
    for section in summary.sections:
        parts.append(
            f'<section id="{html.escape(section.key)}"><h2>{html.escape(section.title)}</h2>'
        )
        parts += [f"<p>{html.escape(p)}</p>" for p in section.paragraphs]
        if section.bullets:
            parts.append(
                "<ul>" + "".join(f"<li>{html.escape(b)}</li>" for b in section.bullets) + "</ul>"
            )
        parts += [_table_html(table, section) for table in section.tables]
        parts += [_chart_html(chart.spec, chart.title, chart.caption) for chart in section.charts]
        parts.append("</section>")
    parts.append(
        f"<footer>Produced by Rollcall on {produced:%d %b %Y at %H:%M}. Aggregates only: no pupil is named.</footer>"
    )
    parts.append("</main></body></html>")
    return "\n".join(parts)
