"""Risk model: the model card, with the backtest against the plain 90% rule at each point of the
year, its calibration and its errors by cohort; and retraining."""

import polars as pl
import streamlit as st

from analytics.domain.calendar import academic_year_label
from analytics.reports.charts.coordinator import (
    describe_reliability,
    model_vs_rule_chart,
    reliability_chart,
)
from analytics.reports.coordinator.risk import (
    MIN_COMPLETE_YEARS,
    MIN_PERSISTENT_ABSENTEES,
    describe_point,
    train,
)
from analytics.access.roles import Role
from pages.ui import coordinator
from pages.ui.context import cache_key, database
from pages.ui.filters import scope_or_stop
from pages.ui.access import guard_page

user = guard_page(__file__)

st.title("Risk model")
scope = scope_or_stop()

db = database()
key = cache_key(db)
model = coordinator.model(*key)
coordinator.show_flash()
st.caption(
    "One model for the whole database, whichever school the filters show: every school's history trains it."
)

st.subheader("What it predicts")
st.markdown(
    """
For each pupil on roll (each enrolment) at an as-of date, the **probability of being persistently absent over the rest of
the academic year**: missing 10% or more of their possible sessions from that date to the end of July. The Targets page shows
it at the end of the last register day, as *rising risk*, and `rollcall export targets` writes it as `risk_score`. It uses only
what was known before the as-of date.
"""
)

if model.kind == "model":
    card = model.card
    st.success(
        f"Model {model.model_id}, trained {model.trained_at:%d %b %Y %H:%M} by {model.trained_by} "
        f"(seed {model.seed}) on the register up to {model.data_through:%d %b %Y}."
    )
    last_day = coordinator.last_register_day(*key)
    if last_day and model.data_through and last_day > model.data_through:
        st.warning(
            f"The register now runs to {last_day:%d %b %Y}: retrain to learn from the newer weeks."
        )
else:
    st.warning(f"**Transparent rules, not a model.** {model.reason}")

if user.role is Role.SENIOR_LEADER and not user.read_only:
    with st.form("retrain_form"):
        st.write(
            f"Retraining backtests on the latest complete academic year, then trains on every complete year. It needs "
            f"{MIN_COMPLETE_YEARS} complete years and {MIN_PERSISTENT_ABSENTEES} pupils who became persistently absent; "
            "`rollcall risk train` does the same."
        )
        who = coordinator.recorder()
        if st.form_submit_button("Retrain now"):
            with st.spinner("Training and backtesting…"):
                run = train(db, trained_by=who)
            coordinator.flash(f"Trained: {run.kind} {run.model_id} ({run.card['headline']}).")
            st.rerun()
else:
    st.caption(
        "Senior leaders can retrain the model here; `rollcall risk train` does it from the command line."
    )

backtest = model.backtest if model.kind == "model" else None
if backtest and backtest["points"]:
    latest = [p for p in backtest["points"] if p["test_year"] == backtest["test_year"]]
    st.subheader(
        f"Backtest: {academic_year_label(backtest['test_year'])}, learning only from "
        f"{', '.join(academic_year_label(y) for y in backtest['train_years'])}"
    )
    st.markdown(
        "At each point of the year, the model's list of the *k* highest risks is set against the plain rule "
        '**"currently persistently absent"** (attendance 90% or less so far this year), where *k* is the number of pupils '
        "the rule names, so both lists are the same length. **Precision** is the share of a list who went on to be "
        "persistently absent over the rest of the year; **ROC AUC** how well each ranks all pupils (0.5 is chance); the "
        "**Brier score** the mean squared error of the probabilities (lower is better; the rule's probability is how often "
        "pupils it did and did not flag became persistently absent in the training years)."
    )
    for point in latest:
        st.markdown(f"- {describe_point(point)}")
    left, right = st.columns(2)
    year = academic_year_label(backtest["test_year"])
    left.altair_chart(
        model_vs_rule_chart(latest, "precision_at_k"),
        width="stretch",
        alt=f"Precision among the top k at each point of {year}, the model against the rule; "
        "the figures are in the table below.",
    )
    right.altair_chart(
        model_vs_rule_chart(latest, "auc"),
        width="stretch",
        alt=f"ROC AUC at each point of {year}, the model against the rule; the figures are in "
        "the table below.",
    )
    points = pl.DataFrame(latest).select(
        "point",
        "as_of",
        "enrolments",
        "persistent_absentees",
        "k",
        "model_found",
        "rule_found",
        (pl.col("model_precision_at_k") * 100).alias("model_precision"),
        (pl.col("rule_precision_at_k") * 100).alias("rule_precision"),
        "model_auc",
        "rule_auc",
        "model_brier",
        "rule_brier",
    )
    st.dataframe(
        points.with_columns(
            coordinator.rounded("model_precision"), coordinator.rounded("rule_precision")
        ),
        alt="Backtest at each point of the year",
        hide_index=True,
        placeholder="–",
        column_order=(
            "point",
            "as_of",
            "persistent_absentees",
            "k",
            "model_found",
            "rule_found",
            "model_precision",
            "rule_precision",
            "model_auc",
            "rule_auc",
        ),
        column_config={
            "point": "Point",
            "as_of": "As of",
            "enrolments": "Enrolments",
            "persistent_absentees": "Became PA",
            "k": "k",
            "model_found": "Model found",
            "rule_found": "Rule found",
            "model_precision": st.column_config.NumberColumn("Model precision", format="%.1f%%"),
            "rule_precision": st.column_config.NumberColumn("Rule precision", format="%.1f%%"),
            "model_auc": st.column_config.NumberColumn("Model ROC AUC", format="%.3f"),
            "rule_auc": st.column_config.NumberColumn("Rule ROC AUC", format="%.3f"),
            "model_brier": st.column_config.NumberColumn("Model Brier", format="%.3f"),
            "rule_brier": st.column_config.NumberColumn("Rule Brier", format="%.3f"),
        },
        key="risk_points",
    )

    st.subheader("Calibration")
    st.altair_chart(
        reliability_chart(backtest["reliability"]),
        width="stretch",
        alt=describe_reliability(backtest["reliability"]),
    )
    st.caption(describe_reliability(backtest["reliability"]))

    st.subheader("Errors by cohort")
    st.markdown(
        "Pooled over the points of the test year. *Missed* is the share of the group's pupils who became persistently absent "
        "but were not on the list; *false alarms* the share of the group's other pupils who were on it. A model that misses more "
        "of one group, or flags more of another, than the rule does is treating them differently: read these before acting on a score."
    )
    cohorts = pl.DataFrame(backtest["cohorts"]).select(
        "cohort",
        "group",
        "enrolments",
        (pl.col("base_rate") * 100).alias("observed"),
        (pl.col("mean_predicted") * 100).alias("predicted"),
        "model_auc",
        "rule_auc",
        *(
            (pl.col(c) * 100).alias(c)
            for c in ("model_missed", "rule_missed", "model_false_alarms", "rule_false_alarms")
        ),
    )
    st.dataframe(
        cohorts.with_columns(
            *(
                coordinator.rounded(c)
                for c in (
                    "observed",
                    "predicted",
                    "model_missed",
                    "rule_missed",
                    "model_false_alarms",
                    "rule_false_alarms",
                )
            )
        ),
        alt="Errors by cohort",
        hide_index=True,
        placeholder="–",
        column_order=(
            "cohort",
            "group",
            "enrolments",
            "observed",
            "predicted",
            "model_missed",
            "rule_missed",
            "model_false_alarms",
            "rule_false_alarms",
        ),
        column_config={
            "cohort": "Cohort",
            "group": "Group",
            "enrolments": st.column_config.NumberColumn("Enrolment-dates", format="localized"),
            "observed": st.column_config.NumberColumn("Became PA", format="%.1f%%"),
            "predicted": st.column_config.NumberColumn("Mean predicted", format="%.1f%%"),
            "model_auc": st.column_config.NumberColumn("Model ROC AUC", format="%.3f"),
            "rule_auc": st.column_config.NumberColumn("Rule ROC AUC", format="%.3f"),
            "model_missed": st.column_config.NumberColumn("Model missed", format="%.1f%%"),
            "rule_missed": st.column_config.NumberColumn("Rule missed", format="%.1f%%"),
            "model_false_alarms": st.column_config.NumberColumn(
                "Model false alarms", format="%.1f%%"
            ),
            "rule_false_alarms": st.column_config.NumberColumn(
                "Rule false alarms", format="%.1f%%"
            ),
        },
        key="risk_cohorts",
    )
elif model.kind == "model":
    st.info("This model was trained without a backtest.")

st.subheader("Data and features")
card = model.card or {}
if card.get("rows"):
    st.markdown(
        f"Trained on **{card['rows']:,}** enrolment-dates ({card['enrolments']:,} enrolments at the points "
        f"{', '.join(card['points'])} of {', '.join(academic_year_label(y) for y in card['years'])}), of which "
        f"{card['persistent_absentees']:,} went on to be persistently absent."
    )
features = pl.DataFrame(
    card.get("features") or [],
    schema={"name": pl.String, "meaning": pl.String, "weight": pl.Float64},
)
if features.height:
    st.dataframe(
        features,
        alt="Features and their weights",
        hide_index=True,
        column_config={
            "name": "Feature",
            "meaning": st.column_config.TextColumn("What it is", width="large"),
            "weight": st.column_config.NumberColumn(
                "Weight (log-odds per standard deviation)", format="%+.2f"
            ),
        },
        key="risk_features",
    )
if model.kind != "model":
    st.markdown("**The rules** (points add up to the score, out of 100):")
    st.markdown(
        "\n".join(f"- {rule['words']}: {rule['points']} points" for rule in card.get("rules", []))
        or "- (none)"
    )

st.subheader("Limits")
st.markdown(
    """
- **It learns from this database only.** A school with little history, or a year unlike the ones before (a pandemic, a new
  intake pattern), gets a weaker model; the backtest above is the evidence of how it did on a year it had not seen.
- **Cohort flags are features.** Disadvantage and SEN raise a score because such pupils were more often persistently absent
  in the past. The table of errors by cohort shows what that does; the score should start a conversation, never decide an action.
- **Corrected marks.** Features read the register as it is now, including marks corrected after the as-of date (an `N` later
  explained as illness), so the backtest is a little kinder than live use.
- **Pupil details without dates.** SEN and disadvantage are read as they are now, not as they were at the as-of date.
- **What a score is not.** It is not a judgement of a family, and pupils new to a school (no last year to go on) are scored on
  less evidence.
"""
)
