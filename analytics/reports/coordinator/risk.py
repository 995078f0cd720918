"""Risk of persistent absence, wired to the store: training runs (`rollcall risk train`), the
backtest behind the model card, and each enrolment's score and drivers at an as-of date.

The model is trained for the whole database (every school pools its history; a pupil who moved
within the trust keeps last year's record) and scores every enrolment the same way whichever
school a page shows. It needs two complete academic years of registers (one to learn from and a
later one to test on) and enough pupils who became persistently absent; with less, Rollcall uses
the transparent rules of `analytics.risk.rules` and says so.
"""

from __future__ import annotations

import getpass
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import numpy as np
import polars as pl
import sklearn

from analytics.domain.calendar import academic_year_bounds, academic_year_expr, academic_year_label
from analytics.domain.cohorts import SEN_LABELS
from analytics.domain.rounding import round_half_up
from analytics.pipelines.calendar import school_days
from analytics.pipelines.risk_features import (
    WEEKDAYS,
    FEATURES,
    persistent_absence_after,
    risk_features,
    weekly_session_totals,
)
from analytics.risk import backtest as backtests
from analytics.risk import model as risk_model
from analytics.risk.drivers import drivers_in_words
from analytics.risk.rules import RULES, rule_contributions, rule_scores
from analytics.store import Database, aggregates, read
from analytics.store import interventions as store

DEFAULT_SEED = 2026
#: Points of the year at which the model is trained and tested: (label, month, day). Each point
#: is the Monday on or after that day (a whole number of weeks has passed, so the features can
#: be read from weekly totals).
POINTS = (
    ("mid Sep", 9, 15),
    ("Oct", 10, 1),
    ("Nov", 11, 1),
    ("Dec", 12, 1),
    ("Jan", 1, 1),
    ("Feb", 2, 1),
    ("Mar", 3, 1),
    ("Apr", 4, 1),
    ("May", 5, 1),
    ("Jun", 6, 1),
)
MIN_COMPLETE_YEARS = 2
MIN_PERSISTENT_ABSENTEES = 30
#: An academic year is complete once the register reaches this day of its July.
COMPLETE_FROM = (7, 1)
MODEL, RULES_KIND = "model", "rules"
#: The weekly totals the features are summed from, as the store keeps them per enrolment.
_WEEKLY_TOTALS = (
    "possible",
    "absent",
    "illness",
    "unauthorised",
    "late_before_close",
    "late_after_close",
    *(f"absent_{day.lower()}" for day in WEEKDAYS),
)
_SESSION_COLUMNS = (
    "school_urn",
    "enrolment_id",
    "date",
    "session",
    "code",
    "possible",
    "attended",
    "absent",
    "unauthorised",
    "late_before_close",
    "late_after_close",
)


def point_dates(academic_year: int) -> list[tuple[str, int, date]]:
    """The points of an academic year: (label, order, the Monday on or after the point's day)."""
    found = []
    for order, (label, month, day) in enumerate(POINTS):
        start = date(academic_year + (month < 8), month, day)
        found.append((label, order, start + timedelta(days=(7 - start.weekday()) % 7)))
    return found


@dataclass(frozen=True)
class RiskInputs:
    """Everything the features are computed from, for every school in the database."""

    sessions: pl.DataFrame
    weekly: pl.DataFrame
    enrolments: pl.DataFrame
    spells: pl.DataFrame
    days: pl.DataFrame
    incidents: pl.DataFrame
    exclusions: pl.DataFrame
    #: The week (its Monday) whose counted sessions `sessions` holds; None: every date's.
    sessions_week: date | None = None

    def _check(self, as_of: date) -> None:
        monday = as_of - timedelta(days=as_of.weekday())
        if as_of != monday and self.sessions_week not in (None, monday):
            raise ValueError(
                f"these inputs hold the sessions of the week of {self.sessions_week}, not of {as_of}"
            )

    @property
    def last_day(self) -> date | None:
        """The latest school day in the register."""
        if self.days.is_empty():
            return None
        last = self.days["date"].max()
        assert isinstance(last, date)
        return last

    def features(self, as_of: date) -> pl.LazyFrame:
        """Features of every enrolment on roll at the as-of point (data before `as_of` only)."""
        self._check(as_of)
        return risk_features(
            self.weekly.lazy(),
            self.sessions.lazy(),
            self.enrolments.lazy(),
            self.spells.lazy(),
            self.days.lazy(),
            self.incidents.lazy(),
            self.exclusions.lazy(),
            as_of,
        )

    def outcome(self, as_of: date) -> pl.LazyFrame:
        """Persistent absence over the rest of the year from `as_of`."""
        self._check(as_of)
        return persistent_absence_after(self.weekly.lazy(), self.sessions.lazy(), as_of)

    def years(self, last: int) -> RiskInputs:
        """The same inputs cut to academic year `last` and the one before (all a year's
        features and outcomes read): smaller frames to scan for many as-of dates."""
        start, end = academic_year_bounds(last - 1)[0], academic_year_bounds(last)[1]
        return replace(
            self,
            sessions=self.sessions.filter(pl.col("date").is_between(start, end)),
            weekly=self.weekly.filter(pl.col("academic_year").is_between(last - 1, last)),
        )


def risk_inputs_from_sessions(
    sessions: pl.DataFrame,
    enrolments: pl.DataFrame,
    spells: pl.DataFrame,
    incidents: pl.DataFrame,
    exclusions: pl.DataFrame,
) -> RiskInputs:
    """The inputs from counted sessions of every date (`Register.sessions`): what `risk_inputs`
    reads from the store's aggregates must equal this."""
    sessions = sessions.select(_SESSION_COLUMNS)
    return RiskInputs(
        sessions=sessions,
        weekly=weekly_session_totals(sessions.lazy()).collect(),
        enrolments=enrolments,
        spells=spells,
        days=school_days(sessions.lazy()).collect(),
        incidents=_negative(incidents),
        exclusions=_suspensions(exclusions),
    )


def _negative(incidents: pl.DataFrame) -> pl.DataFrame:
    return incidents.filter(pl.col("type") == "negative").select("enrolment_id", "date", "type")


def _suspensions(exclusions: pl.DataFrame) -> pl.DataFrame:
    return exclusions.select("enrolment_id", "start_date", "category", "sessions")


def risk_inputs(
    db: Database, years: Sequence[int] | None = None, as_of: date | None = None
) -> RiskInputs:
    """Read what the features need, for every school, without reading every mark: the weekly
    totals of these academic years (every year with marks when None) from the store's
    aggregates, and the counted sessions of the week holding `as_of` only (a point inside a week
    counts that week's first days from them; points on a Monday need none)."""
    enrolments = read.enrolments(db)
    days = aggregates.school_days(db)
    if years is None:
        years = sorted(set(days.select(academic_year_expr(pl.col("date")))["date"].to_list()))
    schools = enrolments.select("enrolment_id", "school_urn")
    weekly = [
        aggregates.window_weeks(db, None, *academic_year_bounds(year), _WEEKLY_TOTALS)
        .join(schools, on="enrolment_id")
        .select(
            "enrolment_id",
            "school_urn",
            pl.lit(year, pl.Int32).alias("academic_year"),
            "week_start",
            *_WEEKLY_TOTALS,  # kept small (one byte each): every feature sums them as Int64
        )
        for year in years
    ]
    first, last = (date(9999, 12, 31), date(1900, 1, 1))  # no sessions
    if as_of is not None:
        first = as_of - timedelta(days=as_of.weekday())
        last = first + timedelta(days=6)
    sessions = read.counted_sessions(db, None, first, last).select(_SESSION_COLUMNS)
    return RiskInputs(
        sessions=sessions,
        weekly=pl.concat(weekly) if weekly else weekly_session_totals(sessions.lazy()).collect(),
        enrolments=enrolments,
        spells=read.spells(db),
        days=days,
        incidents=_negative(read.behaviour_incidents(db)),
        exclusions=_suspensions(read.exclusions(db)),
        sessions_week=first,
    )


def complete_years(inputs: RiskInputs) -> list[int]:
    """Academic years whose register reaches July, oldest first."""
    if inputs.days.is_empty():
        return []
    years = inputs.days.select(pl.col("date")).with_columns(
        (pl.col("date").dt.year() - (pl.col("date").dt.month() < 8).cast(pl.Int32)).alias("year")
    )
    ends = years.group_by("year").agg(pl.col("date").max()).sort("year")
    return [y for y, last in ends.iter_rows() if last >= date(y + 1, *COMPLETE_FROM)]


def _cohort_labels(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.col("disadvantaged") > 0)
        .then(pl.lit("Disadvantaged"))
        .otherwise(pl.lit("Not disadvantaged"))
        .alias("cohort_disadvantaged"),
        pl.col("sen")
        .replace_strict(SEN_LABELS, default="No SEN", return_dtype=pl.String)
        .alias("cohort_sen"),
        pl.col("sex")
        .replace_strict(
            {"F": "Female", "M": "Male"}, default="Not recorded", return_dtype=pl.String
        )
        .alias("cohort_sex"),
    )


def training_rows(inputs: RiskInputs, years: Sequence[int]) -> pl.DataFrame:
    """One row per enrolment and point of each year with an outcome: features, cohort labels,
    `academic_year, point, point_order` and `persistent_absence_after`."""
    frames = []
    for year in years:
        cut = inputs.years(year)
        for label, order, day in point_dates(year):
            # One point at a time: many small queries at once cost more than they save.
            features = cut.features(day).collect()
            frames.append(
                features.join(cut.outcome(day).collect(), on="enrolment_id", how="inner")
                .with_columns(
                    pl.lit(year).alias("academic_year"),
                    pl.lit(label).alias("point"),
                    pl.lit(order).alias("point_order"),
                )
                .pipe(_cohort_labels)
            )
    if not frames:
        return pl.DataFrame()
    # In a fixed order: the backtest's folds and the fitted weights follow the rows' order, and
    # the same data and seed must give the same model (joins return rows in no set order).
    return pl.concat(frames, how="vertical_relaxed").sort(
        "academic_year", "point_order", "enrolment_id"
    )


@dataclass(frozen=True)
class TrainingRun:
    """What `rollcall risk train` did."""

    model_id: int
    kind: str
    reason: str
    card: dict
    backtest: dict | None

    def summary(self) -> str:
        """Lines for the command line: the data, and the model against the rule at each point."""
        card = self.card
        lines = [f"risk {self.kind} {self.model_id}: {card['headline']}"]
        if self.kind == RULES_KIND:
            lines.append(f"  {self.reason}")
        backtest = self.backtest or {}
        for point in backtest.get("points", []):
            if point["test_year"] != backtest["test_year"]:
                continue
            lines.append("  " + describe_point(point))
        return "\n".join(lines)


def _fit_and_score(seed: int):
    def fit_and_score(train: pl.DataFrame, test: pl.DataFrame) -> np.ndarray:
        return risk_model.predict(risk_model.fit_model(train, seed), test)

    return fit_and_score


def _who(trained_by: str | None) -> str:
    if trained_by:
        return trained_by
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "rollcall"


def train(
    db: Database,
    *,
    seed: int = DEFAULT_SEED,
    trained_by: str | None = None,
    inputs: RiskInputs | None = None,
) -> TrainingRun:
    """Backtest, fit and keep a model on every complete academic year; with too little history,
    keep a rules run that says why. Reproducible: the same data and seed give the same model."""
    inputs = inputs or risk_inputs(db)
    years = complete_years(inputs)
    rows = training_rows(inputs, years) if len(years) >= MIN_COMPLETE_YEARS else pl.DataFrame()
    positives = int(rows["persistent_absence_after"].sum()) if not rows.is_empty() else 0
    common = {
        "trained_by": _who(trained_by),
        "seed": seed,
        "data_through": inputs.last_day,
        "sklearn_version": sklearn.__version__,
    }
    if len(years) < MIN_COMPLETE_YEARS or positives < MIN_PERSISTENT_ABSENTEES:
        reason = (
            f"Rollcall has {len(years)} complete academic year{'s' if len(years) != 1 else ''} of registers "
            f"and needs {MIN_COMPLETE_YEARS} (one to learn from, a later one to test on), so it uses transparent rules."
            if len(years) < MIN_COMPLETE_YEARS
            else f"Only {positives} pupils became persistently absent in the history (the model needs "
            f"{MIN_PERSISTENT_ABSENTEES}), so Rollcall uses transparent rules."
        )
        card = _card(RULES_KIND, years, rows, reason)
        model_id = store.save_risk_model(
            db, kind=RULES_KIND, card=card, backtest=None, model=None, **common
        )
        return TrainingRun(model_id, RULES_KIND, reason, card, None)
    result = backtests.backtest(rows, _fit_and_score(seed))
    fitted = risk_model.fit_model(rows, seed)
    card = _card(MODEL, years, rows, "", coefficients=risk_model.coefficients(fitted))
    model_id = store.save_risk_model(
        db, kind=MODEL, card=card, backtest=result, model=risk_model.to_bytes(fitted), **common
    )
    return TrainingRun(model_id, MODEL, "", card, result)


def _card(
    kind: str,
    years: list[int],
    rows: pl.DataFrame,
    reason: str,
    coefficients: pl.DataFrame | None = None,
) -> dict:
    """The model card's facts: data, features, what is predicted, limits."""
    weights = {}
    if coefficients is not None:
        weights = dict(
            coefficients.group_by("feature").agg(pl.col("coefficient").sum()).iter_rows()
        )
    trained_years = [academic_year_label(y) for y in years]
    headline = (
        f"trained on {len(trained_years)} academic years ({', '.join(trained_years)}), {rows.height:,} enrolment-dates"
        if kind == MODEL
        else "transparent rules (too little history for a model)"
    )
    return {
        "kind": kind,
        "headline": headline,
        "reason": reason,
        "years": years,
        "rows": rows.height,
        "enrolments": rows["enrolment_id"].n_unique() if not rows.is_empty() else 0,
        "persistent_absentees": int(rows["persistent_absence_after"].sum())
        if not rows.is_empty()
        else 0,
        "points": [label for label, _, _ in POINTS],
        "features": [
            {"name": name, "meaning": meaning, "weight": weights.get(name)}
            for name, meaning in FEATURES.items()
        ],
        "rules": [{"words": r.words, "points": r.points} for r in RULES],
    }


@dataclass(frozen=True)
class ActiveModel:
    """The model scores come from: the latest training run, or rules when there is none usable."""

    kind: str
    reason: str
    model_id: int | None = None
    trained_at: datetime | None = None
    trained_by: str | None = None
    data_through: date | None = None
    seed: int | None = None
    card: dict = field(default_factory=dict)
    backtest: dict | None = None
    estimator: object | None = None

    @property
    def basis(self) -> str:
        """`model` or `rules`, as the export's `risk_basis` says."""
        return self.kind


def active_model(db: Database) -> ActiveModel:
    """The latest training run, loaded; rules (saying why) when none was run or it cannot load."""
    stored = store.latest_risk_model(db)
    if stored is None:
        return ActiveModel(
            RULES_KIND,
            "No risk model has been trained yet (run `rollcall risk train`), so Rollcall uses transparent rules.",
        )
    facts = {k: stored[k] for k in ("model_id", "trained_at", "trained_by", "data_through", "seed")}
    if stored["kind"] != MODEL:
        return ActiveModel(
            RULES_KIND, stored["card"].get("reason", ""), card=stored["card"], **facts
        )
    try:
        estimator = risk_model.from_bytes(stored["model"], stored["sklearn_version"])
    except ValueError as problem:
        return ActiveModel(
            RULES_KIND,
            f"{problem}. Until then Rollcall uses transparent rules.",
            card=stored["card"],
            **facts,
        )
    return ActiveModel(
        MODEL, "", card=stored["card"], backtest=stored["backtest"], estimator=estimator, **facts
    )


def risk_scores(
    inputs: RiskInputs, active: ActiveModel, as_of: date, *, drivers_from: float | None = 0.0
) -> pl.DataFrame:
    """One row per enrolment on roll at the as-of point: `enrolment_id, risk_score, risk_basis,
    drivers` (a list of sentences, the strongest first, for scores of at least `drivers_from`;
    empty below it, and no column when it is None: the words are written one pupil at a time).
    Uses data before `as_of` only; to score "at the end of" a day, pass the day after."""
    return scores_of(inputs.features(as_of).collect(), active, drivers_from=drivers_from)


def scores_of(
    features: pl.DataFrame, active: ActiveModel, *, drivers_from: float | None = 0.0
) -> pl.DataFrame:
    """`risk_scores` from features already collected (`RiskInputs.features`)."""
    if features.is_empty():
        return pl.DataFrame(
            schema={
                "enrolment_id": pl.Int32,
                "risk_score": pl.Float64,
                "risk_basis": pl.String,
                "drivers": pl.List(pl.String),
            }
        )
    if active.kind == MODEL:
        scores = pl.DataFrame(
            {
                "enrolment_id": features["enrolment_id"],
                "risk_score": risk_model.predict(active.estimator, features),
            }
        )
    else:
        scored = rule_scores(features)
        scores = scored.select("enrolment_id", "risk_score")
    scores = scores.with_columns(pl.lit(active.kind).alias("risk_basis"))
    if drivers_from is None:
        return scores
    wanted = features.filter(
        pl.col("enrolment_id").is_in(
            scores.filter(pl.col("risk_score") >= drivers_from)["enrolment_id"].implode()
        )
    )
    ranked = (
        risk_model.contributions(active.estimator, wanted)
        if active.kind == MODEL
        else rule_contributions(rule_scores(wanted))
    )
    # The features raising each risk, strongest first (only those can be a driver), gathered
    # from plain rows; the sentences go back into Polars as one row each and are listed there.
    by_enrolment: dict[int, list[tuple[str, float]]] = {}
    rows = ranked.filter(pl.col("contribution") > 0).select(
        "enrolment_id", "feature", "contribution"
    )
    for enrolment_id, feature, contribution in rows.iter_rows():
        by_enrolment.setdefault(enrolment_id, []).append((feature, contribution))
    ids, sentences = [], []
    for row in wanted.iter_rows(named=True):
        for sentence in drivers_in_words(row, by_enrolment.get(row["enrolment_id"], [])):
            ids.append(row["enrolment_id"])
            sentences.append(sentence)
    written = (
        pl.DataFrame(
            {"enrolment_id": ids, "drivers": sentences},
            schema={"enrolment_id": pl.Int32, "drivers": pl.String},
        )
        .group_by("enrolment_id", maintain_order=True)
        .agg("drivers")
    )
    return scores.join(written, on="enrolment_id", how="left", maintain_order="left").with_columns(
        pl.col("drivers").fill_null([])
    )


def describe_point(point: dict) -> str:
    """One line on the model against the 90% rule at one point of the year."""
    k = point["k"]
    if not k:
        return f"{point['point']}: the 90% rule flags nobody yet; model ROC AUC {_num(point['model_auc'], 2)}."
    found = point["model_found"] - point["rule_found"]
    better = "more" if found >= 0 else "fewer"
    return (
        f"{point['point']}: of the {k:,} pupils each list names, the model's held {point['model_found']:,} who went on to be "
        f"persistently absent against {point['rule_found']:,} for the 90% rule ({abs(found):,} {better}; precision "
        f"{_pct(point['model_precision_at_k'])} against {_pct(point['rule_precision_at_k'])}); ROC AUC "
        f"{_num(point['model_auc'], 2)} against {_num(point['rule_auc'], 2)}; Brier {_num(point['model_brier'], 3)} "
        f"against {_num(point['rule_brier'], 3)}."
    )


def _num(value: float | None, places: int) -> str:
    return "–" if value is None else str(round_half_up(value, places))


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{round_half_up(value * 100, 1)}%"


def end_of(day: date) -> date:
    """The as-of date that scores with everything up to and including `day`."""
    return day + timedelta(days=1)
