"""The national benchmarks: the data log of `data/benchmarks/`, the tidy frame read from it, and
the choice of the figure a school is compared with."""

from __future__ import annotations

import hashlib
import re
from datetime import date

import polars as pl
import pytest

from analytics.reports.comparisons.national import (
    BENCHMARKS_DIR,
    CENSUS,
    DAILY,
    MEASURES,
    PHASES,
    SCHEMA,
    SOURCES,
    WINDOWS,
    benchmarks,
    national_benchmark,
)


def sources_log() -> dict[str, tuple[int, str]]:
    """File name -> (rows, sha256) from the tables of SOURCES.md."""
    text = (BENCHMARKS_DIR / "SOURCES.md").read_text("utf-8")
    rows = re.findall(
        r"^\| `([^`]+\.csv)` \|.*?\| (\d+) \| `([0-9a-f]{64})` \|", text, flags=re.MULTILINE
    )
    return {name: (int(count), sha) for name, count, sha in rows}


def test_every_benchmark_file_is_logged_with_its_hash_and_rows() -> None:
    logged = sources_log()
    on_disk = sorted(p.name for p in BENCHMARKS_DIR.glob("*.csv"))
    assert sorted(logged) == on_disk
    for name, (rows, sha) in logged.items():
        data = (BENCHMARKS_DIR / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha, name
        assert data.count(b"\n") - 1 == rows, name  # no file has a line break inside a field
    text = (BENCHMARKS_DIR / "SOURCES.md").read_text("utf-8")
    assert (
        "Contains public sector information licensed under the Open Government Licence v3.0."
        in text
    )
    assert "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/" in text


def test_every_source_the_loader_reads_is_logged() -> None:
    assert {source.file_name for source in SOURCES} <= set(sources_log())


def test_frame_shape_and_vocabulary() -> None:
    frame = benchmarks()
    assert frame.schema == pl.Schema(SCHEMA)
    assert set(frame["phase"].unique()) == set(PHASES)
    assert set(frame["measure"].unique()) == set(MEASURES)
    assert set(frame["window"].unique()) <= set(WINDOWS)
    assert set(frame["data_kind"].unique()) == {DAILY, CENSUS}
    assert set(frame["source_file"].unique()) == {source.file_name for source in SOURCES}
    assert frame["value"].null_count() == 0 and not frame["value"].is_nan().any()
    # One figure per place, phase, characteristic, measure and window of a file.
    keys = [
        "source_file",
        "academic_year",
        "window_label",
        "geographic_level",
        "region_name",
        "la_name",
        "phase",
        "characteristic",
        "measure",
    ]
    assert frame.select(keys).is_unique().all()
    # Windows are dated and lie inside their academic year.
    dated = frame.filter(pl.col("window_end").is_not_null())
    assert (dated["window_start"] <= dated["window_end"]).all()
    assert (
        dated["window_start"] >= pl.Series([date(y, 8, 1) for y in dated["academic_year"]])
    ).all()
    assert (
        dated["window_end"] <= pl.Series([date(y + 1, 7, 31) for y in dated["academic_year"]])
    ).all()


def test_the_frame_is_read_once() -> None:
    assert benchmarks() is benchmarks()


def national(measure: str, phase: str = "Total", **where: object) -> pl.DataFrame:
    frame = benchmarks().filter(
        (pl.col("geographic_level") == "National")
        & (pl.col("characteristic") == "Total")
        & (pl.col("phase") == phase)
        & (pl.col("measure") == measure)
    )
    for column, value in where.items():
        frame = frame.filter(pl.col(column) == value)
    return frame


@pytest.mark.parametrize(
    ("year", "window", "phase", "absence", "persistent"),
    [
        # National headline values of the shared data README, 2 dp.
        (2022, "year", "Total", "7.53", "22.31"),
        (2023, "year", "Total", "7.21", "20.66"),
        (2024, "year", "Primary", "5.25", "13.50"),
        (2024, "year", "Secondary", "8.59", "24.32"),
        (2024, "year", "Special", "12.88", "35.80"),
        (2024, "year", "Total", "6.87", "18.70"),
        (2024, "autumn", "Total", "6.52", "19.14"),
        (2024, "spring", "Total", "6.94", "20.22"),
        (2024, "summer", "Total", "7.25", "23.98"),
        (2025, "year", "Total", "6.88", "18.78"),
    ],
)
def test_daily_headlines_are_as_published(
    year: int, window: str, phase: str, absence: str, persistent: str
) -> None:
    for measure, expected in (("absence_rate", absence), ("persistent_absence_rate", persistent)):
        figure = national(measure, phase, academic_year=year, window=window, data_kind=DAILY)
        assert figure.height == 1
        assert f"{figure['value'].item():.2f}" == expected


def test_census_and_band_figures() -> None:
    census = national("absence_rate", academic_year=2016, data_kind=CENSUS)
    assert census["value"].to_list() == [4.7]
    fsm = benchmarks().filter(
        (pl.col("characteristic") == "FSM_eligible")
        & (pl.col("phase") == "Total")
        & (pl.col("academic_year") == 2016)
    )
    assert dict(fsm.select("measure", "value").iter_rows()) == {
        "absence_rate": 7.3,
        "authorised_rate": 4.6,
        "unauthorised_rate": 2.7,
        "persistent_absence_rate": 22.6,
    }
    # The bands give persistent and severe absence per year and phase, unrounded.
    bands = national("persistent_absence_rate", source_file=SOURCES[11].file_name).sort(
        "academic_year"
    )
    assert bands["academic_year"].to_list() == [2016, 2017, 2018, 2020, 2021, 2022]
    assert bands["value"][0] == pytest.approx(744_276 / 6_899_769 * 100)
    severe = national("severe_absence_rate", "Special", academic_year=2022)
    assert severe.height == 1 and 0 < severe["value"].item() < 100


def test_weekly_and_fortnightly_windows() -> None:
    week = national("absence_rate", window_label="Week 37")
    assert week.select("academic_year", "window_start", "window_end").row(0) == (
        2024,
        date(2024, 9, 9),
        date(2024, 9, 13),
    )
    # National rows skip week 44 (October half term); LA rows have it.
    national_weeks = national("absence_rate", window="week")["window_label"].to_list()
    assert "Week 44" not in national_weeks and len(national_weeks) == 12
    assert not benchmarks().filter(pl.col("window_label") == "Week 44").is_empty()
    last = national("persistent_absence_rate", window_label="Year to date to week 30")
    assert last.select("value", "window_start", "window_end").row(0) == (
        18.7,
        date(2024, 9, 9),
        date(2025, 7, 25),
    )


def test_suppressed_cells_are_left_out() -> None:
    frame = benchmarks()
    # City of London's summer-term primary row is all `c`.
    city = frame.filter(
        (pl.col("la_name") == "City of London")
        & (pl.col("window") == "summer")
        & (pl.col("phase") == "Primary")
    )
    assert city.is_empty()
    # Weekly LA rows with no possible session publish NaN: no figure either.
    assert not frame["value"].is_nan().any()


def test_regional_and_la_rows_are_kept() -> None:
    frame = benchmarks().filter(
        pl.col("source_file") == SOURCES[3].file_name, pl.col("measure") == "absence_rate"
    )
    levels = dict(frame.group_by("geographic_level").len().iter_rows())
    assert levels == {"National": 4, "Regional": 36, "Local authority": 451}
    manchester = frame.filter(pl.col("la_name") == "Manchester", pl.col("phase") == "Primary")
    assert manchester.select("region_name", "new_la_code").row(0) == ("North West", "E08000003")


# ---- national_benchmark ------------------------------------------------------------------------


def test_same_year_daily_figure() -> None:
    benchmark = national_benchmark("Secondary", "absence_rate", 2024)
    assert benchmark is not None
    assert benchmark.value == pytest.approx(8.5945, abs=1e-4)
    assert (benchmark.academic_year, benchmark.same_year, benchmark.data_kind) == (
        2024,
        True,
        DAILY,
    )
    assert (benchmark.window_start, benchmark.window_end) == (date(2024, 9, 9), date(2025, 7, 25))
    assert "daily attendance data (estimate)" in benchmark.label
    assert "2024/25 academic year, 9 Sep 2024 to 25 Jul 2025" in benchmark.label
    assert "latest earlier" not in benchmark.label


def test_later_year_falls_back_to_the_latest_earlier_one_and_says_so() -> None:
    benchmark = national_benchmark("Total", "persistent_absence_rate", 2027)
    assert benchmark is not None
    assert (benchmark.academic_year, benchmark.requested_year, benchmark.same_year) == (
        2025,
        2027,
        False,
    )
    assert benchmark.window_label == "Year to date to week 26"
    assert "No 2027/28 figure yet" in benchmark.label


def test_census_is_preferred_when_a_year_has_both() -> None:
    """2022/23 PA: the census figure (bands, 21.2%) is definitive; the daily estimate was 22.3%."""
    benchmark = national_benchmark("total", "persistent_absence_rate", 2022)
    assert benchmark is not None
    assert benchmark.data_kind == CENSUS and round(benchmark.value, 1) == 21.2
    assert "census" in benchmark.label


def test_gap_years_use_the_latest_earlier_year() -> None:
    # No primary census absence rate after 2016/17 is held, and no daily rate before 2022/23.
    # DfE's 2018/19 figure for all schools (rules.md §9) is only two years newer: the phase's
    # own figure stands.
    benchmark = national_benchmark("Primary", "absence_rate", 2019)
    assert benchmark is not None and benchmark.academic_year == 2016 and not benchmark.same_year
    assert benchmark.figure_phase == "Primary"
    all_schools = national_benchmark("Total", "absence_rate", 2019)
    assert all_schools is not None and all_schools.academic_year == 2018
    assert national_benchmark("Primary", "absence_rate", 2011) is None


def test_terms_weeks_and_labels() -> None:
    # Autumn 2024/25: the census figure (6.38%, definitive) before the daily estimate (6.52%).
    autumn = national_benchmark("Total", "absence_rate", 2024, window="autumn")
    assert autumn is not None and autumn.value == 6.38 and autumn.data_kind == CENSUS
    spring = national_benchmark("Total", "absence_rate", 2024, window="spring")
    assert spring is not None and round(spring.value, 2) == 6.94
    assert "DfE weights this total" in spring.label
    latest_week = national_benchmark("Total", "absence_rate", 2024, window="week")
    assert latest_week is not None and latest_week.window_label == "Week 49"
    week_37 = national_benchmark("Primary", "illness_rate", 2024, window="Week 37")
    assert week_37 is not None and week_37.window_end == date(2024, 9, 13)
    year_to_date = national_benchmark(
        "Total", "persistent_absence_rate", 2023, window="year_to_date"
    )
    assert year_to_date is not None and year_to_date.window_label == "Year to date to 12 Jan 2024"


def test_exclusions() -> None:
    benchmark = national_benchmark("Secondary", "suspension_rate", 2016)
    assert benchmark is not None and benchmark.value == 9.4 and benchmark.data_kind == CENSUS


@pytest.mark.parametrize(
    ("phase", "measure", "window"),
    [
        ("Nursery", "absence_rate", "year"),
        ("Total", "absence", "year"),
        ("Total", "absence_rate", "fortnight"),
    ],
)
def test_unknown_names_are_refused(phase: str, measure: str, window: str) -> None:
    with pytest.raises(ValueError, match="unknown"):
        national_benchmark(phase, measure, 2024, window=window)


# ---- groups, local authorities, lateness and bands (issue 3) ------------------------------------


def test_late_before_registers_closed_is_computed_as_dfe_computes_rates() -> None:
    """L sessions / possible × 100 from the same row: 2024/25 national primary."""
    import csv

    from analytics.reports.comparisons.national import BENCHMARKS_DIR as folder

    with open(folder / "dfe_attendance_ytd_2024-25_nat_reg_la.csv", newline="") as handle:
        row = next(
            r
            for r in csv.DictReader(handle)
            if r["geographic_level"] == "National" and r["school_type"] == "Primary"
        )
    expected = (
        int(row["reason_l_present_late_before_registers_closed"])
        / int(row["possible_sessions"])
        * 100
    )
    benchmark = national_benchmark("Primary", "late_before_close_rate", 2024)
    assert benchmark is not None and benchmark.value == pytest.approx(expected)


def test_group_figures_come_from_the_latest_census_year_that_has_them() -> None:
    from analytics.reports.comparisons.national import national_group_benchmark

    # Persistent absence of FSM-eligible pupils: the bands file has 2022/23, the census file 2016/17.
    latest = national_group_benchmark(
        "Secondary", "persistent_absence_rate", 2025, ["FSM_eligible", "FSM: Eligible"]
    )
    assert (
        latest is not None
        and latest.academic_year == 2022
        and latest.characteristic == "FSM: Eligible"
    )
    assert "FSM: Eligible" in latest.label and "No 2025/26 figure yet" in latest.label
    # Absence rates by group are only in the census file (to 2016/17).
    absence = national_group_benchmark(
        "Total", "absence_rate", 2025, ["FSM_eligible", "FSM: Eligible"]
    )
    assert absence is not None and (absence.academic_year, absence.value) == (2016, 7.3)
    assert national_group_benchmark("Total", "absence_rate", 2025, ["No such group"]) is None


def test_band_group_rates_add_up_from_their_counts() -> None:
    frame = benchmarks().filter(
        pl.col("characteristic").str.starts_with("SEN: "),
        pl.col("academic_year") == 2022,
        pl.col("geographic_level") == "National",
    )
    assert set(frame["characteristic"]) == {
        "SEN: Any special educational need",
        "SEN: No identified special educational need",
    }
    any_sen = frame.filter(
        pl.col("characteristic") == "SEN: Any special educational need",
        pl.col("phase") == "Total",
        pl.col("measure") == "persistent_absence_rate",
    )["value"].item()
    none = frame.filter(
        pl.col("characteristic") == "SEN: No identified special educational need",
        pl.col("phase") == "Total",
        pl.col("measure") == "persistent_absence_rate",
    )["value"].item()
    total = national_benchmark("Total", "persistent_absence_rate", 2022)
    assert none < total.value < any_sen  # pupils with SEN miss more school, as published


def test_local_authority_figures_by_la_number() -> None:
    from analytics.reports.comparisons.national import local_authority_benchmark

    manchester = local_authority_benchmark("352", "Primary", "absence_rate", 2024)
    assert manchester is not None and manchester.place == "Manchester"
    assert manchester.label.startswith("Manchester, Primary:")
    assert "weights" not in manchester.label
    assert local_authority_benchmark("999", "Primary", "absence_rate", 2024) is None


def test_national_band_distribution() -> None:
    from analytics.reports.comparisons.national import national_band_distribution

    found = national_band_distribution("Secondary", 2025)
    assert found is not None
    shown, source = found
    assert shown["band_from"].to_list() == list(range(0, 55, 5))
    assert shown["share"].sum() == pytest.approx(100.0)
    assert source.academic_year == 2022 and not source.same_year and source.data_kind == CENSUS
    persistent = (
        shown.filter(pl.col("band_from") >= 10)["enrolments"].sum()
        / shown["enrolments"].sum()
        * 100
    )
    published = national_benchmark("Secondary", "persistent_absence_rate", 2022)
    assert published is not None and persistent == pytest.approx(published.value)
    assert national_band_distribution("Total", 2015) is None
