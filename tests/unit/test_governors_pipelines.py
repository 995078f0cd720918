"""The governors' aggregate steps: groups against the rest, absence bands at their edges, behaviour."""

from datetime import date

import polars as pl

from analytics.pipelines.cohorts import with_cohorts
from analytics.pipelines.governors import (
    ABSENCE_BANDS,
    absence_bands,
    behaviour_measures,
    breakdown,
    suspension_reasons,
)
from analytics.pipelines.measures import enrolment_measures
from analytics.pipelines.sessions import counted_sessions
from analytics.pipelines.windows import Window
from tests.unit import frames

AUTUMN = Window(date(2025, 9, 1), date(2025, 12, 19))


def per_enrolment(enrolments: pl.LazyFrame, *marks: pl.DataFrame) -> pl.LazyFrame:
    sessions = counted_sessions(frames.all_marks(*marks), frames.codes(), enrolments, AUTUMN)
    return enrolment_measures(with_cohorts(enrolments, 2025), sessions)


def test_bands_put_exactly_10_and_50_percent_in_the_higher_band():
    enrolments = frames.enrolments(*({} for _ in range(6)))
    marks = [
        frames.marks(1, "/" * 20),  # 0%
        frames.marks(2, "/" * 19 + "I"),  # 5%: second band
        frames.marks(3, "/" * 18 + "II"),  # exactly 10%: persistent
        frames.marks(4, "/" * 10 + "O" * 10),  # exactly 50%: severe
        frames.marks(5, "/" * 11 + "O" * 9),  # 45%
        frames.marks(6, "XX"),  # nothing possible: in no band
    ]
    bands = absence_bands(per_enrolment(enrolments, *marks)).collect()
    assert bands["band"].to_list() == [b.label for b in ABSENCE_BANDS]
    assert bands["enrolments"].to_list() == [1, 1, 1, 1, 1]


def test_bands_just_below_an_edge_stay_in_the_lower_band():
    enrolments = frames.enrolments({}, {})
    marks = [frames.marks(1, "/" * 10 + "I"), frames.marks(2, "/" * 50 + "O" * 49)]  # 9.1%, 49.5%
    bands = absence_bands(per_enrolment(enrolments, *marks)).collect()
    assert bands["enrolments"].to_list() == [0, 1, 0, 1, 0]


def test_breakdown_gives_each_group_and_the_rest_of_the_school():
    enrolments = frames.enrolments(
        {"disadvantaged": True}, {"disadvantaged": False}, {"disadvantaged": False}
    )
    marks = [frames.marks(1, "//OO"), frames.marks(2, "////"), frames.marks(3, "///I")]
    rows = breakdown(per_enrolment(enrolments, *marks), "disadvantaged").collect()
    yes = rows.filter(pl.col("disadvantaged")).row(0, named=True)
    no = rows.filter(~pl.col("disadvantaged")).row(0, named=True)
    assert (yes["enrolments"], yes["attendance_rate"], yes["persistent_absence_rate"]) == (
        1,
        50.0,
        100.0,
    )
    assert (
        yes["rest_enrolments"],
        yes["rest_attendance_rate"],
        yes["rest_persistent_absence_rate"],
    ) == (2, 87.5, 50.0)
    assert no["rest_attendance_rate"] == yes["attendance_rate"]


def test_behaviour_counts_only_the_window_and_pupils_on_roll():
    enrolments = frames.enrolments({}, {}, {"admission_date": date(2026, 1, 5)})
    cohorts = with_cohorts(enrolments, 2025).filter(pl.col("admission_date") <= AUTUMN.end)
    incidents = pl.LazyFrame(
        {
            "enrolment_id": [1, 1, 2, 2, 3],
            "date": [
                date(2025, 9, 10),
                date(2025, 10, 1),
                date(2025, 9, 11),
                date(2026, 1, 10),
                date(2026, 1, 12),
            ],
            "type": ["negative", "negative", "positive", "negative", "negative"],
        }
    )
    exclusions = pl.LazyFrame(
        {
            "enrolment_id": [1, 1, 2, 2],
            "start_date": [
                date(2025, 9, 10),
                date(2025, 11, 3),
                date(2025, 12, 1),
                date(2025, 8, 1),
            ],
            "category": ["suspension", "suspension", "permanent", "suspension"],
            "sessions": [2, 4, 20, 2],
            "reason_1": ["DB", None, "PA", "DB"],
        }
    )
    row = behaviour_measures(incidents, exclusions, cohorts, AUTUMN).collect().row(0, named=True)
    assert row == {
        "enrolments": 2,
        "negative_incidents": 2,
        "pupils_negative": 1,
        "positive_incidents": 1,
        "pupils_positive": 1,
        "suspensions": 2,
        "pupils_suspended": 1,
        "suspension_sessions": 6,
        "permanent_exclusions": 1,
    }
    reasons = suspension_reasons(exclusions, cohorts, AUTUMN).collect()
    assert reasons.to_dicts() == [
        {"reason": "DB", "suspensions": 1},
        {"reason": "unknown", "suspensions": 1},
    ]
