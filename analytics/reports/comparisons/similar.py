"""Similar schools: the 20 schools of the same phase most like one school on the share of pupils
eligible for free school meals, the share with special educational needs and size, from DfE's
school-level files, and the school's rank among them on absence and persistent absence.

Like for like: every figure here is DfE's published figure for the same academic year (the
newest of the absence-by-school file that has the school), the school's own included, so the
ranks compare published with published. Likeness is the distance over the three measures, each
put on the same footing across the phase's schools (less its mean, over its standard deviation;
size as the logarithm of enrolments, so 200 against 400 pupils weighs as 600 against 1,200).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from analytics.domain.calendar import academic_year_label
from analytics.store import Database
from analytics.store import benchmarks as stored

SIMILAR = 20

#: Where a school gets the three school-level files, in words for the pages and the README.
HOW_TO_GET = (
    "Similar schools need three of DfE's school-level files, downloaded from Explore Education "
    "Statistics (explore-education-statistics.service.gov.uk, 'Data catalogue') and imported "
    "with `rollcall import benchmarks FILE...` or on the Import page: "
    "(1) 'Pupil absence in schools in England', full academic year release, data set 'Absence "
    "by school level' (the CSV with `school_urn`, `education_phase`, `enrolments`, "
    "`sess_overall_percent`, `enrolments_pa_10_exact_percent`); "
    "(2) 'Schools, pupils and their characteristics', 'School level underlying data' "
    "(`spc_school_level_underlying_data_*.csv`: `urn`, `headcount of pupils`, "
    "`% of pupils known to be eligible for free school meals`); "
    "(3) 'Special educational needs in England', 'School level underlying data' "
    "(`sen_school_level_underlying_data*.csv`: `URN`, `Total pupils`, `SEN support`, `EHC plan`)."
)

#: The columns of the table of similar schools, in order.
SIMILAR_COLUMNS = (
    "this_school",
    "urn",
    "school_name",
    "la_name",
    "enrolments",
    "fsm_percent",
    "sen_percent",
    "absence_rate",
    "persistent_absence_rate",
    "absence_rank",
    "persistent_rank",
    "distance",
)


@dataclass(frozen=True)
class SimilarSchools:
    """One school among the schools most like it, or why they cannot be found (`reason`)."""

    urn: int
    table: pl.DataFrame  # SIMILAR_COLUMNS: this school, then the similar ones, most alike first
    academic_year: int | None = None
    phase: str | None = None
    sources: str = ""
    reason: str = ""

    @property
    def found(self) -> bool:
        return not self.reason

    @property
    def this(self) -> dict:
        return self.table.filter(pl.col("this_school")).row(0, named=True)

    @property
    def out_of(self) -> int:
        return self.table.height

    def describe(self) -> str:
        """The school's ranks in a sentence (1 is the lowest absence)."""
        this, year = self.this, academic_year_label(self.academic_year or 0)
        return (
            f"Among the {self.out_of - 1} {str(self.phase).lower()} schools most like it on free "
            f"school meals, SEN and size, the school ranked {this['absence_rank']} of "
            f"{self.out_of} on overall absence and {this['persistent_rank']} of {self.out_of} "
            f"on persistent absence in {year} (1 is the lowest absence; DfE's published "
            "figures for every school, this one included)."
        )


def _newest_per_school(rows: pl.DataFrame, year: int) -> pl.DataFrame:
    """Each school's value of each measure from the year nearest `year` (the same, else the
    latest before, else the earliest after), the latest import first."""
    return (
        rows.with_columns(
            pl.when(pl.col("academic_year") <= year)
            .then(year - pl.col("academic_year"))
            .otherwise(100 + pl.col("academic_year") - year)
            .alias("distance_in_years")
        )
        .sort(["distance_in_years", "imported_at"], descending=[False, True])
        .unique(["urn", "measure"], keep="first", maintain_order=True)
    )


def similar_from(figures: pl.DataFrame, urn: int, count: int = SIMILAR) -> SimilarSchools:
    """`similar_schools` from the school-level figures held (`stored.school_figures`)."""
    empty = pl.DataFrame(schema=dict.fromkeys(SIMILAR_COLUMNS, pl.String))
    absence = figures.filter(pl.col("kind") == "school_absence")
    if absence.is_empty():
        return SimilarSchools(urn, empty, reason=f"No school-level file is held. {HOW_TO_GET}")
    own = absence.filter(pl.col("urn") == urn)
    if own.is_empty():
        return SimilarSchools(
            urn,
            empty,
            reason=f"School {urn} is not in the absence-by-school file held (DfE lists a school "
            "once it has a full year of census absence).",
        )
    missing = [
        name
        for kind, name in (
            ("school_fsm", "free school meals"),
            ("school_sen", "special educational needs"),
        )
        if figures.filter(pl.col("kind") == kind).is_empty()
    ]
    if missing:
        return SimilarSchools(
            urn,
            empty,
            reason=f"The school-level file of {' and '.join(missing)} is not held. {HOW_TO_GET}",
        )
    year = own["academic_year"].max()
    assert isinstance(year, int)
    published = absence.filter(pl.col("academic_year") == year)
    phase = published.filter(pl.col("urn") == urn).sort("imported_at", descending=True)["phase"][0]
    schools = _newest_per_school(published, year)
    characteristics = _newest_per_school(
        figures.filter(pl.col("measure").is_in(["fsm_percent", "sen_percent"])), year
    )
    names = schools.select("urn", "school_name", "la_name", "phase").unique("urn", keep="first")
    wide = (
        pl.concat([schools, characteristics], how="diagonal")
        .pivot(on="measure", index="urn", values="value", aggregate_function="first")
        .join(names, on="urn", how="left")
        .filter(pl.col("phase") == phase)
        .drop_nulls(
            ["enrolments", "fsm_percent", "sen_percent", "absence_rate", "persistent_absence_rate"]
        )
        .filter(pl.col("enrolments") > 0)
    )
    if wide.filter(pl.col("urn") == urn).is_empty():
        return SimilarSchools(
            urn,
            empty,
            reason=f"School {urn} has no share of pupils eligible for free school meals, or with "
            "SEN, in the school-level files held (or DfE suppressed it).",
        )

    def standard(column: pl.Expr) -> pl.Expr:
        spread = column.std()
        return pl.when(spread > 0).then((column - column.mean()) / spread).otherwise(0.0)

    scaled = wide.with_columns(
        standard(pl.col("fsm_percent")).alias("z_fsm"),
        standard(pl.col("sen_percent")).alias("z_sen"),
        standard(pl.col("enrolments").log()).alias("z_size"),
    )
    mine = scaled.filter(pl.col("urn") == urn).row(0, named=True)
    nearest = (
        scaled.with_columns(
            (
                (pl.col("z_fsm") - mine["z_fsm"]) ** 2
                + (pl.col("z_sen") - mine["z_sen"]) ** 2
                + (pl.col("z_size") - mine["z_size"]) ** 2
            )
            .sqrt()
            .alias("distance"),
            (pl.col("urn") == urn).alias("this_school"),
        )
        .sort(["this_school", "distance", "urn"], descending=[True, False, False])
        .head(count + 1)
        .with_columns(
            pl.col("absence_rate").rank("min").cast(pl.Int32).alias("absence_rank"),
            pl.col("persistent_absence_rate").rank("min").cast(pl.Int32).alias("persistent_rank"),
            pl.col("enrolments").cast(pl.Int64),
        )
        .select(SIMILAR_COLUMNS)
    )
    used = figures.filter(pl.col("kind").is_in(["school_absence", "school_fsm", "school_sen"]))
    files = ", ".join(sorted(used["source_file"].unique().to_list()))
    return SimilarSchools(urn, nearest, year, phase, f"DfE school-level files: {files}")


def similar_schools(db: Database, urn: int, count: int = SIMILAR) -> SimilarSchools:
    """The `count` schools of the same phase most like school `urn` on free school meals, SEN
    and size, with its rank among them on absence and persistent absence (from the newest
    absence-by-school file that has it), or why that cannot be worked out."""
    if not db.exists():
        return similar_from(pl.DataFrame(schema={"kind": pl.String}), urn, count)
    return similar_from(stored.school_figures(db), urn, count)
