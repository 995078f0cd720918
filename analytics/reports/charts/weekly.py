"""Altair charts built from report frames. Each returns a chart and never reads the store.

Every chart comes with a sentence saying what it shows (`describe_*`), for captions and screen
readers; colour is never the only signal (lines carry point shapes and tooltips).
"""

from __future__ import annotations

import altair as alt
import polars as pl

from analytics.domain.rounding import round_half_up


def weekly_rate_chart(
    weekly: pl.DataFrame, measure: str = "attendance_rate", label: str = "Attendance"
) -> alt.Chart:
    """A line of one rate per week (`week_start`), with points and tooltips."""
    data = weekly.select(
        pl.col("week_start"),
        pl.col(measure).alias("rate"),
        pl.col("possible"),
    )
    return (
        alt.Chart(data, title=f"{label} by week")
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=40))
        .encode(
            x=alt.X(
                "week_start:T", title="Week beginning", axis=alt.Axis(format="%d %b", labelAngle=0)
            ),
            y=alt.Y("rate:Q", title=f"{label} (%)", scale=alt.Scale(zero=False)),
            tooltip=[
                alt.Tooltip("week_start:T", title="Week beginning", format="%d %b %Y"),
                alt.Tooltip("rate:Q", title=f"{label} (%)", format=".1f"),
                alt.Tooltip("possible:Q", title="Possible sessions", format=","),
            ],
        )
        .properties(height=280)
    )


def describe_weekly(
    weekly: pl.DataFrame, measure: str = "attendance_rate", label: str = "attendance"
) -> str:
    """One sentence on the weekly series: its span, its range and its latest value."""
    series = weekly.drop_nulls(measure)
    if series.is_empty():
        return f"No weeks with possible sessions, so there is no weekly {label}."
    low = series.sort(measure).row(0, named=True)
    high = series.sort(measure).row(-1, named=True)
    last = series.sort("week_start").row(-1, named=True)
    return (
        f"Weekly {label} over {series.height} school weeks: lowest {round_half_up(low[measure])}% "
        f"(week beginning {low['week_start']:%d %b %Y}), highest {round_half_up(high[measure])}% "
        f"(week beginning {high['week_start']:%d %b %Y}), latest {round_half_up(last[measure])}% "
        f"(week beginning {last['week_start']:%d %b %Y})."
    )
