"""The returns about the admission register: new pupils and deletions from roll.

Both are read from the pupils' spells on roll, so a pupil readmitted after leaving is a new pupil
again and each leaving is a deletion. Whether a pupil started on the first day of the school
year, or left on or after its last, is read from the school's own school days (the days its
register holds a possible session); when the register holds no day of that year yet, Rollcall
cannot tell, and the pupil is listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import polars as pl

from analytics.domain.calendar import academic_year_expr
from analytics.domain.returns import NEW_PUPIL_RETURN_DAYS
from analytics.domain.yeargroups import YEAR_GROUPS
from analytics.reports.returns.pupils import (
    PUPIL_COLUMNS,
    enrolments_with_details,
    first_contacts,
    missing_list,
    with_year_group_on,
)
from analytics.store import Database, aggregates, read
from analytics.store import contacts as contact_store

_RANK = {name: rank for rank, name in enumerate(YEAR_GROUPS)}


def _school_years(db: Database, urns: Sequence[int] | None) -> pl.LazyFrame:
    """Each school's first and last school day of each academic year: `school_urn, _year,
    first_school_day, last_school_day`."""
    return (
        aggregates.school_days(db, urns)
        .lazy()
        .group_by("school_urn", _in_year_of("date"))
        .agg(
            pl.col("date").min().alias("first_school_day"),
            pl.col("date").max().alias("last_school_day"),
        )
    )


def _year_group_bounds(
    rows: pl.LazyFrame, spells: pl.LazyFrame, enrolments: pl.DataFrame
) -> pl.LazyFrame:
    """The most junior and most senior year group each school has in each academic year of
    `rows` (`_year`): `school_urn, _year, junior_rank, senior_rank`, over its pupils on roll at
    any time of that year."""
    years = rows.select("_year").unique().collect()["_year"].drop_nulls().to_list()
    ranks = [
        with_year_group_on(
            _on_roll_in(spells, date(year, 8, 1), date(year + 1, 7, 31))
            .join(enrolments.lazy().select("enrolment_id", "school_urn"), on="enrolment_id")
            .with_columns(pl.lit(date(year + 1, 7, 31)).alias("_day")),
            enrolments,
            "_day",
        )
        .with_columns(_rank(), pl.lit(year, pl.Int32).alias("_year"))
        .group_by("school_urn", "_year")
        .agg(pl.col("_rank").min().alias("junior_rank"), pl.col("_rank").max().alias("senior_rank"))
        for year in years
    ]
    empty = pl.LazyFrame(
        schema={
            "school_urn": pl.Int32,
            "_year": pl.Int32,
            "junior_rank": pl.Int32,
            "senior_rank": pl.Int32,
        }
    )
    return pl.concat(ranks) if ranks else empty


def _rank() -> pl.Expr:
    """A year group's place in school order (N1 first)."""
    return (
        pl.col("year_group")
        .replace_strict(_RANK, default=None, return_dtype=pl.Int32)
        .alias("_rank")
    )


def _on_roll_in(spells: pl.LazyFrame, start: date, end: date) -> pl.LazyFrame:
    """The enrolments with a spell on roll from `start` to `end`: `enrolment_id` (once)."""
    return (
        spells.filter(
            (pl.col("admission_date") <= end)
            & (pl.col("leaving_date").is_null() | (pl.col("leaving_date") >= start))
        )
        .select("enrolment_id")
        .unique()
    )


def _in_year_of(day: str) -> pl.Expr:
    return academic_year_expr(pl.col(day)).cast(pl.Int32).alias("_year")


def new_pupils_return(
    db: Database, start: date, end: date, urns: Sequence[int] | None = None
) -> pl.DataFrame:
    """One row per admission (spell on roll starting) from `start` to `end` needing a return:
    not a pupil placed in the school's most junior year group whose start was the first day of
    the school year (admitted on or before it, that academic year)."""
    enrolments, spells = enrolments_with_details(db, urns), read.spells(db, urns).lazy()
    readmitted = pl.col("admission_date") > pl.col("admission_date").min().over("enrolment_id")
    admitted = (
        spells.with_columns(readmitted.alias("readmission"), _in_year_of("admission_date"))
        .filter(pl.col("admission_date").is_between(start, end))
        .join(enrolments.lazy().select("enrolment_id", "school_urn"), on="enrolment_id")
    )
    rows = (
        with_year_group_on(admitted, enrolments, "admission_date")
        .join(_school_years(db, urns), on=["school_urn", "_year"], how="left")
        .join(
            _year_group_bounds(admitted, spells, enrolments), on=["school_urn", "_year"], how="left"
        )
        .with_columns(_rank())
    )
    started_first_day = (pl.col("_rank") == pl.col("junior_rank")) & (
        pl.col("admission_date") <= pl.col("first_school_day")
    )
    rows = rows.filter(~started_first_day.fill_null(False))
    contacts = first_contacts(contact_store.contacts(db, urns)).select(
        "enrolment_id", "contact_name", "relationship", "phone"
    )
    return (
        rows.join(enrolments.lazy().select(PUPIL_COLUMNS), on="enrolment_id", how="left")
        .join(contacts.lazy(), on="enrolment_id", how="left")
        .with_columns(
            (pl.col("admission_date") + timedelta(days=NEW_PUPIL_RETURN_DAYS)).alias("return_due"),
            missing_list(
                {
                    "address": pl.col("address").is_null(),
                    "postcode": pl.col("postcode").is_null(),
                    "a contact with a phone number": pl.col("phone").is_null(),
                }
            ).alias("missing"),
        )
        .sort("return_due", "school_urn", "surname", "forename", "upn")
        .collect()
    )


def deletions_return(
    db: Database, start: date, end: date, urns: Sequence[int] | None = None
) -> pl.DataFrame:
    """One row per leaving (spell on roll ending) from `start` to `end` needing a return: not a
    pupil who completed the school's final year (in its most senior year group, leaving on or
    after its last school day of that year). With the fields regulation 13 names: the pupil's
    name and address, the name, address and an emergency phone number of each parent the pupil
    normally lives with (contacts marked `lives_with_pupil`, each with a number as the contacts
    file requires; a parent's address is the pupil's when the contacts file gives none), and the
    ground of deletion (`leaving_reason`); `missing` names every one of them that is blank."""
    enrolments, spells = enrolments_with_details(db, urns), read.spells(db, urns).lazy()
    left = (
        spells.filter(pl.col("leaving_date").is_between(start, end))
        .with_columns(_in_year_of("leaving_date"))
        .join(enrolments.lazy().select("enrolment_id", "school_urn"), on="enrolment_id")
    )
    rows = (
        with_year_group_on(left, enrolments, "leaving_date")
        .join(_school_years(db, urns), on=["school_urn", "_year"], how="left")
        .join(_year_group_bounds(left, spells, enrolments), on=["school_urn", "_year"], how="left")
        .with_columns(_rank())
    )
    completed = (pl.col("_rank") == pl.col("senior_rank")) & (
        pl.col("leaving_date") >= pl.col("last_school_day")
    )
    rows = rows.filter(~completed.fill_null(False))
    parents = _parents(contact_store.contacts(db, urns), enrolments)
    return (
        rows.join(enrolments.lazy().select(PUPIL_COLUMNS), on="enrolment_id", how="left")
        .join(parents.lazy(), on="enrolment_id", how="left")
        .with_columns(
            pl.col("leaving_date").alias("return_due"),
            pl.col("leaving_reason").alias("ground_of_deletion"),
        )
        .with_columns(
            missing_list(
                {
                    "address": pl.col("address").is_null(),
                    "parent the pupil lives with": pl.col("parents").is_null(),
                    "parent's address": pl.col("parents").is_not_null()
                    & pl.col("parent_address").is_null(),
                    "ground of deletion": pl.col("ground_of_deletion").is_null(),
                }
            ).alias("missing")
        )
        .sort("return_due", "school_urn", "surname", "forename", "upn")
        .collect()
    )


def _parents(contacts: pl.DataFrame, enrolments: pl.DataFrame) -> pl.DataFrame:
    """Per enrolment, the contacts the pupil normally lives with, in priority order: `parents`
    (`Jane Doe (Mother)`), `parent_address` (each one's address, else the pupil's, once each) and
    `emergency_phone` (each one's number, phone else mobile), joined with `; `."""
    pupils = enrolments.lazy().select(
        "enrolment_id",
        pl.concat_str(["address", "postcode"], separator=", ", ignore_nulls=True).alias("_home"),
    )
    address = pl.concat_str(["address", "postcode"], separator=", ", ignore_nulls=True)
    return (
        contacts.lazy()
        .filter(pl.col("lives_with_pupil").fill_null(False))
        .join(pupils, on="enrolment_id", how="left")
        .with_columns(pl.coalesce(address.replace("", None), pl.col("_home")).alias("_address"))
        .sort("enrolment_id", "priority")
        .group_by("enrolment_id", maintain_order=True)
        .agg(
            pl.format("{} ({})", "contact_name", "relationship").str.join("; ").alias("parents"),
            pl.col("_address")
            .drop_nulls()
            .unique(maintain_order=True)
            .str.join("; ")
            .alias("parent_address"),
            pl.format("{} {}", "contact_name", pl.coalesce("phone", "mobile"))
            .str.join("; ")
            .alias("emergency_phone"),
        )
        .with_columns(pl.col("parent_address").replace("", None))
        .collect()
    )
