"""Pattern charts: weekday by session, lateness week by week and in minutes, reasons week by
week, first and last weeks of half-terms, and spells of absence.

Each chart has a `describe_*` sentence; colour is never the only signal: values are written in
heatmap cells and on bars, series differ by dash and point shape, and reasons are drawn as
separate small charts, each titled.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from analytics.domain.reasons import REASON_GROUPS
from analytics.domain.rounding import round_half_up, rounded_text
from analytics.pipelines.patterns import (
    FIRST_WEEK,
    LAST_WEEK,
    OTHER_WEEKS,
    TERM_POSITIONS,
    WEEKDAYS,
)
from analytics.reports.charts.layout import height_for

_WEEKDAYS = list(WEEKDAYS[:5])


def _pct(value: float | None) -> str:
    return "no figure" if value is None else f"{round_half_up(value)}%"


def weekday_heatmap(
    weekday: pl.DataFrame, measure: str = "absence_rate", label: str = "Absence"
) -> alt.LayerChart | alt.FacetChart:
    """A weekday-by-session grid shaded by `measure`, each cell's value written in it."""
    data = weekday.select(
        "weekday_name", "session", "possible", pl.col(measure).alias("value")
    ).with_columns(pl.format("{}%", rounded_text(pl.col("value"))).alias("text"))
    base = alt.Chart(data).encode(
        x=alt.X("weekday_name:N", sort=_WEEKDAYS, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("session:N", sort=["AM", "PM"], title=None),
    )
    cells = base.mark_rect(stroke="white").encode(
        # A light range keeps the black text in every cell readable.
        color=alt.Color(
            "value:Q", title=f"{label} (%)", scale=alt.Scale(range=["#fff5eb", "#fd8d3c"])
        ),
        tooltip=[
            alt.Tooltip("weekday_name:N", title="Day"),
            alt.Tooltip("session:N", title="Session"),
            alt.Tooltip("value:Q", title=f"{label} (%)", format=".2f"),
            alt.Tooltip("possible:Q", title="Possible sessions", format=","),
        ],
    )
    return alt.layer(
        cells, base.mark_text(fontSize=14, color="black").encode(text="text:N")
    ).properties(height=height_for(2, 45), title=f"{label} by weekday and session")


def describe_weekday(
    weekday: pl.DataFrame, measure: str = "absence_rate", label: str = "absence"
) -> str:
    """The highest and lowest weekday sessions."""
    rows = weekday.drop_nulls(measure)
    if rows.is_empty():
        return f"No possible sessions, so no {label} by weekday."
    high = rows.sort(measure, descending=True).row(0, named=True)
    low = rows.sort(measure).row(0, named=True)
    return (
        f"{label.capitalize()} by weekday and session: highest on {high['weekday_name']} {high['session']} ({_pct(high[measure])} "
        f"of {high['possible']:,} possible sessions), lowest on {low['weekday_name']} {low['session']} ({_pct(low[measure])})."
    )


def lateness_chart(weekly: pl.DataFrame) -> alt.Chart:
    """Late before registers closed (L) and after (U) as a share of possible sessions, week by
    week: two lines told apart by dash and point shape."""
    data = weekly.unpivot(
        on=["late_before_close_rate", "late_after_close_rate"],
        index=["week_start", "possible"],
        variable_name="kind",
        value_name="rate",
    ).with_columns(
        pl.col("kind").replace_strict(
            {
                "late_before_close_rate": "L: before registers closed",
                "late_after_close_rate": "U: after registers closed",
            }
        )
    )
    kinds = ["L: before registers closed", "U: after registers closed"]
    return (
        alt.Chart(data, title="Late arrivals by week")
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=45))
        .encode(
            x=alt.X(
                "week_start:T", title="Week beginning", axis=alt.Axis(format="%d %b", labelAngle=0)
            ),
            y=alt.Y("rate:Q", title="Share of possible sessions (%)"),
            color=alt.Color(
                "kind:N", title=None, scale=alt.Scale(domain=kinds, range=["#4c78a8", "#f58518"])
            ),
            strokeDash=alt.StrokeDash(
                "kind:N", title=None, scale=alt.Scale(domain=kinds, range=[[1, 0], [6, 4]])
            ),
            shape=alt.Shape(
                "kind:N", title=None, scale=alt.Scale(domain=kinds, range=["circle", "triangle-up"])
            ),
            tooltip=[
                alt.Tooltip("kind:N", title="Late"),
                alt.Tooltip("week_start:T", title="Week beginning", format="%d %b %Y"),
                alt.Tooltip("rate:Q", title="Share (%)", format=".2f"),
            ],
        )
        .properties(height=340)
    )


def describe_lateness(weekly: pl.DataFrame, median_minutes: dict) -> str:
    """Totals of L and U in the window, with the median minutes late."""
    if weekly.is_empty():
        return "No school weeks in this window, so no lateness."
    possible = weekly["possible"].sum()
    late, after = weekly["late_before_close"].sum(), weekly["late_after_close"].sum()
    share = lambda n: _pct(n * 100 / possible if possible else None)
    minutes = lambda m: "not recorded" if m is None else f"{m:g} minutes"
    return (
        f"Over {weekly.height} school weeks, {late:,} sessions were late before registers closed (L, {share(late)} of possible "
        f"sessions; median {minutes(median_minutes['median_minutes_late_before_close'])} late) and {after:,} after they closed "
        f"(U, {share(after)}; median {minutes(median_minutes['median_minutes_late_after_close'])})."
    )


def minutes_chart(minutes: pl.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """Late sessions by minutes late: L and U side by side, with counts written on the bars."""
    data = (
        minutes.drop("sessions")
        .unpivot(
            on=["late_before_close", "late_after_close"],
            index=["minutes_band"],
            variable_name="kind",
            value_name="sessions",
        )
        .with_columns(
            pl.col("kind").replace_strict({"late_before_close": "L", "late_after_close": "U"})
        )
    )
    order = minutes["minutes_band"].to_list()
    base = alt.Chart(data).encode(
        y=alt.Y("minutes_band:N", sort=order, title=None, axis=alt.Axis(labelLimit=400)),
        yOffset=alt.YOffset("kind:N", sort=["L", "U"]),
        x=alt.X("sessions:Q", title="Late sessions"),
    )
    bars = base.mark_bar().encode(
        color=alt.Color("kind:N", sort=["L", "U"], title="Code"),
        tooltip=["minutes_band:N", "kind:N", "sessions:Q"],
    )
    text = base.mark_text(align="left", dx=3, color="black").encode(text=alt.Text("label:N"))
    return alt.layer(
        bars, text.transform_calculate(label="datum.kind + ': ' + format(datum.sessions, ',')")
    ).properties(height=height_for(len(order), 44), title="Late sessions by minutes late")


def reasons_chart(reasons: pl.DataFrame) -> alt.FacetChart:
    """One small line chart per reason group (each titled), of its rate week by week."""
    data = reasons.select("week_start", "reason", "sessions", "possible", "rate")
    return (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=25))
        .encode(
            x=alt.X(
                "week_start:T", title="Week beginning", axis=alt.Axis(format="%d %b", labelAngle=0)
            ),
            y=alt.Y("rate:Q", title="% of possible sessions"),
            tooltip=[
                alt.Tooltip("reason:N", title="Reason"),
                alt.Tooltip("week_start:T", title="Week beginning", format="%d %b %Y"),
                alt.Tooltip("rate:Q", title="% of possible", format=".2f"),
                alt.Tooltip("sessions:Q", title="Sessions", format=","),
            ],
        )
        .properties(height=90, width=620)
        .facet(
            row=alt.Row(
                "reason:N",
                sort=list(REASON_GROUPS),
                title=None,
                header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold"),
            )
        )
        .resolve_scale(y="independent")
    )


def describe_reasons(reasons: pl.DataFrame) -> str:
    """Each reason's share of possible sessions over the window, largest first."""
    possible = reasons.select("week_start", "possible").unique()["possible"].sum()
    if not possible:
        return "No possible sessions, so no reasons for absence."
    totals = (
        reasons.group_by("reason").agg(pl.col("sessions").sum()).sort("sessions", descending=True)
    )
    parts = [
        f"{row['reason'].lower()} {_pct(row['sessions'] * 100 / possible)}"
        for row in totals.iter_rows(named=True)
    ]
    return (
        f"Absence by reason over the window, as a share of {possible:,} possible sessions: "
        + ", ".join(parts)
        + "."
    )


def term_edges_chart(edges: pl.DataFrame) -> alt.Chart:
    """Absence in the first week, the other weeks and the last week of each half-term: one row
    per half-term, each position a different point shape."""
    data = edges.select(
        pl.format(
            "{} {}/{}", "label", pl.col("academic_year"), (pl.col("academic_year") + 1) % 100
        ).alias("half_term"),
        "start",
        "position",
        "absence_rate",
        "possible",
    )
    order = data.sort("start")["half_term"].unique(maintain_order=True).to_list()
    return (
        alt.Chart(data, title="Absence in the first, other and last weeks of each half-term")
        .mark_point(filled=True, size=110)
        .encode(
            y=alt.Y("half_term:N", sort=order, title=None),
            x=alt.X("absence_rate:Q", title="Absence (%)", scale=alt.Scale(zero=False)),
            shape=alt.Shape(
                "position:N",
                title=None,
                scale=alt.Scale(
                    domain=list(TERM_POSITIONS), range=["triangle-right", "circle", "square"]
                ),
            ),
            color=alt.Color(
                "position:N",
                title=None,
                scale=alt.Scale(
                    domain=list(TERM_POSITIONS), range=["#4c78a8", "#72b7b2", "#e45756"]
                ),
            ),
            tooltip=[
                alt.Tooltip("half_term:N", title="Half-term"),
                alt.Tooltip("position:N", title="Weeks"),
                alt.Tooltip("absence_rate:Q", title="Absence (%)", format=".2f"),
                alt.Tooltip("possible:Q", title="Possible", format=","),
            ],
        )
        .properties(height=height_for(len(order), 28))
    )


def describe_term_edges(overall: pl.DataFrame) -> str:
    """Absence in first, other and last weeks over every half-term of the window."""
    rows = {row["position"]: row for row in overall.iter_rows(named=True)}
    if not rows:
        return "No half-term weeks in this window."
    parts = [
        f"{name.lower()} {_pct(rows[name]['absence_rate'])}"
        for name in (FIRST_WEEK, OTHER_WEEKS, LAST_WEEK)
        if name in rows
    ]
    return "Absence across the half-terms of the window: " + ", ".join(parts) + "."


def spells_chart(lengths: pl.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """Spells of consecutive absence by length, with counts written on the bars."""
    order = lengths["length"].to_list()
    base = alt.Chart(lengths).encode(
        y=alt.Y("length:N", sort=order, title=None), x=alt.X("spells:Q", title="Spells of absence")
    )
    bars = base.mark_bar(color="#e45756").encode(
        tooltip=[
            alt.Tooltip("length:N", title="Length"),
            alt.Tooltip("spells:Q", title="Spells", format=","),
            alt.Tooltip("enrolments:Q", title="Pupils with one", format=","),
            alt.Tooltip("sessions:Q", title="Sessions missed", format=","),
        ]
    )
    return alt.layer(
        bars,
        base.mark_text(align="left", dx=3, color="black").encode(
            text=alt.Text("spells:Q", format=",")
        ),
    ).properties(height=height_for(len(order), 34), title="Spells of consecutive absence by length")


def describe_spells(lengths: pl.DataFrame, long_spell_pupils: int, pupils: int) -> str:
    """How many spells, how long, and how many pupils had a spell of a school week or more."""
    total = lengths["spells"].sum()
    if not total:
        return "No spells of absence in this window."
    parts = [f"{row['spells']:,} of {row['length']}" for row in lengths.iter_rows(named=True)]
    return (
        f"{total:,} spells of consecutive absence: "
        + "; ".join(parts)
        + f". {long_spell_pupils:,} of {pupils:,} pupils "
        "had a spell of a school week (10 sessions) or more."
    )
