"""The register checked against leave of absence decisions: sessions in agreed leave should be
`C` or `C1`; sessions of leave refused and taken (absent) should be `G`."""

from __future__ import annotations

import polars as pl

from analytics.domain.leave import AGREED, AGREED_CODES, REFUSED, REFUSED_TAKEN_CODE


def leave_mismatches(requests: pl.LazyFrame, sessions: pl.LazyFrame) -> pl.LazyFrame:
    """One row per possible session inside a decided request whose code does not match the
    decision: `request_id, enrolment_id, date, session, code, decision, expected, finding`.

    `requests` hold `request_id, enrolment_id, first_day, last_day, decision`; `sessions` are
    counted sessions (`enrolment_id, date, session, code, possible, attended`). A refused request
    is checked only on sessions the pupil was absent (present, the leave was not taken); sessions
    that are not possible (closures, `#`) are not checked; a session with no mark is a
    data-quality finding listed elsewhere."""
    inside = (
        sessions.filter(pl.col("possible") == 1)
        .join(
            requests.filter(pl.col("decision").is_in([AGREED, REFUSED])).select(
                "request_id", "enrolment_id", "first_day", "last_day", "decision"
            ),
            on="enrolment_id",
        )
        .filter(pl.col("date").is_between(pl.col("first_day"), pl.col("last_day")))
    )
    agreed = pl.col("decision") == AGREED
    wrong = (agreed & ~pl.col("code").is_in(list(AGREED_CODES))) | (
        ~agreed & (pl.col("attended") == 0) & (pl.col("code") != REFUSED_TAKEN_CODE)
    )
    expected = (
        pl.when(agreed)
        .then(pl.lit(" or ".join(AGREED_CODES)))
        .otherwise(pl.lit(REFUSED_TAKEN_CODE))
    )
    return (
        inside.filter(wrong)
        .with_columns(expected.alias("expected"))
        .with_columns(
            pl.when(agreed)
            .then(pl.format("leave agreed, coded {}: expected {}", "code", "expected"))
            .otherwise(pl.format("leave refused and taken, coded {}: expected G", "code"))
            .alias("finding")
        )
        .select(
            "request_id",
            "enrolment_id",
            "date",
            "session",
            "code",
            "decision",
            "expected",
            "finding",
        )
        .sort("date", "session", "enrolment_id")
    )
