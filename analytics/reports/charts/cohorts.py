"""Cohort charts: each group's figure against the rest and national, a group's weekly trend
against the rest of the school, and two characteristics crossed.

Each chart has a `describe_*` sentence; colour is never the only signal: values are written on
the marks, national figures are tick marks, series differ by line dash and point shape, and small
groups say so in their label.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from analytics.domain.rounding import round_half_up, rounded_text
from analytics.reports.charts.layout import height_for
from analytics.reports.analysis.cohorts import ALL_PUPILS, GAP_MEASURE_LABELS, REST_OF_SCHOOL


def _pct(value: float | None) -> str:
    return "no figure" if value is None else f"{round_half_up(value)}%"


def _signed(value: float | None) -> str:
    if value is None:
        return "no figure"
    rounded = round_half_up(value)
    return f"{'+' if rounded > 0 else ''}{rounded} percentage points"


def gap_chart(table: pl.DataFrame, measure: str) -> alt.LayerChart | alt.FacetChart:
    """One bar per group of its compulsory-age `measure` (`compared_value`), with the national
    figure for that group as a black tick, the value and pupil count written beside the bar, and
    small groups labelled as such and drawn pale."""
    label = GAP_MEASURE_LABELS[measure]
    data = table.select(
        "group",
        "compared_pupils",
        pl.col("compared_value").alias("value"),
        "national",
        "gap_to_national",
        "too_small",
    ).with_columns(
        pl.format(
            "{}{} (n={})",
            rounded_text(pl.col("value")).fill_null("–"),
            pl.when(pl.col("value").is_not_null()).then(pl.lit("%")).otherwise(pl.lit("")),
            pl.col("compared_pupils"),
        ).alias("text"),
        pl.when(pl.col("too_small"))
        .then(pl.format("{} (too small to read)", pl.col("group")))
        .otherwise(pl.col("group"))
        .alias("group_label"),
        # Labels sit past the bar or the national tick, whichever is further right.
        pl.max_horizontal("value", "national").alias("label_at"),
    )
    order = data["group_label"].to_list()
    # An explicit band scale: layering bars with ticks and text otherwise lets some Vega-Lite
    # versions (Streamlit's) pick a point scale and draw the bars with no height.
    y = alt.Y(
        "group_label:N", sort=order, title=None, scale=alt.Scale(type="band", paddingInner=0.2)
    )
    bars = (
        alt.Chart(data)
        .mark_bar(color="#4c78a8")
        .encode(
            y=y,
            x=alt.X("value:Q", title=f"{label} (%), compulsory school age"),
            opacity=alt.condition("datum.too_small", alt.value(0.35), alt.value(1.0)),
            tooltip=[
                alt.Tooltip("group:N", title="Group"),
                alt.Tooltip("compared_pupils:Q", title="Pupils compared", format=","),
                alt.Tooltip("value:Q", title=f"{label} (%)", format=".1f"),
                alt.Tooltip("national:Q", title="National (%)", format=".1f"),
                alt.Tooltip("gap_to_national:Q", title="Gap (points)", format="+.1f"),
            ],
        )
    )
    text = (
        alt.Chart(data)
        .mark_text(align="left", dx=6, color="black")
        .encode(y=y, x="label_at:Q", text="text:N")
    )
    ticks = (
        alt.Chart(data.drop_nulls("national"))
        .mark_tick(color="black", thickness=3, size=20)
        .encode(
            y=y,
            x="national:Q",
            tooltip=[alt.Tooltip("national:Q", title="National (%)", format=".1f")],
        )
    )
    return alt.layer(bars, text, ticks).properties(
        height=height_for(data.height, 34),
        title=f"{label} by group (bars) against national (black ticks)",
    )


def describe_gaps(table: pl.DataFrame, measure: str, characteristic: str) -> str:
    """One sentence per chart: the whole scope, and the group furthest from national."""
    whole = table.filter(pl.col("group") == ALL_PUPILS)
    groups = table.filter(
        (pl.col("group") != ALL_PUPILS)
        & pl.col("gap_to_national").is_not_null()
        & pl.col("too_small").not_()
    )
    text = f"{GAP_MEASURE_LABELS[measure]} of pupils of compulsory school age, by {characteristic}."
    if not whole.is_empty():
        row = whole.row(0, named=True)
        text += f" All pupils: {_pct(row['compared_value'])} against {_pct(row['national'])} nationally."
    if groups.is_empty():
        return text + " No group has a national figure it can be read against."
    sign = 1 if measure != "attendance_rate" else -1
    worst = groups.sort(pl.col("gap_to_national") * sign, descending=True).row(0, named=True)
    small = table.filter(pl.col("too_small"))["group"].to_list()
    text += (
        f" Furthest from national: {worst['group']} ({worst['compared_pupils']:,} pupils), {_pct(worst['compared_value'])} "
        f"against {_pct(worst['national'])}, a gap of {_signed(worst['gap_to_national'])}."
    )
    if small:
        text += f" Too small to read: {', '.join(small)}."
    return text


def trend_chart(trend: pl.DataFrame, group: str) -> alt.Chart:
    """Weekly attendance of the group and of the rest of the school: two lines told apart by
    dash and point shape as well as colour."""
    data = trend.select("week_start", "series", "attendance_rate", "possible", "enrolments_counted")
    series = [group, REST_OF_SCHOOL]
    return (
        alt.Chart(data, title=f"Attendance by week: {group} and the rest of the school")
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=50))
        .encode(
            x=alt.X(
                "week_start:T", title="Week beginning", axis=alt.Axis(format="%d %b", labelAngle=0)
            ),
            y=alt.Y("attendance_rate:Q", title="Attendance (%)", scale=alt.Scale(zero=False)),
            color=alt.Color(
                "series:N", title=None, scale=alt.Scale(domain=series, range=["#d62728", "#4c78a8"])
            ),
            strokeDash=alt.StrokeDash(
                "series:N", title=None, scale=alt.Scale(domain=series, range=[[1, 0], [6, 4]])
            ),
            shape=alt.Shape(
                "series:N", title=None, scale=alt.Scale(domain=series, range=["circle", "square"])
            ),
            tooltip=[
                alt.Tooltip("series:N", title="Pupils"),
                alt.Tooltip("week_start:T", title="Week beginning", format="%d %b %Y"),
                alt.Tooltip("attendance_rate:Q", title="Attendance (%)", format=".1f"),
                alt.Tooltip("enrolments_counted:Q", title="Pupils with a session", format=","),
            ],
        )
        .properties(height=360)
    )


def describe_trend(trend: pl.DataFrame, group: str) -> str:
    """The gap to the rest of the school in the first and last week, and its range."""
    gaps = trend.filter(pl.col("series") == group).drop_nulls("gap_to_rest").sort("week_start")
    if gaps.is_empty():
        return (
            f"No school weeks with sessions for {group} and the rest of the school in this window."
        )
    first, last = gaps.row(0, named=True), gaps.row(-1, named=True)
    widest = gaps.sort(pl.col("gap_to_rest").abs(), descending=True).row(0, named=True)
    direction = (
        "narrowed"
        if abs(last["gap_to_rest"]) < abs(first["gap_to_rest"])
        else "widened"
        if abs(last["gap_to_rest"]) > abs(first["gap_to_rest"])
        else "held"
    )
    return (
        f"Weekly attendance of {group} against the rest of the school over {gaps.height} school weeks: the gap was "
        f"{_signed(first['gap_to_rest'])} in the week beginning {first['week_start']:%d %b %Y} and "
        f"{_signed(last['gap_to_rest'])} in the week beginning {last['week_start']:%d %b %Y} (it {direction}); "
        f"widest {_signed(widest['gap_to_rest'])} (week beginning {widest['week_start']:%d %b %Y})."
    )


def cross_chart(
    table: pl.DataFrame, measure: str, rows: str, columns: str
) -> alt.LayerChart | alt.FacetChart:
    """A grid of two characteristics crossed: each cell's shade is its `measure`, and its value
    and pupil count are written in it (too-small cells say so)."""
    label = GAP_MEASURE_LABELS[measure]
    data = (
        table.filter(pl.col("group") != ALL_PUPILS)
        .select(
            "group", "cross_group", "pupils_counted", "too_small", pl.col(measure).alias("value")
        )
        .with_columns(
            pl.when(pl.col("too_small"))
            .then(pl.format("too small (n={})", pl.col("pupils_counted")))
            .otherwise(
                pl.format("{}% (n={})", rounded_text(pl.col("value")), pl.col("pupils_counted"))
            )
            .alias("text")
        )
    )
    base = alt.Chart(data).encode(
        x=alt.X(
            "cross_group:N",
            title=columns,
            sort=data["cross_group"].unique(maintain_order=True).to_list(),
            axis=alt.Axis(labelAngle=0),
        ),
        y=alt.Y(
            "group:N",
            title=rows,
            sort=data["group"].unique(maintain_order=True).to_list(),
            axis=alt.Axis(labelLimit=300),
        ),
    )
    cells = base.mark_rect(stroke="white").encode(
        # A light range keeps the black text in every cell readable.
        color=alt.Color(
            "value:Q", title=f"{label} (%)", scale=alt.Scale(range=["#f7fbff", "#6baed6"])
        ),
        tooltip=[
            alt.Tooltip("group:N", title=rows),
            alt.Tooltip("cross_group:N", title=columns),
            alt.Tooltip("value:Q", title=f"{label} (%)", format=".1f"),
            alt.Tooltip("pupils_counted:Q", title="Pupils"),
        ],
    )
    text = base.mark_text(fontSize=13, color="black").encode(text="text:N")
    return alt.layer(cells, text).properties(
        height=height_for(data["group"].n_unique(), 60),
        width=max(300, 170 * data["cross_group"].n_unique()),
        title=f"{label}: {rows} by {columns}",
    )


def describe_cross(table: pl.DataFrame, measure: str, rows: str, columns: str) -> str:
    """The highest and lowest readable cells of a crossed table."""
    label = GAP_MEASURE_LABELS[measure].lower()
    cells = table.filter((pl.col("group") != ALL_PUPILS) & pl.col("too_small").not_()).drop_nulls(
        measure
    )
    if cells.is_empty():
        return f"No crossed group of {rows} and {columns} is large enough to read."
    high = cells.sort(measure, descending=True).row(0, named=True)
    low = cells.sort(measure).row(0, named=True)
    return (
        f"{GAP_MEASURE_LABELS[measure]} by {rows} and {columns}, {cells.height} groups large enough to read: "
        f"highest {label} {_pct(high[measure])} ({high['group']}, {high['cross_group']}, {high['pupils_counted']:,} pupils), "
        f"lowest {_pct(low[measure])} ({low['group']}, {low['cross_group']}, {low['pupils_counted']:,} pupils)."
    )
