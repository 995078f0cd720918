"""Rewards for a window: the pupils with full attendance and the most improved, by form, year
group or school, and their certificates (one A4 page each, or all in one PDF to print)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import polars as pl
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from analytics.domain.rounding import percent_text, rounded_text
from analytics.pipelines.rewards import GROUPS, full_attendance, most_improved
from analytics.pipelines.windows import Window
from analytics.reports.exports.pdf import plain
from analytics.reports.inputs.totals import load_totals
from analytics.reports.letters.render import letter_date
from analytics.store import Database

PUPIL_COLUMNS = ("enrolment_id", "school_urn", "school", "upn", "name", "year_group", "form")


@dataclass(frozen=True)
class Rewards:
    """One window's rewards: `full` (full attendance) and `improved` (most improved against
    `earlier`), each with the pupil's name, year group and form."""

    window: Window
    earlier: Window
    by: str
    top: int
    full: pl.DataFrame
    improved: pl.DataFrame


def earlier_window(window: Window) -> Window:
    """The window of as many days ending the day before `window` starts."""
    return Window(window.start - timedelta(days=window.days()), window.start - timedelta(days=1))


def _named(totals) -> pl.LazyFrame:
    schools = totals.schools.select(
        pl.col("urn").alias("school_urn"), pl.col("name").alias("school")
    )
    return (
        totals.enrolment_measures()
        .join(schools.lazy(), on="school_urn", how="left")
        .with_columns(pl.format("{} {}", pl.col("forename"), pl.col("surname")).alias("name"))
    )


def rewards(
    db: Database,
    window: Window,
    urns: Sequence[int] | None = None,
    *,
    by: str = "form",
    top: int = 3,
    year_groups: Sequence[str] = (),
) -> Rewards:
    """Full attendance and the `top` most improved of each group (`by`: form, year or school) in
    the window, for these schools and year groups (all when None or empty)."""
    if by not in GROUPS:
        raise ValueError(f"rewards are by {', '.join(GROUPS)}, not {by}")
    earlier = earlier_window(window)
    now = _named(load_totals(db, urns, window, year_groups))
    before = load_totals(db, urns, earlier).enrolment_measures()
    group = GROUPS[by]
    full = (
        full_attendance(now)
        .select(*PUPIL_COLUMNS, "possible", "attended")
        .sort(group, "name", "upn", nulls_last=True)
        .collect()
    )
    improved = (
        most_improved(now, before, by, top)
        .select(*PUPIL_COLUMNS, "earlier_rate", "rate", "change_points", "place")
        .collect()
    )
    return Rewards(window, earlier, by, top, full, improved)


def reward_counts(rewards_: Rewards) -> dict[str, int]:
    """The counts a governors' summary may show: pupils with full attendance, most improved."""
    return {
        "full_attendance": rewards_.full["enrolment_id"].n_unique(),
        "most_improved": rewards_.improved["enrolment_id"].n_unique(),
    }


class _Certificates(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.set_author("Rollcall")
        self.set_title("Certificates")
        self.set_auto_page_break(auto=False)

    def certificate(self, school: str, title: str, name: str, line: str, window: str) -> None:
        self.add_page()
        self.set_line_width(1.2)
        self.rect(10, 10, self.w - 20, self.h - 20)
        self.set_line_width(0.4)
        self.rect(14, 14, self.w - 28, self.h - 28)
        self.set_y(32)
        self.set_font("Helvetica", "B", 16)
        self.cell(0, 10, plain(school), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(8)
        self.set_font("Helvetica", "B", 34)
        self.cell(0, 16, plain(title), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(8)
        self.set_font("Helvetica", "", 15)
        self.cell(0, 10, "awarded to", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Helvetica", "B", 28)
        self.cell(0, 16, plain(name), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(6)
        self.set_font("Helvetica", "", 15)
        self.multi_cell(0, 8, plain(line), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Helvetica", "", 12)
        self.cell(0, 8, plain(window), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def certificate_files(rewards_: Rewards, kind: str) -> dict[str, bytes]:
    """Each pupil's certificate as a PDF of its own, named by school and number in the list (no
    pupil's name in a file name)."""
    rows = rewards_.full if kind == "full" else rewards_.improved
    files = {}
    for number, row in enumerate(rows.iter_rows(named=True), start=1):
        one = Rewards(
            rewards_.window,
            rewards_.earlier,
            rewards_.by,
            rewards_.top,
            rewards_.full.filter(pl.col("enrolment_id") == row["enrolment_id"]),
            rewards_.improved.filter(pl.col("enrolment_id") == row["enrolment_id"]),
        )
        files[f"{row['school_urn']}-{kind}-{number:04d}.pdf"] = certificates_pdf(one, kind)
    return files


def certificates_pdf(rewards_: Rewards, kind: str) -> bytes:
    """The certificates of one kind (`full` or `improved`), one A4 landscape page each, in the
    order of the list."""
    document = _Certificates()
    span = f"{letter_date(rewards_.window.start)} to {letter_date(rewards_.window.end)}"
    if kind == "full":
        rows = rewards_.full
        for row in rows.iter_rows(named=True):
            document.certificate(
                row["school"],
                "Full attendance",
                row["name"],
                f"for attending every session, {row['form'] or 'Year ' + str(row['year_group'])}",
                span,
            )
    elif kind == "improved":
        rows = rewards_.improved.with_columns(
            percent_text(pl.col("rate")).alias("_rate"),
            rounded_text(pl.col("change_points")).alias("_points"),
        )
        for row in rows.iter_rows(named=True):
            document.certificate(
                row["school"],
                "Most improved attendance",
                row["name"],
                f"for attendance of {row['_rate']}, up {row['_points']} points, "
                f"{row['form'] or 'Year ' + str(row['year_group'])}",
                span,
            )
    else:
        raise ValueError(f"certificates are full or improved, not {kind}")
    if document.page_no() == 0:
        document.add_page()
    return bytes(document.output())
