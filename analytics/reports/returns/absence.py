"""The returns about absence: continuous absence without authorisation, and part-time timetables.

Continuous absence reads no more than it must: the kept spells of consecutive absence that reach
into the period with 10 or more unauthorised sessions (every run of 10 school days lies inside
one, `pipelines.continuous_absence`), then the counted sessions of those pupils only, from the
start of their spell to the period's end. The period's unauthorised sessions and the school days
alone would not do: a day on which the pupil had one unauthorised session and one attended needs
the attended one to break the run, and a school day on which the pupil had no possible session
(a `Y` code of their own, dual registration, no mark) must neither count nor break it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from analytics.domain.codes import NOT_YET_KNOWN, code_table
from analytics.domain.returns import PART_TIME_PLAN_TYPES, PART_TIME_PLAN_WORDS
from analytics.pipelines.continuous_absence import (
    LEAST_UNAUTHORISED_SESSIONS,
    continuous_absence,
    run_codes,
)
from analytics.reports.returns.pupils import (
    PUPIL_COLUMNS,
    enrolments_with_details,
    with_year_group_on,
)
from analytics.store import Database, read
from analytics.store import interventions as intervention_store
from analytics.store import returns as returns_store

#: The code a part-time timetable is registered with.
PART_TIME = "C2"


def continuous_runs(
    db: Database, start: date, end: date, urns: Sequence[int] | None = None
) -> pl.DataFrame:
    """Every run of 10 or more continuous school days of unauthorised absence with a day in the
    period (counted from its true first day, up to the period's end), of every pupil:
    `enrolment_id, first_day, last_day, school_days, sessions, ongoing, codes` (`code, sessions`
    of its unauthorised sessions, most used first)."""
    spells = returns_store.spells_with_unauthorised(
        db, urns, start, end, LEAST_UNAUTHORISED_SESSIONS
    )
    schema = pl.Schema(
        {
            "enrolment_id": pl.Int32(),
            "first_day": pl.Date(),
            "last_day": pl.Date(),
            "school_days": pl.Int64(),
            "sessions": pl.Int64(),
            "ongoing": pl.Boolean(),
            "codes": pl.List(pl.Struct({"code": pl.String, "sessions": pl.Int64})),
        }
    )
    if spells.is_empty():
        return pl.DataFrame(schema=schema)
    first = spells["first_date"].min()
    assert isinstance(first, date)
    sessions = read.counted_sessions(
        db,
        urns,
        first,
        end,
        flagged="possible",
        enrolment_ids=spells["enrolment_id"].unique(),
    ).lazy()
    # Each pupil's sessions from the start of their first such spell only.
    sessions = sessions.join(
        spells.lazy().group_by("enrolment_id").agg(pl.col("first_date").min()), on="enrolment_id"
    ).filter(pl.col("date") >= pl.col("first_date"))
    runs = continuous_absence(sessions).filter(pl.col("last_day") >= start)
    codes = (
        run_codes(sessions, runs)
        .group_by("enrolment_id", "first_day", maintain_order=True)
        .agg(pl.struct("code", "sessions").alias("codes"))
    )
    return (
        runs.join(codes, on=["enrolment_id", "first_day"], how="left")
        .sort("enrolment_id", "first_day")
        .collect()
        .cast(schema)
    )


def _cause(runs: pl.DataFrame, interventions: pl.DataFrame) -> pl.DataFrame:
    """Each run's cause of absence as far as the register and the log tell it: its codes in
    words (`N` saying the reason is not yet established), and the latest action in the run
    with its outcome. `enrolment_id, first_day, cause_if_known`."""
    meanings = code_table().select("code", "meaning").unique("code", keep="last")
    codes = (
        runs.lazy()
        .select("enrolment_id", "first_day", "codes")
        .explode("codes")
        .unnest("codes")
        .join(meanings.lazy(), on="code", how="left")
        .with_columns(
            pl.format(
                "{} ({} {} session{})",
                pl.when(pl.col("code") == NOT_YET_KNOWN)
                .then(pl.lit("reason not yet established"))
                .otherwise(pl.col("meaning").str.to_lowercase()),
                "code",
                "sessions",
                pl.when(pl.col("sessions") == 1).then(pl.lit("")).otherwise(pl.lit("s")),
            ).alias("_said")
        )
        .group_by("enrolment_id", "first_day", maintain_order=True)
        .agg(pl.col("_said").str.join("; "))
    )
    actions = (
        runs.lazy()
        .select("enrolment_id", "first_day", "last_day")
        .join(interventions.lazy(), on="enrolment_id")
        .filter(pl.col("date").is_between(pl.col("first_day"), pl.col("last_day")))
        .sort("date", "intervention_id")
        .group_by("enrolment_id", "first_day")
        .agg(pl.col("type").last(), pl.col("date").last(), pl.col("outcome").last())
        .select(
            "enrolment_id",
            "first_day",
            pl.format(
                "latest action: {} on {}{}",
                pl.col("type").str.to_lowercase(),
                pl.col("date").dt.strftime("%d/%m/%Y"),
                pl.when(pl.col("outcome").is_not_null())
                .then(pl.format(" ({})", "outcome"))
                .otherwise(pl.lit("")),
            ).alias("_action"),
        )
    )
    return (
        codes.join(actions, on=["enrolment_id", "first_day"], how="left")
        .select(
            "enrolment_id",
            "first_day",
            pl.concat_str(["_said", "_action"], separator="; ", ignore_nulls=True).alias(
                "cause_if_known"
            ),
        )
        .collect()
    )


def continuous_absence_return(
    db: Database, start: date, end: date, urns: Sequence[int] | None = None
) -> pl.DataFrame:
    """One row per run of 10 or more continuous school days of unauthorised absence with a day
    in the period, of pupils of compulsory school age then (5 to 15 on 31 August), with the
    cause if known; longest runs first."""
    runs = continuous_runs(db, start, end, urns)
    enrolments = enrolments_with_details(db, urns)
    interventions = intervention_store.interventions(
        db, urns, enrolment_ids=runs["enrolment_id"].unique().to_list()
    )
    rows = with_year_group_on(runs.lazy(), enrolments, "last_day").filter(
        pl.col("compulsory_school_age").fill_null(False)
    )
    return (
        rows.join(enrolments.lazy().select(*PUPIL_COLUMNS, "school_urn"), on="enrolment_id")
        .join(_cause(runs, interventions).lazy(), on=["enrolment_id", "first_day"], how="left")
        .sort(
            ["school_days", "school_urn", "surname", "forename", "upn", "first_day"],
            descending=[True, False, False, False, False, False],
        )
        .collect()
    )


def part_time_return(
    db: Database, start: date, end: date, urns: Sequence[int] | None = None
) -> pl.DataFrame:
    """One row per pupil with sessions coded `C2` in the period: the first and latest such day,
    their number, and the latest plan recorded for the pupil on or before the period's end (an
    attendance action plan, or a school's own type naming a part-time or reduced timetable)
    with its review date. Pupils past their review date (before the period's end) come first,
    then pupils with no plan or no review date, then the rest by review date."""
    part_time = read.counted_sessions(db, urns, start, end, codes=[PART_TIME]).lazy()
    pupils = part_time.group_by("enrolment_id").agg(
        pl.col("date").min().alias("first_c2_day"),
        pl.col("date").max().alias("latest_c2_day"),
        pl.len().cast(pl.Int64).alias("c2_sessions"),
    )
    enrolments = enrolments_with_details(db, urns)
    ids = pupils.collect()["enrolment_id"].to_list()
    type_ = pl.col("type").str.to_lowercase()
    plans = (
        intervention_store.interventions(db, urns, enrolment_ids=ids)
        .lazy()
        .filter(
            (pl.col("date") <= end)
            & (
                pl.col("type").is_in(list(PART_TIME_PLAN_TYPES))
                | pl.any_horizontal(
                    [type_.str.contains(word, literal=True) for word in PART_TIME_PLAN_WORDS]
                )
            )
        )
        .sort("date", "intervention_id")
        .group_by("enrolment_id")
        .agg(
            pl.col("type").last().alias("plan"),
            pl.col("date").last().alias("plan_date"),
            pl.col("owner").last().alias("plan_owner"),
            pl.col("next_review").last().alias("review_date"),
            pl.col("notes").last().alias("plan_notes"),
        )
    )
    rows = (
        with_year_group_on(pupils, enrolments, "latest_c2_day")
        .join(enrolments.lazy().select(*PUPIL_COLUMNS, "school_urn"), on="enrolment_id")
        .join(plans, on="enrolment_id", how="left")
        .with_columns((pl.col("review_date") < end).fill_null(False).alias("review_overdue"))
    )
    order = (
        pl.when(pl.col("review_overdue"))
        .then(0)
        .when(pl.col("review_date").is_null())
        .then(1)
        .otherwise(2)
        .alias("_order")
    )
    return (
        rows.with_columns(order)
        .sort("_order", "review_date", "school_urn", "surname", "forename", "upn", nulls_last=True)
        .drop("_order")
        .collect()
    )
