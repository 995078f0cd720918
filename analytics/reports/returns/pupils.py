"""What every return says about a pupil: names, date of birth, year group on a given day, address
and contacts."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from analytics.domain.calendar import academic_year_expr
from analytics.pipelines.cohorts import with_cohorts
from analytics.store import Database, read
from analytics.store import contacts as contact_store

#: What a return takes from the enrolment beside its own columns.
PUPIL_COLUMNS = (
    "enrolment_id",
    "upn",
    "surname",
    "forename",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "leaving_reason",
)


def enrolments_with_details(db: Database, urns: Sequence[int] | None) -> pl.DataFrame:
    """Every enrolment of these schools with the pupils file's address, postcode, ground of
    leaving and flags."""
    return read.enrolments(db, urns).join(
        contact_store.pupil_details(db, urns), on="enrolment_id", how="left"
    )


def with_year_group_on(rows: pl.LazyFrame, enrolments: pl.DataFrame, day: str) -> pl.LazyFrame:
    """`rows` (with `enrolment_id` and the date column `day`) with each enrolment's `year_group`
    and `compulsory_school_age` (5 to 15 on 31 August) in the academic year of that date."""
    years = rows.select(academic_year_expr(pl.col(day)).alias("_cohort_year")).unique().collect()
    cohorts = pl.concat(
        [
            with_cohorts(enrolments.lazy(), year).select(
                "enrolment_id",
                pl.lit(year, pl.Int32).alias("_cohort_year"),
                "year_group",
                "compulsory_school_age",
            )
            for year in years["_cohort_year"].drop_nulls().to_list()
        ]
        or [
            pl.LazyFrame(
                schema={
                    "enrolment_id": pl.Int32,
                    "_cohort_year": pl.Int32,
                    "year_group": pl.String,
                    "compulsory_school_age": pl.Boolean,
                }
            )
        ]
    )
    return (
        rows.with_columns(academic_year_expr(pl.col(day)).cast(pl.Int32).alias("_cohort_year"))
        .join(cohorts, on=["enrolment_id", "_cohort_year"], how="left")
        .drop("_cohort_year")
    )


def first_contacts(contacts: pl.DataFrame) -> pl.DataFrame:
    """Per enrolment, its first contact with a number by priority (`contact_name, relationship,
    phone` (its phone, else its mobile), `mobile` (when it has both)) and the others with numbers
    (`other_contacts`: `John Doe (Father) 07700 900456; ...`)."""
    numbered = (
        contacts.lazy()
        .filter(pl.col("phone").is_not_null() | pl.col("mobile").is_not_null())
        .sort("enrolment_id", "priority")
    )
    others = pl.format("{} ({}) {}", "contact_name", "relationship", pl.coalesce("phone", "mobile"))
    return (
        numbered.group_by("enrolment_id", maintain_order=True)
        .agg(
            pl.col("contact_name").first(),
            pl.col("relationship").first(),
            pl.coalesce("phone", "mobile").first().alias("phone"),
            pl.when(pl.col("phone").is_not_null()).then(pl.col("mobile")).first().alias("mobile"),
            others.slice(1).str.join("; ").alias("other_contacts"),
        )
        .collect()
    )


def missing_list(checks: dict[str, pl.Expr]) -> pl.Expr:
    """The names of the checks that hold (blank fields a return needs), joined with `; `."""
    named = [pl.when(blank).then(pl.lit(name)) for name, blank in checks.items()]
    return pl.concat_str(named, separator="; ", ignore_nulls=True).fill_null("")
