"""School days and weeks from the register, weekly series, and cohort columns by academic year."""

from datetime import date


from analytics.pipelines.calendar import school_days, school_weeks
from analytics.pipelines.cohorts import with_cohorts
from analytics.pipelines.sessions import counted_sessions
from analytics.pipelines.weekly import weekly_measures
from analytics.pipelines.windows import Window
from tests.unit import frames

YEAR = Window.academic_year(2025)


def test_a_school_day_needs_a_possible_session_and_holiday_weeks_are_skipped():
    enrolments = frames.enrolments({}, {})
    marks = frames.all_marks(
        frames.marks(1, "//" * 5, start=date(2025, 10, 20)),  # Mon-Fri week of 20 Oct
        frames.marks(1, "##" * 5, start=date(2025, 10, 27)),  # closure all week: not school days
        frames.marks(2, ["#", "#", "/", "\\"], start=date(2025, 11, 3)),  # Mon closed, Tue open
    )
    sessions = counted_sessions(marks, frames.codes(), enrolments, YEAR)
    days = school_days(sessions).collect().sort("date")
    assert days["date"].to_list() == [date(2025, 10, d) for d in range(20, 25)] + [
        date(2025, 11, 4)
    ]
    weeks = school_weeks(school_days(sessions)).collect()
    assert weeks["week_start"].to_list() == [date(2025, 10, 20), date(2025, 11, 3)]
    assert weeks["school_week_number"].to_list() == [1, 2]
    assert weeks["school_days"].to_list() == [5, 1]


def test_weekly_series_starts_weeks_on_monday():
    enrolments = frames.enrolments({})
    marks = frames.all_marks(frames.marks(1, "IIII//////" + "//////////", start=date(2025, 9, 3)))
    weekly = weekly_measures(
        counted_sessions(marks, frames.codes(), enrolments, YEAR), enrolments
    ).collect()
    assert weekly["week_start"].to_list() == [date(2025, 9, 1), date(2025, 9, 8), date(2025, 9, 15)]
    assert weekly["possible"].to_list() == [6, 10, 4]
    assert weekly["absent"].to_list() == [4, 0, 0]


def test_year_groups_move_with_the_academic_year():
    enrolments = frames.enrolments(
        {"year_group": "7", "year_group_academic_year": 2025},
        {"year_group": "R", "year_group_academic_year": 2025},
    )
    assert with_cohorts(enrolments, 2025).collect()["year_group"].to_list() == ["7", "R"]
    assert with_cohorts(enrolments, 2024).collect()["year_group"].to_list() == ["6", "N2"]
    assert with_cohorts(enrolments, 2027).collect()["year_group"].to_list() == ["9", "2"]


def test_disadvantaged_is_given_or_derived_from_fsm6_fsm_or_looked_after():
    enrolments = frames.enrolments(
        {"disadvantaged": True},
        {"disadvantaged": False, "fsm6": True},  # a file's own value wins
        {"fsm6": True},
        {"fsm": True},
        {"looked_after": True},
        {"fsm": None, "fsm6": None, "looked_after": None},
        {},
    )
    assert with_cohorts(enrolments, 2025).collect()["disadvantaged"].to_list() == [
        True,
        False,
        True,
        True,
        True,
        False,
        False,
    ]


def test_compulsory_school_age_is_five_to_fifteen_on_31_august():
    enrolments = frames.enrolments(
        {"date_of_birth": date(2021, 8, 31)},  # 4
        {"date_of_birth": date(2020, 8, 31)},  # 5
        {"date_of_birth": date(2009, 9, 1)},  # 15
        {"date_of_birth": date(2009, 8, 31)},  # 16
    )
    cohorts = with_cohorts(enrolments, 2025).collect()
    assert cohorts["age_31_august"].to_list() == [4, 5, 15, 16]
    assert cohorts["compulsory_school_age"].to_list() == [False, True, True, False]


def test_ethnic_major_groups_and_unknown_sen():
    enrolments = frames.enrolments(
        {"ethnicity": "APKN", "sen": None},
        {"ethnicity": "MWBC"},
        {"ethnicity": None},
        {"ethnicity": "ZZZZ"},
    )
    cohorts = with_cohorts(enrolments, 2025).collect()
    assert cohorts["ethnic_group"].to_list() == ["Asian", "Mixed", "Unclassified", "Unclassified"]
    assert cohorts["sen"][0] == "N"


def test_windows():
    assert str(Window.academic_year(2025)) == "2025/26 (01 Aug 2025 to 31 Jul 2026)"
    assert Window.year_to_date(date(2026, 1, 9)).start == date(2025, 8, 1)
    assert Window(date(2024, 2, 29), date(2024, 3, 1)).a_year_earlier() == Window(
        date(2023, 2, 28), date(2023, 3, 1)
    )
    assert Window.census("spring", 2025).end == date(2026, 4, 5)
    try:
        Window(date(2025, 9, 2), date(2025, 9, 1))
    except ValueError:
        pass
    else:
        raise AssertionError("a backwards window must be refused")
