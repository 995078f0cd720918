"""Letters as A4 PDF: the school's letterhead, the family's name and address, the date, and the
letter's Markdown (headings, paragraphs, bulleted lists and bold text), one letter from a new
page, so one PDF can hold one family's letter or every letter to print."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from analytics.reports.exports.pdf import plain


@dataclass(frozen=True)
class Letter:
    """One letter to one family: whom it is to, its rendered letterhead and body (Markdown), and
    the pupils it is about (`enrolment_ids`)."""

    school_urn: int
    family: int
    enrolment_ids: tuple[int, ...]
    recipient: tuple[str, ...]
    date_text: str
    letterhead: str
    body: str
    template: str

    @property
    def file_name(self) -> str:
        """A file name with no pupil's or parent's name in it."""
        return f"{self.school_urn}-{self.template}-family-{self.family:04d}.pdf"


class LetterDocument(FPDF):
    """An A4 document of letters: each letter starts a page; its pages are numbered in the footer
    when it runs over one."""

    def __init__(self) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_author("Rollcall")
        self.set_title("Letters")
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(auto=True, margin=20)
        self._first_page = 0

    def footer(self) -> None:  # noqa: D102 - fpdf2 hook
        if self.page_no() > self._first_page:
            self.set_y(-14)
            self.set_font("Helvetica", "", 8)
            self.cell(0, 5, f"page {self.page_no() - self._first_page + 1}", align="C")

    def _markdown(self, text: str, *, align: str = "L", size: float = 10.5) -> None:
        paragraph: list[str] = []

        def flush() -> None:
            if paragraph:
                self.set_font("Helvetica", "", size)
                self.multi_cell(
                    0,
                    5.2,
                    plain(" ".join(paragraph)),
                    markdown=True,
                    align=align,
                    new_x=XPos.LMARGIN,
                    new_y=YPos.NEXT,
                )
                self.ln(2.2)
                paragraph.clear()

        for raw in text.splitlines():
            line = raw.strip()
            if not line:
                flush()
            elif line.startswith("#"):
                flush()
                level = len(line) - len(line.lstrip("#"))
                self.set_font("Helvetica", "B", 13 if level == 1 else 11.5)
                self.multi_cell(
                    0, 6.5, plain(line.lstrip("#").strip()), new_x=XPos.LMARGIN, new_y=YPos.NEXT
                )
                self.ln(1.5)
            elif line.startswith(("- ", "* ")):
                flush()
                self.set_font("Helvetica", "", size)
                self.set_x(self.l_margin + 4)
                self.multi_cell(
                    self.epw - 4,
                    5.2,
                    plain(f"- {line[2:].strip()}"),
                    markdown=True,
                    align="L",
                    new_x=XPos.LMARGIN,
                    new_y=YPos.NEXT,
                )
                self.ln(1)
            else:
                paragraph.append(line)
        flush()

    def add_letter(self, letter: Letter) -> None:
        """The letter, from a new page."""
        self.add_page()
        self._first_page = self.page_no()
        # The letterhead, on the right; each line of it a line.
        self.set_font("Helvetica", "", 10)
        for line in letter.letterhead.splitlines():
            if line.strip():
                self.multi_cell(
                    0,
                    5,
                    plain(line.strip()),
                    markdown=True,
                    align="R",
                    new_x=XPos.LMARGIN,
                    new_y=YPos.NEXT,
                )
        self.ln(8)
        self.set_font("Helvetica", "", 10.5)
        for line in letter.recipient:
            self.cell(0, 5, plain(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)
        self.cell(0, 5, plain(letter.date_text), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(6)
        self._markdown(letter.body)


def letters_pdf(letters: Sequence[Letter]) -> bytes:
    """One PDF of these letters, each from a new page (one family's letter, or all to print)."""
    document = LetterDocument()
    for letter in letters:
        document.add_letter(letter)
    if not letters:
        document.add_page()
    return bytes(document.output())
