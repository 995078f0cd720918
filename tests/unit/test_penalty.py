"""The penalty-notice threshold at its edges: 10 `G N O U` sessions in 10 consecutive school
weeks, holiday weeks skipped, windows across terms and years, `U` counting and authorised codes
not, two sessions in one day, and the date it was first met in a window."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from analytics.pipelines.calendar import school_days, school_weeks
from analytics.pipelines.penalty import (
    penalty_sessions_latest_window,
    penalty_threshold,
    penalty_window_counts,
)
from analytics.pipelines.sessions import counted_sessions
from analytics.pipelines.windows import Window
from tests.unit import frames

EVERYTHING = Window(date(2020, 8, 1), date(2030, 7, 31))


def weekdays(monday: date, weeks: int = 1) -> list[date]:
    """The weekdays of `weeks` weeks from `monday`."""
    return [monday + timedelta(days=7 * w + d) for w in range(weeks) for d in range(5)]


def build(
    days: list[date],
    pupil: dict[date, str],
    admission: date = date(2020, 9, 1),
    everyone: dict[date, str] | None = None,
) -> pl.LazyFrame:
    """Counted sessions of two enrolments over the school `days`: enrolment 1 present unless
    `pupil` gives its day's two codes (AM then PM), enrolment 2 (who keeps the school open)
    present every day; `everyone` gives both enrolments' codes on a day (such as `##`)."""
    rows = []
    everyone = everyone or {}
    for day in days:
        codes = everyone.get(day) or pupil.get(day, "/\\")
        rows += [
            (frames.URN, 1, day, "AM", codes[0], None),
            (frames.URN, 1, day, "PM", codes[1], None),
        ]
        others = everyone.get(day, "/\\")
        rows += [
            (frames.URN, 2, day, "AM", others[0], None),
            (frames.URN, 2, day, "PM", others[1], None),
        ]
    marks = pl.LazyFrame(
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
    enrolments = frames.enrolments({"admission_date": admission}, {"admission_date": admission})
    return counted_sessions(marks, frames.codes(), enrolments, EVERYTHING)


def threshold(
    sessions: pl.LazyFrame, window: Window = EVERYTHING
) -> tuple[date | None, str | None]:
    weeks = school_weeks(school_days(sessions))
    met = penalty_threshold(penalty_window_counts(sessions, weeks), window).collect()
    row = met.filter(pl.col("enrolment_id") == 1).row(0, named=True)
    return row["penalty_threshold_date"], row["penalty_threshold_session"]


def one_a_week(mondays: list[date], code: str = "N") -> dict[date, str]:
    """One unauthorised morning on the Monday of each week."""
    return {monday: code + "\\" for monday in mondays}


AUTUMN = date(2025, 9, 1)  # a Monday


def test_ten_sessions_in_ten_school_weeks_meet_the_threshold_on_the_tenth():
    days = weekdays(AUTUMN, 12)
    mondays = [AUTUMN + timedelta(weeks=w) for w in range(10)]
    assert threshold(build(days, one_a_week(mondays))) == (mondays[-1], "AM")


def test_ten_sessions_spread_over_eleven_school_weeks_do_not():
    days = weekdays(AUTUMN, 12)
    mondays = [AUTUMN + timedelta(weeks=w) for w in range(11) if w != 5]  # ten of eleven weeks
    assert len(mondays) == 10
    assert threshold(build(days, one_a_week(mondays))) == (None, None)


def test_holiday_weeks_are_skipped():
    # Five weeks, a two-week holiday (no school day for anyone), five more weeks: twelve calendar
    # weeks but ten school weeks, so ten sessions (one a week) meet the threshold.
    before = [AUTUMN + timedelta(weeks=w) for w in range(5)]
    after = [AUTUMN + timedelta(weeks=w) for w in range(7, 12)]
    days = weekdays(AUTUMN, 5) + weekdays(after[0], 5)
    assert threshold(build(days, one_a_week(before + after))) == (after[-1], "AM")
    # The same sessions with the holiday weeks taught (school weeks with full attendance) do not.
    taught = weekdays(AUTUMN, 12)
    assert threshold(build(taught, one_a_week(before + after))) == (None, None)


def test_a_week_with_one_school_day_is_a_school_week():
    # A week with only a Friday open (the rest INSET or bank holidays) still counts as a week.
    week_two = AUTUMN + timedelta(weeks=1)
    days = (
        weekdays(AUTUMN, 1)
        + [week_two + timedelta(days=4)]
        + weekdays(AUTUMN + timedelta(weeks=2), 9)
    )
    mondays = [AUTUMN] + [
        AUTUMN + timedelta(weeks=w) for w in range(2, 11)
    ]  # ten sessions over eleven school weeks
    assert threshold(build(days, one_a_week(mondays))) == (None, None)


def test_the_window_spans_terms_and_academic_years():
    # Five unauthorised sessions in the last weeks of the summer term, five in the first weeks of
    # autumn: the summer holiday is skipped, so ten sessions fall in ten school weeks.
    summer = [date(2025, 6, 16) + timedelta(weeks=w) for w in range(5)]  # to the week of 14 July
    autumn = [AUTUMN + timedelta(weeks=w) for w in range(5)]
    days = weekdays(summer[0], 5) + weekdays(AUTUMN, 6)
    sessions = build(days, one_a_week(summer + autumn, "G"))
    assert threshold(sessions) == (autumn[-1], "AM")
    # Within the new academic year's window the date is the same: the count reaches back.
    assert threshold(sessions, Window.year_to_date(date(2025, 12, 19))) == (autumn[-1], "AM")


def test_a_threshold_met_before_the_window_is_met_again_at_its_first_session():
    # Ten sessions in the last five weeks of the summer term; the first session of the autumn
    # term is in the tenth school week from the first of them, so in a window of the new year
    # the threshold was first met at that session, a present mark.
    summer = [date(2025, 6, 16) + timedelta(weeks=w) for w in range(5)]
    days = weekdays(summer[0], 5) + weekdays(AUTUMN, 7)
    sessions = build(days, {monday: "OO" for monday in summer})
    assert threshold(sessions) == (summer[-1], "PM")
    assert threshold(sessions, Window(date(2025, 8, 1), date(2025, 12, 31))) == (AUTUMN, "AM")
    # Still held through the fifth autumn week (school week 10); by the sixth, the first summer
    # week has left the window and only 8 sessions remain in it.
    assert threshold(sessions, Window(AUTUMN + timedelta(weeks=4), date(2025, 12, 31))) == (
        AUTUMN + timedelta(weeks=4),
        "AM",
    )
    assert threshold(sessions, Window(AUTUMN + timedelta(weeks=5), date(2025, 12, 31))) == (
        None,
        None,
    )


def test_the_threshold_is_met_at_a_possible_session_never_on_a_closure_day():
    # Ten G in the last week of July; 1 September an INSET day (`#` for everyone, no possible
    # session), the first real session 2 September: in the new academic year the threshold is
    # first met on 2 September, AM, not on the INSET day.
    july = date(2026, 7, 20)
    inset, first_day = date(2026, 9, 1), date(2026, 9, 2)
    days = weekdays(date(2026, 6, 1), 8) + [d for d in weekdays(date(2026, 8, 31), 2) if d >= inset]
    sessions = build(
        days, {july + timedelta(days=n): "GG" for n in range(5)}, everyone={inset: "##"}
    )
    assert threshold(sessions) == (july + timedelta(days=4), "PM")
    assert threshold(sessions, Window.year_to_date(date(2026, 9, 11))) == (first_day, "AM")


@pytest.mark.parametrize(
    ("code", "counts"),
    [
        ("U", True),
        ("G", True),
        ("O", True),
        ("N", True),
        ("I", False),
        ("M", False),
        ("R", False),
        ("E", False),
        ("L", False),
    ],
)
def test_g_n_o_u_count_and_other_codes_do_not(code, counts):
    days = weekdays(AUTUMN, 10)
    mondays = [AUTUMN + timedelta(weeks=w) for w in range(10)]
    met, _ = threshold(build(days, one_a_week(mondays, code)))
    assert (met is not None) is counts


def test_two_sessions_in_one_day_are_counted_in_register_order():
    # Four weeks with two unauthorised mornings, then a day with both sessions unauthorised:
    # the ninth session is that morning and the tenth that afternoon.
    days = weekdays(AUTUMN, 6)
    pupil = {AUTUMN + timedelta(weeks=w, days=d): "N\\" for w in range(4) for d in (0, 1)}
    tenth_day = AUTUMN + timedelta(weeks=4, days=2)
    pupil[tenth_day] = "NN"
    sessions = build(days, pupil)
    assert threshold(sessions) == (tenth_day, "PM")
    counts = (
        penalty_window_counts(sessions, school_weeks(school_days(sessions)))
        .filter((pl.col("enrolment_id") == 1) & (pl.col("date") == tenth_day))
        .collect()
    )
    assert counts.sort("session")["penalty_sessions"].to_list() == [9, 10]


def test_sessions_in_the_latest_ten_school_weeks_up_to_the_as_of_date():
    days = weekdays(AUTUMN, 12)
    mondays = [AUTUMN + timedelta(weeks=w) for w in range(12)]
    sessions = build(days, one_a_week(mondays, "U"))
    weeks = school_weeks(school_days(sessions))
    latest = lambda day: (
        penalty_sessions_latest_window(sessions, weeks, day)
        .collect()
        .filter(pl.col("enrolment_id") == 1)["unauthorised_last_10_weeks"]
        .item()
    )
    assert latest(mondays[-1] + timedelta(days=4)) == 10  # weeks 3 to 12
    assert latest(mondays[-1] - timedelta(days=1)) == 10  # the Sunday before: weeks 2 to 11
    assert latest(mondays[2] - timedelta(days=3)) == 2  # Friday of week 2: weeks 1 and 2
    assert latest(mondays[4]) == 5  # on a Monday morning: that session counts


def test_marks_outside_the_roll_do_not_count():
    days = weekdays(AUTUMN, 10)
    mondays = [AUTUMN + timedelta(weeks=w) for w in range(10)]
    # Admitted in the second week: the first Monday's N is outside the roll and not counted.
    sessions = build(days, one_a_week(mondays), admission=AUTUMN + timedelta(days=1))
    assert threshold(sessions) == (None, None)
