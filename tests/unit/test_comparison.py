"""National comparators for pupils over several phases: weighted by the pupils' own weight in
each phase, labelled with every source, and missing (with the reason) rather than partial."""

from __future__ import annotations

import pytest

from analytics.reports.comparisons.periods import comparator
from analytics.reports.comparisons.national import national_benchmark


def test_a_trusts_comparator_weights_each_phases_figure_by_its_pupils():
    weights = {"Primary": 300, "Secondary": 100}
    figure = comparator(weights, lambda phase: national_benchmark(phase, "absence_rate", 2024))
    primary = national_benchmark("Primary", "absence_rate", 2024).value
    secondary = national_benchmark("Secondary", "absence_rate", 2024).value
    assert figure.value == pytest.approx((300 * primary + 100 * secondary) / 400)
    assert "England, Primary" in figure.source and "England, Secondary" in figure.source
    assert "weighted by this scope's compulsory-age pupils" in figure.source
    assert figure.years == "2024/25"


def test_one_phase_is_its_own_figure_and_says_nothing_of_weights():
    figure = comparator(
        {"Secondary": 10, "Primary": 0},
        lambda phase: national_benchmark(phase, "absence_rate", 2024),
    )
    assert figure.value == pytest.approx(
        national_benchmark("Secondary", "absence_rate", 2024).value
    )
    assert "weighted" not in figure.source


def test_a_phase_without_a_figure_leaves_no_comparator():
    figure = comparator(
        {"Primary": 5, "Special": 1},
        lambda phase: (
            None if phase == "Special" else national_benchmark(phase, "absence_rate", 2024)
        ),
    )
    assert figure.value is None and figure.source == "no published figure for special pupils"


def test_no_pupils_to_compare():
    figure = comparator({}, lambda phase: pytest.fail("no phase to look up"))
    assert figure.value is None and "no pupils of compulsory school age" in figure.source


def test_a_transform_turns_absence_into_attendance():
    figure = comparator(
        {"Primary": 1},
        lambda phase: national_benchmark(phase, "absence_rate", 2024),
        lambda v: 100 - v,
    )
    assert figure.value == pytest.approx(
        100 - national_benchmark("Primary", "absence_rate", 2024).value
    )
