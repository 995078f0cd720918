"""Behaviour beside attendance: per 100 pupils at zero and small counts, incidents and exclusions
only inside the window, weeks divided by the pupils with a session that week, and reasons."""

from datetime import date

import polars as pl
import pytest

from analytics.pipelines.behaviour import (
    NO_REASON,
    behaviour_of_absentees,
    behaviour_rates,
    exclusions_by_reason,
    exclusions_in,
    incidents_in,
    weekly_incidents,
    with_behaviour_counts,
)
from analytics.pipelines.windows import Window

WINDOW = Window(date(2025, 9, 1), date(2025, 9, 30))


def incidents(*rows: tuple[int, date, str]) -> pl.LazyFrame:
    return pl.LazyFrame(
        rows, schema={"enrolment_id": pl.Int32, "date": pl.Date, "type": pl.String}, orient="row"
    )


def exclusions(*rows: tuple) -> pl.LazyFrame:
    schema = {
        "enrolment_id": pl.Int32,
        "start_date": pl.Date,
        "category": pl.String,
        "sessions": pl.Int32,
        "reason_1": pl.String,
        "reason_2": pl.String,
        "reason_3": pl.String,
    }
    return pl.LazyFrame(rows, schema=schema, orient="row")


NO_EXCLUSIONS = exclusions()


def pupils(n: int, **columns) -> pl.LazyFrame:
    return pl.LazyFrame(
        {"enrolment_id": list(range(1, n + 1)), **columns},
        schema_overrides={"enrolment_id": pl.Int32},
    )


def test_window_cuts_incidents_and_exclusions_by_their_dates():
    found = incidents(
        (1, date(2025, 8, 31), "negative"),
        (1, date(2025, 9, 1), "negative"),
        (1, date(2025, 9, 30), "positive"),
        (1, date(2025, 10, 1), "negative"),
    )
    assert incidents_in(found, WINDOW).collect().height == 2
    excl = exclusions(
        (1, date(2025, 9, 30), "suspension", 2, "PP", None, None),
        (1, date(2025, 10, 1), "suspension", 2, "PP", None, None),
    )
    assert exclusions_in(excl, WINDOW).collect().height == 1


def test_rates_per_100_pupils_include_pupils_with_no_incident():
    found = incidents(
        (1, date(2025, 9, 2), "negative"),
        (1, date(2025, 9, 3), "negative"),
        (2, date(2025, 9, 3), "positive"),
    )
    excl = exclusions(
        (1, date(2025, 9, 4), "suspension", 3, "VA", None, None),
        (3, date(2025, 9, 5), "permanent", 1, "PA", None, None),
    )
    counted = with_behaviour_counts(pupils(4), found, excl)
    shown = behaviour_rates(counted).collect().row(0, named=True)
    assert shown["pupils"] == 4
    assert shown["negative_incidents"] == 2 and shown["negative_per_100"] == pytest.approx(50.0)
    assert shown["positive_per_100"] == pytest.approx(25.0)
    assert shown["pupils_with_negative"] == 1 and shown[
        "pupils_with_negative_rate"
    ] == pytest.approx(25.0)
    assert shown["suspension_rate"] == pytest.approx(25.0) and shown[
        "permanent_exclusion_rate"
    ] == pytest.approx(25.0)
    assert shown["exclusion_sessions"] == 4
    per_pupil = counted.collect().sort("enrolment_id")
    assert per_pupil["negative_incidents"].to_list() == [2, 0, 0, 0]


def test_no_pupils_no_rate():
    shown = (
        behaviour_rates(with_behaviour_counts(pupils(0), incidents(), NO_EXCLUSIONS))
        .collect()
        .row(0, named=True)
    )
    assert shown["pupils"] == 0 and shown["negative_per_100"] is None


def test_rates_by_group_sum_before_dividing():
    found = incidents(*((1, date(2025, 9, 2), "negative") for _ in range(3)))
    counted = with_behaviour_counts(pupils(3, side=["a", "a", "b"]), found, NO_EXCLUSIONS)
    shown = behaviour_rates(counted, ["side"]).collect().sort("side")
    assert shown["negative_per_100"].to_list() == [pytest.approx(150.0), 0.0]


def test_weekly_rates_divide_by_pupils_with_a_session_that_week():
    weeks = pl.LazyFrame(  # one row per enrolment and week with a counted session
        {
            "enrolment_id": [1, 2, 1],
            "week_start": [date(2025, 9, 1), date(2025, 9, 1), date(2025, 9, 8)],
        },
        schema_overrides={"enrolment_id": pl.Int32},
    )
    found = incidents(
        (1, date(2025, 9, 3), "negative"),
        (2, date(2025, 9, 10), "positive"),
        (1, date(2025, 10, 27), "negative"),
    )
    shown = weekly_incidents(found, weeks).collect()
    assert shown["week_start"].to_list() == [
        date(2025, 9, 1),
        date(2025, 9, 8),
    ]  # no roll in half-term week
    assert shown["pupils"].to_list() == [2, 1]
    assert shown["negative_per_100"].to_list() == [pytest.approx(50.0), 0.0]
    assert shown["positive_per_100"].to_list() == [0.0, pytest.approx(100.0)]


def test_an_exclusion_counts_once_under_each_of_its_reasons():
    excl = exclusions(
        (1, date(2025, 9, 2), "suspension", 2, "PP", "VA", None),
        (
            2,
            date(2025, 9, 3),
            "suspension",
            1,
            "pp",
            None,
            "PP",
        ),  # the same reason twice counts once
        (3, date(2025, 9, 4), "permanent", 1, "OW", None, None),
        (4, date(2025, 9, 5), "suspension", 4, None, None, None),
    )
    shown = {r["reason"]: r for r in exclusions_by_reason(excl).collect().iter_rows(named=True)}
    assert (shown["PP"]["suspensions"], shown["PP"]["sessions"]) == (2, 3)
    assert shown["VA"]["suspensions"] == 1
    assert (shown["OW"]["permanent_exclusions"], shown["OW"]["suspensions"]) == (1, 0)
    assert shown[NO_REASON]["suspensions"] == 1


def test_persistent_absentees_with_incidents_and_the_rest():
    frame = pl.LazyFrame(
        {
            "enrolment_id": [1, 2, 3, 4, 5],
            "possible": [10, 10, 10, 10, 0],
            "persistent_absence": [True, True, False, False, False],
            "negative_incidents": [1, 0, 0, 0, 3],
            "positive_incidents": [0] * 5,
            "suspensions": [1, 0, 0, 0, 0],
            "permanent_exclusions": [0] * 5,
            "exclusion_sessions": [0] * 5,
        }
    )
    shown = behaviour_of_absentees(frame).collect()
    assert shown["persistent_absence"].to_list() == [True, False]
    assert shown["pupils"].to_list() == [2, 2]  # enrolment 5 has nothing possible
    assert shown["pupils_with_negative_rate"].to_list() == [pytest.approx(50.0), 0.0]
    none = behaviour_of_absentees(frame.filter(pl.col("persistent_absence").not_())).collect()
    assert (
        none.row(0, named=True)["pupils"] == 0
        and none.row(0, named=True)["pupils_with_negative_rate"] is None
    )
