"""The analysis reports on a small school built through the real importers: cohort tables and
their national comparisons, the widest gaps, trends, comparisons with last year, the bands, the
pupil list and the pupil profile (missing marks and marks off roll included), behaviour."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from analytics.pipelines.windows import Window
from analytics.reports.analysis import cohorts as cohort_report

from analytics.reports.inputs.calendar import school_calendar
from analytics.reports.comparisons.periods import national_window, same_window_last_year
from analytics.reports.comparisons.scope import comparators
from analytics.reports.comparisons.national import national_benchmark, national_group_benchmark
from analytics.reports.analysis.overview import (
    band_comparison,
    headline,
    headline_comparison,
    overview_comparison,
    overview_figures,
)

from analytics.reports.analysis.pupil import NO_MARK, NOT_ON_ROLL, pupil_profile
from analytics.reports.analysis.pupils import pupil_list
from analytics.reports.inputs.records import load_behaviour
from analytics.reports.inputs.register import load_register
from analytics.reports.inputs.totals import load_totals
from tests.fixtures.ingest.builders import upn
from tests.fixtures.small_school import LEAVER, NOW, PUPILS, URN, build_small_school
from tests.fixtures.reference import behaviour_figures, cohort_trend, enrolment_table, patterns


@pytest.fixture
def school(db, load):
    return build_small_school(db, load)


@pytest.fixture
def enrolments(school):
    return enrolment_table(load_register(school, (URN,)), NOW, load_behaviour(school, (URN,)))


def by_group(table: pl.DataFrame) -> dict[str, dict]:
    return {row["group"]: row for row in table.iter_rows(named=True)}


def test_cohort_table_groups_rest_and_national(enrolments):
    table = by_group(
        cohort_report.cohort_table(enrolments, "fsm", "persistent_absence_rate", 2025, "autumn", 5)
    )
    whole, fsm, other = (
        table[cohort_report.ALL_PUPILS],
        table["FSM eligible"],
        table["Not FSM eligible"],
    )
    assert whole["pupils"] == PUPILS + 1 and fsm["pupils"] + other["pupils"] == whole["pupils"]
    # FSM pupils 0, 2, ... 24 (13 with the sixth former): all miss 4 of 20 sessions, all persistent.
    assert (fsm["pupils"], fsm["persistent_absentees"]) == (13, 13)
    assert fsm["persistent_absence_rate"] == pytest.approx(100.0)
    # The rest: 12 pupils; pupil 3 is severely absent, and the leaver missed 1 of the 10 sessions
    # on roll, exactly 10%: persistent.
    assert other["persistent_absence_rate"] == pytest.approx(200 / 12)
    assert fsm["rest_value"] == pytest.approx(200 / 12) and fsm["gap_to_rest"] == pytest.approx(
        100 - 200 / 12
    )
    # Compared with national: compulsory-age pupils only (the sixth former is out).
    assert fsm["compared_pupils"] == 12
    published = national_group_benchmark(
        "Secondary", "persistent_absence_rate", 2025, ("FSM_eligible", "FSM: Eligible")
    )
    assert fsm["national"] == pytest.approx(published.value) and fsm["national_year"] == "2022/23"
    assert fsm["gap_to_national"] == pytest.approx(100.0 - published.value)
    # The newest figure for an autumn window: 2025/26 year to date (newer than autumn 2024/25).
    headline = national_benchmark("Secondary", "persistent_absence_rate", 2025, "autumn")
    assert whole["national"] == pytest.approx(headline.value)
    assert headline.academic_year == 2025 and "2025/26 year to date" in whole["national_source"]


def test_attendance_gaps_and_groups_without_national_figures(enrolments):
    forms = by_group(
        cohort_report.cohort_table(enrolments, "form", "attendance_rate", 2025, "year", 5)
    )
    assert forms["12A"]["compared_pupils"] == 0 and forms["12A"]["national"] is None
    assert (
        forms["9A"]["national"] is None and "publishes no figure" in forms["9A"]["national_source"]
    )
    sex = by_group(
        cohort_report.cohort_table(enrolments, "sex", "attendance_rate", 2025, "year", 5)
    )
    published = national_group_benchmark(
        "Secondary", "absence_rate", 2025, ("Gender_female", "Sex: Female")
    )
    assert sex["Female"]["national"] == pytest.approx(
        100 - published.value
    )  # attendance is 100 - absence


def test_cohort_tables_on_overall_absence(enrolments):
    """The Cohorts page's "Overall absence" choice: the table has the measure it compares on
    (it had not, and the page failed)."""
    table = by_group(cohort_report.cohort_table(enrolments, "fsm", "absence_rate", 2025, "year", 5))
    whole = table[cohort_report.ALL_PUPILS]
    assert whole["absence_rate"] == pytest.approx(whole["absent"] * 100 / whole["possible"])
    fsm = table["FSM eligible"]
    assert fsm["absence_rate"] == pytest.approx(fsm["absent"] * 100 / fsm["possible"])
    assert fsm["gap_to_rest"] > 0


BOTH = {"FSM eligible", "Not FSM eligible"}


@pytest.mark.parametrize(("fewest", "small"), [(1, set()), (12, set()), (13, BOTH)])
def test_too_small_to_read_at_the_threshold(enrolments, fewest, small):
    # 13 FSM pupils (12 of compulsory age) and 12 others, each group the other's rest: at 13,
    # the others are too few, and so is the rest the FSM group is compared with.
    table = cohort_report.cohort_table(
        enrolments, "fsm", "persistent_absence_rate", 2025, "year", fewest
    )
    assert set(table.filter(pl.col("too_small"))["group"]) == small


def test_crossed_tables_have_no_national_figure(enrolments):
    crossed = cohort_report.cohort_table(
        enrolments, "fsm", "attendance_rate", 2025, "year", 1, cross="sen"
    )
    cells = crossed.filter(pl.col("group") != cohort_report.ALL_PUPILS)
    assert set(zip(cells["group"], cells["cross_group"], strict=True)) >= {
        ("Not FSM eligible", "SEN support")
    }
    assert cells["national"].null_count() == cells.height
    assert cells["pupils"].sum() == PUPILS + 1


def test_widest_gaps_rank_the_worst_gap_first_whatever_the_measure(enrolments):
    for measure in ("persistent_absence_rate", "attendance_rate"):
        found = cohort_report.widest_gaps(enrolments, measure, 2025, "year", 5)
        assert found["adverse_gap"].is_sorted(descending=True)
        assert found.row(0, named=True)["group"] in ("FSM eligible", "Disadvantaged")
        assert not found["too_small"].any() and cohort_report.ALL_PUPILS not in found["group"]
        if measure == "attendance_rate":
            assert (found["adverse_gap"] == -found["gap_to_national"]).all()
    table = cohort_report.cohort_table(enrolments, "fsm", "attendance_rate", 2025, "year", 5)
    assert cohort_report.widest_gap_to_rest(table, "attendance_rate") == "FSM eligible"


def test_trend_of_a_group_against_the_rest(school, enrolments):
    trend = cohort_trend(load_register(school, (URN,)), NOW, enrolments, "fsm", "FSM eligible")
    assert trend["series"].to_list() == ["FSM eligible", cohort_report.REST_OF_SCHOOL] * 2
    first = trend.filter(pl.col("series") == "FSM eligible").row(0, named=True)
    rest = trend.filter(pl.col("series") == cohort_report.REST_OF_SCHOOL).row(0, named=True)
    assert first["gap_to_rest"] == pytest.approx(first["attendance_rate"] - rest["attendance_rate"])
    assert rest["gap_to_rest"] is None


def test_headline_comparison_against_last_year_and_national(school):
    register = load_register(school, (URN,))
    calendar = school_calendar(school, (URN,))
    last = same_window_last_year(calendar, "custom", NOW)
    assert (last.start, last.end) == (date(2024, 9, 1), date(2024, 9, 12))
    table = {
        row["measure"]: row
        for row in headline_comparison(register, NOW, register, last, "autumn").iter_rows(
            named=True
        )
    }
    now, before = headline(register, NOW), headline(register, last)
    attendance = table["attendance_rate"]
    assert (attendance["value"], attendance["last_year"]) == (
        pytest.approx(now["attendance_rate"]),
        pytest.approx(before["attendance_rate"]),
    )
    assert attendance["change"] == pytest.approx(now["attendance_rate"] - before["attendance_rate"])
    assert attendance["compared_pupils"] == now["enrolments_counted"] - 1  # the sixth former
    assert attendance["national"] == pytest.approx(
        national_benchmark("Secondary", "attendance_rate", 2025, "autumn").value
    )
    # Severe absence is published for whole years only: the nearest window is the year.
    severe = table["severe_absence_rate"]
    assert severe["national"] is not None and "academic year" in severe["national_source"]
    assert table["attendance_rate"]["la"] is None and table["attendance_rate"]["region"] is None


def test_the_overview_comparisons_are_the_same_from_the_weekly_totals(school):
    """The Overview reads its comparisons from the weekly totals: they must equal the register's."""
    register = load_register(school, (URN,))
    last = same_window_last_year(school_calendar(school, (URN,)), "custom", NOW)
    now_totals, last_totals = load_totals(school, (URN,), NOW), load_totals(school, (URN,), last)
    from_register = headline_comparison(register, NOW, register, last, "autumn")
    from_totals = headline_comparison(now_totals, NOW, last_totals, last, "autumn")
    assert_frame_equal(from_totals, from_register)
    assert_frame_equal(band_comparison(now_totals, NOW)[0], band_comparison(register, NOW)[0])
    with pytest.raises(ValueError, match="not"):
        now_totals.enrolment_measures(last)


def test_the_overview_computes_once_what_each_report_gives_alone(school):
    """`overview_comparison` shares one computation of the per-enrolment measures between its
    figures, its table and its bands: each must equal the report computed on its own."""
    last = same_window_last_year(school_calendar(school, (URN,)), "custom", NOW)
    shown = overview_comparison(school, (URN,), NOW, last, (), "autumn")
    alone = overview_figures(school, (URN,), NOW)
    now_totals, last_totals = load_totals(school, (URN,), NOW), load_totals(school, (URN,), last)
    assert shown.figures.headline == alone.headline
    assert_frame_equal(shown.figures.by_school, alone.by_school)
    assert_frame_equal(shown.figures.weekly, alone.weekly)
    compare = comparators(school, (URN,))
    assert_frame_equal(
        shown.table, headline_comparison(now_totals, NOW, last_totals, last, "autumn", compare)
    )
    bands, source = band_comparison(now_totals, NOW)
    assert_frame_equal(shown.bands, bands)
    assert shown.bands_source == source


def test_windows_a_year_earlier(school):
    calendar = school_calendar(school, (URN,))
    assert same_window_last_year(
        calendar, "year", Window.academic_year(2025)
    ) == Window.academic_year(2024)
    ytd = same_window_last_year(calendar, "ytd", Window(date(2025, 8, 1), date(2025, 9, 12)))
    assert (ytd.start, ytd.end) == (date(2024, 8, 1), date(2024, 9, 12))
    # The last school week up to the same date a year earlier.
    weeks = same_window_last_year(
        calendar, "weeks", Window(date(2025, 9, 8), date(2025, 9, 12)), weeks=1
    )
    assert (weeks.start, weeks.end) == (date(2024, 9, 9), date(2024, 9, 12))
    # A named half-term: the same-named half-term of the year before, from the register.
    half = calendar.windows(2025, "half")[0]
    earlier = same_window_last_year(calendar, "half", half, part=half.label)
    assert (earlier.start, earlier.end) == (
        date(2024, 9, 2),
        date(2024, 9, 13),
    ) and half.label in earlier.label
    assert national_window("half", half, "Autumn 1") == "autumn"
    assert national_window("ytd", Window(date(2025, 8, 1), date(2025, 11, 1))) == "autumn"
    assert national_window("ytd", Window(date(2025, 8, 1), date(2026, 2, 1))) == "year"
    # Any window inside one term is compared with that term's figures.
    assert national_window("weeks", half) == "autumn"
    assert national_window("weeks", Window(date(2025, 12, 1), date(2026, 1, 16))) == "year"


def test_band_comparison(school):
    bands, source = band_comparison(load_register(school, (URN,)), NOW)
    assert bands["pupils"].sum() == PUPILS + 1
    assert bands.filter(pl.col("band_from") == 20)["pupils"].item() == 13  # the FSM pupils: 20%
    assert bands["compared_pupils"].sum() == PUPILS
    assert bands["national_share"].sum() == pytest.approx(100.0)
    assert "Secondary" in source and "bands" in source


def test_pupil_list_flags_and_order(enrolments):
    listed = pupil_list(enrolments)
    assert listed["attendance_rate"].drop_nulls().is_sorted()
    worst = listed.row(0, named=True)
    assert worst["upn"] == upn(3) and worst["flags"].startswith("Severe absence")
    suspended = listed.filter(pl.col("upn") == upn(6)).row(0, named=True)
    assert "Suspended" in suspended["flags"] and suspended["suspensions"] == 1
    assert "SEN support" in listed.filter(pl.col("upn") == upn(5))["flags"].item()
    nine_a = pupil_list(enrolments, [("year_group", "Year 9"), ("form", "9A")])
    assert set(nine_a["form"]) == {"9A"} and nine_a.height == 12


def test_the_profile_shows_missing_marks_and_marks_off_roll(school):
    register, records = load_register(school, (URN,)), load_behaviour(school, (URN,))
    days = school_calendar(school, (URN,)).days
    enrolment = register.enrolments.filter(pl.col("upn") == upn(2))["enrolment_id"].item()
    profile = pupil_profile(register, records, enrolment, NOW, days)
    kinds = dict(profile.register.group_by("kind").len().iter_rows())
    assert kinds[NO_MARK] == 2  # 10 Sep, AM and PM
    assert profile.figures["possible"] == 18 and profile.figures["authorised"] == 4
    assert profile.codes.row(0, named=True)["sessions"] == profile.codes["sessions"].max()
    assert profile.incidents.height == 1 and profile.exclusions.is_empty()
    leaver = register.enrolments.filter(pl.col("upn") == upn(LEAVER))["enrolment_id"].item()
    left = pupil_profile(register, records, leaver, NOW, days)
    off_roll = left.register.filter(pl.col("kind") == NOT_ON_ROLL)
    assert off_roll.height == 10 and off_roll["date"].min() == date(2025, 9, 8)
    assert left.figures["possible"] == 10
    suspended = register.enrolments.filter(pl.col("upn") == upn(6))["enrolment_id"].item()
    assert (
        "Physical assault against a pupil"
        in pupil_profile(register, records, suspended, NOW, days).exclusions["reasons"].item()
    )
    assert pupil_profile(register, records, 999_999, NOW, days) is None


def test_behaviour_figures(school, enrolments):
    figures = behaviour_figures(
        load_register(school, (URN,)), load_behaviour(school, (URN,)), NOW, enrolments, "fsm"
    )
    assert figures.totals["negative_incidents"] == 4 and figures.totals["positive_incidents"] == 4
    groups = {row["group"]: row for row in figures.by_group.iter_rows(named=True)}
    assert groups["All pupils"]["negative_per_100"] == pytest.approx(4 * 100 / (PUPILS + 1))
    assert groups["FSM eligible"]["negative_incidents"] == 4
    reasons = dict(zip(figures.by_reason["reason"], figures.by_reason["suspensions"], strict=True))
    assert reasons == {"PP": 1, "VA": 1}
    rates = {row["measure"]: row for row in figures.exclusion_rates.iter_rows(named=True)}
    assert rates["suspension_rate"]["value"] == pytest.approx(100 / (PUPILS + 1))
    assert rates["suspension_rate"]["national"] == pytest.approx(
        national_benchmark("Secondary", "suspension_rate", 2025).value
    )
    assert figures.absentees["pupils"].sum() == PUPILS + 1


def test_patterns_on_the_small_school(school):
    found = patterns(load_register(school, (URN,)), NOW, school_calendar(school, (URN,)))
    assert (
        found.weekday["possible"].sum() == (PUPILS + 1) * 20 - 2 - 10
    )  # pupil 2's missing day, the leaver
    assert (
        found.minutes_late.filter(pl.col("minutes_band") == "6 to 10 minutes")[
            "late_before_close"
        ].item()
        == 1
    )
    assert found.pupils_with_long_spells == 1  # pupil 3: ten sessions in a row
    # The register stops in its only half-term, which has therefore had no last week yet.
    assert set(found.term_edges_overall["position"]) == {"First week", "Other weeks"}


def test_the_schools_la_comes_from_its_laestab(school):
    assert comparators(school, (URN,)).place is None  # no LAESTAB recorded
    from analytics.store import benchmarks

    benchmarks.set_school_laestab(school, URN, "3524001", actor="test")
    place = comparators(school, (URN,)).place
    assert (place.la_number, place.la_name, place.region_name) == (
        "352",
        "Manchester",
        "North West",
    )


def test_a_pupils_attendance_in_each_academic_year(db, load):
    """The profile's history across years: each year on roll, latest first, counted as every
    page counts (exactly 10% absent is persistent absence), the year to date for this year."""
    from datetime import date

    from analytics.reports.analysis.pupil import attendance_by_year
    from analytics.store import read
    from tests.fixtures.ingest.builders import marks_csv, pupils_csv, upns

    (pupil,) = upns(1)
    load("pupils", pupils_csv([pupil], year_group="5"), school_urn=100001, school_name="Ash")
    # 2024/25: 10 sessions, 1 absent (exactly 10%). 2025/26: 4 sessions, all present.
    last_year = [
        (pupil, f"2025-06-{day:02d}", session, "N" if (day, session) == (2, "AM") else "/")
        for day in (2, 3, 4, 5, 6)
        for session in ("AM", "PM")
    ]
    this_year = [(pupil, f"2025-09-{day:02d}", s, "/") for day in (1, 2) for s in ("AM", "PM")]
    load("marks", marks_csv(last_year + this_year), school_urn=100001)
    enrolment = read.enrolments(db)["enrolment_id"][0]

    years = attendance_by_year(db, enrolment, date(2025, 9, 1))
    assert years.select("year", "possible", "absent", "persistent_absence").rows() == [
        ("2025/26", 2, 0, False),  # to 1 Sep only
        ("2024/25", 10, 1, True),
    ]
    assert years["year_group"].to_list() == ["4", "3"]  # Year 5 on the import day, 20 Nov 2026


def test_a_pupils_attendance_by_year_before_any_mark_is_imported(db, load):
    """Pupils imported, no marks yet: no years (it failed unpacking the missing date range)."""
    from datetime import date

    from analytics.reports.analysis.pupil import attendance_by_year
    from analytics.store import read
    from tests.fixtures.ingest.builders import pupils_csv, upns

    (pupil,) = upns(1)
    load("pupils", pupils_csv([pupil], year_group="5"), school_urn=100001, school_name="Ash")
    enrolment = read.enrolments(db)["enrolment_id"][0]

    assert attendance_by_year(db, enrolment, date(2025, 9, 1)).is_empty()


def test_reasons_read_as_one_row_per_week():
    from analytics.domain.reasons import ILLNESS, NOT_YET_KNOWN, REASON_GROUPS
    from analytics.reports.analysis.patterns import reasons_table

    long = pl.DataFrame(
        {
            "week_start": [date(2025, 9, 1)] * len(REASON_GROUPS)
            + [date(2025, 9, 8)] * len(REASON_GROUPS),
            "possible": [100] * len(REASON_GROUPS) + [50] * len(REASON_GROUPS),
            "reason": list(REASON_GROUPS) * 2,
            "sessions": [1] * (2 * len(REASON_GROUPS)),
        }
    ).with_columns((pl.col("sessions") * 100.0 / pl.col("possible")).alias("rate"))
    wide = reasons_table(long)
    assert wide.columns == ["week_start", *REASON_GROUPS, "possible"]
    assert wide.height == 2
    assert wide[ILLNESS].to_list() == [1.0, 2.0] and wide[NOT_YET_KNOWN].to_list() == [1.0, 2.0]


def test_the_half_term_the_register_is_in_has_no_last_week_yet():
    from analytics.reports.analysis.patterns import half_term_under_way

    halves = pl.DataFrame(
        {
            "label": ["Autumn 1", "Autumn 2"],
            "start": [date(2026, 9, 2), date(2026, 11, 2)],
            "end": [date(2026, 10, 23), date(2026, 11, 20)],
        }
    )
    assert half_term_under_way(halves, date(2026, 11, 20))["under_way"].to_list() == [False, True]
    # A register that runs to the end of the summer term has finished its last half-term.
    summer = halves.with_columns(pl.Series("end", [date(2027, 5, 21), date(2027, 7, 21)]))
    assert half_term_under_way(summer, date(2027, 7, 21))["under_way"].to_list() == [False, False]
