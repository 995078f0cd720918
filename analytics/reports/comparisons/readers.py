"""Readers that turn one published DfE file (every column as text) into tidy figures: one row per
place, phase, pupil group, window and measure (`figures.SCHEMA`). The built-in files and the
files imported with `rollcall import benchmarks` go through the same readers.

Each reader takes what the file says about itself (its columns) and what only its source knows
(`Source`: the window a year-to-date file runs to, say). Values stay as DfE published them;
DfE's symbols for a missing or suppressed figure leave no row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from analytics.domain.calendar import academic_year_expr
from analytics.pipelines.measures import PERSISTENT_ABSENCE_PERCENT, SEVERE_ABSENCE_PERCENT, rate
from analytics.reports.comparisons.figures import (
    ATTENDANCE_RATES,
    BUILT_IN,
    CENSUS_RATES,
    DERIVED_RATES,
    EXCLUSION_RATES,
    NATIONAL,
    NOT_A_FIGURE,
    SCHEMA,
    academic_year_of_period,
    level_of,
    period_of,
    phase_of,
)


@dataclass(frozen=True)
class Source:
    """One published file: what kind of figure it holds and what its columns do not say (the
    window a year-to-date file covers). Fields left None are read from the file's rows."""

    file_name: str
    data_kind: str
    reader: str
    academic_year: int | None = None
    window: str | None = None
    window_label: str | None = None
    window_start: date | None = None
    window_end: date | None = None
    origin: str = BUILT_IN


def read_text(path: Path | bytes) -> pl.LazyFrame:
    """A published CSV with every column as text; DfE's placeholders become null."""
    if isinstance(path, bytes):
        return pl.read_csv(
            path, infer_schema=False, null_values=NOT_A_FIGURE, encoding="utf8-lossy"
        ).lazy()
    return pl.scan_csv(path, infer_schema=False, null_values=NOT_A_FIGURE)


def columns_of(frame: pl.LazyFrame) -> list[str]:
    return frame.collect_schema().names()


def first_present(frame: pl.LazyFrame, *names: str) -> str | None:
    """The first of `names` the file has."""
    columns = columns_of(frame)
    return next((name for name in names if name in columns), None)


def one_present(frame: pl.LazyFrame, *names: str) -> str:
    """The first of `names` the file has, where the file's shape (`published.shape_of`) says it
    has one of them."""
    found = first_present(frame, *names)
    assert found is not None, f"the file has none of the columns {', '.join(names)}"
    return found


_WINDOW_LABELS = {
    "year": "Academic year",
    "autumn": "Autumn term",
    "spring": "Spring term",
    "summer": "Summer term",
    "autumn_spring": "Autumn and spring terms",
}


def _text(column: str | None) -> pl.Expr:
    return pl.col(column).str.strip_chars() if column else pl.lit(None, dtype=pl.String)


def with_source(frame: pl.LazyFrame, source: Source) -> pl.LazyFrame:
    """The figures in SCHEMA: columns a reader did not set come from `source` (or defaults:
    national, all pupils), and rows with no measure value, phase, level or window are dropped."""
    known = columns_of(frame)
    defaults = {
        "source_file": pl.lit(source.file_name),
        "data_kind": pl.lit(source.data_kind),
        "academic_year": pl.lit(source.academic_year),
        "window": pl.lit(source.window or "year"),
        "window_label": pl.lit(None, dtype=pl.String),
        "window_start": pl.lit(source.window_start),
        "window_end": pl.lit(source.window_end),
        "geographic_level": pl.lit(NATIONAL),
        "region_code": pl.lit(None),
        "region_name": pl.lit(None),
        "la_name": pl.lit(None),
        "new_la_code": pl.lit(None),
        "old_la_code": pl.lit(None),
        "characteristic": pl.lit("Total"),
        "source_note": pl.lit(None),
        "origin": pl.lit(source.origin),
    }
    framed = frame.with_columns(
        expression.alias(name) for name, expression in defaults.items() if name not in known
    )
    if source.window is not None:
        framed = framed.with_columns(pl.lit(source.window).alias("window"))
    label = pl.lit(source.window_label) if source.window_label else pl.col("window_label")
    framed = framed.with_columns(
        pl.coalesce(
            label, pl.col("window").replace_strict(_WINDOW_LABELS, default=pl.col("window"))
        ).alias("window_label")
    )
    return (
        framed.select(pl.col(name).cast(dtype) for name, dtype in SCHEMA.items())
        .filter(
            pl.col("value").is_not_null()
            & pl.col("value").is_not_nan()
            & pl.col("phase").is_not_null()
            & pl.col("geographic_level").is_not_null()
            & pl.col("window").is_not_null()
            & pl.col("academic_year").is_not_null()
        )
        .with_columns(
            pl.col(c).str.strip_chars() for c in ("region_name", "la_name", "new_la_code")
        )
    )


def _places(frame: pl.LazyFrame, level_column: str | None = "geographic_level") -> list[pl.Expr]:
    """The place columns of a file that has them (national files may have none)."""
    columns = columns_of(frame)
    found = [
        level_of(level_column)
        if level_column in columns
        else pl.lit(NATIONAL).alias("geographic_level")
    ]
    found += [_text(c).alias(c) for c in ("region_code", "region_name") if c in columns]
    found += [_text(c).alias(c) for c in ("la_name", "new_la_code", "old_la_code") if c in columns]
    return found


def _long(frame: pl.LazyFrame, rates: dict[str, str], ids: list[str]) -> pl.LazyFrame:
    """One row per published rate cell (suppressed cells drop out in `with_source`)."""
    present = [column for column in rates if column in columns_of(frame)]
    return frame.unpivot(
        on=present, index=ids, variable_name="measure", value_name="value"
    ).with_columns(
        pl.col("measure").replace_strict(rates),
        pl.col("value").cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False),
    )


def _ids(framed: pl.LazyFrame) -> list[str]:
    """Every tidy column a reader has set so far (the rest are measure columns)."""
    return [c for c in columns_of(framed) if c in (*_TIDY, "group_key")]


_TIDY = tuple(name for name in (*SCHEMA,) if name not in ("measure", "value"))


# ---- daily attendance ("Pupil attendance in schools") ----------------------------------------


def _week_monday() -> pl.Expr:
    """The Monday of ISO week `time_identifier` ("Week 37") of calendar year `time_period`:
    week 1 is the week holding 4 January. Null on rows that are not weeks."""
    week = pl.col("time_identifier").str.strip_prefix("Week ").cast(pl.Int32, strict=False)
    calendar_year = pl.col("time_period").str.strip_chars()
    year = pl.when(calendar_year.str.len_chars() == 4).then(
        calendar_year.cast(pl.Int32, strict=False)
    )
    in_week = pl.date(year, 1, 4).dt.offset_by(pl.format("{}w", week - 1))
    return in_week.dt.offset_by(pl.format("-{}d", in_week.dt.weekday() - 1))


def _derived_rates() -> list[pl.Expr]:
    return [
        rate(
            pl.col(count).cast(pl.Float64, strict=False),
            pl.col("possible_sessions").cast(pl.Float64, strict=False),
        ).alias(f"{name}_derived")
        for name, count in DERIVED_RATES.items()
    ]


def attendance(frame: pl.LazyFrame, source: Source) -> pl.LazyFrame:
    """A daily-data file: year to date, a term, or weeks (`Week N` rows of calendar year
    `time_period`, each row's window its ISO week, Monday to Friday)."""
    columns = columns_of(frame)
    phase = one_present(frame, "education_phase", "school_type")
    has_counts = {"possible_sessions", *DERIVED_RATES.values()} <= set(columns)
    rates = ATTENDANCE_RATES | (
        {f"{name}_derived": name for name in DERIVED_RATES} if has_counts else {}
    )
    framed = frame.with_columns(
        phase_of(phase), *_places(frame), *(_derived_rates() if has_counts else [])
    )
    if "time_identifier" in columns:
        weekly = pl.col("window") == "week"
        monday = _week_monday()
        framed = framed.with_columns(period_of("time_identifier")).with_columns(
            pl.when(weekly)
            .then(academic_year_expr(monday))
            .otherwise(academic_year_of_period("time_period"))
            .alias("academic_year"),
            pl.when(weekly).then(pl.col("time_identifier")).alias("window_label"),
            pl.when(weekly)
            .then(monday)
            .otherwise(pl.lit(source.window_start, dtype=pl.Date))
            .alias("window_start"),
            pl.when(weekly)
            .then(monday.dt.offset_by("4d"))
            .otherwise(pl.lit(source.window_end, dtype=pl.Date))
            .alias("window_end"),
        )
    else:
        framed = framed.with_columns(academic_year_of_period("time_period"))
    return _long(framed, rates, _ids(framed))


def fortnightly_pa(frame: pl.LazyFrame, source: Source) -> pl.LazyFrame:
    """Year-to-date persistent absence at each publication: `Week N` of 2025 holds the data to
    the Friday of that week (week 30 is the full-year figure, to 25 Jul 2025)."""
    framed = frame.with_columns(
        phase_of("education_phase"),
        *_places(frame),
        pl.format(
            "Year to date to week {}", pl.col("time_identifier").str.strip_prefix("Week ")
        ).alias("window_label"),
        _week_monday().dt.offset_by("4d").alias("window_end"),
    )
    return _long(framed, {"persistent_absence_percent": "persistent_absence_rate"}, _ids(framed))


# ---- census absence ("Pupil absence in schools in England") -----------------------------------


def _whole_year(where: pl.Expr | None = None) -> list[pl.Expr]:
    """The dates of the academic year (on the rows `where` holds, when given)."""
    year = pl.col("academic_year")
    start, end = pl.date(year, 8, 1), pl.date(year + 1, 7, 31)
    if where is not None:
        start, end = pl.when(where).then(start), pl.when(where).then(end)
    return [start.alias("window_start"), end.alias("window_end")]


def census(frame: pl.LazyFrame, source: Source) -> pl.LazyFrame:
    """Census absence rates by place, phase and (when the file has one) pupil characteristic:
    DfE's current files (`time_period`, `time_identifier`, `school_type` or `education_phase`,
    `characteristic`) and the older national file (`year`, `term`, `level`)."""
    time = one_present(frame, "time_period", "year")
    period = first_present(frame, "time_identifier", "term")
    phase = one_present(frame, "school_type", "education_phase")
    characteristic = first_present(frame, "characteristic")
    framed = frame.with_columns(
        phase_of(phase),
        academic_year_of_period(time),
        *_places(frame, first_present(frame, "geographic_level", "level")),
        *([_text(characteristic).alias("characteristic")] if characteristic else []),
        *([period_of(period)] if period else []),
    )
    framed = framed.with_columns(_whole_year(pl.col("window") == "year" if period else None))
    return _long(framed, CENSUS_RATES, _ids(framed))


#: The SEND dashboard's absence measures, as Rollcall's measures.
_SEN_MEASURES = {
    "Overall": "absence_rate",
    "Authorised": "authorised_rate",
    "Unauthorised": "unauthorised_rate",
}


def sen_provision(frame: pl.LazyFrame, source: Source) -> pl.LazyFrame:
    """DfE's autumn-and-spring absence rates by SEN provision (all phases together), one row per
    measure (`Absence measure`, `Percentage`), as DfE's SEND dashboard publishes them."""
    framed = frame.with_columns(
        pl.lit("Total").alias("phase"),
        academic_year_of_period("time_period"),
        *_places(frame),
        pl.format("SEN provision: {}", _text("characteristic")).alias("characteristic"),
        pl.col("Absence measure")
        .str.strip_chars()
        .replace_strict(_SEN_MEASURES, default=None)
        .alias("measure"),
        pl.col("Percentage").str.strip_chars().cast(pl.Float64, strict=False).alias("value"),
    )
    # The national row names England as its region: no region of its own.
    return framed.with_columns(
        pl.when(pl.col("geographic_level") == NATIONAL)
        .then(None)
        .otherwise(pl.col("region_name"))
        .alias("region_name")
    ).filter(pl.col("measure").is_not_null())


# ---- 5% absence bands, and the counts derived from them -------------------------------------


def band_floor(column: str) -> int:
    """The lowest absence rate in a band column: `pct15_OARate` is [10, 15), `pct50plus`
    [50, 100]."""
    bound = column.removeprefix("pct").removesuffix("_OARate")
    return 50 if bound == "50plus" else int(bound) - 5


def band_columns(frame: pl.LazyFrame) -> list[str]:
    return [c for c in columns_of(frame) if c.endswith("_OARate")]


#: Pupil characteristics of the bands file, as (column, name used in `characteristic`). A band
#: figure's characteristic reads `FSM: Eligible`, `SEN: Any special educational need`, `Sex:
#: Female` or `NC year: 9`; `Unclassified` values are left out.
BAND_CHARACTERISTICS = (
    ("fsm_eligible", "FSM"),
    ("sen_status", "SEN"),
    ("gender", "Sex"),
    ("NCyearActual", "NC year"),
)

#: The place columns of the bands files.
_BAND_PLACE = ["geographic_level", "region_code", "region_name", "old_la_code", "new_la_code"]


def _band_rates(counts: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """Persistent and severe absence rates from summed enrolment counts, by phase and for the
    three phases together."""
    sums = [pl.col(c).sum() for c in ("enrolments", "persistent", "severe")]
    by_phase = counts.group_by(*keys, "phase").agg(sums)
    total = counts.group_by(*keys).agg(sums).with_columns(pl.lit("Total").alias("phase"))
    return (
        pl.concat([by_phase, total], how="diagonal")
        .with_columns(
            rate("persistent", "enrolments").alias("persistent_absence_rate"),
            rate("severe", "enrolments").alias("severe_absence_rate"),
            *_whole_year(),
        )
        .unpivot(
            on=["persistent_absence_rate", "severe_absence_rate"],
            index=[*keys, "phase", "window_start", "window_end"],
            variable_name="measure",
            value_name="value",
        )
    )


def bands(frame: pl.LazyFrame, source: Source) -> pl.LazyFrame:
    """Persistent and severe absence rates derived from enrolment counts in 5% absence bands,
    by place and phase and for all three phases together, for all pupils (`Total`) and by each
    of BAND_CHARACTERISTICS."""
    columns = band_columns(frame)
    persistent = [c for c in columns if band_floor(c) >= PERSISTENT_ABSENCE_PERCENT]
    severe = [c for c in columns if band_floor(c) >= SEVERE_ABSENCE_PERCENT]
    counts = frame.with_columns(
        phase_of("school_type"),
        academic_year_of_period("time_period"),
        *_places(frame),
        pl.sum_horizontal(pl.col(columns).cast(pl.Int64)).alias("enrolments"),
        pl.sum_horizontal(pl.col(persistent).cast(pl.Int64)).alias("persistent"),
        pl.sum_horizontal(pl.col(severe).cast(pl.Int64)).alias("severe"),
    )
    places = [c for c in _BAND_PLACE + ["la_name"] if c in columns_of(counts)]
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
        parts.append(_band_rates(rows, ["academic_year", *places, "characteristic"]))
    return pl.concat(parts)


def band_counts(frame: pl.LazyFrame, source: Source) -> pl.LazyFrame:
    """Rollcall's extract of the bands file's regional and LA rows: enrolments, persistent and
    severe absentees by place, school type and characteristic (see data/benchmarks/SOURCES.md)."""
    counts = frame.with_columns(
        phase_of("school_type"),
        academic_year_of_period("time_period"),
        *_places(frame),
        pl.col("characteristic").str.strip_chars(),
        pl.col("enrolments").cast(pl.Int64),
        pl.col("persistent_absentees").cast(pl.Int64).alias("persistent"),
        pl.col("severe_absentees").cast(pl.Int64).alias("severe"),
    )
    places = [*_BAND_PLACE, "la_name"]
    return _band_rates(counts, ["academic_year", *places, "characteristic"])


# ---- exclusions ("Suspensions and permanent exclusions in England") --------------------------


def exclusions(frame: pl.LazyFrame, source: Source) -> pl.LazyFrame:
    """Permanent exclusion and suspension rates (per 100 pupils) by place, phase and, when the
    file has one, pupil characteristic (`characteristic`, or the older files' `characteristic_1`
    where `characteristic_2` is `Total`)."""
    columns = columns_of(frame)
    framed = frame.with_columns(
        phase_of(one_present(frame, "school_type", "education_phase")),
        academic_year_of_period(one_present(frame, "time_period", "year")),
        *_places(frame, first_present(frame, "geographic_level", "level")),
    )
    if "characteristic_1" in columns:
        framed = framed.filter(
            pl.col("characteristic_2").str.strip_chars().is_in(["Total", None])
        ).with_columns(_text("characteristic_1").alias("characteristic"))
    elif "characteristic" in columns:
        framed = framed.with_columns(_text("characteristic").alias("characteristic"))
    timed = "time_identifier" in columns
    if timed:
        framed = framed.with_columns(period_of("time_identifier"))
    framed = framed.with_columns(_whole_year(pl.col("window") == "year" if timed else None))
    return _long(framed, EXCLUSION_RATES, _ids(framed))


# ---- figures DfE published as text -----------------------------------------------------------


def published_text(frame: pl.LazyFrame, source: Source) -> pl.LazyFrame:
    """Rollcall's transcription of figures DfE published only in the text of its releases (one
    row per figure, with the publication it was read from)."""
    framed = frame.with_columns(
        phase_of("school_type"),
        academic_year_of_period("time_period"),
        period_of("time_identifier"),
        level_of("geographic_level"),
        _text("data_kind").alias("data_kind"),
        _text("characteristic").alias("characteristic"),
        _text("measure").alias("measure"),
        pl.col("value").str.strip_chars().cast(pl.Float64),
        _text("source").alias("source_note"),
    )
    return framed.with_columns(_whole_year(pl.col("window") == "year"))


READERS: dict[str, Callable[[pl.LazyFrame, Source], pl.LazyFrame]] = {
    "attendance": attendance,
    "fortnightly_pa": fortnightly_pa,
    "census": census,
    "sen_provision": sen_provision,
    "bands": bands,
    "band_counts": band_counts,
    "exclusions": exclusions,
    "published_text": published_text,
}


def read_figures(frame: pl.LazyFrame, source: Source) -> pl.LazyFrame:
    """Every figure of one file, in SCHEMA."""
    return with_source(READERS[source.reader](frame, source), source)
