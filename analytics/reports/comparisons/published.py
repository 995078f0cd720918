"""Reading DfE's published CSVs as Explore Education Statistics (EES) serves them, for
`rollcall import benchmarks` and the Import page: which shape a file has (by its columns), its
checks, and its figures.

Every EES data file has the same frame: `time_period` (202425 for 2024/25), often
`time_identifier` (`Academic year`, `Autumn term`), `geographic_level` with the region and LA
codes, a phase or school type, the file's filters (a pupil characteristic) and its indicators.
A shape is known by the columns it must have; a file of no known shape is refused with the
columns each shape needs. A file is checked whole before anything is kept: every value a shape
reads is a number or one of DfE's symbols, and every time period is an academic year.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from analytics.domain.calendar import academic_year_label
from analytics.reports.comparisons.figures import (
    ATTENDANCE_RATES,
    CENSUS,
    CENSUS_RATES,
    DAILY,
    EXCLUSION_RATES,
    NOT_A_FIGURE,
    phase_of,
)
from analytics.reports.comparisons.readers import Source, read_figures
from analytics.store import Database
from analytics.store import benchmarks as stored

#: Symbols the school-level files print for a suppressed figure, beside DfE's usual ones.
SCHOOL_SYMBOLS = ["SUPP", "supp", "NE", "NP", "DNS"]

#: One row per school and figure, as `benchmark_school_figures` keeps them.
SCHOOL_SCHEMA = {
    "academic_year": pl.Int32,
    "urn": pl.Int32,
    "school_name": pl.String,
    "phase": pl.String,
    "old_la_code": pl.String,
    "la_name": pl.String,
    "measure": pl.String,
    "value": pl.Float64,
}

#: The columns of the headerless bands file DfE's absence-distributions dashboard serves
#: (`absence_bands_distributions.csv`, named in its `global.R`).
DASHBOARD_BANDS_COLUMNS = (
    "time_identifier,time_period,geographic_level,country_code,country_name,region_name,"
    "region_code,old_la_code,new_la_code,la_name,school_type,fsm_eligible,sen_status,gender,"
    "NCyearActual,pct5_OARate,pct10_OARate,pct15_OARate,pct20_OARate,pct25_OARate,"
    "pct30_OARate,pct35_OARate,pct40_OARate,pct45_OARate,pct50_OARate,pct50plus_OARate"
).split(",")


class BenchmarkRefused(Exception):
    """A published file Rollcall cannot read: the message names the file and what is wrong."""


# ---- school-level files --------------------------------------------------------------------


def _number(column: str) -> pl.Expr:
    return pl.col(column).str.strip_chars().str.replace_all(",", "").cast(pl.Float64, strict=False)


def _school_rows(
    frame: pl.LazyFrame, urn: str, measures: dict[str, pl.Expr], names: dict[str, str]
) -> pl.LazyFrame:
    """One row per school and measure; rows without a value are left out."""
    columns = frame.collect_schema().names()
    described = {
        target: pl.col(source).str.strip_chars()
        for target, source in names.items()
        if source in columns
    }
    framed = frame.select(
        pl.col("time_period")
        .str.strip_chars()
        .str.slice(0, 4)
        .cast(pl.Int32)
        .alias("academic_year"),
        pl.col(urn).str.strip_chars().cast(pl.Int32, strict=False).alias("urn"),
        *(expression.alias(target) for target, expression in described.items()),
        *(expression.alias(name) for name, expression in measures.items()),
    )
    for target in ("school_name", "phase", "old_la_code", "la_name"):
        if target not in described:
            framed = framed.with_columns(pl.lit(None, dtype=pl.String).alias(target))
    return (
        framed.unpivot(
            on=list(measures),
            index=["academic_year", "urn", "school_name", "phase", "old_la_code", "la_name"],
            variable_name="measure",
            value_name="value",
        )
        .filter(pl.col("value").is_not_null() & pl.col("urn").is_not_null())
        .select(pl.col(name).cast(dtype) for name, dtype in SCHOOL_SCHEMA.items())
    )


def school_absence(frame: pl.LazyFrame) -> pl.LazyFrame:
    """DfE's absence by school (full academic year rows): pupils, absence and persistent
    absence of each school, with its phase and LA."""
    columns = frame.collect_schema().names()
    if "time_identifier" in columns:
        frame = frame.filter(pl.col("time_identifier").str.strip_chars() == "Academic year")
    if "geographic_level" in columns:
        frame = frame.filter(pl.col("geographic_level").str.strip_chars() == "School")
    phase = "education_phase" if "education_phase" in columns else "school_type"
    measures = {
        "enrolments": _number("enrolments"),
        "absence_rate": _number("sess_overall_percent"),
        "persistent_absence_rate": _number("enrolments_pa_10_exact_percent"),
    }
    if "enrolments_pa_50_exact_percent" in columns:
        measures["severe_absence_rate"] = _number("enrolments_pa_50_exact_percent")
    rows = _school_rows(
        frame.with_columns(phase_of(phase)),
        "school_urn" if "school_urn" in columns else "urn",
        measures,
        {
            "school_name": "school_name",
            "phase": "phase",
            "old_la_code": "old_la_code",
            "la_name": "la_name",
        },
    )
    return rows.filter(pl.col("phase").is_not_null())


#: The share of pupils eligible for free school meals in DfE's school-level census file.
FSM_COLUMN = "% of pupils known to be eligible for free school meals"


def school_fsm(frame: pl.LazyFrame) -> pl.LazyFrame:
    """DfE's school-level census ("Schools, pupils and their characteristics"): each school's
    pupils and share eligible for free school meals."""
    columns = frame.collect_schema().names()
    return _school_rows(
        frame,
        "urn" if "urn" in columns else "URN",
        {"fsm_percent": _number(FSM_COLUMN), "pupils": _number("headcount of pupils")},
        {"school_name": "school_name", "old_la_code": "old_la_code", "la_name": "la_name"},
    )


def school_sen(frame: pl.LazyFrame) -> pl.LazyFrame:
    """DfE's school-level SEN file ("Special educational needs in England"): each school's
    shares of pupils with SEN support, with an EHC plan, and with either."""
    columns = frame.collect_schema().names()
    pupils = _number("Total pupils")
    support, plans = _number("SEN support"), _number("EHC plan")
    share = pl.when(pupils > 0)
    return _school_rows(
        frame,
        "URN" if "URN" in columns else "urn",
        {
            "sen_support_percent": share.then(support * 100.0 / pupils),
            "ehc_plan_percent": share.then(plans * 100.0 / pupils),
            "sen_percent": share.then((support + plans) * 100.0 / pupils),
        },
        {"school_name": "School name", "la_name": "LA name"},
    )


# ---- shapes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """One kind of published file: the columns it must have (each entry: any one of its
    names), the columns of numbers Rollcall reads from it, and how it is read."""

    kind: str
    title: str
    publication: str
    required: tuple[tuple[str, ...], ...]
    numbers: tuple[str, ...]
    data_kind: str = CENSUS
    reader: str | None = None  # a figure reader of `readers.READERS`
    schools: Callable[[pl.LazyFrame], pl.LazyFrame] | None = None
    window: str | None = None

    def matches(self, columns: list[str]) -> bool:
        return all(any(name in columns for name in names) for names in self.required)

    def describe(self) -> str:
        needed = ", ".join(" or ".join(names) for names in self.required)
        return f"{self.title} ({self.publication}): {needed}"


_PHASE = ("school_type", "education_phase")
_TIME = ("time_period", "year")

#: The shapes Rollcall reads, most particular first (a school-level file also has the columns
#: of a file by geography).
SHAPES = (
    Shape(
        "school_absence",
        "Absence rates by school",
        "Pupil absence in schools in England, data set 'Absence by school level'",
        (
            ("time_period",),
            ("school_urn", "urn"),
            ("education_phase", "school_type"),
            ("enrolments",),
            ("sess_overall_percent",),
            ("enrolments_pa_10_exact_percent",),
        ),
        ("enrolments", "sess_overall_percent", "enrolments_pa_10_exact_percent"),
        schools=school_absence,
    ),
    Shape(
        "school_fsm",
        "Pupils eligible for free school meals, by school",
        "Schools, pupils and their characteristics, 'School level underlying data'",
        (("time_period",), ("urn", "URN"), (FSM_COLUMN,), ("headcount of pupils",)),
        (FSM_COLUMN, "headcount of pupils"),
        schools=school_fsm,
    ),
    Shape(
        "school_sen",
        "Pupils with special educational needs, by school",
        "Special educational needs in England, 'School level underlying data'",
        (("time_period",), ("URN", "urn"), ("Total pupils",), ("SEN support",), ("EHC plan",)),
        ("Total pupils", "SEN support", "EHC plan"),
        schools=school_sen,
    ),
    Shape(
        "attendance",
        "Attendance year to date (or a term, or weeks)",
        "Pupil attendance in schools",
        (
            ("time_period",),
            ("geographic_level",),
            _PHASE,
            ("possible_sessions",),
            ("attendance_perc",),
            ("overall_absence_perc",),
        ),
        ("possible_sessions", *ATTENDANCE_RATES),
        DAILY,
        "attendance",
    ),
    Shape(
        "bands",
        "Absence bands (5% bands by FSM, SEN, sex and year group)",
        "Pupil absence in schools in England, absence distributions",
        (
            ("time_period",),
            ("school_type",),
            ("fsm_eligible",),
            ("sen_status",),
            ("pct5_OARate",),
            ("pct50plus_OARate",),
        ),
        tuple(c for c in DASHBOARD_BANDS_COLUMNS if c.endswith("_OARate")),
        reader="bands",
    ),
    Shape(
        "sen_provision",
        "Absence by SEN provision, autumn and spring terms",
        "Pupil absence in schools in England (as DfE's SEND dashboard serves it)",
        (
            ("time_period",),
            ("geographic_level",),
            ("characteristic",),
            ("Absence measure",),
            ("Percentage",),
        ),
        ("Percentage",),
        reader="sen_provision",
        window="autumn_spring",
    ),
    Shape(
        "absence_characteristics",
        "Absence by characteristics (or by geography)",
        "Pupil absence in schools in England",
        (_TIME, _PHASE, ("sess_overall_percent",), ("enrolments_pa_10_exact_percent",)),
        tuple(CENSUS_RATES),
        reader="census",
    ),
    Shape(
        "exclusions",
        "Exclusions by characteristics (or by geography)",
        "Suspensions and permanent exclusions in England",
        (_TIME, _PHASE, ("perm_excl_rate",), ("fixed_excl_rate", "susp_rate")),
        tuple(EXCLUSION_RATES),
        reader="exclusions",
    ),
)


def shape_of(file_name: str, columns: list[str]) -> Shape:
    """The shape a file's columns have, or BenchmarkRefused listing what each shape needs."""
    for shape in SHAPES:
        if shape.matches(columns):
            return shape
    shown = ", ".join(columns[:25]) + (
        f" and {len(columns) - 25} more" if len(columns) > 25 else ""
    )
    raise BenchmarkRefused(
        f"{file_name}: not a published file Rollcall reads (its columns: {shown}). "
        "Rollcall reads DfE's CSVs as Explore Education Statistics serves them, with these columns:\n"
        + "\n".join(f"- {shape.describe()}" for shape in SHAPES)
    )


def _table(file_name: str, data: bytes) -> pl.DataFrame:
    """The file's rows, every column as text (the CSV inside a zip of one CSV)."""
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inside = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if len(inside) != 1:
                raise BenchmarkRefused(
                    f"{file_name}: a zip must hold exactly one CSV (it holds {len(inside)})"
                )
            data = archive.read(inside[0])
    try:
        table = pl.read_csv(
            data,
            infer_schema=False,
            null_values=NOT_A_FIGURE + SCHOOL_SYMBOLS,
            encoding="utf8-lossy",
            truncate_ragged_lines=False,
        )
    except pl.exceptions.PolarsError as error:
        raise BenchmarkRefused(f"{file_name}: not a CSV Rollcall can read ({error})") from None
    table = table.rename({c: c.replace("\ufeff", "").strip() for c in table.columns})
    first = table.columns[0] if table.columns else ""
    if len(table.columns) == len(DASHBOARD_BANDS_COLUMNS) and first == "Academic year":
        # The dashboard's bands file has no header row: its first row is data.
        table = pl.read_csv(
            data,
            has_header=False,
            new_columns=DASHBOARD_BANDS_COLUMNS,
            infer_schema=False,
            null_values=NOT_A_FIGURE,
            encoding="utf8-lossy",
        )
    return table


def _check(file_name: str, table: pl.DataFrame, shape: Shape) -> None:
    """Refuse the file at the first value a shape reads that is neither a number nor one of
    DfE's symbols, and at the first time period that is not an academic year."""
    rows = table.with_row_index("row", offset=2)
    time = next(c for c in _TIME if c in table.columns)
    periods = pl.col(time).str.strip_chars()
    weekly = shape.kind == "attendance" and "time_identifier" in table.columns
    well_formed = periods.str.contains(r"^\d{6}$") | (weekly & periods.str.contains(r"^\d{4}$"))
    bad = rows.filter(pl.col(time).is_null() | ~well_formed)
    if not bad.is_empty():
        row = bad.row(0, named=True)
        raise BenchmarkRefused(
            f"{file_name}: row {row['row']}, field '{time}': '{row[time]}' is not an academic "
            "year (DfE writes 2024/25 as 202425)"
        )
    for column in (c for c in shape.numbers if c in table.columns):
        text = pl.col(column).str.strip_chars().str.replace_all(",", "")
        bad = rows.filter(
            pl.col(column).is_not_null() & text.cast(pl.Float64, strict=False).is_null()
        )
        if not bad.is_empty():
            row = bad.row(0, named=True)
            value = str(row[column])[:40]
            raise BenchmarkRefused(
                f"{file_name}: row {row['row']}, field '{column}': '{value}' is not a number "
                "or one of DfE's symbols (c, x, z, ., low, u)"
            )


@dataclass(frozen=True)
class PublishedFile:
    """One published file, read and checked: its figures (national, regional, LA) or its
    school-level figures, and what it covers."""

    file_name: str
    sha256: str
    shape: Shape
    rows_read: int
    figures: pl.DataFrame
    schools: pl.DataFrame

    @property
    def academic_years(self) -> list[int]:
        frame = self.figures if not self.figures.is_empty() else self.schools
        return sorted(frame["academic_year"].unique().to_list())

    @property
    def years_label(self) -> str:
        years = self.academic_years
        if not years:
            return "no year"
        first, last = academic_year_label(years[0]), academic_year_label(years[-1])
        return first if first == last else f"{first} to {last}"

    @property
    def data_kind(self) -> str:
        return self.shape.data_kind

    @property
    def held(self) -> int:
        return self.figures.height + self.schools.height

    def summary(self) -> str:
        what = "school figures" if self.shape.schools else "figures"
        return (
            f"{self.file_name}: {self.shape.title}, {self.years_label}, "
            f"{self.rows_read:,} rows read, {self.held:,} {what} kept"
        )


def read_published(file_name: str, data: bytes) -> PublishedFile:
    """Recognise, check and read one published file; BenchmarkRefused when it cannot be used."""
    table = _table(file_name, data)
    shape = shape_of(file_name, table.columns)
    _check(file_name, table, shape)
    figures = pl.DataFrame()
    schools = pl.DataFrame(schema=SCHOOL_SCHEMA)
    if shape.schools is not None:
        schools = shape.schools(table.lazy()).collect()
    else:
        source = Source(file_name, shape.data_kind, shape.reader or "", window=shape.window)
        figures = read_figures(table.lazy(), source).collect()
    published = PublishedFile(
        file_name,
        hashlib.sha256(data).hexdigest(),
        shape,
        table.height,
        figures,
        schools,
    )
    if not published.held:
        raise BenchmarkRefused(
            f"{file_name}: {shape.title}, but no row holds a figure Rollcall compares "
            "with (state-funded primary, secondary or special schools, or all of them; "
            "national, regional or local authority; a full year or a term)"
        )
    return published


@dataclass(frozen=True)
class Imported:
    """One published file imported: what it held, and whether it was new."""

    published: PublishedFile
    new: bool

    def summary(self) -> str:
        if not self.new:
            return f"{self.published.file_name}: imported before; nothing changed"
        return self.published.summary()


def import_published(
    db: Database, file_name: str, data: bytes, *, actor: str, role: str | None = None
) -> Imported:
    """Read, check and keep one published file, whole or not at all (BenchmarkRefused, and
    nothing kept, when it cannot be used); the same file again changes nothing."""
    published = read_published(file_name, data)
    kept = stored.store_file(
        db,
        file_name=file_name,
        sha256=published.sha256,
        kind=published.shape.kind,
        source=published.shape.publication,
        academic_years=published.years_label,
        rows_read=published.rows_read,
        figures=published.figures,
        schools=published.schools,
        actor=actor,
        role=role,
    )
    return Imported(published, kept.new)
