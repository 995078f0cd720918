"""The measures at their boundaries: possible sessions, rates, PA at exactly 10%, SA at exactly
50%, zero possible sessions, on-roll days, and rates summed before dividing."""

from datetime import date, timedelta

import polars as pl
import pytest

from analytics.pipelines.cohorts import with_cohorts
from analytics.pipelines.measures import (
    enrolment_measures,
    enrolments_on_roll,
    group_measures,
    like_dfe,
)
from analytics.pipelines.sessions import classify_marks, counted_sessions
from analytics.pipelines.windows import Window
from tests.unit import frames

AUTUMN = Window(date(2025, 9, 1), date(2025, 12, 19), "autumn 2025")


def measures(
    enrolments: pl.LazyFrame, marks: pl.LazyFrame, window: Window = AUTUMN
) -> pl.DataFrame:
    sessions = counted_sessions(marks, frames.codes(), enrolments, window)
    return (
        enrolment_measures(enrolments_on_roll(enrolments, window), sessions)
        .sort("enrolment_id")
        .collect()
    )


WIDE = Window(date(2025, 9, 1), date(2030, 8, 31), "wide enough for any test's marks")


def one(codes: str | list[str], **enrolment) -> dict:
    return measures(
        frames.enrolments(enrolment), frames.all_marks(frames.marks(1, codes)), WIDE
    ).row(0, named=True)


def test_possible_is_attended_plus_authorised_plus_unauthorised():
    row = one("/\\LKVPWBC1MIEGNOUDXQZ#Y1")
    assert row["present"] == 3  # / \ L
    assert row["aea"] == 5  # K V P W B
    assert row["attended"] == 8
    assert row["authorised"] == 4  # C1 M I E
    assert row["unauthorised"] == 4  # G N O U
    assert row["possible"] == 16  # D X Q Z # Y1 are not possible
    assert row["possible"] == row["attended"] + row["authorised"] + row["unauthorised"]
    assert row["absent"] == row["authorised"] + row["unauthorised"]


def test_lateness_counts_l_as_present_and_u_as_unauthorised():
    row = one("L/U\\")
    assert (row["late_before_close"], row["late_after_close"]) == (1, 1)
    assert (row["present"], row["unauthorised"]) == (3, 1)
    assert row["attendance_rate"] == pytest.approx(75.0)


@pytest.mark.parametrize(
    "absent,possible,persistent",
    [
        (1, 10, True),
        (2, 20, True),
        (10, 100, True),
        (9, 91, False),
        (99, 1000, False),
        (100, 1000, True),
        (0, 10, False),
    ],
)
def test_persistent_absence_starts_at_exactly_ten_percent(absent, possible, persistent):
    row = one("I" * absent + "/" * (possible - absent))
    assert row["possible"] == possible
    assert row["persistent_absence"] is persistent


@pytest.mark.parametrize(
    "absent,possible,severe",
    [(5, 10, True), (50, 100, True), (49, 99, False), (499, 1000, False), (10, 10, True)],
)
def test_severe_absence_starts_at_exactly_fifty_percent_and_is_also_persistent(
    absent, possible, severe
):
    row = one("O" * absent + "/" * (possible - absent))
    assert row["severe_absence"] is severe
    if severe:
        assert row["persistent_absence"] is True


def test_an_enrolment_with_no_possible_session_has_no_rate_and_no_flag():
    row = one("XXZZ##")
    assert row["possible"] == 0
    assert row["attendance_rate"] is None and row["absence_rate"] is None
    assert row["persistent_absence"] is False and row["severe_absence"] is False


def test_zero_possible_enrolments_are_outside_the_pa_denominator():
    enrolments = frames.enrolments({}, {})
    marks = frames.all_marks(frames.marks(1, "I" * 2 + "/" * 8), frames.marks(2, "XX"))
    group = (
        group_measures(
            enrolment_measures(
                enrolments, counted_sessions(marks, frames.codes(), enrolments, AUTUMN)
            ).lazy()
        )
        .collect()
        .row(0, named=True)
    )
    assert group["enrolments"] == 2
    assert group["enrolments_counted"] == 1
    assert group["persistent_absence_rate"] == pytest.approx(100.0)


def test_rates_are_summed_over_enrolments_before_dividing():
    enrolments = frames.enrolments({}, {})
    marks = frames.all_marks(frames.marks(1, "I" + "/" * 9), frames.marks(2, "I" * 9 + "/" * 81))
    per_enrolment = measures(enrolments, marks)
    group = group_measures(per_enrolment.lazy()).collect().row(0, named=True)
    assert group["absence_rate"] == pytest.approx(10 / 100 * 100)
    assert per_enrolment["absence_rate"].mean() == pytest.approx(10.0)  # same here by construction
    marks = frames.all_marks(frames.marks(1, "I" + "/" * 1), frames.marks(2, "/" * 98))
    group = group_measures(measures(enrolments, marks).lazy()).collect().row(0, named=True)
    assert group["absence_rate"] == pytest.approx(1.0)  # 1 of 100, not the mean of 50% and 0%


def test_sessions_count_from_the_admission_day_to_the_leaving_day_inclusive():
    # Marks Mon 1 Sep to Fri 5 Sep 2025; on roll Tue 2 Sep to Thu 4 Sep.
    row = one("IIIIIIIIII", admission_date=date(2025, 9, 2), leaving_date=date(2025, 9, 4))
    assert row["possible"] == 6


def test_marks_outside_the_roll_are_kept_but_never_counted():
    marks = frames.all_marks(frames.marks(1, "O" * 10))
    enrolments = frames.enrolments({"admission_date": date(2025, 9, 8)})
    classified = classify_marks(marks, frames.codes()).collect()
    assert classified.height == 10
    assert measures(enrolments, marks).row(0, named=True)["possible"] == 0


def test_a_window_counts_only_its_own_dates():
    marks = frames.all_marks(frames.marks(1, "O" * 10))  # 1-5 Sep 2025
    row = measures(frames.enrolments({}), marks, Window(date(2025, 9, 3), date(2025, 9, 4))).row(
        0, named=True
    )
    assert row["possible"] == 4


def test_enrolments_on_roll_at_any_point_in_the_window_are_included():
    enrolments = frames.enrolments(
        {"admission_date": date(2025, 9, 1), "leaving_date": date(2025, 8, 31)},  # left before
        {"admission_date": date(2025, 12, 19)},  # joins on the last day
        {"admission_date": date(2025, 12, 20)},  # joins after
        {
            "admission_date": date(2024, 9, 1),
            "leaving_date": date(2025, 9, 1),
        },  # leaves on the first day
    )
    on_roll = enrolments_on_roll(enrolments, AUTUMN).collect()
    assert sorted(on_roll["enrolment_id"]) == [2, 4]


def test_j_is_an_educational_activity_before_19_august_2024_and_j1_is_authorised_after():
    enrolments = frames.enrolments({"admission_date": date(2024, 7, 1)})
    marks = frames.all_marks(
        frames.marks(1, "JJ", start=date(2024, 7, 15)),
        frames.marks(1, ["J1", "J1"], start=date(2024, 9, 2)),
    )
    row = measures(enrolments, marks, Window(date(2024, 7, 1), date(2024, 9, 30))).row(
        0, named=True
    )
    assert (row["aea"], row["authorised"], row["possible"]) == (2, 2, 4)


def test_groups_add_up_to_the_whole():
    enrolments = frames.enrolments({"sex": "F"}, {"sex": "M"}, {"sex": "M"})
    marks = frames.all_marks(
        frames.marks(1, "I/" * 5), frames.marks(2, "//G/"), frames.marks(3, "XX")
    )
    per_enrolment = measures(enrolments, marks).lazy()
    whole = group_measures(per_enrolment).collect()
    parts = group_measures(per_enrolment, ["sex"]).collect()
    for column in (
        "enrolments",
        "enrolments_counted",
        "possible",
        "absent",
        "persistent_absentees",
    ):
        assert parts[column].sum() == whole[column][0]


# --- as DfE's national statistics count them -----------------------------------------------------

SUMMER = Window(date(2026, 4, 13), date(2026, 7, 22), "summer 2026")
SPRING_BANK_HOLIDAY = date(2026, 5, 25)  # the second half of the summer term starts


def summer_measures(window: Window) -> pl.DataFrame:
    """Pupil 1 is 15 on 31 Aug 2025 (Year 11), pupil 2 is 14; each attends the 10 sessions of
    the week before the half-term and misses the first 10 after it."""
    enrolments = frames.enrolments(
        {"date_of_birth": date(2010, 6, 1)}, {"date_of_birth": date(2011, 6, 1)}
    )
    marks = frames.all_marks(
        *(
            frame
            for pupil in (1, 2)
            for frame in (
                frames.marks(pupil, "/" * 10, date(2026, 5, 18)),
                frames.marks(pupil, "I" * 10, date(2026, 6, 1)),
            )
        )
    )
    sessions = counted_sessions(marks, frames.codes(), enrolments, window)
    cohorts = with_cohorts(enrolments_on_roll(enrolments, window), 2025)
    return enrolment_measures(cohorts, sessions).sort("enrolment_id").collect()


def test_dfe_leaves_out_the_second_half_of_summer_for_pupils_aged_15_only():
    measured = summer_measures(SUMMER)
    assert measured["dfe_drops_from"].to_list() == [SPRING_BANK_HOLIDAY, None]
    # The school's own figures count every session.
    assert measured.select("possible", "absent", "persistent_absence").rows() == [
        (20, 10, True),
        (20, 10, True),
    ]
    assert measured.select("dfe_dropped_possible", "dfe_dropped_absent").rows() == [
        (10, 10),
        (0, 0),
    ]
    dfe = like_dfe(measured.lazy()).collect()
    assert dfe.select("possible", "absent", "persistent_absence", "attendance_rate").rows() == [
        (10, 0, False, 100.0),
        (20, 10, True, 50.0),
    ]


def test_a_window_that_ends_before_the_second_half_of_summer_loses_nothing():
    before = summer_measures(Window(date(2026, 4, 13), SPRING_BANK_HOLIDAY - timedelta(days=1)))
    assert before["dfe_dropped_possible"].to_list() == [0, 0]
    assert like_dfe(before.lazy()).collect().equals(before)


def test_a_frame_without_the_dropped_totals_is_already_as_dfe_counts_it():
    plain = measures(frames.enrolments({}), frames.all_marks(frames.marks(1, "/I")))
    assert "dfe_dropped_possible" not in plain.columns
    assert like_dfe(plain.lazy()).collect().equals(plain)
