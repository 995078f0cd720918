"""Impact of interventions: attendance before and after against matched comparison pupils, the
counts of actions that cannot be measured, and the interval."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from analytics.pipelines.impact import first_of_type_each_year
from analytics.pipelines.windows import Window
from analytics.pipelines.calendar import school_days
from analytics.reports.coordinator.impact import Impact, _summary, describe_impact, impact_of
from analytics.reports.inputs.register import Register
from tests.unit import frames

MONDAY = date(2025, 9, 1)
WEEKS = 12
EVENT_DAY = MONDAY + timedelta(weeks=6, days=2)  # Wednesday of school week 7


def absent_per_week(before: int, after: int):
    """A pupil absent `before` sessions a week in weeks 1-6 and `after` from week 8 (2 in week 7)."""
    return lambda week: before if week < 6 else (2 if week == 6 else after)


def register(patterns: dict[int, object], flags: dict[int, dict] | None = None) -> Register:
    rows = []
    for enrolment_id, absences in patterns.items():
        for week in range(WEEKS):
            missed = absences(week)
            for slot in range(10):
                day = MONDAY + timedelta(weeks=week, days=slot // 2)
                rows.append(
                    (
                        frames.URN,
                        enrolment_id,
                        day,
                        "AM" if slot % 2 == 0 else "PM",
                        "O" if slot < missed else "/",
                        None,
                    )
                )
    marks = pl.DataFrame(
        rows,
        schema={
            "school_urn": pl.Int32,
            "enrolment_id": pl.Int32,
            "date": pl.Date,
            "session": pl.String,
            "code": pl.String,
            "minutes_late": pl.Int16,
        },
        orient="row",
    )
    enrolments = frames.enrolments(*[(flags or {}).get(e, {}) for e in sorted(patterns)]).collect()
    spells = enrolments.select("enrolment_id", "admission_date", "leaving_date")
    schools = pl.DataFrame(
        {"urn": [frames.URN], "name": ["Oakfield"], "phase": ["primary"], "laestab": [None]}
    )
    return Register(schools, enrolments, spells, marks, frames.codes().collect())


def log(*events: tuple[int, str, date]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "intervention_id": i,
                "enrolment_id": e,
                "school_urn": frames.URN,
                "type": t,
                "date": d,
            }
            for i, (e, t, d) in enumerate(events, start=1)
        ],
        schema={
            "intervention_id": pl.Int32,
            "enrolment_id": pl.Int32,
            "school_urn": pl.Int32,
            "type": pl.String,
            "date": pl.Date,
        },
    )


WINDOW = Window(date(2025, 8, 1), date(2026, 7, 31))
EVERY_DAY = Window(date(1900, 1, 1), date(9999, 12, 31))


def intervention_impact(
    register: Register, interventions: pl.DataFrame, window: Window, weeks: int
) -> Impact:
    """The impact from a register's weekly totals, as the store keeps them."""
    schools = register.enrolments.lazy().select("enrolment_id", "school_urn")
    return impact_of(
        register.weeks(EVERY_DAY).join(schools, on="enrolment_id"),
        school_days(register.sessions(EVERY_DAY)),
        register.enrolments,
        interventions,
        window,
        weeks=weeks,
    )


def test_the_difference_in_differences_against_a_matched_pupil():
    # Pupil 1 gets a meeting and goes from 3 to 1 sessions missed a week; pupil 2, the same before,
    # does not improve; pupil 3 is not comparable (disadvantaged).
    reg = register(
        {1: absent_per_week(3, 1), 2: absent_per_week(3, 3), 3: absent_per_week(3, 0)},
        {3: {"disadvantaged": True}},
    )
    impact = intervention_impact(reg, log((1, "Meeting", EVENT_DAY)), WINDOW, weeks=3)
    action = impact.actions.row(0, named=True)
    assert action["status"] == "measured" and action["controls"] == 1
    assert (action["before_rate"], action["after_rate"]) == (70.0, 90.0)
    assert (action["control_before_rate"], action["control_after_rate"]) == (70.0, 70.0)
    assert action["effect"] == pytest.approx(20.0)
    row = impact.summary.row(0, named=True)
    assert (row["type"], row["actions"], row["measured"], row["comparison_pupils"]) == (
        "Meeting",
        1,
        1,
        1,
    )
    assert row["effect_low"] is None  # one action: no interval


def test_a_rise_every_comparable_pupil_saw_is_not_credited():
    reg = register({1: absent_per_week(3, 1), 2: absent_per_week(3, 1)})
    action = intervention_impact(reg, log((1, "Letter", EVENT_DAY)), WINDOW, weeks=3).actions.row(
        0, named=True
    )
    assert action["effect"] == pytest.approx(0.0)


def test_comparison_pupils_had_no_action_of_that_type_nearby():
    reg = register({1: absent_per_week(3, 1), 2: absent_per_week(3, 3)})
    events = log((1, "Meeting", EVENT_DAY), (2, "Meeting", EVENT_DAY + timedelta(weeks=2)))
    first = intervention_impact(reg, events, Window(EVENT_DAY, EVENT_DAY), weeks=3).actions.row(
        0, named=True
    )
    assert first["status"] == "no comparison"
    # An action of another type does not stop a pupil being a comparison.
    other = log((1, "Meeting", EVENT_DAY), (2, "Letter", EVENT_DAY + timedelta(weeks=2)))
    assert (
        intervention_impact(reg, other, Window(EVENT_DAY, EVENT_DAY), weeks=3).actions.row(
            0, named=True
        )["status"]
        == "measured"
    )


def test_actions_too_recent_or_without_enough_sessions_are_counted_not_measured():
    reg = register({1: absent_per_week(3, 1), 2: absent_per_week(3, 3)})
    late = MONDAY + timedelta(weeks=10)  # only one school week after it in the register
    impact = intervention_impact(reg, log((1, "Letter", late)), WINDOW, weeks=3)
    assert impact.actions["status"].to_list() == ["too recent"]
    early = MONDAY + timedelta(weeks=1)  # one school week before it
    impact = intervention_impact(reg, log((1, "Letter", early)), WINDOW, weeks=3)
    assert impact.actions["status"].to_list() == ["too few sessions"]
    assert impact.summary.select("actions", "measured", "too_few_sessions").row(0) == (1, 0, 1)


def test_each_pupils_first_action_of_a_type_in_a_year_counts_once():
    events = log(
        (1, "Phone call", date(2025, 9, 10)),
        (1, "Phone call", date(2025, 10, 1)),
        (1, "Phone call", date(2026, 9, 9)),
        (1, "Letter", date(2025, 10, 1)),
    )
    chosen = first_of_type_each_year(
        events.lazy().with_columns(
            academic_year=pl.col("date").dt.year() - (pl.col("date").dt.month() < 8).cast(pl.Int32)
        )
    ).collect()
    assert sorted(chosen.select("type", "date").rows()) == [
        ("Letter", date(2025, 10, 1)),
        ("Phone call", date(2025, 9, 10)),
        ("Phone call", date(2026, 9, 9)),
    ]


def test_the_interval_and_the_sentence():
    actions = pl.DataFrame(
        {
            "type": ["Meeting"] * 6,
            "status": ["measured"] * 5 + ["too recent"],
            "effect": [1.0, 2.0, 3.0, 4.0, 5.0, None],
            "controls": [2, 2, 2, 2, 2, 0],
            "before_rate": [80.0] * 6,
            "after_rate": [86.0] * 6,
            "control_before_rate": [80.0] * 6,
            "control_after_rate": [83.0] * 6,
        }
    )
    row = _summary(actions).row(0, named=True)
    assert (row["measured"], row["too_recent"], row["comparison_pupils"]) == (5, 1, 10)
    # mean 3, sd 1.581, t(0.975, 4) = 2.776: 3 ± 1.963
    assert row["effect_low"] == pytest.approx(1.037, abs=1e-3) and row[
        "effect_high"
    ] == pytest.approx(4.963, abs=1e-3)
    sentence = describe_impact(row, 6)
    assert sentence.startswith("Meeting: attendance rose more than for comparable pupils.")
    assert (
        "Difference +3.0 points (95% interval +1.0 to +5.0), from 5 actions against 10 comparison pupils"
        in sentence
    )
    few = describe_impact(row | {"measured": 2}, 6)
    assert "too few to say" in few
