"""Spells of consecutive absence: runs of an enrolment's possible sessions that are all absence.

Sessions are taken in register order (date, then AM before PM). Only possible sessions count: a
session that is not possible (`X`, `Y1`-`Y7`, `#` ...) neither breaks nor extends a spell, and
weekends and holidays hold no session, so a pupil absent on Friday and again on Monday (or
either side of a half-term) has one spell. Any attended session (present or approved
educational activity) ends a spell. A school day with no mark counts in nothing (as everywhere).
"""

from __future__ import annotations

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

#: Lengths of spell the pages count, as (label, fewest sessions, most sessions or None).
SPELL_LENGTHS = (
    ("1 session", 1, 1),
    ("2 to 3 sessions", 2, 3),
    ("4 to 9 sessions", 4, 9),
    ("10 to 19 sessions (a school week or more)", 10, 19),
    ("20 sessions or more (two school weeks or more)", 20, None),
)
#: A spell this long (a school week of sessions) or longer is a long spell.
LONG_SPELL_SESSIONS = 10


#: Columns of a spell, as `absence_spells` gives them.
SPELL_COLUMNS = (
    "enrolment_id",
    "first_date",
    "first_session",
    "last_date",
    "last_session",
    "sessions",
    "unauthorised",
    "main_code",
)


def _runs(sessions: pl.LazyFrame) -> pl.LazyFrame:
    """One row per run of an enrolment's possible sessions that are all absence or all attended:
    `run, enrolment_id, absent` (1 or 0), the spell columns, in register order."""
    # One integer key (enrolment, day, AM/PM) sorts about twice as fast as three columns.
    register_order = (
        pl.col("enrolment_id").cast(pl.Int64) * 1_000_000
        + pl.col("date").cast(pl.Int32).cast(pl.Int64) * 2
        + (pl.col("session").cast(pl.String) == "PM").cast(pl.Int64)
    )
    return (
        sessions.filter(pl.col("possible") == 1)
        .select("enrolment_id", "date", "session", "code", "absent", "unauthorised")
        .sort(register_order)
        .with_columns(pl.struct("enrolment_id", "absent").rle_id().alias("run"))
        .group_by("run", maintain_order=True)
        .agg(
            pl.col("enrolment_id").first(),
            pl.col("absent").first(),
            pl.col("date").first().alias("first_date"),
            pl.col("session").first().alias("first_session"),
            pl.col("date").last().alias("last_date"),
            pl.col("session").last().alias("last_session"),
            pl.len().cast(pl.Int64).alias("sessions"),
            pl.col("unauthorised").sum().cast(pl.Int64).alias("unauthorised"),
            pl.col("code").mode(maintain_order=True).first().alias("main_code"),
        )
    )


def absence_spells(sessions: pl.LazyFrame) -> pl.LazyFrame:
    """One row per spell of consecutive absence: `enrolment_id, first_date, first_session,
    last_date, last_session, sessions, unauthorised, main_code` (the spell's most used code;
    the earliest on a tie)."""
    return (
        _runs(sessions)
        .filter(pl.col("absent") == 1)
        .select(SPELL_COLUMNS)
        .sort("enrolment_id", "first_date", "first_session")
    )


def absence_spells_with_ends(sessions: pl.LazyFrame) -> pl.LazyFrame:
    """`absence_spells`, adding `ended_on`: the date of the attended session that ended each
    spell (null when none has), as the store keeps them."""
    runs = _runs(sessions).sort("run")
    return (
        runs.with_columns(
            pl.when(pl.col("enrolment_id").shift(-1) == pl.col("enrolment_id"))
            .then(pl.col("first_date").shift(-1))
            .alias("ended_on")
        )
        .filter(pl.col("absent") == 1)
        .select(*SPELL_COLUMNS, "ended_on")
        .sort("enrolment_id", "first_date", "first_session")
    )


def spell_length_label(sessions: str = "sessions") -> pl.Expr:
    """The SPELL_LENGTHS label of a spell of `sessions` sessions."""
    length = pl.col(sessions)
    expression: Then | ChainedThen | None = None
    for label, low, high in SPELL_LENGTHS:
        condition = length >= low if high is None else length.is_between(low, high)
        expression = (
            pl.when(condition) if expression is None else expression.when(condition)
        ).then(pl.lit(label))
    assert expression is not None  # SPELL_LENGTHS is not empty
    return expression


def spell_length_distribution(spells: pl.LazyFrame) -> pl.LazyFrame:
    """One row per SPELL_LENGTHS band (every band, even empty): `length, spells, enrolments`
    (with at least one spell of that length) and `sessions` (absence sessions in those spells)."""
    labels = pl.LazyFrame(
        {
            "length": [label for label, _, _ in SPELL_LENGTHS],
            "order": list(range(len(SPELL_LENGTHS))),
        }
    )
    counts = (
        spells.with_columns(spell_length_label().alias("length"))
        .group_by("length")
        .agg(
            pl.len().cast(pl.Int64).alias("spells"),
            pl.col("enrolment_id").n_unique().cast(pl.Int64).alias("enrolments"),
            pl.col("sessions").sum().cast(pl.Int64).alias("sessions"),
        )
    )
    return (
        labels.join(counts, on="length", how="left")
        .with_columns(pl.col("spells", "enrolments", "sessions").fill_null(0))
        .sort("order")
        .drop("order")
    )


def spells_per_enrolment(spells: pl.LazyFrame) -> pl.LazyFrame:
    """One row per enrolment with a spell: `absence_spells` (how many), `longest_absence_spell`
    (sessions) and `long_absence_spells` (spells of LONG_SPELL_SESSIONS or more)."""
    return spells.group_by("enrolment_id").agg(
        pl.len().cast(pl.Int64).alias("absence_spells"),
        pl.col("sessions").max().alias("longest_absence_spell"),
        (pl.col("sessions") >= LONG_SPELL_SESSIONS)
        .sum()
        .cast(pl.Int64)
        .alias("long_absence_spells"),
    )
