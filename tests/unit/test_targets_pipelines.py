"""The coordinator's lists at their edges: today's unexplained absences (N or a missing mark, only
for registers taken), N codes older than the follow-up days, and attendance change."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from analytics.pipelines.calendar import school_days, school_weeks
from analytics.pipelines.sessions import counted_sessions
from analytics.pipelines.measures import session_totals
from analytics.pipelines.targets import (
    CODED_N,
    NO_MARK,
    attendance_change,
    unexplained_absences,
    unresolved_n_codes,
)
from analytics.pipelines.windows import Window
from tests.unit import frames

MONDAY = date(2025, 9, 1)
WIDE = Window(date(2025, 8, 1), date(2026, 7, 31))
MARK_SCHEMA = {
    "school_urn": pl.Int32,
    "enrolment_id": pl.Int32,
    "date": pl.Date,
    "session": pl.String,
    "code": pl.String,
    "minutes_late": pl.Int16,
}


def marks(rows: list[tuple[int, date, str, str]]) -> pl.LazyFrame:
    return pl.LazyFrame(
        [(frames.URN, e, d, s, c, None) for e, d, s, c in rows], schema=MARK_SCHEMA, orient="row"
    )


def test_first_day_list_has_n_codes_and_missing_marks_for_registers_taken():
    enrolments = frames.enrolments(
        {},
        {},
        {},
        {"leaving_date": MONDAY - timedelta(days=1)},
        {"admission_date": MONDAY + timedelta(days=1)},
    )
    today = marks(
        [(1, MONDAY, "AM", "N"), (2, MONDAY, "AM", "/"), (1, MONDAY - timedelta(days=3), "AM", "N")]
    )
    listed = unexplained_absences(today, enrolments, enrolments, MONDAY).collect()
    # Enrolment 1 is coded N; 3 has no mark; 4 has left and 5 is not yet on roll; nobody has a PM
    # mark yet, so the afternoon register has not been taken and nobody is missing from it.
    assert listed.select("enrolment_id", "session", "code", "reason").rows() == [
        (1, "AM", "N", CODED_N),
        (3, "AM", None, NO_MARK),
    ]


def test_first_day_list_once_the_afternoon_register_is_taken():
    enrolments = frames.enrolments({}, {})
    today = marks([(1, MONDAY, "AM", "/"), (2, MONDAY, "AM", "/"), (1, MONDAY, "PM", "\\")])
    listed = unexplained_absences(today, enrolments, enrolments, MONDAY).collect()
    assert listed.select("enrolment_id", "session", "reason").rows() == [(2, "PM", NO_MARK)]


def sessions_with_n(n_day: date, last_day: date) -> pl.LazyFrame:
    """Enrolment 1 coded N on `n_day` (AM), everyone present on every other weekday to `last_day`."""
    rows = []
    day = MONDAY
    while day <= last_day:
        if day.weekday() < 5:
            rows.append((1, day, "AM", "N" if day == n_day else "/"))
            rows.append((2, day, "AM", "/"))
        day += timedelta(days=1)
    return counted_sessions(marks(rows), frames.codes(), frames.enrolments({}, {}), WIDE)


def test_an_n_is_listed_once_it_is_more_than_five_school_days_old():
    n_day = MONDAY  # the next Monday is 5 school days later, the Tuesday 6
    sessions = sessions_with_n(n_day, MONDAY + timedelta(days=9))
    days = school_days(sessions)
    on = lambda day: unresolved_n_codes(sessions, days, day, 5).collect()
    assert on(MONDAY + timedelta(days=7)).is_empty()
    listed = on(MONDAY + timedelta(days=8))
    assert listed.select("enrolment_id", "date", "school_days_old").rows() == [(1, n_day, 6)]


def test_school_days_not_calendar_days_age_an_n():
    # Half-term week between the N and today: 6 calendar weekdays later but only 1 school day.
    rows = [(1, MONDAY, "AM", "N"), (2, MONDAY, "AM", "/")]
    for offset in (7 + 7, 15, 16, 17, 18):  # the Monday after half-term onwards
        day = MONDAY + timedelta(days=offset)
        rows += [(1, day, "AM", "/"), (2, day, "AM", "/")]
    sessions = counted_sessions(marks(rows), frames.codes(), frames.enrolments({}, {}), WIDE)
    days = school_days(sessions)
    assert (
        unresolved_n_codes(sessions, days, MONDAY + timedelta(days=17), 5).collect().is_empty()
    )  # 4 school days
    assert unresolved_n_codes(sessions, days, MONDAY + timedelta(days=18), 4).collect().height == 1


def test_a_replaced_n_is_not_listed():
    sessions = sessions_with_n(date(1999, 1, 1), MONDAY + timedelta(days=20))
    assert (
        unresolved_n_codes(sessions, school_days(sessions), MONDAY + timedelta(days=20), 5)
        .collect()
        .is_empty()
    )


def test_attendance_change_compares_the_last_weeks_with_the_weeks_before():
    # Enrolment 1: absent every Monday and Tuesday (both sessions) in weeks 1-2, present since.
    rows = []
    for week in range(4):
        for d in range(5):
            day = MONDAY + timedelta(weeks=week, days=d)
            away = week < 2 and d < 2
            rows += [(1, day, s, "O" if away else "/") for s in ("AM", "PM")]
            rows += [(2, day, s, "/") for s in ("AM", "PM")]
    sessions = counted_sessions(marks(rows), frames.codes(), frames.enrolments({}, {}), WIDE)
    weeks = school_weeks(school_days(sessions))
    weekly = sessions.with_columns(pl.col("date").dt.truncate("1w").alias("week_start"))
    weekly = session_totals(weekly, ("school_urn", "enrolment_id", "week_start"))
    change = (
        attendance_change(weekly, weeks, MONDAY + timedelta(weeks=3, days=4), 2)
        .collect()
        .sort("enrolment_id")
    )
    first = change.row(0, named=True)
    assert (first["earlier_possible"], first["earlier_attended"], first["recent_attended"]) == (
        20,
        12,
        20,
    )
    assert (first["earlier_rate"], first["recent_rate"], first["change_points"]) == (
        60.0,
        100.0,
        40.0,
    )
    assert change.row(1, named=True)["change_points"] == 0.0
