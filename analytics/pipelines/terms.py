"""Terms and half-terms, read from the register: a half-term is a run of consecutive school
weeks, and holidays are the weeks between runs with no school day.

Half-terms are named by the month they start in (August to December autumn, January to March
spring, April to July summer) and numbered within their term, so a school's own calendar is
followed whatever its dates.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from analytics.domain.calendar import academic_year_expr
from analytics.pipelines.calendar import week_start

TERMS = ("Autumn", "Spring", "Summer")


def _term_of(month: pl.Expr) -> pl.Expr:
    return (
        pl.when(month >= 8)
        .then(pl.lit("Autumn"))
        .when(month <= 3)
        .then(pl.lit("Spring"))
        .otherwise(pl.lit("Summer"))
    )


def half_terms(days: pl.LazyFrame) -> pl.LazyFrame:
    """One row per half-term of the school days given (`date` column; any schools pooled):
    `academic_year, term, half, label, start, end, school_days, school_weeks`."""
    weeks = (
        days.select(pl.col("date").unique())
        .with_columns(week_start().alias("week_start"))
        .group_by("week_start")
        .agg(
            pl.col("date").min().alias("first_day"),
            pl.col("date").max().alias("last_day"),
            pl.len().alias("days"),
        )
        .sort("week_start")
        .with_columns(
            ((pl.col("week_start") - pl.col("week_start").shift(1)) != timedelta(days=7))
            .fill_null(True)
            .cum_sum()
            .alias("run")
        )
    )
    runs = (
        weeks.group_by("run")
        .agg(
            pl.col("first_day").min().alias("start"),
            pl.col("last_day").max().alias("end"),
            pl.col("days").sum().alias("school_days"),
            pl.len().alias("school_weeks"),
        )
        .with_columns(
            academic_year_expr(pl.col("start")).alias("academic_year"),
            _term_of(pl.col("start").dt.month()).alias("term"),
        )
        .sort("start")
    )
    return (
        runs.with_columns(
            pl.col("start")
            .rank("ordinal")
            .over("academic_year", "term")
            .cast(pl.Int32)
            .alias("half")
        )
        .with_columns(pl.format("{} {}", pl.col("term"), pl.col("half")).alias("label"))
        .select(
            "academic_year", "term", "half", "label", "start", "end", "school_days", "school_weeks"
        )
        .sort("start")
    )


def terms(half: pl.LazyFrame) -> pl.LazyFrame:
    """One row per term from its half-terms: `academic_year, term, start, end, school_days, school_weeks`."""
    order = {name: position for position, name in enumerate(TERMS)}
    return (
        half.group_by("academic_year", "term")
        .agg(
            pl.col("start").min(),
            pl.col("end").max(),
            pl.col("school_days").sum(),
            pl.col("school_weeks").sum(),
        )
        .sort("academic_year", pl.col("term").replace_strict(order, return_dtype=pl.Int8))
    )


def last_school_weeks(days: pl.LazyFrame, weeks: int, up_to: date) -> tuple[date, date] | None:
    """Start (the Monday) and end (the last school day) of the last `weeks` school weeks up to
    `up_to`; None when there is no school day by then. Collects: it returns plain dates."""
    week_starts = (
        days.filter(pl.col("date") <= up_to)
        .select(week_start().alias("week_start"), "date")
        .group_by("week_start")
        .agg(pl.col("date").max().alias("last"))
        .sort("week_start", descending=True)
        .head(weeks)
        .collect()
    )
    if week_starts.is_empty():
        return None
    first, last = week_starts["week_start"].min(), week_starts["last"].max()
    assert isinstance(first, date) and isinstance(last, date)
    return first, last
