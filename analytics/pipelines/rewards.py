"""Rewards: full attendance and most improved attendance, for a window, by form, year group or
school.

Full attendance is every possible session attended (present or an approved educational
activity; `L` counts as present) with at least one possible session. Most improved is the largest
rise in attendance from an earlier window to this one, among pupils with possible sessions in
both who rose: the top `top` of each group, ties all in.
"""

from __future__ import annotations

import polars as pl

from analytics.pipelines.measures import rate

#: The groups rewards may be given by, and the column each is read from.
GROUPS = {"form": "form", "year": "year_group", "school": "school_urn"}


def full_attendance(per_enrolment: pl.LazyFrame) -> pl.LazyFrame:
    """The enrolments of `per_enrolment` (enrolment measures) with full attendance: every
    possible session attended, at least one."""
    return per_enrolment.filter(
        (pl.col("possible") > 0) & (pl.col("attended") == pl.col("possible"))
    )


def most_improved(now: pl.LazyFrame, earlier: pl.LazyFrame, by: str, top: int) -> pl.LazyFrame:
    """The `top` enrolments of each group (`by`: a GROUPS key) whose attendance rose most from
    `earlier` to `now` (both enrolment measures, `now` with the group's column), ties all in:
    adds `earlier_rate`, `rate`, `change_points` and `place` (1 for the largest rise)."""
    group = GROUPS[by]
    before = earlier.filter(pl.col("possible") > 0).select(
        "enrolment_id", rate("attended", "possible").alias("earlier_rate")
    )
    return (
        now.filter(pl.col("possible") > 0)
        .with_columns(rate("attended", "possible").alias("rate"))
        .join(before, on="enrolment_id", how="inner")
        .with_columns((pl.col("rate") - pl.col("earlier_rate")).alias("change_points"))
        .filter(pl.col("change_points") > 0)
        .with_columns(
            pl.col("change_points")
            .rank("min", descending=True)
            .over(pl.col(group).fill_null(""))
            .cast(pl.Int32)
            .alias("place")
        )
        .filter(pl.col("place") <= top)
        # Ties in enrolment order, so the same data always lists (and prints) the same way.
        .sort(group, "place", "enrolment_id", nulls_last=True)
    )
