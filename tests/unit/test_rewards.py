"""Rewards at their edges: full attendance is every possible session (late before the register
closed counts, one unauthorised or authorised absence does not, none possible is no award); most
improved is the top N rise of each group with ties all in and no fall or standstill rewarded;
certificates read back from their PDFs, one per pupil and merged."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pypdfium2 as pdfium
import pytest

from analytics.cli import main
from analytics.pipelines.rewards import full_attendance, most_improved
from analytics.pipelines.windows import Window
from analytics.reports.coordinator.rewards import certificates_pdf, reward_counts, rewards
from analytics.store import Database
from tests.fixtures.ingest.builders import URN, upns


def measures(rows: list[tuple[int, str, int, int]]) -> pl.LazyFrame:
    """Enrolment measures: (enrolment, form, possible, attended)."""
    return pl.LazyFrame(
        [(e, URN, form, "5", p, a) for e, form, p, a in rows],
        schema={
            "enrolment_id": pl.Int32,
            "school_urn": pl.Int32,
            "form": pl.String,
            "year_group": pl.String,
            "possible": pl.Int64,
            "attended": pl.Int64,
        },
        orient="row",
    )


def test_full_attendance_is_every_possible_session_and_at_least_one():
    found = full_attendance(measures([(1, "5A", 20, 20), (2, "5A", 20, 19), (3, "5A", 0, 0)]))
    assert found.collect()["enrolment_id"].to_list() == [1]


def test_most_improved_top_n_per_group_ties_all_in():
    earlier = measures(
        [
            (1, "5A", 10, 5),
            (2, "5A", 10, 6),
            (3, "5A", 10, 6),
            (4, "5A", 10, 9),
            (5, "5B", 10, 8),
            (6, "5B", 10, 9),
        ]
    )
    now = measures(
        [
            (1, "5A", 10, 9),
            (2, "5A", 10, 9),
            (3, "5A", 10, 9),
            (4, "5A", 10, 9),
            (5, "5B", 10, 9),
            (6, "5B", 10, 9),
        ]
    )
    found = most_improved(now, earlier, "form", 2).collect()
    # 5A: 1 rose 40 points (1st), 2 and 3 30 points (tied 2nd, both in), 4 did not rise enough.
    # 5B: 5 rose 10 points; 6 stood still: not rewarded.
    assert found.select("enrolment_id", "place").rows() == [(1, 1), (2, 2), (3, 2), (5, 1)]
    assert found["change_points"].to_list() == pytest.approx([40.0, 30.0, 30.0, 10.0])
    by_school = most_improved(now, earlier, "school", 1).collect()
    assert by_school["enrolment_id"].to_list() == [1]


def test_a_pupil_with_nothing_possible_before_is_not_most_improved():
    found = most_improved(measures([(1, "5A", 10, 10)]), measures([(1, "5A", 0, 0)]), "form", 3)
    assert found.collect().is_empty()


A, B, C = upns(3)


@pytest.fixture
def school(tmp_path):
    """A every session (late one morning), B one illness, C away every Monday before the window
    and never in it."""
    db = tmp_path / "t.duckdb"
    (tmp_path / "pupils.csv").write_text(
        "upn,forename,surname,date_of_birth,year_group,admission_date,form\n"
        f"{A},Ann,Ames,2015-03-12,5,2024-09-02,5A\n{B},Bob,Bell,2015-01-01,5,2024-09-02,5A\n"
        f"{C},Cy,Cole,2015-02-02,5,2024-09-02,5A\n"
    )
    lines = ["upn,date,session,code"]
    for n in range(20):
        day = date(2025, 9, 1) + timedelta(days=n + 2 * (n // 5))
        for session in ("AM", "PM"):
            a = "L" if (n, session) == (12, "AM") else "/"
            b = "I" if (n, session) == (14, "PM") else "/"
            c = "O" if n < 10 and day.weekday() == 0 else "/"
            lines += [
                f"{A},{day},{session},{a}",
                f"{B},{day},{session},{b}",
                f"{C},{day},{session},{c}",
            ]
    (tmp_path / "marks.csv").write_text("\n".join(lines) + "\n")
    for kind, extra in (("pupils", ["--school", str(URN), "--as-of", "2025-09-12"]), ("marks", [])):
        assert main(["--db", str(db), "import", kind, str(tmp_path / f"{kind}.csv"), *extra]) == 0
    return Database(db)


WINDOW = Window(
    date(2025, 9, 15), date(2025, 9, 26)
)  # the last two weeks: 14 days back is the first two


def test_the_schools_rewards_and_counts(school):
    found = rewards(school, WINDOW, [URN], by="form", top=3)
    assert found.full["upn"].to_list() == [A, C]  # B was ill once; A's late mark is present
    # C: away Monday 8 September (2 of 16 sessions, 87.5%), then every session: up 12.5 points.
    assert found.improved.select("upn", "place").rows() == [(C, 1)]
    assert found.improved["change_points"][0] == pytest.approx(12.5)
    assert reward_counts(found) == {"full_attendance": 2, "most_improved": 1}


def test_certificates_read_back(school, tmp_path):
    found = rewards(school, WINDOW, [URN])
    pages = [
        " ".join(p.get_textpage().get_text_range().split())
        for p in pdfium.PdfDocument(certificates_pdf(found, "full"))
    ]
    assert len(pages) == 2
    assert "Full attendance awarded to Ann Ames for attending every session, 5A" in pages[0]
    assert "15 September 2025 to 26 September 2025" in pages[0]
    improved = " ".join(
        pdfium.PdfDocument(certificates_pdf(found, "improved"))[0]
        .get_textpage()
        .get_text_range()
        .split()
    )
    assert (
        "Most improved attendance awarded to Cy Cole for attendance of 100.0%, up 12.5 points, 5A"
        in improved
    )
    out = tmp_path / "certs"
    assert (
        main(
            [
                "--db",
                str(school.path),
                "certificates",
                "--kind",
                "full",
                "--from",
                "2025-09-15",
                "--to",
                "2025-09-26",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert sorted(p.name for p in out.iterdir()) == [
        f"{URN}-full-0001.pdf",
        f"{URN}-full-0002.pdf",
        "full-all-2025-09-15-2025-09-26.pdf",
    ]
