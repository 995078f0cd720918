"""The governors' narrative: each rule's wording at its boundaries, and silence on hidden figures."""

from analytics.reports.governors.narrative import (
    Facts,
    Gap,
    YearGroup,
    attendance_sentence,
    behaviour_sentence,
    gap_sentence,
    narrative,
    national_sentence,
    persistent_sentence,
    progress_sentence,
    year_group_sentence,
)

AUTUMN = "autumn term 2025/26"
LAST = "autumn term 2024/25"


def facts(**changes) -> Facts:
    return Facts(
        **(
            {"term": AUTUMN, "last_term": LAST, "attendance": 95.14, "attendance_last": 94.33}
            | changes
        )
    )


def test_attendance_up_down_and_unchanged():
    assert (
        attendance_sentence(facts())
        == "Attendance in autumn term 2025/26 was 95.1%, up 0.8 points on autumn term 2024/25 (94.3%)."
    )
    assert "down 1.0 points on" in attendance_sentence(facts(attendance=93.3, attendance_last=94.3))
    # 95.14 and 95.1 differ by 0.04: rounded, that is no change.
    assert "the same as in autumn term 2024/25" in attendance_sentence(facts(attendance_last=95.1))
    assert (
        attendance_sentence(facts(attendance_last=None))
        == "Attendance in autumn term 2025/26 was 95.1%."
    )


def test_rounding_is_half_up():
    assert "95.3%" in attendance_sentence(facts(attendance=95.25, attendance_last=None))


def test_hidden_figures_say_nothing():
    assert attendance_sentence(facts(attendance=None)) is None
    assert persistent_sentence(facts()) is None
    assert national_sentence(facts(attendance_5_15=95.0)) is None  # no national figure
    assert gap_sentence(Gap("disadvantaged pupils", "other pupils", None, -5.1), LAST) is None
    assert behaviour_sentence(facts()) is None


def test_national_above_below_and_level():
    base = {
        "national_phase": "primary schools",
        "national_source": "autumn term 2024/25",
        "national_attendance": 94.83,
    }
    above = national_sentence(facts(attendance_5_15=95.2, **base))
    assert above == (
        "Pupils aged 5 to 15 attended 95.2% of their sessions, 0.4 points above the national figure for primary "
        "schools (94.8%, autumn term 2024/25)."
    )
    assert "0.6 points below" in national_sentence(facts(attendance_5_15=94.2, **base))
    assert "the same as the national" in national_sentence(facts(attendance_5_15=94.8, **base))


def test_persistent_absence_against_last_year_and_national():
    text = persistent_sentence(
        facts(
            persistent=14.2,
            persistent_last=16.0,
            persistent_5_15=13.9,
            national_persistent=15.8,
            national_phase="primary schools",
        )
    )
    assert text == (
        "14.2% of pupils were persistently absent (missed 10% or more of their sessions), down from 16.0% in "
        "autumn term 2024/25; among pupils aged 5 to 15 it was 13.9%, against 15.8% nationally."
    )
    assert "the same as in" in persistent_sentence(facts(persistent=14.2, persistent_last=14.24))


def test_gaps_narrow_widen_hold_and_cross():
    def gap(now, last):
        return gap_sentence(Gap("disadvantaged pupils", "other pupils", now, last), LAST)

    assert gap(-4.3, -5.1) == (
        "The attendance gap between disadvantaged pupils and other pupils narrowed from 5.1 points in "
        "autumn term 2024/25 to 4.3 points."
    )
    assert "widened from 4.3 points in autumn term 2024/25 to 5.1 points" in gap(-5.1, -4.3)
    assert "stayed at 4.3 points" in gap(-4.31, -4.28)
    assert (
        gap(0.5, 1.0)
        == "Attendance of disadvantaged pupils was 0.5 points above that of other pupils, as in autumn term 2024/25."
    )
    assert "fell behind" in gap(-1.2, 0.4) and "0.4 points above in" in gap(-1.2, 0.4)
    assert "caught up" in gap(0.3, -2.0) and "from 2.0 points below" in gap(0.3, -2.0)
    assert gap_sentence(Gap("disadvantaged pupils", "other pupils", -2.0, None), None) == (
        "Attendance of disadvantaged pupils was 2.0 points below that of other pupils."
    )


def test_year_groups_lowest_and_largest_change():
    years = (
        YearGroup("Year 5", 95.0, 96.0),
        YearGroup("Year 6", 93.1, 93.0),
        YearGroup("Year 4", None, 90.0),
    )
    assert year_group_sentence(facts(year_groups=years)) == (
        "Year 6 had the lowest attendance (93.1%); the largest change on autumn term 2024/25 was Year 5's, down 1.0 points."
    )
    same = (YearGroup("Year 5", 95.0, 95.1), YearGroup("Year 6", 92.0, 94.0))
    assert year_group_sentence(facts(year_groups=same)) == (
        "Year 6 had the lowest attendance (92.0%), and the largest change on autumn term 2024/25: down 2.0 points."
    )
    assert (
        year_group_sentence(facts(year_groups=years[:1])) is None
    )  # one year group: nothing to compare


def test_behaviour_counts_in_words():
    assert behaviour_sentence(
        facts(suspensions=23, suspensions_last=15, permanent_exclusions=0)
    ) == (
        "There were 23 suspensions (15 in autumn term 2024/25) and no permanent exclusions in autumn term 2025/26."
    )
    assert (
        behaviour_sentence(facts(suspensions=1, permanent_exclusions=None))
        == "There was 1 suspension in autumn term 2025/26."
    )
    assert behaviour_sentence(facts(suspensions=0, permanent_exclusions=2)) == (
        "There were no suspensions and 2 permanent exclusions in autumn term 2025/26."
    )


def test_a_term_under_way_says_so_first():
    text = narrative(facts(running_to="20 Nov 2026", running_to_last="20 Nov 2025"))
    assert text[0] == (
        "The term is still under way: figures run to 20 Nov 2026, and are compared with autumn term 2024/25 up to 20 Nov 2025."
    )
    assert progress_sentence(facts()) is None
