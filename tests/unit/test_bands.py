"""The DfE 5% absence bands at their edges: exactly 5%, 10%, 45%, 50% and 100%, no possible
session, and the bands' agreement with persistent and severe absence."""

from datetime import date

import polars as pl
import pytest

from analytics.pipelines.bands import (
    BAND_COUNT,
    BAND_LABELS,
    absence_band,
    band_distribution,
    band_label,
)
from analytics.pipelines.measures import enrolment_measures
from analytics.pipelines.sessions import counted_sessions
from analytics.pipelines.windows import Window
from tests.unit import frames


def band_of(absent: int, possible: int) -> int | None:
    return pl.DataFrame({"absent": [absent], "possible": [possible]}).select(absence_band()).item()


@pytest.mark.parametrize(
    ("absent", "possible", "band"),
    [
        (0, 100, 0),
        (4, 100, 0),  # 4% -> [0, 5)
        (5, 100, 1),  # exactly 5% starts the second band
        (1, 19, 1),  # 5.26%
        (99, 1000, 1),  # 9.9%
        (10, 100, 2),  # exactly 10% -> [10, 15): persistent
        (449, 1000, 8),  # 44.9%
        (45, 100, 9),  # exactly 45% -> [45, 50)
        (499, 1000, 9),  # 49.9%
        (50, 100, 10),  # exactly 50% -> 50% and over: severe
        (100, 100, 10),  # every session missed
    ],
)
def test_bands_start_at_their_lower_bound(absent, possible, band):
    assert band_of(absent, possible) == band


def test_no_possible_session_is_no_band():
    assert band_of(0, 0) is None


def test_labels():
    assert BAND_COUNT == 11
    assert band_label(0) == "0% to under 5%"
    assert band_label(9) == "45% to under 50%"
    assert band_label(10) == BAND_LABELS[-1] == "50% and over"


def per_enrolment(*codes: str) -> pl.LazyFrame:
    enrolments = frames.enrolments(*({} for _ in codes))
    marks = frames.all_marks(*(frames.marks(i, c) for i, c in enumerate(codes, start=1)))
    window = Window(date(2025, 9, 1), date(2026, 7, 31))
    return enrolment_measures(
        enrolments, counted_sessions(marks, frames.codes(), enrolments, window)
    )


def test_distribution_has_every_band_and_shares_of_counted_enrolments():
    measures = per_enrolment(
        "/" * 20, "I" + "/" * 19, "II" + "/" * 18, "IIIIIIIIII" + "/" * 10, "XX"
    )
    shown = band_distribution(measures).collect()
    assert shown.height == BAND_COUNT
    counts = dict(zip(shown["absence_band"], shown["enrolments"], strict=True))
    assert (counts[0], counts[1], counts[2], counts[10]) == (1, 1, 1, 1)  # 0%, 5%, 10%, 50%
    assert shown["enrolments"].sum() == 4  # the enrolment with only X marks is in no band
    assert shown["share"].sum() == pytest.approx(100.0)
    assert shown.filter(pl.col("absence_band") == 3)["share"].item() == 0.0


def test_bands_from_ten_percent_are_the_persistent_absentees_and_the_top_band_the_severe():
    measures = per_enrolment(
        "/" * 9 + "I", "/" * 10, "O" * 5 + "/" * 5, "O" * 4 + "/" * 6, "N" * 20
    )
    enrolments = measures.collect()
    shown = band_distribution(measures).collect()
    persistent = shown.filter(pl.col("absence_band") >= 2)["enrolments"].sum()
    severe = shown.filter(pl.col("absence_band") == 10)["enrolments"].sum()
    assert persistent == enrolments["persistent_absence"].sum() == 4
    assert severe == enrolments["severe_absence"].sum() == 2


def test_distribution_by_group_keeps_each_groups_shares():
    measures = per_enrolment("/" * 10, "I" * 10).with_columns(pl.Series("side", ["a", "b"]))
    shown = band_distribution(measures, ["side"]).collect()
    assert shown.height == 2 * BAND_COUNT
    assert shown.group_by("side").agg(pl.col("share").sum())["share"].to_list() == [100.0, 100.0]
