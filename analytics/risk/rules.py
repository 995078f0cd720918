"""Transparent rules: the risk score Rollcall gives when it has too little history to train and
test a model. Points for what a coordinator would look at, added up and divided by 100; the score
is a ranking, not a probability, and pages say so.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from analytics.pipelines.measures import PERSISTENT_ABSENCE_PERCENT, at_least_percent


@dataclass(frozen=True)
class Rule:
    """One rule: what it checks (in words), the feature it explains, and its points."""

    name: str
    words: str
    feature: str
    points: int


RULES = (
    Rule(
        "persistent_so_far",
        "persistently absent so far this year (attendance 90% or less)",
        "absence_rate",
        40,
    ),
    Rule(
        "persistent_last_4_weeks",
        "attendance 90% or less in the last 4 school weeks",
        "absence_last_4_weeks",
        20,
    ),
    Rule("falling", "attendance fell 5 points or more in the last 4 weeks", "change_4_weeks", 15),
    Rule("persistent_last_year", "persistently absent last year", "absence_last_year", 15),
    Rule(
        "unauthorised",
        "10 or more unauthorised sessions (G N O U) this year",
        "unauthorised_rate",
        10,
    ),
)
FALLING_POINTS = 5
UNAUTHORISED_SESSIONS = 10


def _fired() -> dict[str, pl.Expr]:
    pa = lambda absent, possible: at_least_percent(
        pl.col(absent), pl.col(possible), PERSISTENT_ABSENCE_PERCENT
    )
    return {
        "persistent_so_far": pa("absent", "possible"),
        "persistent_last_4_weeks": pa("absent_last_4", "possible_last_4"),
        "falling": pl.col("change_4_weeks") >= FALLING_POINTS,
        "persistent_last_year": pa("absent_last_year", "possible_last_year").fill_null(False),
        "unauthorised": pl.col("unauthorised") >= UNAUTHORISED_SESSIONS,
    }


def rule_scores(features: pl.DataFrame) -> pl.DataFrame:
    """One row per features row: `enrolment_id`, `risk_score` (points / 100) and one boolean
    column per rule (`rule_<name>`)."""
    fired = _fired()
    flags = features.select(
        "enrolment_id",
        *(fired[rule.name].fill_null(False).alias(f"rule_{rule.name}") for rule in RULES),
    )
    points = pl.sum_horizontal(pl.col(f"rule_{r.name}").cast(pl.Int32) * r.points for r in RULES)
    return flags.with_columns((points / 100.0).alias("risk_score"))


def rule_contributions(scores: pl.DataFrame) -> pl.DataFrame:
    """One row per enrolment and rule that fired: `enrolment_id, feature, contribution` (its
    points), largest first, in the shape the drivers are ranked from."""
    parts = [
        scores.filter(pl.col(f"rule_{rule.name}")).select(
            "enrolment_id",
            pl.lit(rule.feature).alias("feature"),
            pl.lit(float(rule.points)).alias("contribution"),
        )
        for rule in RULES
    ]
    return pl.concat(parts).sort("enrolment_id", "contribution", descending=[False, True])
