"""The attendance coordinator's lists: today's unexplained absences, `N` codes left unresolved,
and the pupils whose attendance improved most.

A **missing mark** is a session of a school day with no mark for a pupil on roll (`decisions.md`).
A session counts as registered at a school once any of its pupils has a mark for it: before the
afternoon register is taken, nobody is listed as missing the afternoon.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from analytics.domain.codes import NOT_YET_KNOWN
from analytics.pipelines.measures import rate
from analytics.pipelines.penalty import latest_school_weeks

#: Reasons a pupil is on the first-day list.
CODED_N = "coded N (reason not yet known)"
NO_MARK = "no mark"


def on_roll_on(spells: pl.LazyFrame, day: date) -> pl.LazyFrame:
    """One row per enrolment on roll on `day`: `enrolment_id` (from its spells)."""
    return (
        spells.filter(
            (pl.col("admission_date") <= day)
            & (pl.col("leaving_date").is_null() | (pl.col("leaving_date") >= day))
        )
        .select("enrolment_id")
        .unique()
    )


def unexplained_absences(
    marks: pl.LazyFrame, enrolments: pl.LazyFrame, spells: pl.LazyFrame, day: date
) -> pl.LazyFrame:
    """One row per enrolment on roll and session of `day` whose mark is `N` or missing, for the
    sessions each school has registered: `school_urn, enrolment_id, date, session, code` (null
    when missing) and `reason`."""
    todays = marks.filter(pl.col("date") == day)
    registered = todays.select("school_urn", "session").unique()
    on_roll = enrolments.select("enrolment_id", "school_urn").join(
        on_roll_on(spells, day), on="enrolment_id", how="semi"
    )
    expected = on_roll.join(registered, on="school_urn", how="inner")
    return (
        expected.join(
            todays.select("enrolment_id", "session", "code"),
            on=["enrolment_id", "session"],
            how="left",
        )
        .filter(pl.col("code").is_null() | (pl.col("code") == NOT_YET_KNOWN))
        .with_columns(
            pl.lit(day).alias("date"),
            pl.when(pl.col("code").is_null())
            .then(pl.lit(NO_MARK))
            .otherwise(pl.lit(CODED_N))
            .alias("reason"),
        )
        .select("school_urn", "enrolment_id", "date", "session", "code", "reason")
        .sort("session", "school_urn", "enrolment_id")
    )


def school_day_numbers(days: pl.LazyFrame) -> pl.LazyFrame:
    """One row per school and school day, adding `school_day_number` (1 for its first day)."""
    return days.sort("school_urn", "date").with_columns(
        pl.col("date").rank("dense").over("school_urn").cast(pl.Int32).alias("school_day_number")
    )


def unresolved_n_codes(
    sessions: pl.LazyFrame, days: pl.LazyFrame, as_of: date, older_than: int
) -> pl.LazyFrame:
    """One row per session coded `N` on or before `as_of` that is more than `older_than` school
    days old: adds `school_days_old`, the school days of its school after its date up to and
    including `as_of` (an `N` from Monday is 5 school days old on the next Monday)."""
    numbered = school_day_numbers(days.filter(pl.col("date") <= as_of))
    latest = numbered.group_by("school_urn").agg(pl.col("school_day_number").max().alias("_latest"))
    return (
        sessions.filter((pl.col("code") == NOT_YET_KNOWN) & (pl.col("date") <= as_of))
        .join(numbered, on=["school_urn", "date"], how="inner")
        .join(latest, on="school_urn", how="inner")
        .with_columns((pl.col("_latest") - pl.col("school_day_number")).alias("school_days_old"))
        .filter(pl.col("school_days_old") > older_than)
        .drop("_latest", "school_day_number")
    )


def attendance_change(
    weekly: pl.LazyFrame, weeks: pl.LazyFrame, as_of: date, count: int
) -> pl.LazyFrame:
    """One row per enrolment with possible sessions in both its school's last `count` school
    weeks up to `as_of` and the `count` before them: `earlier_possible, earlier_attended,
    recent_possible, recent_attended, earlier_rate, recent_rate` and `change_points`
    (recent minus earlier attendance, in percentage points). `weekly` holds session totals per
    enrolment and week (`school_urn, enrolment_id, week_start, possible, attended`) of the days
    up to `as_of`."""
    latest = latest_school_weeks(weeks, as_of, 2 * count).with_columns(
        (pl.col("weeks_ago") < count).alias("recent")
    )
    recent, earlier = pl.col("recent"), ~pl.col("recent")
    totals = (
        weekly.join(
            latest.select("school_urn", "week_start", "recent"),
            on=["school_urn", "week_start"],
            how="inner",
        )
        .group_by("enrolment_id")
        .agg(
            pl.col("possible").filter(earlier).sum().cast(pl.Int64).alias("earlier_possible"),
            pl.col("attended").filter(earlier).sum().cast(pl.Int64).alias("earlier_attended"),
            pl.col("possible").filter(recent).sum().cast(pl.Int64).alias("recent_possible"),
            pl.col("attended").filter(recent).sum().cast(pl.Int64).alias("recent_attended"),
        )
        .filter((pl.col("earlier_possible") > 0) & (pl.col("recent_possible") > 0))
    )
    return totals.with_columns(
        rate("earlier_attended", "earlier_possible").alias("earlier_rate"),
        rate("recent_attended", "recent_possible").alias("recent_rate"),
    ).with_columns((pl.col("recent_rate") - pl.col("earlier_rate")).alias("change_points"))
