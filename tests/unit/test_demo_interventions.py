"""The demo trust's intervention log: a realistic history recorded through the store, for pupils
who fell to 90% or less, with reviews, corrections and the schools' own types; and the effect the
simulation builds in."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from analytics.domain.interventions import BUILT_IN_LABELS
from analytics.pipelines.windows import Window
from analytics.pipelines.calendar import school_days
from analytics.reports.coordinator.impact import MIN_MEASURED, impact_of, intervention_impact
from analytics.reports.coordinator.targets import coordinator_inputs
from analytics.reports.inputs.register import load_register
from analytics.store import interventions as store
from analytics.synthetic import DEMO_TODAY
from analytics.synthetic.interventions import _apply_effect

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def log(demo_db) -> pl.DataFrame:
    return store.interventions(demo_db)


def test_every_type_is_used_including_the_schools_own(log, demo_db):
    used = set(log["type"].unique().to_list())
    assert set(BUILT_IN_LABELS) <= used
    own = store.intervention_types(demo_db)
    assert set(zip(own["school_urn"], own["label"], strict=True)) == {
        (990135, "SARM"),
        (990127, "Fast-track"),
    }
    assert set(log.filter(pl.col("type") == "SARM")["school_urn"].unique()) == {990135}
    assert 5_000 < log.height < 40_000
    assert log["date"].max() <= DEMO_TODAY and log["date"].min() >= date(2023, 9, 1)


def test_the_log_keeps_reviews_corrections_and_deletions_as_versions(demo_db):
    versions = store.intervention_versions(demo_db)
    later = versions.filter(pl.col("version") > 1)
    reasons = later.group_by("change_reason").len()
    counts = dict(reasons.iter_rows())
    assert counts["Review held"] > 100
    assert counts["Parent called back the next day"] == 25
    assert counts["Recorded twice"] == 6
    assert later.filter(pl.col("change_reason") == "Recorded twice")["deleted"].all()


def test_ladder_steps_go_to_pupils_at_90_percent_or_less(log, demo_db):
    register = load_register(demo_db)
    letters = log.filter(pl.col("type") == "Letter").sample(200, seed=1)
    below = 0
    for row in letters.iter_rows(named=True):
        start = date(row["date"].year - (row["date"].month < 8), 8, 1)
        window = Window(start, row["date"])
        measures = (
            register.enrolment_measures(window)
            .filter(pl.col("enrolment_id") == row["enrolment_id"])
            .collect()
        )
        below += bool(measures["persistent_absence"].item())
    assert below / letters.height > 0.95


def test_reviews_are_due_around_the_demos_today(log):
    due = log.filter(pl.col("next_review").is_not_null() & (pl.col("date").dt.year() == 2026))
    assert due.filter(pl.col("next_review") <= DEMO_TODAY).height > 0
    assert due.filter(pl.col("next_review") > DEMO_TODAY).height > 0


def test_the_impact_page_can_measure_every_built_in_type(demo_db, log):
    window = Window(date(2023, 8, 1), DEMO_TODAY)
    impact = intervention_impact(coordinator_inputs(demo_db), window, weeks=6)
    measured = dict(impact.summary.select("type", "measured").iter_rows())
    assert all(measured[label] >= MIN_MEASURED for label in BUILT_IN_LABELS)
    assert impact.summary["effect_low"].drop_nulls().len() == impact.summary.height
    # The store's weekly totals give what every raw mark gives.
    register = load_register(demo_db)
    every_day = Window(date(1900, 1, 1), date(9999, 12, 31))
    schools = register.enrolments.lazy().select("enrolment_id", "school_urn")
    raw = impact_of(
        register.weeks(every_day).join(schools, on="enrolment_id"),
        school_days(register.sessions(every_day)),
        register.enrolments,
        log,
        window,
        weeks=6,
    )
    assert_frame_equal(impact.actions, raw.actions)


def test_an_action_turns_some_avoidable_absence_into_attendance():
    rng = np.random.default_rng(1)

    avoidable = np.array([0.0, 0.0, 1.0, 0.6, 0.0])
    marks = np.full((2, 40, 1), 2, dtype=np.uint8)  # away (O) every day
    marks[:, 30:, 0] = 4  # then medical appointments: not avoidable
    on_roll = np.ones((40, 1), dtype=bool)
    _apply_effect(rng, marks, 0, 3, 0.9, avoidable, 0, 1, on_roll)
    flipped = marks[0, :, 0] == 0
    assert not flipped[:4].any()  # nothing before or on the day of the action
    assert flipped[4:30].sum() > 10  # most avoidable days, fading
    assert not flipped[30:].any()  # appointments stay
    assert (marks[1, :, 0][flipped] == 1).all()  # whole days
    assert set(np.unique(marks[0])) <= {0, 2, 4}
