"""The risk model: features use only data before the as-of date (in a database and on the demo
trust), their values on a small register, the outcome at exactly 10%, drivers in words, the
backtest reproducible with a seed, and the rules fallback with too little history."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from analytics.pipelines.calendar import school_days
from analytics.pipelines.risk_features import (
    FEATURES,
    persistent_absence_after,
    weekly_session_totals,
)
from analytics.reports.coordinator import risk
from analytics.risk import backtest as backtests
from analytics.risk import model as risk_model
from analytics.risk.drivers import describe, drivers_in_words
from analytics.risk.rules import rule_scores
from analytics.pipelines.windows import Window
from analytics.reports.inputs.register import load_register
from analytics.store import Database, read
from analytics.store import interventions as store
from tests.fixtures.ingest.builders import OTHER_URN, URN, upns

A, B, C = upns(3)
AS_OF = date(2025, 11, 5)  # a Wednesday: features read Monday and Tuesday from the sessions


def pupils_csv(rows: list[tuple[str, str, str]]) -> str:
    """upn, year group, admission date."""
    header = "upn,forename,surname,date_of_birth,year_group,admission_date,sen,disadvantaged,sex"
    body = [
        f"{upn},F{i},S{i},2014-03-04,{year},{admitted},N,N,F"
        for i, (upn, year, admitted) in enumerate(rows)
    ]
    return "\n".join([header, *body]) + "\n"


def marks_csv(upn: str, first: date, last: date, code_for) -> str:
    """A marks file for one pupil on every weekday from `first` to `last`; `code_for(day, session)`."""
    lines = ["upn,date,session,code"]
    day = first
    while day <= last:
        if day.weekday() < 5:
            lines += [f"{upn},{day.isoformat()},{s},{code_for(day, s)}" for s in ("AM", "PM")]
        day += timedelta(days=1)
    return "\n".join(lines) + "\n"


def present(day: date, session: str) -> str:
    return "/" if session == "AM" else "\\"


def mondays_off(day: date, session: str) -> str:
    return "O" if day.weekday() == 0 else present(day, session)


@pytest.fixture
def small(db, load) -> Database:
    """Two pupils at a school from September 2024; pupil A also at another school last year."""
    load(
        "pupils",
        pupils_csv([(A, "6", "2024-09-02")]),
        school_urn=OTHER_URN,
        school_name="Feeder",
        as_of=date(2025, 3, 1),
    )
    load(
        "pupils",
        pupils_csv([(A, "7", "2025-09-01"), (B, "7", "2024-09-02")]),
        school_urn=URN,
        school_name="Westbrook",
        as_of=AS_OF,
    )
    load(
        "marks",
        marks_csv(
            A,
            date(2024, 9, 2),
            date(2025, 7, 18),
            lambda d, s: "I" if d.day <= 3 else present(d, s),
        ),
        school_urn=OTHER_URN,
    )
    load(
        "marks",
        marks_csv(A, date(2025, 9, 1), AS_OF - timedelta(days=1), mondays_off),
        school_urn=URN,
    )
    load("marks", marks_csv(B, date(2024, 9, 2), date(2025, 7, 18), present), school_urn=URN)
    load(
        "marks", marks_csv(B, date(2025, 9, 1), AS_OF - timedelta(days=1), present), school_urn=URN
    )
    load(
        "behaviour",
        f"upn,date,type,category\n{A},2025-10-01,negative,Defiance\n{A},2025-10-02,positive,Effort\n",
        school_urn=URN,
    )
    load(
        "exclusions",
        f"upn,start_date,category,sessions\n{A},2025-10-06,suspension,2\n",
        school_urn=URN,
    )
    return db


def features_at(db: Database, as_of: date = AS_OF) -> pl.DataFrame:
    return risk.risk_inputs(db, as_of=as_of).features(as_of).collect().sort("enrolment_id")


def test_features_of_a_small_register(small):
    rows = {
        r["upn"]: r
        for r in features_at(small).filter(pl.col("school_urn") == URN).iter_rows(named=True)
    }
    a = rows[A]
    # 1 Sep to 4 Nov 2025 (every weekday taught): 47 days, 10 of them Mondays off.
    assert (a["possible"], a["absent"], a["unauthorised"]) == (94, 20, 20)
    assert a["absence_rate"] == pytest.approx(20 / 94 * 100)
    assert a["absent_monday"] == 20 and a["weekday_concentration"] == pytest.approx(0.8)
    assert describe("weekday_concentration", a) == "20 of 20 absences on Mondays"
    # Last year at the feeder school counts (the pupil's enrolments in the trust, by UPN).
    assert a["possible_last_year"] > 0 and a["absence_last_year"] > 0 and a["no_last_year"] == 0.0
    assert (a["negative_incidents"], a["suspensions"], a["suspension_sessions"]) == (1, 1, 2)
    assert a["changes_of_school"] == 1.0 and a["joined_this_year"] == 0.0
    assert a["year_group_rank"] == 7.0
    b = rows[B]
    assert (b["absent"], b["absence_rate"], b["change_4_weeks"], b["no_last_year"]) == (
        0,
        0.0,
        0.0,
        0.0,
    )
    assert b["changes_of_school"] == 0.0
    assert set(FEATURES) <= set(a)
    assert all(a[f] is not None for f in FEATURES)


def test_no_leakage_a_feature_is_the_same_without_later_data(small, load):
    before = features_at(small)
    # Later data: the rest of the year's marks (with absences), a changed mark on the as-of date,
    # behaviour and a suspension after it, a new pupil, and a pupils file recording a leaver.
    load("marks", marks_csv(A, AS_OF, date(2025, 12, 19), lambda d, s: "G"), school_urn=URN)
    load("marks", marks_csv(B, AS_OF, date(2025, 12, 19), lambda d, s: "N"), school_urn=URN)
    load(
        "behaviour",
        f"upn,date,type,category\n{A},{AS_OF.isoformat()},negative,Defiance\n{B},2025-12-01,negative,Rudeness\n",
        school_urn=URN,
    )
    load(
        "exclusions",
        f"upn,start_date,category,sessions\n{B},{AS_OF.isoformat()},suspension,4\n",
        school_urn=URN,
    )
    load("pupils", pupils_csv([(C, "7", AS_OF.isoformat())]), school_urn=URN, as_of=AS_OF)
    after = features_at(small)
    assert after.filter(
        pl.col("upn") == C
    ).is_empty()  # admitted on the as-of date: not yet on roll the night before
    assert after.select(before.columns).equals(before)


@pytest.fixture(scope="module")
def demo_inputs(demo_db) -> risk.RiskInputs:
    """The inputs from every counted session of the demo (the reference the store's equal)."""
    register = load_register(demo_db)
    sessions = register.sessions(Window(date(1900, 1, 1), date(9999, 12, 31))).collect()
    return risk.risk_inputs_from_sessions(
        sessions,
        register.enrolments,
        register.spells,
        read.behaviour_incidents(demo_db),
        read.exclusions(demo_db),
    )


@pytest.mark.slow
@pytest.mark.parametrize("as_of", [date(2025, 11, 3), date(2026, 2, 12), date(2024, 9, 20)])
def test_features_from_the_weekly_totals_equal_those_from_every_session(
    demo_db, demo_inputs, as_of
):
    stored = risk.risk_inputs(demo_db, as_of=as_of)
    assert_frame_equal(
        stored.features(as_of).collect().sort("enrolment_id"),
        demo_inputs.features(as_of).collect().sort("enrolment_id"),
    )
    assert_frame_equal(
        stored.outcome(as_of).collect().sort("enrolment_id"),
        demo_inputs.outcome(as_of).collect().sort("enrolment_id"),
    )
    assert stored.days.equals(demo_inputs.days.sort("school_urn", "date"))


def test_inputs_without_the_as_of_week_refuse_to_score_inside_it(small):
    inputs = risk.risk_inputs(small, as_of=AS_OF - timedelta(days=7))
    with pytest.raises(ValueError, match="week of"):
        inputs.features(AS_OF)
    inputs.features(AS_OF - timedelta(days=AS_OF.weekday()))  # a Monday needs no sessions


def without_later_data(inputs: risk.RiskInputs, as_of: date) -> risk.RiskInputs:
    """The inputs a database holding nothing dated on or after `as_of` would give."""
    sessions = inputs.sessions.filter(pl.col("date") < as_of)
    spells = inputs.spells.filter(pl.col("admission_date") <= as_of).with_columns(
        pl.when(pl.col("leaving_date") >= as_of)
        .then(None)
        .otherwise(pl.col("leaving_date"))
        .alias("leaving_date")
    )
    return replace(
        inputs,
        sessions=sessions,
        weekly=weekly_session_totals(sessions.lazy()).collect(),
        spells=spells,
        enrolments=inputs.enrolments.filter(
            pl.col("enrolment_id").is_in(spells["enrolment_id"].implode())
        ),
        days=school_days(sessions.lazy()).collect(),
        incidents=inputs.incidents.filter(pl.col("date") < as_of),
        exclusions=inputs.exclusions.filter(pl.col("start_date") < as_of),
    )


@pytest.mark.slow
@pytest.mark.parametrize("as_of", [date(2025, 11, 3), date(2026, 2, 12), date(2024, 9, 20)])
def test_no_leakage_on_the_demo_trust(demo_inputs, as_of):
    full = demo_inputs.features(as_of).collect().sort("enrolment_id")
    cut = without_later_data(demo_inputs, as_of).features(as_of).collect().sort("enrolment_id")
    assert full.height > 1000
    assert cut.select(full.columns).equals(full)


def test_the_outcome_is_persistent_absence_from_the_as_of_date_at_exactly_ten_percent(small, load):
    # 5 Nov to 16 Dec: 30 school days, 60 sessions. A misses 6 (exactly 10%), B misses 5.
    last = date(2025, 12, 16)
    load(
        "marks",
        marks_csv(
            A,
            AS_OF,
            last,
            lambda d, s: (
                "I" if s == "AM" and (d - AS_OF).days < 8 and d.weekday() < 5 else present(d, s)
            ),
        ),
        school_urn=URN,
    )
    load(
        "marks",
        marks_csv(
            B,
            AS_OF,
            last,
            lambda d, s: (
                "I" if s == "AM" and (d - AS_OF).days < 7 and d.weekday() < 5 else present(d, s)
            ),
        ),
        school_urn=URN,
    )
    inputs = risk.risk_inputs(small, as_of=AS_OF)
    outcome = persistent_absence_after(
        inputs.weekly.lazy(), inputs.sessions.lazy(), AS_OF
    ).collect()
    by_upn = {
        r["upn"]: r
        for r in outcome.join(
            inputs.enrolments.select("enrolment_id", "upn", "school_urn"), on="enrolment_id"
        )
        .filter(pl.col("school_urn") == URN)
        .iter_rows(named=True)
    }
    assert (
        by_upn[A]["future_possible"],
        by_upn[A]["future_absent"],
        by_upn[A]["persistent_absence_after"],
    ) == (60, 6, True)
    assert (
        by_upn[B]["future_possible"],
        by_upn[B]["future_absent"],
        by_upn[B]["persistent_absence_after"],
    ) == (60, 5, False)


@pytest.mark.parametrize(
    ("feature", "row", "words"),
    [
        ("change_4_weeks", {"change_4_weeks": 6.2}, "attendance fell 6 points in the last 4 weeks"),
        ("change_8_weeks", {"change_8_weeks": 1.0}, "attendance fell 1 point in the last 8 weeks"),
        ("change_4_weeks", {"change_4_weeks": -3.0}, None),
        (
            "weekday_concentration",
            {
                "absent": 12,
                **{
                    f"absent_{d}": n
                    for d, n in zip(
                        ("monday", "tuesday", "wednesday", "thursday", "friday"),
                        (9, 1, 0, 2, 0),
                        strict=True,
                    )
                },
            },
            "9 of 12 absences on Mondays",
        ),
        (
            "absence_rate",
            {"absence_rate": 13.75, "absent": 11, "possible": 80},
            "attendance this year 86.3% (11 of 80 sessions missed)",
        ),
        (
            "late_rate",
            {"late_before_close": 3, "late_after_close": 1},
            "late 4 times this year (3 before and 1 after registers closed)",
        ),
        (
            "suspensions_this_year",
            {"suspensions": 1, "suspension_sessions": 4},
            "1 suspension this year (4 sessions)",
        ),
        (
            "absence_last_year",
            {"possible_last_year": 300, "absent_last_year": 30, "absence_last_year": 10.0},
            "missed 10.0% of sessions last year (persistently absent)",
        ),
    ],
)
def test_drivers_are_written_from_the_pupils_own_numbers(feature, row, words):
    assert describe(feature, {"possible": 80, "absent": 11} | row) == words


def test_drivers_skip_features_that_lower_the_risk_or_say_nothing():
    row = {"possible": 80, "absent": 11, "absence_rate": 13.75, "change_4_weeks": -2.0}
    ranked = [("change_4_weeks", 0.9), ("absence_rate", 0.5), ("disadvantaged", -0.3)]
    assert drivers_in_words(row | {"disadvantaged": 0.0}, ranked) == [
        "attendance this year 86.3% (11 of 80 sessions missed)"
    ]


def test_too_little_history_falls_back_to_transparent_rules(small):
    run = risk.train(small, trained_by="tester")
    assert run.kind == "rules" and "complete academic year" in run.reason
    active = risk.active_model(small)
    assert active.kind == "rules" and active.reason == run.reason
    inputs = risk.risk_inputs(small, as_of=AS_OF)
    scores = risk.risk_scores(inputs, active, AS_OF)
    a = (
        scores.join(
            inputs.enrolments.select("enrolment_id", "upn", "school_urn"),
            on="enrolment_id",
        )
        .filter((pl.col("upn") == A) & (pl.col("school_urn") == URN))
        .row(0, named=True)
    )
    # Persistently absent so far (40) and over the last 4 weeks (20), falling (the as-of week so far
    # is Monday, off: 15), 10+ unauthorised (10).
    assert a["risk_score"] == pytest.approx(0.85) and a["risk_basis"] == "rules"
    assert a["drivers"][0] == "attendance this year 78.7% (20 of 94 sessions missed)"


def test_with_no_training_run_the_rules_are_used_and_say_why(small):
    active = risk.active_model(small)
    assert active.kind == "rules" and "rollcall risk train" in active.reason


def test_a_model_pickled_by_another_scikit_learn_is_not_loaded():
    with pytest.raises(ValueError, match="run `rollcall risk train` again"):
        risk_model.from_bytes(b"", "0.0.1")


def test_rule_points_add_up():
    frame = pl.DataFrame(
        {
            "enrolment_id": [1, 2],
            "absent": [10, 0],
            "possible": [100, 100],
            "absent_last_4": [4, 0],
            "possible_last_4": [40, 40],
            "change_4_weeks": [5.0, 4.9],
            "absent_last_year": [None, 30],
            "possible_last_year": [None, 300],
            "unauthorised": [10, 9],
        }
    )
    assert rule_scores(frame)["risk_score"].to_list() == [pytest.approx(0.85), pytest.approx(0.15)]


@pytest.fixture(scope="module")
def demo_rows(demo_inputs) -> pl.DataFrame:
    return risk.training_rows(demo_inputs, risk.complete_years(demo_inputs))


@pytest.mark.slow
def test_the_backtest_is_reproducible_with_a_seed(demo_inputs, demo_rows):
    # The rows come in the same order every time (the folds and weights follow the order).
    assert risk.training_rows(demo_inputs, risk.complete_years(demo_inputs)).equals(demo_rows)
    first = backtests.backtest(demo_rows, risk._fit_and_score(7))
    second = backtests.backtest(demo_rows, risk._fit_and_score(7))
    assert first == second
    assert first["test_year"] == 2025 and first["train_years"] == [2023, 2024]
    assert [p["point"] for p in first["points"]] == [label for label, _, _ in risk.POINTS]
    a, b = risk_model.fit_model(demo_rows, 7), risk_model.fit_model(demo_rows, 7)
    assert risk_model.coefficients(a).equals(risk_model.coefficients(b))


@pytest.mark.slow
def test_the_demo_model_ranks_pupils_better_than_the_90_percent_rule_at_every_point(demo_db):
    active = risk.active_model(demo_db)
    assert active.kind == "model"
    points = active.backtest["points"]
    assert len(points) == len(risk.POINTS)
    for point in points:
        assert point["model_auc"] > point["rule_auc"], point["point"]
        assert point["model_found"] >= point["rule_found"], point["point"]
        assert point["model_brier"] < point["rule_brier"], point["point"]
    bins = active.backtest["reliability"]
    assert len(bins) == backtests.RELIABILITY_BINS
    assert max(abs(b["mean_predicted"] - b["observed"]) for b in bins) < 0.1  # calibrated
    groups = {(c["cohort"], c["group"]) for c in active.backtest["cohorts"]}
    assert {
        ("Disadvantaged", "Disadvantaged"),
        ("SEN", "EHC plan"),
        ("Sex", "Female"),
        ("Ethnic group", "White"),
    } <= groups


@pytest.mark.slow
def test_training_stores_a_run_the_scores_come_from(demo_db, tmp_path):
    import shutil

    copy = Database(tmp_path / "copy.duckdb")
    shutil.copy(demo_db.path, copy.path)
    before = store.risk_model_runs(copy).height
    run = risk.train(copy, seed=3, trained_by="tester")
    assert run.kind == "model" and store.risk_model_runs(copy).height == before + 1
    active = risk.active_model(copy)
    assert (active.model_id, active.seed, active.trained_by) == (run.model_id, 3, "tester")
    saturday = date(2026, 11, 21)
    scores = risk.risk_scores(risk.risk_inputs(copy, as_of=saturday), active, saturday)
    assert scores["risk_score"].is_between(0, 1).all() and scores[
        "risk_basis"
    ].unique().to_list() == ["model"]
    high = scores.sort("risk_score", descending=True).row(0, named=True)
    assert 1 <= len(high["drivers"]) <= 3
