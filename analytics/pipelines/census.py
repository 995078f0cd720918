"""The census attendance return and its checks, as Polars steps over one census period.

Inputs are the frames `Register` gives for the period's window: `cohorts` (enrolments on roll
in it, with `age_31_august`, `compulsory_school_age` and `year_group`), `sessions` (counted
sessions: on roll, in the window, classified, including codes that are not possible), raw
`marks` and `spells`. Each check returns one row per enrolment it finds, with a `detail`.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from analytics.domain.census import CENSUS_AGES, CENSUS_YEAR_GROUPS
from analytics.domain.exclusions import PERMANENT, SUSPENSION
from analytics.pipelines.measures import session_totals
from analytics.pipelines.sessions import in_window, on_roll
from analytics.pipelines.windows import Window

#: An open end for exclusions with no end date that run until the pupil leaves.
_OPEN_END = pl.date(9999, 12, 31)


def _day(column: str) -> pl.Expr:
    """A date as `3 Nov 2025` inside `pl.format`."""
    return pl.col(column).dt.strftime("%-d %b %Y")


def _sessions(count: str) -> pl.Expr:
    """`1 session`, `3 sessions` inside `pl.format`."""
    return pl.format(
        "{} session{}", count, pl.when(pl.col(count) == 1).then(pl.lit("")).otherwise(pl.lit("s"))
    )


def census_pupils(cohorts: pl.LazyFrame) -> pl.LazyFrame:
    """The enrolments in the return: on roll in the period (the rows of `cohorts`) and aged 4 to
    15 on 31 August at the start of the academic year."""
    return cohorts.filter(pl.col("age_31_august").is_between(*CENSUS_AGES))


def census_table(
    pupils: pl.LazyFrame, sessions: pl.LazyFrame, reasons: Sequence[str]
) -> pl.LazyFrame:
    """One row per enrolment in `pupils`: `sessions_possible`, `sessions_authorised`,
    `sessions_unauthorised` and a `reason_<code>` count per code in `reasons` (zeros when none),
    with the pupil's columns; ordered by school and UPN."""
    totals = session_totals(sessions).select(
        "enrolment_id",
        pl.col("possible").alias("sessions_possible"),
        pl.col("authorised").alias("sessions_authorised"),
        pl.col("unauthorised").alias("sessions_unauthorised"),
    )
    by_reason = (
        sessions.filter(pl.col("possible") == 1)
        .group_by("enrolment_id")
        .agg(
            (pl.col("code") == code).sum().cast(pl.Int64).alias(f"reason_{code}")
            for code in reasons
        )
    )
    counts = [
        "sessions_possible",
        "sessions_authorised",
        "sessions_unauthorised",
        *(f"reason_{c}" for c in reasons),
    ]
    return (
        pupils.join(totals, on="enrolment_id", how="left")
        .join(by_reason, on="enrolment_id", how="left")
        .with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)
        .sort("school_urn", "upn")
    )


def x_at_compulsory_age(sessions: pl.LazyFrame, pupils: pl.LazyFrame) -> pl.LazyFrame:
    """Pupils of compulsory school age (5 to 15 on 31 August) with sessions coded `X`."""
    return (
        sessions.filter(pl.col("code") == "X")
        .join(
            pupils.filter(pl.col("compulsory_school_age")).select("enrolment_id", "age_31_august"),
            on="enrolment_id",
        )
        .group_by("enrolment_id")
        .agg(
            pl.len().alias("n"),
            pl.col("date").min().alias("first"),
            pl.col("age_31_august").first(),
        )
        .select(
            "enrolment_id",
            pl.format(
                "{} coded X, the first on {}; aged {} on 31 August",
                _sessions("n"),
                _day("first"),
                "age_31_august",
            ).alias("detail"),
        )
    )


def no_possible_sessions(table: pl.LazyFrame, window: Window) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Pupils of the return with no possible session: (still on roll at the period's end,
    leavers who left in it)."""
    zero = table.filter(pl.col("sessions_possible") == 0)
    left = pl.col("leaving_date").is_not_null() & (pl.col("leaving_date") <= window.end)
    on_roll_now = zero.filter(~left).select(
        "enrolment_id",
        pl.format("no possible session; on roll from {}", _day("admission_date")).alias("detail"),
    )
    leavers = zero.filter(left).select(
        "enrolment_id",
        pl.format("left on {} with no possible session in the period", _day("leaving_date")).alias(
            "detail"
        ),
    )
    return on_roll_now, leavers


def n_codes(sessions: pl.LazyFrame, pupils: pl.LazyFrame) -> pl.LazyFrame:
    """Pupils of the return with sessions still coded `N`."""
    return (
        sessions.filter(pl.col("code") == "N")
        .join(pupils.select("enrolment_id"), on="enrolment_id", how="semi")
        .group_by("enrolment_id")
        .agg(
            pl.len().alias("n"),
            pl.col("date").min().alias("first"),
            pl.col("date").max().alias("last"),
        )
        .select(
            "enrolment_id",
            pl.when(pl.col("first") == pl.col("last"))
            .then(pl.format("{} coded N on {}", _sessions("n"), _day("first")))
            .otherwise(
                pl.format("{} coded N, from {} to {}", _sessions("n"), _day("first"), _day("last"))
            )
            .alias("detail"),
        )
    )


def missing_marks(
    marks: pl.LazyFrame, spells: pl.LazyFrame, pupils: pl.LazyFrame, window: Window
) -> pl.LazyFrame:
    """Pupils of the return on roll for a session their school registered (any pupil has a mark
    for it) but with no mark of their own."""
    in_period = in_window(marks, window)
    registered = in_period.select("school_urn", "date", "session").unique()
    expected = on_roll(
        registered.join(pupils.select("school_urn", "enrolment_id"), on="school_urn"), spells
    )
    return (
        expected.join(
            in_period.select("enrolment_id", "date", "session"),
            on=["enrolment_id", "date", "session"],
            how="anti",
        )
        .group_by("enrolment_id")
        .agg(pl.len().alias("n"), pl.col("date").min().alias("first"))
        .select(
            "enrolment_id",
            pl.format("{} with no mark, the first on {}", _sessions("n"), _day("first")).alias(
                "detail"
            ),
        )
    )


def outside_age_range(cohorts: pl.LazyFrame, sessions: pl.LazyFrame) -> pl.LazyFrame:
    """Pupils on roll with a possible session, in a year group from Reception to Year 11, but
    aged outside 4 to 15 on 31 August: left out of the return, perhaps by a wrong date of birth."""
    attending = sessions.filter(pl.col("possible") == 1).select("enrolment_id").unique()
    return (
        cohorts.filter(
            ~pl.col("age_31_august").is_between(*CENSUS_AGES)
            & pl.col("year_group").is_in(CENSUS_YEAR_GROUPS)
        )
        .join(attending, on="enrolment_id", how="semi")
        .select(
            "enrolment_id",
            pl.format(
                "aged {} on 31 August but in year group {}; left out of the return",
                "age_31_august",
                "year_group",
            ).alias("detail"),
        )
    )


def exclusion_spans(exclusions: pl.LazyFrame, days: pl.LazyFrame) -> pl.LazyFrame:
    """One row per exclusion with `last_day`: its end date; or, with none, the school day that
    covers its sessions (sessions // 2 + 1 school days from the start, allowing an afternoon
    start) for a suspension, and no end for a permanent exclusion."""
    numbered = exclusions.with_row_index("exclusion")
    open_ended = numbered.filter(pl.col("end_date").is_null() & (pl.col("category") == SUSPENSION))
    derived = (
        open_ended.select("exclusion", "school_urn", "start_date", "sessions")
        .join(days.select("school_urn", "date"), on="school_urn")
        .filter(pl.col("date") >= pl.col("start_date"))
        .with_columns(pl.col("date").rank("ordinal").over("exclusion").alias("day_number"))
        .filter(pl.col("day_number") <= pl.col("sessions") // 2 + 1)
        .group_by("exclusion")
        .agg(pl.col("date").max().alias("derived_end"))
    )
    return (
        numbered.join(derived, on="exclusion", how="left")
        .with_columns(
            pl.coalesce(
                "end_date",
                "derived_end",
                pl.when(pl.col("category") == PERMANENT)
                .then(_OPEN_END)
                .otherwise(pl.col("start_date")),
            ).alias("last_day")
        )
        .drop("derived_end")
    )


def suspensions_without_e(
    spans: pl.LazyFrame, sessions: pl.LazyFrame, cohorts: pl.LazyFrame, window: Window
) -> pl.LazyFrame:
    """Suspensions of pupils on roll whose days in the period hold no session coded `E`; one row
    per pupil (several suspensions are listed in one detail)."""
    suspensions = spans.filter(
        (pl.col("category") == SUSPENSION)
        & (pl.col("start_date") <= window.end)
        & (pl.col("last_day") >= window.start)
    ).join(cohorts.select("enrolment_id"), on="enrolment_id", how="semi")
    e_marks = sessions.filter(pl.col("code") == "E").select("enrolment_id", "date")
    covered = (
        suspensions.join(e_marks, on="enrolment_id")
        .filter(pl.col("date").is_between(pl.col("start_date"), pl.col("last_day")))
        .select("exclusion")
        .unique()
    )
    return (
        suspensions.join(covered, on="exclusion", how="anti")
        .sort("start_date")
        .group_by("enrolment_id", maintain_order=True)
        .agg(
            pl.format(
                "suspension from {} ({} sessions) with no session coded E",
                _day("start_date"),
                "sessions",
            ).alias("found")
        )
        .select("enrolment_id", pl.col("found").list.join("; ").alias("detail"))
    )


def e_without_exclusion(spans: pl.LazyFrame, sessions: pl.LazyFrame) -> pl.LazyFrame:
    """Pupils with sessions coded `E` on days no suspension or permanent exclusion of theirs covers."""
    e_marks = sessions.filter(pl.col("code") == "E").select("enrolment_id", "date", "session")
    covered = (
        e_marks.join(spans.select("enrolment_id", "start_date", "last_day"), on="enrolment_id")
        .filter(pl.col("date").is_between(pl.col("start_date"), pl.col("last_day")))
        .select("enrolment_id", "date", "session")
        .unique()
    )
    return (
        e_marks.join(covered, on=["enrolment_id", "date", "session"], how="anti")
        .group_by("enrolment_id")
        .agg(pl.len().alias("n"), pl.col("date").min().alias("first"))
        .select(
            "enrolment_id",
            pl.format(
                "{} coded E with no suspension or exclusion recorded, the first on {}",
                _sessions("n"),
                _day("first"),
            ).alias("detail"),
        )
    )


def withdrawn_codes(
    sessions: pl.LazyFrame, codes: pl.LazyFrame, pupils: pl.LazyFrame
) -> pl.LazyFrame:
    """Pupils of the return with sessions coded with a code on or after the day it was withdrawn."""
    withdrawn = (
        codes.filter(pl.col("withdrawn_from").is_not_null())
        .select("code", "withdrawn_from")
        .unique()
    )
    return (
        sessions.join(withdrawn, on="code")
        .filter(pl.col("date") >= pl.col("withdrawn_from"))
        .join(pupils.select("enrolment_id"), on="enrolment_id", how="semi")
        .group_by("enrolment_id", "code")
        .agg(pl.len().alias("n"), pl.col("withdrawn_from").first())
        .sort("enrolment_id", "code")
        .group_by("enrolment_id", maintain_order=True)
        .agg(
            pl.format(
                "{} coded {} (withdrawn {})", _sessions("n"), "code", _day("withdrawn_from")
            ).alias("found")
        )
        .select("enrolment_id", pl.col("found").list.join(", ").alias("detail"))
    )
