"""From marks to counted sessions: how each code counts, and which sessions are on roll."""

from __future__ import annotations

import polars as pl

from analytics.domain.codes import (
    AEA,
    AUTHORISED,
    LATE_AFTER_CLOSE,
    LATE_BEFORE_CLOSE,
    PRESENT,
    UNAUTHORISED,
)
from analytics.pipelines.windows import Window

#: Session counts every measure is built from, in the order exports show them.
SESSION_MEASURES = (
    "possible",
    "attended",
    "present",
    "aea",
    "authorised",
    "unauthorised",
    "absent",
    "late_before_close",
    "late_after_close",
)


def classify_marks(marks: pl.LazyFrame, codes: pl.LazyFrame) -> pl.LazyFrame:
    """One row per mark, with its code's category on that date and a 0/1 column per measure.

    `attended = present + aea`; `absent = authorised + unauthorised`;
    `possible = attended + absent`. Codes that are not possible sessions count in nothing.
    """
    rules = codes.select("code", "category", "counts_as_possible", "late", "valid_from", "valid_to")
    flag = lambda condition: condition.cast(pl.UInt8)  # noqa: E731 - a local shorthand
    category = pl.col("category")
    return (
        marks.join(rules, on="code", how="inner")
        .filter(pl.col("date").is_between(pl.col("valid_from"), pl.col("valid_to")))
        .drop("valid_from", "valid_to")
        .with_columns(
            flag(pl.col("counts_as_possible")).alias("possible"),
            flag(category.is_in([PRESENT, AEA])).alias("attended"),
            flag(category == PRESENT).alias("present"),
            flag(category == AEA).alias("aea"),
            flag(category == AUTHORISED).alias("authorised"),
            flag(category == UNAUTHORISED).alias("unauthorised"),
            flag(category.is_in([AUTHORISED, UNAUTHORISED])).alias("absent"),
            flag(pl.col("late") == LATE_BEFORE_CLOSE).fill_null(0).alias("late_before_close"),
            flag(pl.col("late") == LATE_AFTER_CLOSE).fill_null(0).alias("late_after_close"),
        )
        .drop("counts_as_possible", "late")
    )


def on_roll(frame: pl.LazyFrame, spells: pl.LazyFrame, date_column: str = "date") -> pl.LazyFrame:
    """Rows whose date falls inside one of their enrolment's spells on roll (admission to leaving,
    inclusive; open when there is no leaving date). `spells` has one row per spell
    (`enrolment_id, admission_date, leaving_date`); an enrolments frame serves as one spell each."""
    dates = spells.select("enrolment_id", "admission_date", "leaving_date")
    day = pl.col(date_column)
    return (
        frame.join(dates, on="enrolment_id", how="inner")
        .filter(
            (day >= pl.col("admission_date"))
            & (pl.col("leaving_date").is_null() | (day <= pl.col("leaving_date")))
        )
        .drop("admission_date", "leaving_date")
    )


def in_window(frame: pl.LazyFrame, window: Window, date_column: str = "date") -> pl.LazyFrame:
    """Rows whose date is inside the window."""
    return frame.filter(pl.col(date_column).is_between(window.start, window.end))


def counted_sessions(
    marks: pl.LazyFrame, codes: pl.LazyFrame, spells: pl.LazyFrame, window: Window
) -> pl.LazyFrame:
    """One row per mark that counts for its enrolment in the window, classified by its code.
    `spells` are the periods on roll (see `on_roll`)."""
    return on_roll(classify_marks(in_window(marks, window), codes), spells)
