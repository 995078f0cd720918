"""Stand-ins the benchmark times for the attendance coordinator's targets lists and risk scores
(issue 4, not on main when this was written): simple versions of the same rules on the same
store reads, so that their cost at trust and local-authority size is measured. When issue 4's
own functions are merged, `rollcall bench` should time those instead.

- Targets, as of a day, over the academic year to date: persistent (under 90%) and severe
  absence, and the penalty-notice threshold (10 or more `G N O U` sessions in any 10 consecutive
  school weeks, holiday weeks skipped, reaching back into the previous academic year), with the
  school week it was first met and the sessions in the latest 10 school weeks.
- Risk: a logistic regression (scikit-learn) of persistent absence over the rest of the year from
  attendance to date, the last 4 and 8 school weeks, the mix of unauthorised absence and
  lateness, and disadvantage and SEN, trained on the year before when there is one (else on the
  same year, as a fallback) and scored for every enrolment on roll.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl
from sklearn.linear_model import LogisticRegression

from analytics.domain.calendar import academic_year_bounds, academic_year_of
from analytics.pipelines.calendar import school_days, school_weeks
from analytics.pipelines.measures import at_least_percent
from analytics.pipelines.sessions import classify_marks
from analytics.pipelines.windows import Window
from analytics.reports.totals import load_totals
from analytics.store import Database, aggregates, read

PENALTY_SESSIONS = 10
PENALTY_WEEKS = 10


@dataclass(frozen=True)
class Targets:
    """The lists: one frame each, one row per enrolment on it."""

    persistent: pl.DataFrame
    severe: pl.DataFrame
    penalty: pl.DataFrame

    def counts(self) -> str:
        return f"{self.persistent.height:,} under 90%, {self.severe.height:,} severe, {self.penalty.height:,} at the penalty threshold"


def _school_week_numbers(db: Database) -> pl.LazyFrame:
    days = school_days(classify_marks(read.day_codes(db).lazy(), read.codes(db).lazy()))
    return school_weeks(days).select("school_urn", "week_start", "school_week_number")


def penalty_threshold(db: Database, today: date) -> pl.DataFrame:
    """Enrolments with 10+ unauthorised sessions in some 10 consecutive school weeks of their
    school since the start of the previous academic year, up to `today`."""
    start = academic_year_bounds(academic_year_of(today) - 1)[0]
    weeks = aggregates.window_weeks(db, None, start, today).lazy()
    schools = read.enrolments(db).select("enrolment_id", "school_urn").lazy()
    numbered = (
        weeks.filter(pl.col("unauthorised") > 0)
        .select("enrolment_id", "week_start", pl.col("unauthorised").cast(pl.Int32))
        .join(schools, on="enrolment_id")
        .join(_school_week_numbers(db), on=["school_urn", "week_start"])
        .sort("enrolment_id", "school_week_number")
        .with_columns(
            pl.col("unauthorised")
            .rolling_sum_by("school_week_number", window_size=f"{PENALTY_WEEKS}i")
            .over("enrolment_id")
            .alias("in_10_weeks")
        )
    )
    last_week = _school_week_numbers(db).group_by("school_urn").agg(pl.col("school_week_number").max().alias("latest"))
    return (
        numbered.join(last_week, on="school_urn")
        .group_by("enrolment_id", "school_urn")
        .agg(
            pl.col("week_start").filter(pl.col("in_10_weeks") >= PENALTY_SESSIONS).min().alias("threshold_week"),
            pl.col("unauthorised").filter(pl.col("school_week_number") > pl.col("latest") - PENALTY_WEEKS).sum().alias("unauthorised_last_10_weeks"),
        )
        .filter(pl.col("threshold_week").is_not_null())
        .sort("enrolment_id")
        .collect()
    )


def targets(db: Database, today: date) -> Targets:
    """The year-to-date lists as of `today`, for every school."""
    measures = load_totals(db, None, Window.year_to_date(today)).enrolment_measures().collect()
    columns = ("school_urn", "upn", "enrolment_id", "possible", "absent", "attendance_rate")
    return Targets(
        persistent=measures.filter(pl.col("persistent_absence")).select(columns).sort("attendance_rate"),
        severe=measures.filter(pl.col("severe_absence")).select(columns).sort("attendance_rate"),
        penalty=penalty_threshold(db, today),
    )


_FEATURES = ("rate_to_date", "rate_last_4", "rate_last_8", "unauthorised_share", "late_share", "disadvantaged", "sen")


def _features(db: Database, as_of: date) -> pl.DataFrame:
    """One row per enrolment on roll at `as_of`: the features, and whether it was persistently
    absent over the rest of that academic year (`label`, null when the year has no days left)."""
    year_start, year_end = academic_year_bounds(academic_year_of(as_of))
    so_far = load_totals(db, None, Window(year_start, as_of))
    rest = load_totals(db, None, Window(as_of + timedelta(days=1), year_end)) if as_of < year_end else None
    weeks = so_far.weeks.lazy()
    last_week = weeks.select(pl.col("week_start").max()).collect().item()
    attended = pl.col("attended").sum() / pl.col("possible").sum().clip(1)

    def recent(n: int) -> pl.LazyFrame:
        since = last_week - timedelta(weeks=n)
        return weeks.filter(pl.col("week_start") > since).group_by("enrolment_id").agg(attended.alias(f"rate_last_{n}"))

    per = (
        weeks.group_by("enrolment_id")
        .agg(
            attended.alias("rate_to_date"),
            (pl.col("unauthorised").sum() / pl.col("possible").sum().clip(1)).alias("unauthorised_share"),
            ((pl.col("late_before_close") + pl.col("late_after_close")).sum() / pl.col("possible").sum().clip(1)).alias("late_share"),
        )
        .join(recent(4), on="enrolment_id", how="left")
        .join(recent(8), on="enrolment_id", how="left")
        .join(
            so_far.cohorts().select("enrolment_id", pl.col("disadvantaged").cast(pl.Float64), (pl.col("sen") != "N").cast(pl.Float64).alias("sen")),
            on="enrolment_id",
        )
        .with_columns(pl.col("^rate_last_.*$").fill_null(pl.col("rate_to_date")))
    )
    if rest is None:
        return per.with_columns(pl.lit(None, pl.Boolean).alias("label")).collect()
    outcome = rest.enrolment_measures().select(
        "enrolment_id", at_least_percent(pl.col("absent"), pl.col("possible"), 10).alias("label")
    )
    return per.join(outcome, on="enrolment_id", how="left").collect()


def risk_scores(db: Database, as_of: date) -> pl.DataFrame:
    """Each enrolment on roll at `as_of` with `risk`, the modelled probability of persistent
    absence over the rest of the year."""
    year_ago = as_of.replace(year=as_of.year - 1) if not (as_of.month == 2 and as_of.day == 29) else as_of - timedelta(days=365)
    has_history = read.mark_date_range(db) is not None and read.mark_date_range(db)[0] <= year_ago
    training = _features(db, year_ago if has_history else as_of).drop_nulls("label")
    scoring = _features(db, as_of)
    if training.is_empty() or training["label"].n_unique() < 2:
        return scoring.select("enrolment_id", (1 - pl.col("rate_to_date")).alias("risk"))
    model = LogisticRegression(max_iter=500)
    model.fit(training.select(_FEATURES).fill_null(0).to_numpy(), training["label"].to_numpy().astype(np.int8))
    risk = model.predict_proba(scoring.select(_FEATURES).fill_null(0).to_numpy())[:, 1]
    return scoring.select("enrolment_id").with_columns(pl.Series("risk", risk)).sort("risk", descending=True)
