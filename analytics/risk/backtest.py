"""The time-based backtest: train on earlier academic years, test on a later one at as-of dates
through the year, and compare with the plain rule "currently persistently absent" (attendance
90% or less so far this year).

For each test year and point of the year it reports ROC AUC; precision among the top k, where k is
the number of pupils the rule flags (so the model's list and the rule's list are the same size);
the Brier score; and, pooled over the points of the latest test year, a reliability curve and the
same measures by cohort (disadvantaged, SEN, sex, ethnic group) with the share of each group's
persistent absentees each list misses and the share of its other pupils each list wrongly flags.
The rule's probability, for its Brier score, is the rate at which flagged and unflagged pupils
became persistently absent in the training years at the same point of the year.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl
from sklearn.metrics import brier_score_loss, roc_auc_score

from analytics.pipelines.measures import PERSISTENT_ABSENCE_PERCENT, at_least_percent
from analytics.risk.model import OUTCOME

RELIABILITY_BINS = 10
#: Cohort columns the backtest reports on, with their labels.
COHORTS = {
    "cohort_disadvantaged": "Disadvantaged",
    "cohort_sen": "SEN",
    "cohort_sex": "Sex",
    "ethnic_group": "Ethnic group",
}

Scorer = Callable[[pl.DataFrame, pl.DataFrame], np.ndarray]


def rule_flag(frame: pl.DataFrame) -> np.ndarray:
    """The plain rule: persistently absent so far this year (absence ≥ 10% of possible)."""
    return frame.select(
        at_least_percent(pl.col("absent"), pl.col("possible"), PERSISTENT_ABSENCE_PERCENT).alias(
            "flag"
        )
    )["flag"].to_numpy()


def _auc(y: np.ndarray, score: np.ndarray) -> float | None:
    return float(roc_auc_score(y, score)) if 0 < y.sum() < len(y) else None


def _top_k(score: np.ndarray, k: int) -> np.ndarray:
    """A mask of the k highest scores (ties broken by position, so the result is reproducible)."""
    chosen = np.zeros(len(score), dtype=bool)
    chosen[np.argsort(-score, kind="stable")[:k]] = True
    return chosen


def _rule_probability(train: pl.DataFrame, test: pl.DataFrame) -> pl.DataFrame:
    """`point, flag, rule`: how often training rows at the same point of the year (all points,
    for a point the training years lack) with the same flag became persistently absent."""
    flags = train.with_columns(pl.Series("flag", rule_flag(train)))
    rate = pl.col(OUTCOME).cast(pl.Float64).mean()
    by_point = flags.group_by("point", "flag").agg(rate.alias("by_point"))
    overall = flags.group_by("flag").agg(rate.alias("overall"))
    grid = test.select("point").unique().join(pl.DataFrame({"flag": [True, False]}), how="cross")
    return (
        grid.join(by_point, on=["point", "flag"], how="left")
        .join(overall, on="flag", how="left")
        .select("point", "flag", pl.coalesce("by_point", "overall", pl.lit(0.0)).alias("rule"))
    )


def _with_predictions(test: pl.DataFrame, scores: np.ndarray, rule_p: pl.DataFrame) -> pl.DataFrame:
    """The test rows with `model` (probability), `flag`, `rule` (its probability) and, per
    point of the year, `model_top_k` (in the model's list of the rule's size)."""
    scored = test.with_columns(pl.Series("model", scores), pl.Series("flag", rule_flag(test))).join(
        rule_p, on=["point", "flag"], how="left", maintain_order="left"
    )
    parts = []
    for part in scored.partition_by("point", maintain_order=True):
        parts.append(
            part.with_columns(
                pl.Series("model_top_k", _top_k(part["model"].to_numpy(), int(part["flag"].sum())))
            )
        )
    return pl.concat(parts)


def point_metrics(scored: pl.DataFrame) -> dict:
    """ROC AUC, precision among the top k and Brier score of the model and the rule on one set of rows."""
    y = scored[OUTCOME].cast(pl.Int8).to_numpy()
    model, rule, flag, top = (
        scored[c].to_numpy() for c in ("model", "rule", "flag", "model_top_k")
    )
    k = int(flag.sum())
    return {
        "enrolments": len(y),
        "persistent_absentees": int(y.sum()),
        "base_rate": float(y.mean()) if len(y) else None,
        "k": k,
        "model_auc": _auc(y, model),
        "rule_auc": _auc(y, flag.astype(float)),
        "model_precision_at_k": float(y[top].mean()) if k else None,
        "rule_precision_at_k": float(y[flag].mean()) if k else None,
        "model_found": int(y[top].sum()),
        "rule_found": int(y[flag].sum()),
        "model_brier": float(brier_score_loss(y, model)) if len(y) else None,
        "rule_brier": float(brier_score_loss(y, rule)) if len(y) else None,
    }


def cohort_metrics(scored: pl.DataFrame) -> list[dict]:
    """`point_metrics` by cohort, with miss and false-alarm rates of each list, and calibration
    in the large (mean predicted against observed)."""
    rows = []
    for column, label in COHORTS.items():
        values = scored.with_columns(pl.col(column).cast(pl.String).fill_null("Unknown"))
        for (value,), group in values.group_by(column, maintain_order=True):
            y = group[OUTCOME].cast(pl.Int8).to_numpy()
            top, flag = group["model_top_k"].to_numpy(), group["flag"].to_numpy()
            positives, negatives = y == 1, y == 0
            metrics = point_metrics(group)
            rows.append(
                {
                    "cohort": label,
                    "group": value,
                    **metrics,
                    "mean_predicted": float(group["model"].to_numpy().mean()),
                    "model_missed": float((~top[positives]).mean()) if positives.any() else None,
                    "rule_missed": float((~flag[positives]).mean()) if positives.any() else None,
                    "model_false_alarms": float(top[negatives].mean()) if negatives.any() else None,
                    "rule_false_alarms": float(flag[negatives].mean()) if negatives.any() else None,
                }
            )
    return sorted(rows, key=lambda r: (list(COHORTS.values()).index(r["cohort"]), str(r["group"])))


def reliability(scored: pl.DataFrame, bins: int = RELIABILITY_BINS) -> list[dict]:
    """The reliability curve: rows split into `bins` groups of about equal size by predicted
    probability; each with its mean prediction, the share that became persistently absent, and
    its size. Computed in numpy, in order, so the same predictions give the same curve exactly."""
    order = np.argsort(scored["model"].to_numpy(), kind="stable")
    predicted = scored["model"].to_numpy()[order]
    observed = scored[OUTCOME].cast(pl.Float64).to_numpy()[order]
    edges = np.arange(len(order)) * bins // max(len(order), 1)
    curve = []
    for number in range(bins):
        members = edges == number
        if members.any():
            curve.append(
                {
                    "bin": number,
                    "mean_predicted": float(predicted[members].mean()),
                    "observed": float(observed[members].mean()),
                    "enrolments": int(members.sum()),
                }
            )
    return curve


def backtest(rows: pl.DataFrame, fit_and_score: Scorer, test_years: int = 1) -> dict:
    """Train on earlier years and test on each of the last `test_years` years (each on the
    years before it only).

    `rows` are training rows with `academic_year`, `point` (the point of the year, e.g. "1 Oct"),
    `point_order`, the features, the cohort columns and the outcome; `fit_and_score(train, test)`
    returns the model's probabilities for `test` after fitting on `train`. Returns plain data
    (for JSON): `points` (one dict per test year and point), `cohorts` and `reliability` (the
    latest test year, pooled over its points), and the `test_year` and `train_years` of that.
    """
    years = sorted(rows["academic_year"].unique().to_list())
    points, latest = [], None
    for test_year in years[1:][-test_years:]:
        train = rows.filter(pl.col("academic_year") < test_year)
        test = rows.filter(pl.col("academic_year") == test_year).sort("point_order", "enrolment_id")
        scored = _with_predictions(test, fit_and_score(train, test), _rule_probability(train, test))
        for (point,), part in scored.group_by("point", maintain_order=True):
            points.append(
                {
                    "test_year": test_year,
                    "train_years": [y for y in years if y < test_year],
                    "point": point,
                    "point_order": int(part["point_order"][0]),
                    "as_of": part["as_of"][0].isoformat(),
                    **point_metrics(part),
                }
            )
        latest = (test_year, [y for y in years if y < test_year], scored)
    if latest is None:
        return {
            "points": [],
            "cohorts": [],
            "reliability": [],
            "test_year": None,
            "train_years": [],
        }
    test_year, train_years, scored = latest
    return {
        "points": points,
        "cohorts": cohort_metrics(scored),
        "reliability": reliability(scored),
        "overall": point_metrics(scored),
        "test_year": test_year,
        "train_years": train_years,
    }
