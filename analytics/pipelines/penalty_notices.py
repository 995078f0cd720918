"""Penalty notices as the national framework counts them (`rules.md` section 3): at most two
notices to the same parent for the same child in a rolling three years, the second a flat £160,
then other action; withdrawn notices do not count.

A notice is an intervention of type `Penalty notice issued`, naming the parent it was issued to
(`issued_to`, compared without case or surrounding spaces; notices recorded without a parent
count as one parent's) and its outcome. It counts on the as-of date when it was issued on or
before that date and less than three years before it (a notice of 1 Dec 2023 counts up to
30 Nov 2026), and its outcome is not `Withdrawn`.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from analytics.domain.interventions import PENALTY_NOTICE_ISSUED

NOTICE_YEARS = 3
#: Notices to one parent for one child within NOTICE_YEARS, after which the LA considers other
#: action (prosecution under section 444, say).
MOST_NOTICES = 2
WITHDRAWN = "Withdrawn"
FIRST, SECOND, NONE = "first", "second (£160)", "none: consider other action"


def notices_counted(interventions: pl.LazyFrame, as_of: date) -> pl.LazyFrame:
    """One row per enrolment with a notice that counts on `as_of`: `notices_last_3_years` (to any
    parent) and `next_notice` (`first`, `second (£160)` or `none: consider other action`, for the
    parent with the most notices)."""
    counted = interventions.filter(
        (pl.col("type") == PENALTY_NOTICE_ISSUED)
        & (pl.col("date") <= as_of)
        & (pl.col("date").dt.offset_by(f"{NOTICE_YEARS}y") > as_of)
        & (pl.col("outcome").fill_null("").str.to_lowercase() != WITHDRAWN.lower())
    ).with_columns(
        pl.col("issued_to").fill_null("").str.strip_chars().str.to_lowercase().alias("_parent")
    )
    per_parent = counted.group_by("enrolment_id", "_parent").agg(pl.len().alias("_notices"))
    return per_parent.group_by("enrolment_id").agg(
        pl.col("_notices").sum().cast(pl.Int64).alias("notices_last_3_years"),
        next_notice(pl.col("_notices").max()).alias("next_notice"),
    )


def next_notice(notices: pl.Expr) -> pl.Expr:
    """What the next notice to a parent would be, from the notices they have had that count."""
    return (
        pl.when(notices >= MOST_NOTICES)
        .then(pl.lit(NONE))
        .when(notices == 1)
        .then(pl.lit(SECOND))
        .otherwise(pl.lit(FIRST))
    )


def with_notices(
    frame: pl.LazyFrame, interventions: pl.DataFrame | pl.LazyFrame, as_of: date
) -> pl.LazyFrame:
    """`frame` (one row per enrolment) with `notices_last_3_years` and `next_notice` on `as_of`
    (0 and `first` for a pupil with none)."""
    counted = notices_counted(interventions.lazy(), as_of)
    return frame.join(counted, on="enrolment_id", how="left").with_columns(
        pl.col("notices_last_3_years").fill_null(0),
        pl.col("next_notice").fill_null(FIRST),
    )
