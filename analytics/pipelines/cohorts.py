"""Cohort characteristics of each enrolment for one academic year."""

from __future__ import annotations

from datetime import date

import polars as pl

from analytics.domain.calendar import spring_bank_holiday
from analytics.domain.cohorts import ETHNIC_MAJOR_GROUPS
from analytics.domain.yeargroups import YEAR_GROUPS

_YEAR_RANK = {name: rank for rank, name in enumerate(YEAR_GROUPS)}
_ETHNIC_GROUP = {code: group for group, codes in ETHNIC_MAJOR_GROUPS.items() for code in codes}
COMPULSORY_AGES = (5, 15)


def year_group_in(academic_year: int) -> pl.Expr:
    """Each enrolment's year group in `academic_year`, moving one year group per year from the
    year it was recorded for; null beyond N1 or Y14."""
    rank = pl.col("year_group").replace_strict(_YEAR_RANK, return_dtype=pl.Int32)
    moved = rank + (academic_year - pl.col("year_group_academic_year").cast(pl.Int32))
    return (
        pl.when(moved.is_between(0, len(YEAR_GROUPS) - 1))
        .then(moved)
        .replace_strict(dict(enumerate(YEAR_GROUPS)), default=None, return_dtype=pl.String)
    )


def effective_disadvantaged() -> pl.Expr:
    """Disadvantaged as given, else FSM in the last six years (or now) or looked after."""
    derived = pl.any_horizontal(
        pl.col("fsm6").fill_null(False),
        pl.col("fsm").fill_null(False),
        pl.col("looked_after").fill_null(False),
    )
    return pl.coalesce(pl.col("disadvantaged"), derived)


def age_on(day: date) -> pl.Expr:
    """Age in whole years on `day`, from `date_of_birth`."""
    dob = pl.col("date_of_birth")
    not_yet = (dob.dt.month() > day.month) | (
        (dob.dt.month() == day.month) & (dob.dt.day() > day.day)
    )
    return (pl.lit(day.year) - dob.dt.year() - not_yet.cast(pl.Int32)).cast(pl.Int32)


def with_cohorts(enrolments: pl.LazyFrame, academic_year: int) -> pl.LazyFrame:
    """One row per enrolment, adding for `academic_year`: `year_group` (moved to that year),
    `disadvantaged` (effective), `sen` (N when unknown), `ethnic_group`, `age_31_august`
    (age on 31 August at the year's start), `compulsory_school_age` (5 to 15 then) and
    `dfe_drops_from`: for pupils aged 15 then, the first day of the second half of the summer
    term (the spring bank holiday), whose sessions DfE's national statistics leave out."""
    age = age_on(date(academic_year, 8, 31))
    summer_second_half = spring_bank_holiday(academic_year + 1)
    return enrolments.with_columns(
        year_group_in(academic_year).alias("year_group"),
        effective_disadvantaged().alias("disadvantaged"),
        pl.col("sen").fill_null("N"),
        pl.col("ethnicity")
        .str.slice(0, 4)
        .replace_strict(_ETHNIC_GROUP, default="Unclassified")
        .alias("ethnic_group"),
        age.alias("age_31_august"),
        age.is_between(*COMPULSORY_AGES).alias("compulsory_school_age"),
        pl.when(age == COMPULSORY_AGES[1]).then(pl.lit(summer_second_half)).alias("dfe_drops_from"),
    )
