"""National, regional and LA benchmarks from the published DfE files in `data/benchmarks/`.

`benchmarks()` reads every file into one tidy frame (one row per figure); `national_benchmark()`
picks the national figure a school's own figure should be compared with. Values are as DfE
published them (unrounded where DfE published them unrounded); where and how each file was
obtained is in `data/benchmarks/SOURCES.md`.

Two kinds of figure, never mixed silently:
- `daily`: the "Pupil attendance in schools" statistics built from the registers schools share
  with DfE every day. Timely, but DfE calls them estimates.
- `census`: "Pupil absence in schools in England" and the exclusion statistics, from the school
  census. Definitive, but a year or more behind.

Caveat kept from DfE: before 2025/26, the national and regional `Total` rows of the daily data
weight each phase's rate by its census headcount instead of dividing summed sessions
(dfe-formulas.md §6.5), so they differ slightly from `Σ absent / Σ possible` (6.870% against
6.880% in 2024/25). They are kept as published.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import polars as pl

from analytics.domain.calendar import academic_year_expr, academic_year_label
from analytics.pipelines.measures import PERSISTENT_ABSENCE_PERCENT, SEVERE_ABSENCE_PERCENT, rate
from analytics.settings import PROJECT_ROOT

BENCHMARKS_DIR = PROJECT_ROOT / "data" / "benchmarks"

DAILY = "daily"
CENSUS = "census"

#: Kinds of window a figure covers. `year` is the academic year's figure: the full year, or the
#: year to date while DfE's latest file for that year stops before its end (2025/26).
WINDOWS = ("year", "autumn", "spring", "summer", "week", "year_to_date")
PHASES = ("Primary", "Secondary", "Special", "Total")

#: Symbols DfE prints instead of a figure: confidential, suppressed, not applicable, missing.
NOT_A_FIGURE = ["c", "x", "z", ".", "NA", "NaN", ""]

#: Every column of the frame `benchmarks()` returns, with its type.
SCHEMA = {
    "source_file": pl.String,
    "data_kind": pl.String,
    "academic_year": pl.Int32,
    "window": pl.String,
    "window_label": pl.String,
    "window_start": pl.Date,
    "window_end": pl.Date,
    "geographic_level": pl.String,
    "region_name": pl.String,
    "la_name": pl.String,
    "new_la_code": pl.String,
    "phase": pl.String,
    "characteristic": pl.String,
    "measure": pl.String,
    "value": pl.Float64,
}

#: Rate columns of the daily attendance files, as measure names. All are `sessions / possible
#: sessions × 100` except persistent absence (`enrolments / enrolments × 100`). Reason rates name
#: their register code.
ATTENDANCE_RATES = {
    "attendance_perc": "attendance_rate",
    "overall_absence_perc": "absence_rate",
    "authorised_absence_perc": "authorised_rate",
    "unauthorised_absence_perc": "unauthorised_rate",
    "pa_perc": "persistent_absence_rate",
    "illness_perc": "illness_rate",  # I
    "appointments_perc": "medical_appointments_rate",  # M
    "auth_religious_perc": "religious_observance_rate",  # R
    "auth_study_perc": "study_leave_rate",  # S
    "auth_grt_perc": "travelling_rate",  # T: traveller absence (to 2023/24)
    "auth_mob_perc": "travelling_rate",  # T: parent travelling for work (from 2024/25)
    "auth_holiday_perc": "authorised_holiday_rate",  # H
    "auth_excluded_perc": "excluded_rate",  # E
    "auth_performance_perc": "regulated_performance_rate",  # C1
    "auth_interview_perc": "interview_rate",  # J1
    "auth_part_time_perc": "reduced_timetable_rate",  # C2
    "auth_other_perc": "other_authorised_rate",  # C
    "unauth_hol_perc": "unauthorised_holiday_rate",  # G
    "unauth_late_registers_closed_perc": "late_after_close_rate",  # U
    "unauth_oth_perc": "other_unauthorised_rate",  # O
    "unauth_not_yet_perc": "no_reason_yet_rate",  # N
}

#: Published rates of the census characteristic file (one decimal place).
CENSUS_RATES = {
    "sess_overall_percent": "absence_rate",
    "sess_authorised_percent": "authorised_rate",
    "sess_unauthorised_percent": "unauthorised_rate",
    "enrolments_pa_10_exact_percent": "persistent_absence_rate",
}

#: Published rates of the exclusions summary, per 100 pupils (two decimal places).
EXCLUSION_RATES = {
    "perm_excl_rate": "permanent_exclusion_rate",
    "fixed_excl_rate": "suspension_rate",
    "one_or_more_fixed_excl_rate": "one_or_more_suspensions_rate",
}

MEASURES = tuple(
    dict.fromkeys(
        [
            *ATTENDANCE_RATES.values(),
            *CENSUS_RATES.values(),
            "severe_absence_rate",
            *EXCLUSION_RATES.values(),
        ]
    )
)

_PHASE_NAMES = {
    "primary": "Primary",
    "state-funded primary": "Primary",
    "secondary": "Secondary",
    "state-funded secondary": "Secondary",
    "special": "Special",
    "total": "Total",
    "all schools": "Total",
}

_ATTENDANCE_IDS = (
    "geographic_level",
    "region_name",
    "la_name",
    "new_la_code",
    "phase",
    "academic_year",
    "window_label",
    "window_start",
    "window_end",
)


@dataclass(frozen=True)
class Source:
    """One benchmark file: what kind of figure it holds and the window it covers."""

    file_name: str
    data_kind: str
    reader: str
    academic_year: int | None = None
    window: str = "year"
    window_label: str = "Academic year"
    window_start: date | None = None
    window_end: date | None = None


#: The files `benchmarks()` reads. Daily-data windows are the date filters in DfE's dashboard
#: (`global.R` at the source commit, or the shared README where that file is not stored); census
#: and exclusion figures cover the whole academic year (1 Aug to 31 Jul).
SOURCES = (
    Source(
        "dfe_attendance_ytd_2022-23_nat_reg_la.csv",
        DAILY,
        "attendance",
        2022,
        window_start=date(2022, 9, 12),
        window_end=date(2023, 7, 28),
    ),
    Source(
        "dfe_attendance_ytd_2023-24_nat_reg_la.csv",
        DAILY,
        "attendance",
        2023,
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
        window_start=date(2024, 9, 9),
        window_end=date(2025, 7, 25),
    ),
    Source(
        "dfe_attendance_ytd_2025-26_to_week26_nat_reg_la.csv",
        DAILY,
        "attendance",
        2025,
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
    Source("dfe_attendance_weekly_autumn2024_nat_reg_la.csv", DAILY, "weekly", window="week"),
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
        window_label="Academic year (from the 5% absence bands)",
    ),
    Source("dfe_exclusions_national_summary_2006-07_to_2016-17.csv", CENSUS, "exclusions"),
)


@dataclass(frozen=True)
class Benchmark:
    """One national figure to compare a school with, and where it comes from."""

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

    @property
    def same_year(self) -> bool:
        """False when the requested year had no figure and an earlier year's is given."""
        return self.academic_year == self.requested_year

    @property
    def label(self) -> str:
        """Where the figure comes from, for a page or an export."""
        kind = (
            "DfE school census statistics (definitive)"
            if self.data_kind == CENSUS
            else "DfE daily attendance data (estimate)"
        )
        span = ""
        if self.window_start and self.window_end:
            span = f", {_day(self.window_start)} to {_day(self.window_end)}"
        text = (
            f"England, {self.phase}: {kind}, {academic_year_label(self.academic_year)} "
            f"{self.window_label.lower()}{span} ({self.source_file})"
        )
        if not self.same_year:
            text += (
                f". No {academic_year_label(self.requested_year)} figure yet: this is the "
                f"latest earlier year"
            )
        if self.data_kind == DAILY and self.phase == "Total" and self.academic_year < 2025:
            text += ". DfE weights this total by each phase's headcount"
        return text


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _read(path: Path) -> pl.LazyFrame:
    """A benchmark CSV with every column as text; DfE's placeholders become null."""
    return pl.scan_csv(path, infer_schema=False, null_values=NOT_A_FIGURE)


def _phase(column: str) -> pl.Expr:
    return pl.col(column).str.to_lowercase().replace_strict(_PHASE_NAMES).alias("phase")


def _long(frame: pl.LazyFrame, rates: dict[str, str], ids: tuple[str, ...]) -> pl.LazyFrame:
    """One row per published rate cell, without the suppressed ones."""
    present = [column for column in rates if column in frame.collect_schema().names()]
    return (
        frame.unpivot(on=present, index=list(ids), variable_name="measure", value_name="value")
        .filter(pl.col("value").is_not_null())
        .with_columns(
            pl.col("measure").replace_strict(rates),
            pl.col("value").cast(pl.Float64),
        )
    )


def _with_source(frame: pl.LazyFrame, source: Source) -> pl.LazyFrame:
    known = frame.collect_schema().names()
    defaults = {
        "source_file": pl.lit(source.file_name),
        "data_kind": pl.lit(source.data_kind),
        "academic_year": pl.lit(source.academic_year),
        "window": pl.lit(source.window),
        "window_label": pl.lit(source.window_label),
        "window_start": pl.lit(source.window_start),
        "window_end": pl.lit(source.window_end),
        "geographic_level": pl.lit("National"),
        "region_name": pl.lit(None),
        "la_name": pl.lit(None),
        "new_la_code": pl.lit(None),
        "characteristic": pl.lit("Total"),
    }
    return frame.with_columns(
        expression.alias(name) for name, expression in defaults.items() if name not in known
    ).select(pl.col(name).cast(dtype) for name, dtype in SCHEMA.items())


def _attendance(frame: pl.LazyFrame, source: Source) -> pl.LazyFrame:
    """A year-to-date or term file of the daily data."""
    phase = (
        "education_phase" if "education_phase" in frame.collect_schema().names() else "school_type"
    )
    return _long(frame.with_columns(_phase(phase)), ATTENDANCE_RATES, _ATTENDANCE_IDS[:5])


def _week_monday() -> pl.Expr:
    """The Monday of ISO week `time_identifier` ("Week 37") of calendar year `time_period`:
    week 1 is the week holding 4 January."""
    week = pl.col("time_identifier").str.strip_prefix("Week ").cast(pl.Int32)
    in_week = pl.date(pl.col("time_period").cast(pl.Int32), 1, 4).dt.offset_by(
        pl.format("{}w", week - 1)
    )
    return in_week.dt.offset_by(pl.format("-{}d", in_week.dt.weekday() - 1))


def _weekly(frame: pl.LazyFrame, source: Source) -> pl.LazyFrame:
    """The weekly file: each row's window is its ISO week, Monday to Friday."""
    framed = frame.with_columns(
        _phase("school_type"),
        pl.col("time_identifier").alias("window_label"),
        _week_monday().alias("window_start"),
        _week_monday().dt.offset_by("4d").alias("window_end"),
        academic_year_expr(_week_monday()).alias("academic_year"),
    )
    return _long(framed, ATTENDANCE_RATES, _ATTENDANCE_IDS)


def _fortnightly_pa(frame: pl.LazyFrame, source: Source) -> pl.LazyFrame:
    """Year-to-date persistent absence at each publication: `Week N` of 2025 holds the data to
    the Friday of that week (week 30 is the full-year figure, to 25 Jul 2025)."""
    framed = frame.with_columns(
        _phase("education_phase"),
        pl.format(
            "Year to date to week {}", pl.col("time_identifier").str.strip_prefix("Week ")
        ).alias("window_label"),
        _week_monday().dt.offset_by("4d").alias("window_end"),
    )
    return _long(
        framed,
        {"persistent_absence_percent": "persistent_absence_rate"},
        (*_ATTENDANCE_IDS[:5], "window_label", "window_end"),
    )


def _academic_year(column: str) -> pl.Expr:
    """`202425` -> 2024."""
    return pl.col(column).str.slice(0, 4).cast(pl.Int32).alias("academic_year")


def _whole_year() -> list[pl.Expr]:
    year = pl.col("academic_year")
    return [
        pl.date(year, 8, 1).alias("window_start"),
        pl.date(year + 1, 7, 31).alias("window_end"),
    ]


def _census(frame: pl.LazyFrame, source: Source) -> pl.LazyFrame:
    """National census absence by phase and pupil characteristic (full year, six half terms)."""
    framed = frame.with_columns(_phase("school_type"), _academic_year("year")).with_columns(
        _whole_year()
    )
    ids = ("phase", "characteristic", "academic_year", "window_start", "window_end")
    return _long(framed, CENSUS_RATES, ids)


def _band_floor(column: str) -> int:
    """The lowest absence rate in a band column: `pct15_OARate` is [10, 15), `pct50plus`
    [50, 100]."""
    bound = column.removeprefix("pct").removesuffix("_OARate")
    return 50 if bound == "50plus" else int(bound) - 5


def _bands(frame: pl.LazyFrame, source: Source) -> pl.LazyFrame:
    """Persistent and severe absence rates derived from enrolment counts in 5% absence bands,
    by phase and for all three phases together."""
    bands = [c for c in frame.collect_schema().names() if c.endswith("_OARate")]
    persistent = [c for c in bands if _band_floor(c) >= PERSISTENT_ABSENCE_PERCENT]
    severe = [c for c in bands if _band_floor(c) >= SEVERE_ABSENCE_PERCENT]
    counts = frame.with_columns(
        _phase("school_type"),
        _academic_year("time_period"),
        pl.sum_horizontal(pl.col(bands).cast(pl.Int64)).alias("enrolments"),
        pl.sum_horizontal(pl.col(persistent).cast(pl.Int64)).alias("persistent"),
        pl.sum_horizontal(pl.col(severe).cast(pl.Int64)).alias("severe"),
    )
    sums = [pl.col(c).sum() for c in ("enrolments", "persistent", "severe")]
    by_phase = counts.group_by("academic_year", "phase").agg(sums)
    total = counts.group_by("academic_year").agg(sums).with_columns(pl.lit("Total").alias("phase"))
    return (
        pl.concat([by_phase, total], how="diagonal")
        .with_columns(
            rate("persistent", "enrolments").alias("persistent_absence_rate"),
            rate("severe", "enrolments").alias("severe_absence_rate"),
            *_whole_year(),
        )
        .unpivot(
            on=["persistent_absence_rate", "severe_absence_rate"],
            index=["academic_year", "phase", "window_start", "window_end"],
            variable_name="measure",
            value_name="value",
        )
    )


def _exclusions(frame: pl.LazyFrame, source: Source) -> pl.LazyFrame:
    """National permanent exclusion and suspension rates by phase (per 100 pupils)."""
    framed = (
        frame.filter(pl.col("school_type") != "dummy")
        .with_columns(_phase("school_type"), _academic_year("year"))
        .with_columns(_whole_year())
    )
    return _long(framed, EXCLUSION_RATES, ("phase", "academic_year", "window_start", "window_end"))


_READERS: dict[str, Callable[[pl.LazyFrame, Source], pl.LazyFrame]] = {
    "attendance": _attendance,
    "weekly": _weekly,
    "fortnightly_pa": _fortnightly_pa,
    "census": _census,
    "bands": _bands,
    "exclusions": _exclusions,
}


@cache
def benchmarks(folder: Path = BENCHMARKS_DIR) -> pl.DataFrame:
    """Every published figure of the benchmark files: one row per source file, window, place,
    phase, pupil characteristic and measure (columns as in SCHEMA), read once per process."""
    parts = [
        _with_source(_READERS[source.reader](_read(folder / source.file_name), source), source)
        for source in SOURCES
    ]
    return pl.concat(parts).collect()


def _canonical(value: str, allowed: tuple[str, ...], what: str) -> str:
    for option in allowed:
        if option.lower() == value.strip().lower():
            return option
    raise ValueError(f"unknown {what} '{value}': use one of {', '.join(allowed)}")


def national_benchmark(
    phase: str, measure: str, academic_year: int, window: str = "year"
) -> Benchmark | None:
    """The national figure for `phase` and `measure` in `academic_year` (its starting year),
    or, when that year has none, in the latest earlier year that has one; None when no year
    up to `academic_year` has it.

    `window` is a kind from WINDOWS (`year`, `autumn`, `spring`, `summer`, `week`,
    `year_to_date`) or an exact window label such as `Week 37`. Where a year has several
    matching windows the latest-ending is taken, and census figures (definitive) are preferred
    to daily-data estimates. Only whole-population (`Total` characteristic) figures are used.
    """
    phase = _canonical(phase, PHASES, "phase")
    measure = _canonical(measure, MEASURES, "measure")
    frame = benchmarks()
    if window.lower() in WINDOWS:
        in_window = pl.col("window") == window.lower()
    elif window in frame["window_label"]:
        in_window = pl.col("window_label") == window
    else:
        raise ValueError(
            f"unknown window '{window}': use one of {', '.join(WINDOWS)} or a window label"
        )
    candidates = frame.filter(
        (pl.col("geographic_level") == "National")
        & (pl.col("characteristic") == "Total")
        & (pl.col("phase") == phase)
        & (pl.col("measure") == measure)
        & (pl.col("academic_year") <= academic_year)
        & in_window
    )
    if candidates.is_empty():
        return None
    best = candidates.sort(
        pl.col("academic_year"),
        pl.col("data_kind") == CENSUS,
        pl.col("window_end"),
        descending=True,
        nulls_last=True,
    ).row(0, named=True)
    return Benchmark(
        value=best["value"],
        measure=measure,
        phase=phase,
        academic_year=best["academic_year"],
        requested_year=academic_year,
        window=best["window"],
        window_label=best["window_label"],
        window_start=best["window_start"],
        window_end=best["window_end"],
        data_kind=best["data_kind"],
        source_file=best["source_file"],
    )
