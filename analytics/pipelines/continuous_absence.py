"""Continuous absence without authorisation, as `rules.md` section 10 reads the regulations: 10
or more consecutive school days of the pupil's school on each of which every possible session
the pupil had was unauthorised absence (`G N O U`).

A day with any attended or authorised session breaks a run. Days with no possible session for
the pupil (holidays, `#`, `Y1`-`Y7`, `D`, `X`, a day with no mark) neither count nor break it,
and weekends hold no session: so the run is read over the pupil's own days with a possible
session, in date order. A half day counts when its one possible session was unauthorised and
the other was not possible or not marked.

Every such run lies inside one of the pupil's spells of consecutive absence (`absence_spells`):
its possible sessions follow one another with no attended session between them. So only the
sessions of spells holding 10 or more unauthorised sessions need reading.
"""

from __future__ import annotations

import polars as pl

#: School days of unauthorised absence in a row that the local authority must be told of.
CONTINUOUS_SCHOOL_DAYS = 10
#: A run of that many days holds at least one unauthorised session a day.
LEAST_UNAUTHORISED_SESSIONS = CONTINUOUS_SCHOOL_DAYS


def absent_days(sessions: pl.LazyFrame) -> pl.LazyFrame:
    """One row per enrolment and day with a possible session: `enrolment_id, date, possible`
    (sessions), `unauthorised` (sessions) and `qualifies` (every possible one unauthorised).
    `sessions` are counted sessions (`enrolment_id, date, code, possible, unauthorised`)."""
    return (
        sessions.filter(pl.col("possible") == 1)
        .group_by("enrolment_id", "date")
        .agg(
            pl.len().cast(pl.Int64).alias("possible"),
            pl.col("unauthorised").cast(pl.Int64).sum().alias("unauthorised"),
        )
        .with_columns((pl.col("unauthorised") == pl.col("possible")).alias("qualifies"))
        .sort("enrolment_id", "date")
    )


def continuous_absence(sessions: pl.LazyFrame, least: int = CONTINUOUS_SCHOOL_DAYS) -> pl.LazyFrame:
    """One row per run of `least` or more continuous school days of unauthorised absence:
    `enrolment_id, first_day, last_day, school_days, sessions` (the run's unauthorised
    sessions) and `ongoing` (the run reaches the enrolment's last day in `sessions`), from the
    counted sessions of the days to read (`enrolment_id, date, session, code, possible,
    unauthorised`)."""
    days = absent_days(sessions).with_columns(
        pl.struct("enrolment_id", "qualifies").rle_id().alias("run"),
        (pl.col("date") == pl.col("date").max().over("enrolment_id")).alias("_last"),
    )
    return (
        days.filter(pl.col("qualifies"))
        .group_by("run")
        .agg(
            pl.col("enrolment_id").first(),
            pl.col("date").min().alias("first_day"),
            pl.col("date").max().alias("last_day"),
            pl.len().cast(pl.Int64).alias("school_days"),
            pl.col("unauthorised").sum().alias("sessions"),
            pl.col("_last").any().alias("ongoing"),
        )
        .filter(pl.col("school_days") >= least)
        .drop("run")
        .sort("enrolment_id", "first_day")
    )


def run_codes(sessions: pl.LazyFrame, runs: pl.LazyFrame) -> pl.LazyFrame:
    """One row per run (`enrolment_id, first_day`) and code of its unauthorised sessions:
    `code, sessions`, most used first."""
    return (
        sessions.filter(pl.col("unauthorised") == 1)
        .join(runs.select("enrolment_id", "first_day", "last_day"), on="enrolment_id")
        .filter(pl.col("date").is_between(pl.col("first_day"), pl.col("last_day")))
        .group_by("enrolment_id", "first_day", "code")
        .agg(pl.len().cast(pl.Int64).alias("sessions"))
        .sort(
            ["enrolment_id", "first_day", "sessions", "code"],
            descending=[False, False, True, False],
        )
    )
