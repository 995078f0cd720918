"""A4 PDF documents: headings, paragraphs, tables and Altair charts, for reports that leave Rollcall
(a pupil's chronology as evidence, the governors' termly summary).

Uses fpdf2's built-in Helvetica, so text is written in Latin-1: the few typographic characters
Rollcall uses (en dash, middle dot, ≥, curly quotes) are replaced with plain equivalents.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import polars as pl
import vl_convert
from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

_PLAIN = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "·": "-",
        "≥": ">=",
        "≤": "<=",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "×": "x",
        "•": "-",
    }
)


class ChartSpec(Protocol):
    """What `Document.chart` draws: an Altair chart, or anything else giving Vega-Lite JSON."""

    def to_json(self) -> str: ...


def plain(text: str) -> str:
    """Text the PDF's built-in font can show."""
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


class Document(FPDF):
    """An A4 portrait document with a title line on every page and page numbers in the footer."""

    def __init__(self, title: str, subtitle: str = "") -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.title_text = plain(title)
        self.subtitle_text = plain(subtitle)
        self.set_title(self.title_text)
        self.set_author("Rollcall")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=18)
        self.alias_nb_pages()
        self.add_page()

    def header(self) -> None:  # noqa: D102 - fpdf2 hook
        self.set_font("Helvetica", "B", 13)
        self.cell(0, 7, self.title_text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if self.subtitle_text:
            self.set_font("Helvetica", "", 9)
            self.set_text_color(80, 80, 80)
            self.cell(0, 5, self.subtitle_text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(0, 0, 0)
        self.ln(3)

    def footer(self) -> None:  # noqa: D102 - fpdf2 hook
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(100, 100, 100)
        self.cell(
            0,
            5,
            f"Rollcall - produced {datetime.now():%d %b %Y %H:%M} - page {self.page_no()} of {{nb}}",
            align="C",
        )
        self.set_text_color(0, 0, 0)

    def heading(self, text: str) -> None:
        """A section heading."""
        self.ln(2)
        self.set_font("Helvetica", "B", 11)
        self.multi_cell(0, 6, plain(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def paragraph(self, text: str, size: float = 10) -> None:
        """A paragraph of body text."""
        self.set_font("Helvetica", "", size)
        self.multi_cell(0, 5, plain(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)

    def bullets(self, items: list[str]) -> None:
        """A bulleted list."""
        self.set_font("Helvetica", "", 10)
        for item in items:
            self.multi_cell(0, 5, plain(f"- {item}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)

    def frame_table(
        self,
        frame: pl.DataFrame,
        *,
        headers: dict[str, str] | None = None,
        widths: Sequence[float] | None = None,
        size: float = 8.5,
    ) -> None:
        """A table of a frame's rows; values are shown as they are (format them first)."""
        headers = headers or {}
        self.set_font("Helvetica", "", size)
        with super().table(
            col_widths=widths,
            text_align="LEFT",
            line_height=1.5 * size * 0.3528 + 1.2,
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
            first_row_as_headings=True,
        ) as table:
            row = table.row()
            for column in frame.columns:
                row.cell(plain(headers.get(column, column)))
            for values in frame.iter_rows():
                row = table.row()
                for value in values:
                    row.cell(plain("" if value is None else str(value)))
        self.ln(2)

    def chart(self, chart: ChartSpec, *, width: float = 180, caption: str | None = None) -> None:
        """An Altair chart as a picture, with its caption in words beneath."""
        png = vl_convert.vegalite_to_png(chart.to_json(), scale=2)
        self.image(png, w=width)
        if caption:
            self.set_font("Helvetica", "I", 8.5)
            self.multi_cell(0, 4.5, plain(caption), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def to_bytes(self) -> bytes:
        """The finished PDF."""
        return bytes(self.output())
