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

from collections.abc import Callable, Sequence
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
    "old_la_code": pl.String,
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

#: Rates DfE's daily files give only as counts, computed here the way DfE computes its own:
#: `sessions / possible_sessions × 100` (dfe-formulas.md §6.2). Name -> count column.
DERIVED_RATES = {
    "late_before_close_rate": "reason_l_present_late_before_registers_closed",  # L
}
_DAILY_RATES = ATTENDANCE_RATES | {f"{name}_derived": name for name in DERIVED_RATES}

MEASURES = tuple(
    dict.fromkeys(
        [
            *ATTENDANCE_RATES.values(),
            *DERIVED_RATES,
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

_PLACE_IDS = (
    "geographic_level",
    "region_name",
    "la_name",
    "new_la_code",
    "old_la_code",
    "phase",
)
_ATTENDANCE_IDS = (
    *_PLACE_IDS,
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
    characteristic: str = "Total"
    place: str = "England"

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
        group = "" if self.characteristic == "Total" else f", {self.characteristic}"
        text = (
            f"{self.place}, {self.phase}{group}: {kind}, {academic_year_label(self.academic_year)} "
            f"{self.window_label.lower()}{span} ({self.source_file})"
        )
        if not self.same_year:
            text += (
                f". No {academic_year_label(self.requested_year)} figure yet: this is the "
                f"latest earlier year"
            )
        if (
            self.data_kind == DAILY
            and self.phase == "Total"
            and self.academic_year < 2025
            and self.place == "England"
        ):
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
        "old_la_code": pl.lit(None),
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
    return _long(frame.with_columns(_phase(phase), *_derived_rates()), _DAILY_RATES, _PLACE_IDS)


def _derived_rates() -> list[pl.Expr]:
    return [
        rate(pl.col(count).cast(pl.Float64), pl.col("possible_sessions").cast(pl.Float64)).alias(
            f"{name}_derived"
        )
        for name, count in DERIVED_RATES.items()
    ]


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
        *_derived_rates(),
        pl.col("time_identifier").alias("window_label"),
        _week_monday().alias("window_start"),
        _week_monday().dt.offset_by("4d").alias("window_end"),
        academic_year_expr(_week_monday()).alias("academic_year"),
    )
    return _long(framed, _DAILY_RATES, _ATTENDANCE_IDS)


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
        (*_PLACE_IDS, "window_label", "window_end"),
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


#: Pupil characteristics of the bands file, as (column, name used in `characteristic`). A band
#: figure's characteristic reads `FSM: Eligible`, `SEN: Any special educational need`, `Sex:
#: Female` or `NC year: 9`; `Unclassified` values are left out.
BAND_CHARACTERISTICS = (
    ("fsm_eligible", "FSM"),
    ("sen_status", "SEN"),
    ("gender", "Sex"),
    ("NCyearActual", "NC year"),
)


def _band_columns(frame: pl.LazyFrame) -> list[str]:
    return [c for c in frame.collect_schema().names() if c.endswith("_OARate")]


def _band_floor_expr(column: str) -> pl.Expr:
    """`_band_floor` for a column of band column names."""
    bound = pl.col(column).str.strip_prefix("pct").str.strip_suffix("_OARate")
    return (
        pl.when(bound == "50plus")
        .then(pl.lit(50))
        .otherwise(bound.cast(pl.Int32, strict=False) - 5)
        .cast(pl.Int32)
    )


def _bands(frame: pl.LazyFrame, source: Source) -> pl.LazyFrame:
    """Persistent and severe absence rates derived from enrolment counts in 5% absence bands,
    by phase and for all three phases together, for all pupils (`Total`) and by each of
    BAND_CHARACTERISTICS."""
    bands = _band_columns(frame)
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
    parts = []
    groupings = [(pl.lit("Total"), None)] + [
        (pl.format(f"{name}: {{}}", pl.col(column).str.strip_chars()), column)
        for column, name in BAND_CHARACTERISTICS
    ]
    for characteristic, column in groupings:
        rows = (
            counts
            if column is None
            else counts.filter(pl.col(column).str.strip_chars() != "Unclassified")
        )
        rows = rows.with_columns(characteristic.alias("characteristic"))
        by_phase = rows.group_by("academic_year", "phase", "characteristic").agg(sums)
        total = (
            rows.group_by("academic_year", "characteristic")
            .agg(sums)
            .with_columns(pl.lit("Total").alias("phase"))
        )
        parts += [by_phase, total]
    return (
        pl.concat(parts, how="diagonal")
        .with_columns(
            rate("persistent", "enrolments").alias("persistent_absence_rate"),
            rate("severe", "enrolments").alias("severe_absence_rate"),
            *_whole_year(),
        )
        .unpivot(
            on=["persistent_absence_rate", "severe_absence_rate"],
            index=["academic_year", "phase", "characteristic", "window_start", "window_end"],
            variable_name="measure",
            value_name="value",
        )
        .filter(pl.col("value").is_not_null())
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


def _best(
    candidates: pl.DataFrame, measure: str, phase: str, requested_year: int, place: str = "England"
) -> Benchmark | None:
    """The latest year's figure among `candidates`, census (definitive) before daily data, then
    the latest-ending window."""
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
        requested_year=requested_year,
        window=best["window"],
        window_label=best["window_label"],
        window_start=best["window_start"],
        window_end=best["window_end"],
        data_kind=best["data_kind"],
        source_file=best["source_file"],
        characteristic=best["characteristic"],
        place=place,
    )


def _window_filter(window: str) -> pl.Expr:
    if window.lower() in WINDOWS:
        return pl.col("window") == window.lower()
    if window in benchmarks()["window_label"]:
        return pl.col("window_label") == window
    raise ValueError(
        f"unknown window '{window}': use one of {', '.join(WINDOWS)} or a window label"
    )


def _figures(
    phase: str, measure: str, academic_year: int, window: str
) -> tuple[str, str, pl.DataFrame]:
    phase = _canonical(phase, PHASES, "phase")
    measure = _canonical(measure, MEASURES, "measure")
    in_window = _window_filter(window)
    frame = benchmarks().filter(
        (pl.col("phase") == phase)
        & (pl.col("measure") == measure)
        & (pl.col("academic_year") <= academic_year)
        & in_window
    )
    return phase, measure, frame


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
    phase, measure, frame = _figures(phase, measure, academic_year, window)
    candidates = frame.filter(
        (pl.col("geographic_level") == "National") & (pl.col("characteristic") == "Total")
    )
    return _best(candidates, measure, phase, academic_year)


def national_group_benchmark(
    phase: str, measure: str, academic_year: int, characteristics: Sequence[str]
) -> Benchmark | None:
    """The national figure for one group of pupils (`characteristics`: the names DfE's files
    give that group, e.g. `FSM_eligible` in the census file and `FSM: Eligible` in the bands
    file) over the whole academic year, from the latest year up to `academic_year` that has
    one; None when no file has it. Group figures are census statistics only."""
    phase, measure, frame = _figures(phase, measure, academic_year, "year")
    candidates = frame.filter(
        (pl.col("geographic_level") == "National")
        & pl.col("characteristic").is_in(list(characteristics))
    )
    return _best(candidates, measure, phase, academic_year)


def local_authority_benchmark(
    la_number: str, phase: str, measure: str, academic_year: int, window: str = "year"
) -> Benchmark | None:
    """The figure of the local authority numbered `la_number` (the three digits that start a
    school's LAESTAB, DfE's `old_la_code`), chosen as `national_benchmark` chooses; None when
    DfE published none (an LA with one school reporting shows `c`)."""
    phase, measure, frame = _figures(phase, measure, academic_year, window)
    candidates = frame.filter(
        (pl.col("geographic_level") == "Local authority")
        & (pl.col("old_la_code") == str(la_number).strip())
        & (pl.col("characteristic") == "Total")
    )
    if candidates.is_empty():
        return None
    return _best(candidates, measure, phase, academic_year, place=candidates["la_name"][0])


#: The bands file's school types for each phase (Total: all three).
_BAND_SCHOOL_TYPES = {
    "Primary": ("State-funded primary",),
    "Secondary": ("State-funded secondary",),
    "Special": ("Special",),
    "Total": ("State-funded primary", "State-funded secondary", "Special"),
}


@cache
def _band_counts() -> pl.DataFrame:
    source = next(s for s in SOURCES if s.reader == "bands")
    frame = _read(BENCHMARKS_DIR / source.file_name)
    bands = _band_columns(frame)
    return (
        frame.with_columns(_academic_year("time_period"))
        .unpivot(
            on=bands,
            index=["academic_year", "school_type"],
            variable_name="column",
            value_name="enrolments",
        )
        .with_columns(pl.col("enrolments").cast(pl.Int64).fill_null(0))
        .group_by("academic_year", "school_type", "column")
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
        & (pl.col("academic_year") <= academic_year)
    )
    if counts.is_empty():
        return None
    year = counts["academic_year"].max()
    shown = (
        counts.filter(pl.col("academic_year") == year)
        .group_by("column")
        .agg(pl.col("enrolments").sum())
        .with_columns(_band_floor_expr("column").alias("band_from"))
        .with_columns((pl.col("enrolments") * 100.0 / pl.col("enrolments").sum()).alias("share"))
        .select("band_from", "enrolments", "share")
        .sort("band_from")
    )
    source = next(s for s in SOURCES if s.reader == "bands")
    benchmark = Benchmark(
        value=shown["share"][-1],
        measure="absence_bands",
        phase=phase,
        academic_year=year,
        requested_year=academic_year,
        window="year",
        window_label=source.window_label,
        window_start=date(year, 8, 1),
        window_end=date(year + 1, 7, 31),
        data_kind=CENSUS,
        source_file=source.file_name,
    )
    return shown, benchmark
