"""Patterns: weekday by session, minutes-late bands at their edges, reason groups that add up to
overall absence, and the first and last weeks of half-terms (a one-week half-term included)."""

from datetime import date

import polars as pl
import pytest

from analytics.domain.codes import AUTHORISED, UNAUTHORISED, code_table
from analytics.domain.reasons import REASON_GROUPS, REASON_OF_CODE
from analytics.pipelines.patterns import (
    FIRST_WEEK,
    LAST_WEEK,
    MINUTES_NOT_RECORDED,
    OTHER_WEEKS,
    half_term_weeks,
    median_minutes_late,
    minutes_late,
    reasons_by_week,
    term_edges,
    term_edges_overall,
    weekday_sessions,
)
from analytics.pipelines.sessions import counted_sessions
from analytics.pipelines.windows import Window
from tests.unit import frames

YEAR = Window(date(2025, 9, 1), date(2026, 7, 31))


def sessions(*codes, minutes: list[int | None] | None = None) -> pl.LazyFrame:
    enrolments = frames.enrolments(*({} for _ in codes))
    parts = [frames.marks(i, c) for i, c in enumerate(codes, start=1)]
    if minutes is not None:
        parts[0] = parts[0].with_columns(pl.Series("minutes_late", minutes, dtype=pl.Int16))
    return counted_sessions(frames.all_marks(*parts), frames.codes(), enrolments, YEAR)


def test_every_absence_code_is_in_exactly_one_reason_group():
    table = code_table()
    absence = set(table.filter(pl.col("category").is_in([AUTHORISED, UNAUTHORISED]))["code"])
    assert set(REASON_OF_CODE) == absence
    assert set(REASON_OF_CODE.values()) == set(REASON_GROUPS)


def test_weekday_by_session():
    # Monday 1 Sep: AM absent, PM present; Tuesday both present.
    shown = weekday_sessions(sessions(["I", "\\", "/", "\\"])).collect()
    assert shown.select("weekday_name", "session", "absent", "possible").rows() == [
        ("Monday", "AM", 1, 1),
        ("Monday", "PM", 0, 1),
        ("Tuesday", "AM", 0, 1),
        ("Tuesday", "PM", 0, 1),
    ]
    assert shown["absence_rate"][0] == pytest.approx(100.0)


@pytest.mark.parametrize(
    ("minutes", "band"),
    [
        (1, "1 to 5 minutes"),
        (5, "1 to 5 minutes"),
        (6, "6 to 10 minutes"),
        (20, "11 to 20 minutes"),
        (21, "21 to 30 minutes"),
        (60, "31 to 60 minutes"),
        (61, "over 60 minutes"),
        (None, MINUTES_NOT_RECORDED),
        (0, MINUTES_NOT_RECORDED),
    ],
)
def test_minutes_late_bands(minutes, band):
    shown = minutes_late(sessions(["L"], minutes=[minutes])).collect()
    assert shown.filter(pl.col("sessions") > 0)["minutes_band"].to_list() == [band]
    assert shown.height == 7  # every band, even empty


def test_minutes_late_counts_l_and_u_apart_and_ignores_other_codes():
    shown = minutes_late(sessions(["L", "U", "/", "L"], minutes=[3, 40, 10, None])).collect()
    rows = {r["minutes_band"]: r for r in shown.iter_rows(named=True)}
    assert (
        rows["1 to 5 minutes"]["late_before_close"],
        rows["31 to 60 minutes"]["late_after_close"],
    ) == (1, 1)
    assert rows["6 to 10 minutes"]["sessions"] == 0  # a present mark with minutes is not late
    assert rows[MINUTES_NOT_RECORDED]["late_before_close"] == 1
    medians = median_minutes_late(sessions(["L", "L", "U"], minutes=[3, 9, 40])).collect().row(0)
    assert medians == (6.0, 40.0)


def test_reason_groups_add_up_to_overall_absence_each_week():
    codes = ["I", "M", "G", "O", "N", "U", "C", "/", "/", "\\", "H"]
    shown = reasons_by_week(sessions(codes)).collect()
    assert set(shown["reason"]) == set(REASON_GROUPS)
    first_week = shown.filter(pl.col("week_start") == date(2025, 9, 1))
    assert first_week["sessions"].sum() == 7 and first_week["possible"][0] == 10
    rows = dict(zip(first_week["reason"], first_week["sessions"], strict=True))
    assert rows["Holidays"] == 1 and rows["Late after registers closed"] == 1
    assert first_week["rate"].sum() == pytest.approx(70.0)


HALVES = pl.LazyFrame(
    {
        "academic_year": [2025, 2025, 2025],
        "label": ["Autumn 1", "Autumn 2", "Spring 1"],
        "start": [date(2025, 9, 3), date(2025, 11, 3), date(2026, 1, 5)],
        "end": [date(2025, 10, 24), date(2025, 11, 7), date(2026, 2, 13)],
    }
)


def test_half_term_weeks_know_their_first_and_last_week():
    weeks = half_term_weeks(HALVES).collect()
    autumn1 = weeks.filter(pl.col("label") == "Autumn 1")
    assert autumn1.height == 8
    assert autumn1.row(0, named=True)["week_start"] == date(
        2025, 9, 1
    )  # the Monday before a Wednesday start
    assert autumn1["position"].to_list() == [FIRST_WEEK] + [OTHER_WEEKS] * 6 + [LAST_WEEK]
    assert weeks.filter(pl.col("label") == "Autumn 2")["position"].to_list() == [
        FIRST_WEEK
    ]  # one week only


def test_term_edges_compare_first_last_and_other_weeks():
    # Week 1 of Autumn 1: all absent; week 2: all present; the rest: absent on Mondays only.
    codes = ["I"] * 10 + ["/"] * 10 + (["O", "O"] + ["/"] * 8) * 6
    shown = term_edges(sessions(codes), HALVES).collect()
    autumn1 = {
        r["position"]: r for r in shown.filter(pl.col("label") == "Autumn 1").iter_rows(named=True)
    }
    assert autumn1[FIRST_WEEK]["absence_rate"] == pytest.approx(100.0)
    assert autumn1[LAST_WEEK]["absence_rate"] == pytest.approx(20.0)
    assert autumn1[OTHER_WEEKS]["possible"] == 60 and autumn1[OTHER_WEEKS]["absent"] == 10
    overall = term_edges_overall(sessions(codes), HALVES).collect()
    assert overall["position"].to_list() == [FIRST_WEEK, OTHER_WEEKS, LAST_WEEK]
