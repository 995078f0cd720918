"""Gaps to the rest of the school and to national: rest built from totals minus the group, the
too-small flag at its threshold, and national comparators weighted over phases."""

import polars as pl
import pytest

from analytics.pipelines.gaps import (
    gap_measure,
    weighted_national,
    with_gap_to_national,
    with_gap_to_rest,
    with_small_group_flag,
)
from analytics.pipelines.measures import group_measures


def per_enrolment(rows: list[tuple[str, int, int]]) -> pl.LazyFrame:
    """(group, absent, possible) per enrolment, with the columns group_measures needs."""
    frame = pl.DataFrame(
        rows, schema={"group": pl.String, "absent": pl.Int64, "possible": pl.Int64}, orient="row"
    )
    zero = pl.lit(0, dtype=pl.Int64)
    return frame.lazy().with_columns(
        (pl.col("possible") - pl.col("absent")).alias("attended"),
        (pl.col("possible") - pl.col("absent")).alias("present"),
        zero.alias("aea"),
        pl.col("absent").alias("authorised"),
        zero.alias("unauthorised"),
        zero.alias("late_before_close"),
        zero.alias("late_after_close"),
        ((pl.col("possible") > 0) & (pl.col("absent") * 10 >= pl.col("possible"))).alias(
            "persistent_absence"
        ),
        ((pl.col("possible") > 0) & (pl.col("absent") * 2 >= pl.col("possible"))).alias(
            "severe_absence"
        ),
    )


ROWS = [("a", 10, 100), ("a", 0, 100), ("b", 5, 100), ("b", 0, 100), ("b", 60, 100), ("c", 0, 0)]


def gaps(measure: str) -> dict[str, dict]:
    groups = group_measures(per_enrolment(ROWS), ["group"])
    shown = with_gap_to_rest(groups, measure).collect()
    return {row["group"]: row for row in shown.iter_rows(named=True)}


def test_the_rest_is_every_other_enrolment_summed_not_averaged():
    shown = gaps("absence_rate")
    # a: 10 / 200 = 5%; the rest (b and c): 65 / 300.
    assert shown["a"]["absence_rate"] == pytest.approx(5.0)
    assert shown["a"]["rest_absence_rate"] == pytest.approx(65 / 300 * 100)
    assert shown["a"]["gap_to_rest"] == pytest.approx(5.0 - 65 / 3)
    assert shown["b"]["rest_absence_rate"] == pytest.approx(10 / 200 * 100)


def test_persistent_absence_gap_counts_enrolments_with_a_possible_session():
    shown = gaps("persistent_absence_rate")
    # a: 1 of 2 persistent; b: 1 of 3 (60%); c has nothing possible and is in no denominator.
    assert shown["a"]["persistent_absence_rate"] == pytest.approx(50.0)
    assert shown["a"]["rest_persistent_absence_rate"] == pytest.approx(100 / 3)
    assert shown["a"]["rest_enrolments_counted"] == 3
    assert shown["c"]["persistent_absence_rate"] is None and shown["c"]["gap_to_rest"] is None


def test_group_and_rest_make_the_whole():
    shown = gaps("severe_absence_rate")
    for row in shown.values():
        assert row["enrolments_counted"] + row["rest_enrolments_counted"] == 5


def test_gaps_within_a_larger_group():
    rows = [("a", "x", 10, 100), ("b", "x", 0, 100), ("a", "y", 50, 100), ("b", "y", 50, 100)]
    frame = per_enrolment([(f"{g}|{o}", a, p) for g, o, a, p in rows]).with_columns(
        pl.col("group").str.split("|").list.get(0).alias("inner"),
        pl.col("group").str.split("|").list.get(1).alias("outer"),
    )
    shown = with_gap_to_rest(
        group_measures(frame, ["outer", "inner"]), "absence_rate", within=["outer"]
    ).collect()
    x_a = shown.filter((pl.col("outer") == "x") & (pl.col("inner") == "a")).row(0, named=True)
    assert x_a["rest_absence_rate"] == pytest.approx(0.0)  # only b in x is the rest
    assert x_a["gap_to_rest"] == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("counted", "rest", "small"), [(9, 50, True), (10, 50, False), (50, 9, True), (10, 10, False)]
)
def test_too_small_below_the_threshold_on_either_side(counted, rest, small):
    frame = pl.LazyFrame({"enrolments_counted": [counted], "rest_enrolments_counted": [rest]})
    assert with_small_group_flag(frame, 10).collect()["too_small"].item() is small


def test_too_small_without_a_rest_looks_at_the_group_only():
    frame = pl.LazyFrame({"enrolments_counted": [4, 5]})
    assert with_small_group_flag(frame, 5).collect()["too_small"].to_list() == [True, False]


def test_unknown_gap_measure_is_refused():
    with pytest.raises(ValueError, match="no gap"):
        gap_measure("late_rate")


def test_national_is_weighted_by_the_groups_own_pupils_in_each_phase():
    weights = pl.LazyFrame(
        {
            "g": ["a", "a", "b"],
            "phase": ["Primary", "Secondary", "Primary"],
            "weight": [300, 100, 50],
        }
    )
    national = pl.LazyFrame({"phase": ["Primary", "Secondary"], "national_value": [10.0, 20.0]})
    shown = weighted_national(weights, national, ["g"]).collect().sort("g")
    assert shown["national"].to_list() == [pytest.approx(12.5), pytest.approx(10.0)]
    assert shown["national_weight"].to_list() == [400, 50]


def test_national_is_missing_when_a_phase_with_pupils_has_no_figure():
    weights = pl.LazyFrame(
        {"g": ["a", "a", "b"], "phase": ["Primary", "Special", "Primary"], "weight": [300, 1, 50]}
    )
    national = pl.LazyFrame({"phase": ["Primary"], "national_value": [10.0]})
    shown = weighted_national(weights, national, ["g"]).collect().sort("g")
    assert shown["national"].to_list() == [None, 10.0]


def test_a_phase_with_no_weight_does_not_matter_and_group_keys_can_match_national():
    weights = pl.LazyFrame({"g": ["a", "a"], "phase": ["Primary", "Special"], "weight": [10, 0]})
    national = pl.LazyFrame(
        {"g": ["a", "b"], "phase": ["Primary", "Primary"], "national_value": [7.0, 99.0]}
    )
    assert weighted_national(weights, national, ["g"]).collect()["national"].to_list() == [7.0]


def test_gap_to_national_is_school_minus_national():
    frame = pl.LazyFrame({"value": [12.0, None, 5.0], "national": [10.0, 3.0, None]})
    assert with_gap_to_national(frame, "value").collect()["gap_to_national"].to_list() == [
        2.0,
        None,
        None,
    ]
