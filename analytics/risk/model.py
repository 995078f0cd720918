"""The risk model: a logistic regression on the features of `analytics.pipelines.risk_features`,
calibrated with Platt scaling on cross-validated predictions.

A logistic regression was chosen over boosted trees because each pupil's score then splits
exactly into one contribution per feature, which is what the drivers in words are ranked by; on
the demo trust it ranks pupils within about 0.01 ROC AUC of gradient boosting. Absence rates enter
through their square roots (a rise from 2% to 6% matters more than one from 40% to 44%), and this
year's absence also weighted by how many sessions it rests on.

Calibration uses `CalibratedClassifierCV(ensemble=False)`: the regression is fitted on every
training row and a sigmoid maps its scores to probabilities, fitted on predictions for pupils held
out by group k-fold (a pupil's rows at several as-of dates stay in one fold).
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from analytics.pipelines.risk_features import FEATURES

FOLDS = 3
OUTCOME = "persistent_absence_after"


@dataclass(frozen=True)
class Term:
    """One input of the regression: a transform of one feature (whose driver it counts towards)."""

    name: str
    feature: str
    transform: Callable[[pl.Expr], pl.Expr]


def _same(expr: pl.Expr) -> pl.Expr:
    return expr


def _sqrt(expr: pl.Expr) -> pl.Expr:
    return expr.clip(lower_bound=0).sqrt()


def _log1p(expr: pl.Expr) -> pl.Expr:
    return expr.clip(lower_bound=0).log1p()


TERMS: tuple[Term, ...] = (
    Term("sqrt_absence_rate", "absence_rate", _sqrt),
    Term(
        "absence_rate_weighted",
        "absence_rate",
        lambda e: _sqrt(e) * pl.col("sessions_so_far").clip(lower_bound=0).log1p(),
    ),
    Term("sqrt_absence_last_4_weeks", "absence_last_4_weeks", _sqrt),
    Term("sqrt_absence_last_year", "absence_last_year", _sqrt),
    Term("log_sessions_so_far", "sessions_so_far", _log1p),
    *(
        Term(name, name, _same)
        for name in FEATURES
        if name
        not in {"absence_rate", "absence_last_4_weeks", "absence_last_year", "sessions_so_far"}
    ),
)


def design_matrix(features: pl.DataFrame) -> np.ndarray:
    """The regression's inputs, one column per TERMS entry, as floats."""
    return features.select(
        term.transform(pl.col(term.feature)).cast(pl.Float64).alias(term.name) for term in TERMS
    ).to_numpy()


def fit_model(rows: pl.DataFrame, seed: int) -> CalibratedClassifierCV:
    """A calibrated model fitted on training rows (features, `upn` and the outcome)."""
    y = rows[OUTCOME].cast(pl.Int8).to_numpy()
    groups = rows["upn"].rank("dense").to_numpy()  # integers: GroupKFold is slow on strings
    x = design_matrix(rows)
    splits = list(GroupKFold(n_splits=FOLDS, shuffle=True, random_state=seed).split(x, y, groups))
    base = Pipeline(
        [
            ("scale", StandardScaler()),
            ("regression", LogisticRegression(C=1.0, solver="newton-cholesky", max_iter=200)),
        ]
    )
    model = CalibratedClassifierCV(base, method="sigmoid", cv=splits, ensemble=False)
    with threadpool_limits(1):  # small matrices: threads only contend with the app's own
        return model.fit(x, y)


def predict(model: CalibratedClassifierCV, features: pl.DataFrame) -> np.ndarray:
    """Calibrated probabilities of persistent absence over the rest of the year."""
    if features.is_empty():
        return np.zeros(0)
    with threadpool_limits(1):
        return model.predict_proba(design_matrix(features))[:, 1]


def _regression(model: CalibratedClassifierCV) -> Pipeline:
    return model.calibrated_classifiers_[0].estimator


def coefficients(model: CalibratedClassifierCV) -> pl.DataFrame:
    """Each term's coefficient per standard deviation of its input (its weight in the model)."""
    regression = _regression(model).named_steps["regression"]
    return pl.DataFrame(
        {
            "term": [t.name for t in TERMS],
            "feature": [t.feature for t in TERMS],
            "coefficient": regression.coef_[0].tolist(),
        }
    )


def contributions(model: CalibratedClassifierCV, features: pl.DataFrame) -> pl.DataFrame:
    """One row per enrolment and feature: how far the feature moves the pupil's log-odds away
    from a pupil with the training average of every input (positive raises the risk)."""
    pipeline = _regression(model)
    scaler, regression = pipeline.named_steps["scale"], pipeline.named_steps["regression"]
    scaled = (design_matrix(features) - scaler.mean_) / scaler.scale_
    per_term = scaled * regression.coef_[0]
    frame = pl.DataFrame(per_term, schema=[t.name for t in TERMS]).with_columns(
        features["enrolment_id"]
    )
    long = frame.unpivot(index="enrolment_id", variable_name="term", value_name="contribution")
    term_feature = pl.DataFrame(
        {"term": [t.name for t in TERMS], "feature": [t.feature for t in TERMS]}
    )
    return (
        long.join(term_feature, on="term", how="inner")
        .group_by("enrolment_id", "feature")
        .agg(pl.col("contribution").sum())
        .sort("enrolment_id", "contribution", descending=[False, True])
    )


def to_bytes(model: CalibratedClassifierCV) -> bytes:
    """The fitted model, pickled for the store."""
    buffer = io.BytesIO()
    pickle.dump(model, buffer, protocol=pickle.HIGHEST_PROTOCOL)
    return buffer.getvalue()


def from_bytes(data: bytes, trained_with: str) -> CalibratedClassifierCV:
    """A stored model; refuses one pickled by another scikit-learn version (retrain instead).

    Only Rollcall writes these bytes into the database file, which is as trusted as the code.
    """
    if trained_with != sklearn.__version__:
        raise ValueError(
            f"the stored risk model was trained with scikit-learn {trained_with}, this is {sklearn.__version__}: "
            "run `rollcall risk train` again"
        )
    return pickle.loads(data)
