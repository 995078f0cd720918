"""The published DfE figures Rollcall ships in `data/benchmarks/` (the built-in baseline), and
the figure a school's own figure is compared with.

`benchmarks()` reads every built-in file into one tidy frame (one row per figure,
`figures.SCHEMA`); `national_benchmark()` and its neighbours pick the figure to compare with by
the newest-figure rule of `held.HeldFigures` (files imported with `rollcall import benchmarks`
join these in `held.held_figures`). Values are as DfE published them; where and how each file
was obtained is in `data/benchmarks/SOURCES.md`.

Caveat kept from DfE: before 2025/26, the national and regional `Total` rows of the daily data
weight each phase's rate by its census headcount instead of dividing summed sessions
(dfe-formulas.md §6.5), so they differ slightly from `Σ absent / Σ possible` (6.870% against
6.880% in 2024/25). They are kept as published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import polars as pl

from analytics.domain.calendar import academic_year_label
from analytics.reports.comparisons.figures import (
    BUILT_IN,
    CENSUS,
    DAILY,
    MEASURES,
    NATIONAL,
    PHASES,
    SCHEMA,
    WINDOWS,
)
from analytics.reports.comparisons.readers import Source, band_columns, read_figures, read_text
from analytics.settings import PROJECT_ROOT

__all__ = [
    "BENCHMARKS_DIR",
    "CENSUS",
    "DAILY",
    "MEASURES",
    "PHASES",
    "SCHEMA",
    "SOURCES",
    "WINDOWS",
    "Benchmark",
    "benchmarks",
    "local_authority_benchmark",
    "national_band_distribution",
    "national_benchmark",
    "national_group_benchmark",
]

BENCHMARKS_DIR = PROJECT_ROOT / "data" / "benchmarks"

#: The files `benchmarks()` reads. Daily-data windows are the date filters in DfE's dashboard
#: (`global.R` at the source commit, or the shared README where that file is not stored); census
#: and exclusion figures cover the whole academic year (1 Aug to 31 Jul).
SOURCES = (
    Source(
        "dfe_attendance_ytd_2022-23_nat_reg_la.csv",
        DAILY,
        "attendance",
        2022,
        window="year",
        window_start=date(2022, 9, 12),
        window_end=date(2023, 7, 28),
    ),
    Source(
        "dfe_attendance_ytd_2023-24_nat_reg_la.csv",
        DAILY,
        "attendance",
        2023,
        window="year",
        window_start=date(2023, 9, 11),
    ),
    Source(
        "dfe_attendance_ytd_2023-24_to_12jan2024_nat_reg_la.csv",
        DAILY,
        "attendance",
        2023,
        window="year_to_date",
        window_label="Year to date to 12 Jan 2024",
        window_start=date(2023, 9, 11),
        window_end=date(2024, 1, 12),
    ),
    Source(
        "dfe_attendance_ytd_2024-25_nat_reg_la.csv",
        DAILY,
        "attendance",
        2024,
        window="year",
        window_start=date(2024, 9, 9),
        window_end=date(2025, 7, 25),
    ),
    Source(
        "dfe_attendance_ytd_2025-26_to_week26_nat_reg_la.csv",
        DAILY,
        "attendance",
        2025,
        window="year",
        window_label="Year to date to week 26",
        window_start=date(2025, 9, 8),
        window_end=date(2026, 7, 10),
    ),
    Source(
        "dfe_attendance_term_2024-25_autumn_nat_reg_la.csv",
        DAILY,
        "attendance",
        2024,
        window="autumn",
        window_label="Autumn term",
        window_start=date(2024, 9, 9),
        window_end=date(2024, 12, 21),
    ),
    Source(
        "dfe_attendance_term_2024-25_spring_nat_reg_la.csv",
        DAILY,
        "attendance",
        2024,
        window="spring",
        window_label="Spring term",
        window_start=date(2025, 1, 6),
        window_end=date(2025, 4, 12),
    ),
    Source(
        "dfe_attendance_term_2024-25_summer_nat_reg_la.csv",
        DAILY,
        "attendance",
        2024,
        window="summer",
        window_label="Summer term",
        window_start=date(2025, 4, 14),
        window_end=date(2025, 7, 25),
    ),
    Source("dfe_attendance_weekly_autumn2024_nat_reg_la.csv", DAILY, "attendance", window="week"),
    Source(
        "dfe_pa_percent_fortnightly_ytd_2024-25_nat_reg_la.csv",
        DAILY,
        "fortnightly_pa",
        2024,
        window="year_to_date",
        window_start=date(2024, 9, 9),
    ),
    Source("dfe_absence_national_by_characteristic_2012-13_to_2016-17.csv", CENSUS, "census"),
    Source(
        "dfe_absence_bands_5pct_by_fsm_sen_sex_year_2016-17_to_2022-23_NATIONAL_extract.csv",
        CENSUS,
        "bands",
        window="year",
        window_label="Academic year (from the 5% absence bands)",
    ),
    Source("dfe_exclusions_national_summary_2006-07_to_2016-17.csv", CENSUS, "exclusions"),
    Source(
        "dfe_absence_bands_pa_counts_2022-23_reg_la.csv",
        CENSUS,
        "band_counts",
        window="year",
        window_label="Academic year (from the 5% absence bands)",
    ),
    Source(
        "dfe_absence_2term_by_sen_provision_2022-23_nat_reg_la.csv",
        CENSUS,
        "sen_provision",
        window="autumn_spring",
    ),
    Source("dfe_published_figures_2018-19_to_2024-25.csv", CENSUS, "published_text"),
)


@cache
def benchmarks(folder: Path = BENCHMARKS_DIR) -> pl.DataFrame:
    """Every published figure of the built-in files: one row per source file, window, place,
    phase, pupil characteristic and measure (columns as in SCHEMA), read once per process."""
    parts = [read_figures(read_text(folder / source.file_name), source) for source in SOURCES]
    return pl.concat(parts).collect()


@dataclass(frozen=True)
class Benchmark:
    """One published figure to compare a school with, and where it comes from."""

    value: float
    measure: str
    phase: str
    academic_year: int
    requested_year: int
    window: str
    window_label: str
    window_start: date | None
    window_end: date | None
    data_kind: str
    source_file: str
    characteristic: str = "Total"
    place: str = "England"
    figure_phase: str | None = None  # the phase of the figure, when not `phase` (all schools)
    source_note: str | None = None
    origin: str = BUILT_IN
    geographic_level: str = NATIONAL

    @property
    def same_year(self) -> bool:
        """False when the requested year had no figure and an earlier year's is given."""
        return self.academic_year == self.requested_year

    @property
    def years_older(self) -> int:
        """How many academic years the figure is older than the window it is compared with."""
        return self.requested_year - self.academic_year

    @property
    def older(self) -> bool:
        """More than one academic year older than the window: marked wherever it is shown."""
        return self.years_older > 1

    @property
    def year_label(self) -> str:
        return academic_year_label(self.academic_year)

    @property
    def kind_label(self) -> str:
        return (
            "DfE school census statistics (definitive)"
            if self.data_kind == CENSUS
            else "DfE daily attendance data (estimate)"
        )

    @property
    def label(self) -> str:
        """Where the figure comes from, for a page or an export."""
        span = ""
        if self.window_start and self.window_end:
            span = f", {_day(self.window_start)} to {_day(self.window_end)}"
        group = "" if self.characteristic == "Total" else f", {self.characteristic}"
        phase = self.phase
        if self.figure_phase and self.figure_phase != self.phase:
            phase = f"{self.phase} (DfE's figure for all state-funded schools)"
        where = self.source_file + (f"; {self.source_note}" if self.source_note else "")
        if self.origin != BUILT_IN:
            where += f"; {self.origin}"
        text = (
            f"{self.place}, {phase}{group}: {self.kind_label}, {self.year_label} "
            f"{self.window_label.lower()}{span} ({where})"
        )
        if not self.same_year:
            text += (
                f". No {academic_year_label(self.requested_year)} figure yet: this is the "
                f"latest earlier year"
            )
        if self.older:
            text += f", {self.years_older} academic years older than the window"
        if (
            self.data_kind == DAILY
            and (self.figure_phase or self.phase) == "Total"
            and self.academic_year < 2025
            and self.geographic_level != "Local authority"
        ):
            text += ". DfE weights this total by each phase's headcount"
        return text


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _canonical(value: str, allowed: tuple[str, ...], what: str) -> str:
    for option in allowed:
        if option.lower() == value.strip().lower():
            return option
    raise ValueError(f"unknown {what} '{value}': use one of {', '.join(allowed)}")


def _built_in():
    from analytics.reports.comparisons.held import built_in_figures  # held reads this module

    return built_in_figures()


def national_benchmark(
    phase: str, measure: str, academic_year: int, window: str = "year"
) -> Benchmark | None:
    """The national figure for `phase` and `measure` to compare a window of `academic_year`
    (its starting year) with, from the built-in files: the newest held up to that year for a
    comparable window (`held.comparable_windows`); None when there is none.

    `window` is a term (`autumn`, `spring`, `summer`) or `year`; or, for one exact kind of
    window, `week`, `year_to_date` or a window label such as `Week 37` (the latest-ending of
    the newest year). Only whole-population (`Total` characteristic) figures are used."""
    return _built_in().pick(
        _canonical(measure, MEASURES, "measure"),
        _canonical(phase, PHASES, "phase"),
        academic_year,
        window,
    )


def national_group_benchmark(
    phase: str, measure: str, academic_year: int, characteristics: Sequence[str]
) -> Benchmark | None:
    """The national figure for one group of pupils (`characteristics`: the names DfE's files
    give that group, e.g. `FSM_eligible` in the census file and `FSM: Eligible` in the bands
    file) for a whole academic year, the newest held up to `academic_year`; None when no file
    has it."""
    return _built_in().pick(
        _canonical(measure, MEASURES, "measure"),
        _canonical(phase, PHASES, "phase"),
        academic_year,
        "year",
        groups=tuple(characteristics),
    )


def local_authority_benchmark(
    la_number: str, phase: str, measure: str, academic_year: int, window: str = "year"
) -> Benchmark | None:
    """The figure of the local authority numbered `la_number` (the three digits that start a
    school's LAESTAB, DfE's `old_la_code`), chosen as `national_benchmark` chooses; None when
    DfE published none (an LA with one school reporting shows `c`)."""
    from analytics.reports.comparisons.places import place_of

    place = place_of(f"{str(la_number).strip()}0000", _built_in())
    if place is None:
        return None
    return _built_in().pick(
        _canonical(measure, MEASURES, "measure"),
        _canonical(phase, PHASES, "phase"),
        academic_year,
        window,
        where=place.local_authority,
    )


#: The bands file's school types for each phase (Total: all three).
_BAND_SCHOOL_TYPES = {
    "Primary": ("State-funded primary",),
    "Secondary": ("State-funded secondary",),
    "Special": ("Special",),
    "Total": ("State-funded primary", "State-funded secondary", "Special"),
}


def _band_floor_expr(column: str) -> pl.Expr:
    """`band_floor` for a column of band column names."""
    bound = pl.col(column).str.strip_prefix("pct").str.strip_suffix("_OARate")
    return (
        pl.when(bound == "50plus")
        .then(pl.lit(50))
        .otherwise(bound.cast(pl.Int32, strict=False) - 5)
        .cast(pl.Int32)
    )


def _bands_source() -> Source:
    return next(s for s in SOURCES if s.reader == "bands")


@cache
def _band_counts() -> pl.DataFrame:
    frame = read_text(BENCHMARKS_DIR / _bands_source().file_name)
    return (
        frame.with_columns(pl.col("time_period").str.slice(0, 4).cast(pl.Int32).alias("year"))
        .unpivot(
            on=band_columns(frame),
            index=["year", "school_type"],
            variable_name="column",
            value_name="enrolments",
        )
        .with_columns(pl.col("enrolments").cast(pl.Int64).fill_null(0))
        .group_by("year", "school_type", "column")
        .agg(pl.col("enrolments").sum())
        .collect()
    )


def national_band_distribution(
    phase: str, academic_year: int
) -> tuple[pl.DataFrame, Benchmark] | None:
    """DfE's national distribution of enrolments over the 5% absence bands for `phase`, from
    the latest census year up to `academic_year`: one row per band, `band_from` (the band's
    lowest rate: 0, 5, ... 50), `enrolments` and `share` (% of enrolments), with a Benchmark
    saying where it comes from (its value is the share in the 50%-and-over band). None when no
    year up to `academic_year` is in the file."""
    phase = _canonical(phase, PHASES, "phase")
    counts = _band_counts().filter(
        pl.col("school_type").is_in(list(_BAND_SCHOOL_TYPES[phase]))
        & (pl.col("year") <= academic_year)
    )
    if counts.is_empty():
        return None
    year = counts["year"].max()
    assert isinstance(year, int)
    shown = (
        counts.filter(pl.col("year") == year)
        .group_by("column")
        .agg(pl.col("enrolments").sum())
        .with_columns(_band_floor_expr("column").alias("band_from"))
        .with_columns((pl.col("enrolments") * 100.0 / pl.col("enrolments").sum()).alias("share"))
        .select("band_from", "enrolments", "share")
        .sort("band_from")
    )
    source = _bands_source()
    benchmark = Benchmark(
        value=shown["share"][-1],
        measure="absence_bands",
        phase=phase,
        academic_year=year,
        requested_year=academic_year,
        window="year",
        window_label=source.window_label or "Academic year",
        window_start=date(year, 8, 1),
        window_end=date(year + 1, 7, 31),
        data_kind=CENSUS,
        source_file=source.file_name,
    )
    return shown, benchmark
