"""Charts of the coordinator's pages: the model against the 90% rule through the year, the
reliability curve, and the impact of each intervention type. Each takes frames or the backtest's
plain data and returns an Altair chart; each has a sentence in words beside it."""

from __future__ import annotations

import altair as alt
import polars as pl

from analytics.domain.rounding import round_half_up
from analytics.reports.coordinator.impact import MIN_MEASURED


def model_vs_rule_chart(points: list[dict], measure: str = "precision_at_k") -> alt.Chart:
    """One line for the model and one for the 90% rule: `measure` (`precision_at_k` or `auc`)
    at each point of the year."""
    label = {"precision_at_k": "Precision among the top k (%)", "auc": "ROC AUC"}[measure]
    scale = 100.0 if measure == "precision_at_k" else 1.0
    rows = [
        {
            "point": p["point"],
            "order": p["point_order"],
            "who": who,
            "value": None if p[f"{key}_{measure}"] is None else p[f"{key}_{measure}"] * scale,
        }
        for p in points
        for who, key in (("Model", "model"), ("90% rule", "rule"))
    ]
    data = pl.DataFrame(
        rows, schema={"point": pl.String, "order": pl.Int64, "who": pl.String, "value": pl.Float64}
    )
    order = data.sort("order")["point"].unique(maintain_order=True).to_list()
    return (
        alt.Chart(data, title=f"{label}: the model against the 90% rule")
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=50))
        .encode(
            x=alt.X("point:N", sort=order, title="Point of the year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=label, scale=alt.Scale(zero=False)),
            color=alt.Color("who:N", title=None),
            strokeDash=alt.StrokeDash("who:N", title=None),
            tooltip=[
                alt.Tooltip("point:N", title="Point"),
                alt.Tooltip("who:N", title="List"),
                alt.Tooltip("value:Q", title=label, format=".2f"),
            ],
        )
        .properties(height=260)
    )


def reliability_chart(bins: list[dict]) -> alt.LayerChart | alt.FacetChart:
    """Mean predicted probability against the share that became persistently absent, per bin,
    with the diagonal a perfectly calibrated model would follow."""
    data = pl.DataFrame(
        bins,
        schema={
            "bin": pl.Int64,
            "mean_predicted": pl.Float64,
            "observed": pl.Float64,
            "enrolments": pl.Int64,
        },
    )
    data = data.with_columns(
        (pl.col("mean_predicted") * 100).alias("predicted_pct"),
        (pl.col("observed") * 100).alias("observed_pct"),
    )
    diagonal = (
        alt.Chart(pl.DataFrame({"x": [0.0, 100.0], "y": [0.0, 100.0]}))
        .mark_line(strokeDash=[4, 4], color="gray")
        .encode(x="x:Q", y="y:Q")
    )
    points = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=60))
        .encode(
            x=alt.X(
                "predicted_pct:Q", title="Predicted risk (%)", scale=alt.Scale(domain=[0, 100])
            ),
            y=alt.Y(
                "observed_pct:Q",
                title="Became persistently absent (%)",
                scale=alt.Scale(domain=[0, 100]),
            ),
            tooltip=[
                alt.Tooltip("predicted_pct:Q", title="Mean predicted (%)", format=".1f"),
                alt.Tooltip("observed_pct:Q", title="Observed (%)", format=".1f"),
                alt.Tooltip("enrolments:Q", title="Enrolment-dates", format=","),
            ],
        )
    )
    return alt.layer(diagonal, points).properties(
        height=300, title="Reliability: predicted against observed"
    )


def describe_reliability(bins: list[dict]) -> str:
    """One sentence: how far predictions and outcomes are apart across the bins."""
    if not bins:
        return "No backtest, so no reliability curve."
    gaps = [abs(b["mean_predicted"] - b["observed"]) * 100 for b in bins]
    worst = bins[gaps.index(max(gaps))]
    return (
        f"Across {len(bins)} groups of equal size, predicted and observed rates differ by "
        f"{round_half_up(sum(gaps) / len(gaps), 1)} points on average; the largest gap is "
        f"{round_half_up(max(gaps), 1)} points (predicted {round_half_up(worst['mean_predicted'] * 100, 1)}%, observed "
        f"{round_half_up(worst['observed'] * 100, 1)}%)."
    )


def impact_chart(summary: pl.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """The difference in differences of each type with its 95% interval (types with at least
    MIN_MEASURED measured actions)."""
    data = summary.filter(pl.col("measured") >= MIN_MEASURED).select(
        "type", "effect", "effect_low", "effect_high", "measured"
    )
    base = alt.Chart(data).encode(
        y=alt.Y("type:N", title=None, sort=None, axis=alt.Axis(labelLimit=240, labelOverlap=False))
    )
    bars = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("effect_low:Q", title="Change in attendance against comparable pupils (points)"),
        x2="effect_high:Q",
    )
    points = base.mark_point(filled=True, size=70, shape="diamond").encode(
        x="effect:Q",
        tooltip=[
            alt.Tooltip("type:N", title="Intervention"),
            alt.Tooltip("effect:Q", title="Difference (points)", format="+.1f"),
            alt.Tooltip("effect_low:Q", title="95% interval from", format="+.1f"),
            alt.Tooltip("effect_high:Q", title="95% interval to", format="+.1f"),
            alt.Tooltip("measured:Q", title="Actions measured"),
        ],
    )
    zero = (
        alt.Chart(pl.DataFrame({"x": [0.0]}))
        .mark_rule(strokeDash=[4, 4], color="gray")
        .encode(x="x:Q")
    )
    return alt.layer(bars, points, zero).properties(
        height=max(80, 34 * data.height),
        title="Difference in attendance change, with its 95% interval",
    )
