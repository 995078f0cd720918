"""The DfE measures: session totals, rates, persistent and severe absence, for any grouping.

Rates are sums over enrolments divided once (`Σ absent / Σ possible × 100`), never averages of
enrolment rates. PA and SA compare integers (`10 × absent ≥ possible`), so exactly 10% is
persistent. An enrolment with no possible session is in no rate's denominator.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from analytics.pipelines.sessions import SESSION_MEASURES
from analytics.pipelines.windows import Window

#: Rates every measures frame gets, as (name, numerator); the denominator is `possible`.
SESSION_RATES = (
    ("attendance_rate", "attended"),
    ("absence_rate", "absent"),
    ("authorised_rate", "authorised"),
    ("unauthorised_rate", "unauthorised"),
    ("present_rate", "present"),
    ("aea_rate", "aea"),
    ("late_before_close_rate", "late_before_close"),
    ("late_after_close_rate", "late_after_close"),
)
PERSISTENT_ABSENCE_PERCENT = 10
SEVERE_ABSENCE_PERCENT = 50
#: A cohort column (`with_cohorts`): the day from which DfE's statistics leave an enrolment's
#: sessions out (null: none left out).
DFE_DROPS_FROM = "dfe_drops_from"
#: Per-enrolment totals of the sessions DfE leaves out, one per SESSION_MEASURES measure.
DFE_DROPPED = tuple(f"dfe_dropped_{m}" for m in SESSION_MEASURES)


def rate(numerator: str | pl.Expr, denominator: str | pl.Expr) -> pl.Expr:
    """`numerator / denominator × 100`, null when the denominator is 0."""
    num = pl.col(numerator) if isinstance(numerator, str) else numerator
    den = pl.col(denominator) if isinstance(denominator, str) else denominator
    return pl.when(den > 0).then(num.cast(pl.Float64) * 100.0 / den.cast(pl.Float64))


def with_session_rates(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Adds every SESSION_RATES column to a frame of session totals."""
    return frame.with_columns(
        rate(numerator, "possible").alias(name) for name, numerator in SESSION_RATES
    )


def at_least_percent(part: pl.Expr, whole: pl.Expr, percent: int) -> pl.Expr:
    """`part / whole ≥ percent%`, in integers; false when `whole` is 0."""
    return (whole > 0) & (part.cast(pl.Int64) * 100 >= whole.cast(pl.Int64) * percent)


def with_absence_flags(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Adds `persistent_absence` (absence ≥ 10% of possible) and `severe_absence` (≥ 50%)."""
    absent, possible = pl.col("absent"), pl.col("possible")
    return frame.with_columns(
        at_least_percent(absent, possible, PERSISTENT_ABSENCE_PERCENT).alias("persistent_absence"),
        at_least_percent(absent, possible, SEVERE_ABSENCE_PERCENT).alias("severe_absence"),
    )


def session_totals(sessions: pl.LazyFrame, by: Sequence[str] = ("enrolment_id",)) -> pl.LazyFrame:
    """One row per `by` group: the sum of each session measure."""
    return sessions.group_by(*by).agg(pl.col(m).sum().cast(pl.Int64) for m in SESSION_MEASURES)


def enrolments_on_roll(
    enrolments: pl.LazyFrame, window: Window, spells: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """One row per enrolment on roll on at least one day of the window: one of its `spells`
    (default: the enrolment's own admission and leaving dates, one spell each) overlaps it."""
    overlapping = (spells if spells is not None else enrolments).filter(
        (pl.col("admission_date") <= window.end)
        & (pl.col("leaving_date").is_null() | (pl.col("leaving_date") >= window.start))
    )
    return enrolments.join(
        overlapping.select("enrolment_id").unique(), on="enrolment_id", how="semi"
    )


def enrolment_measures(enrolments: pl.LazyFrame, sessions: pl.LazyFrame) -> pl.LazyFrame:
    """One row per enrolment in `enrolments` (all their columns kept) with its session totals,
    rates and absence flags; enrolments with no counted session get zeros. `sessions` are
    counted sessions (with `date`) or weekly totals (with `week_start`).

    When `enrolments` carry DFE_DROPS_FROM, DFE_DROPPED adds the totals of the sessions DfE's
    national statistics leave out (see `like_dfe`); every other figure counts them."""
    totals = session_totals(sessions)
    measured = (
        enrolments.join(totals, on="enrolment_id", how="left")
        .with_columns(pl.col(m).fill_null(0) for m in SESSION_MEASURES)
        .pipe(with_session_rates)
        .pipe(with_absence_flags)
    )
    if DFE_DROPS_FROM not in enrolments.collect_schema().names():
        return measured
    day = "date" if "date" in sessions.collect_schema().names() else "week_start"
    # The drop starts on a Monday, so whole weeks of totals are dropped or kept.
    drops = enrolments.select("enrolment_id", DFE_DROPS_FROM).filter(
        pl.col(DFE_DROPS_FROM).is_not_null()
    )
    dropped = session_totals(
        sessions.join(drops, on="enrolment_id").filter(pl.col(day) >= pl.col(DFE_DROPS_FROM))
    ).rename(dict(zip(SESSION_MEASURES, DFE_DROPPED, strict=True)))
    return measured.join(dropped, on="enrolment_id", how="left").with_columns(
        pl.col(d).fill_null(0) for d in DFE_DROPPED
    )


def like_dfe(per_enrolment: pl.LazyFrame) -> pl.LazyFrame:
    """Per-enrolment measures as DfE's national statistics count them: without the sessions
    they leave out (the second half of summer for pupils aged 15 on 31 August), so rates, PA
    and SA are recomputed. A frame without DFE_DROPPED is returned as it is."""
    if DFE_DROPPED[0] not in per_enrolment.collect_schema().names():
        return per_enrolment
    return (
        per_enrolment.with_columns(
            pl.col(m) - pl.col(d) for m, d in zip(SESSION_MEASURES, DFE_DROPPED, strict=True)
        )
        .pipe(with_session_rates)
        .pipe(with_absence_flags)
    )


def group_measures(per_enrolment: pl.LazyFrame, by: Sequence[str] = ()) -> pl.LazyFrame:
    """One row per group of enrolments (the whole frame when `by` is empty).

    Adds `enrolments` (all on roll), `enrolments_counted` (with a possible session, the PA
    denominator), session sums, `persistent_absentees`, `severe_absentees` and every rate.
    """
    aggregations = [
        pl.len().alias("enrolments"),
        (pl.col("possible") > 0).sum().alias("enrolments_counted"),
        *(pl.col(m).sum().cast(pl.Int64) for m in SESSION_MEASURES),
        pl.col("persistent_absence").sum().alias("persistent_absentees"),
        pl.col("severe_absence").sum().alias("severe_absentees"),
    ]
    grouped = (
        per_enrolment.group_by(*by).agg(aggregations) if by else per_enrolment.select(aggregations)
    )
    return grouped.pipe(with_session_rates).with_columns(
        rate("persistent_absentees", "enrolments_counted").alias("persistent_absence_rate"),
        rate("severe_absentees", "enrolments_counted").alias("severe_absence_rate"),
    )


def code_counts(sessions: pl.LazyFrame, by: Sequence[str] = ()) -> pl.LazyFrame:
    """One row per group and code: how many counted sessions carry the code."""
    return sessions.group_by(*by, "code", "category").agg(pl.len().alias("sessions"))
