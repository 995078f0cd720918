"""Pupil profile charts: the register calendar (every school day's AM and PM mark), the codes
behind the pupil's figures, and the behaviour timeline.

Each chart has a `describe_*` sentence; colour is never the only signal: every register cell
shows its code (or a dash for no mark), code bars are labelled with the code, and positive and
negative incidents are drawn as different shapes.
"""

from __future__ import annotations

from datetime import date

import altair as alt
import polars as pl

from analytics.domain.rounding import round_half_up
from analytics.reports.charts.layout import height_for
from analytics.reports.analysis.pupil import CELL_KINDS, NO_MARK, NOT_ON_ROLL

#: A colour per register cell kind (CELL_KINDS order); the code written in each cell carries
#: the same information.
CELL_COLOURS = ("#a1d99b", "#9ecae1", "#fdd49e", "#fb6a4a", "#d9d9d9", "#ffffff", "#f0f0f0")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def register_chart(cells: pl.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """A calendar: one row per school week, one column per weekday session (Mon AM ... Fri PM),
    each cell coloured by what the mark counts as and showing its code."""
    data = cells.with_columns(
        pl.format(
            "{} {}",
            pl.col("weekday").replace_strict(
                dict(enumerate(_DAYS, start=1)), return_dtype=pl.String
            ),
            "session",
        ).alias("slot"),
        pl.col("week_start").dt.strftime("%d %b %Y").alias("week"),
        pl.col("code").fill_null("–").alias("text"),
        pl.col("date").dt.strftime("%a %d %b %Y").alias("day"),
        pl.col("meaning").fill_null(pl.col("kind")),
    )
    slots = [f"{day} {session}" for day in _DAYS[:5] for session in ("AM", "PM")]
    slots += [
        s for s in data["slot"].unique().sort().to_list() if s not in slots
    ]  # a weekend mark, if any
    weeks = data.sort("week_start")["week"].unique(maintain_order=True).to_list()
    base = alt.Chart(data).encode(
        x=alt.X(
            "slot:O",
            sort=slots,
            title=None,
            axis=alt.Axis(orient="top", labelAngle=0, labelOverlap=False, labelFontSize=10),
        ),
        y=alt.Y("week:O", sort=weeks, title="Week beginning"),
    )
    cells_layer = base.mark_rect(stroke="#bdbdbd", strokeWidth=0.5).encode(
        color=alt.Color(
            "kind:N",
            title="Counts as",
            scale=alt.Scale(domain=list(CELL_KINDS), range=list(CELL_COLOURS)),
        ),
        tooltip=[
            alt.Tooltip("day:N", title="Day"),
            alt.Tooltip("session:N", title="Session"),
            alt.Tooltip("code:N", title="Code"),
            alt.Tooltip("meaning:N", title="Meaning"),
            alt.Tooltip("kind:N", title="Counts as"),
            alt.Tooltip("minutes_late:Q", title="Minutes late"),
        ],
    )
    text = base.mark_text(fontSize=11, color="black").encode(text="text:N")
    return alt.layer(cells_layer, text).properties(
        height=height_for(len(weeks), 22), width=720, title="Register: every AM and PM mark"
    )


def describe_register(cells: pl.DataFrame) -> str:
    """How many sessions of each kind the calendar shows."""
    if cells.is_empty():
        return "No school days in this window."
    counts = dict(cells.group_by("kind").len().iter_rows())
    parts = [f"{counts[kind]:,} {kind.lower()}" for kind in CELL_KINDS if counts.get(kind)]
    weeks = cells["week_start"].n_unique()
    text = f"Register over {weeks} weeks, {cells.height:,} sessions: " + ", ".join(parts) + "."
    if counts.get(NO_MARK):
        text += " Sessions with no mark count in no figure."
    if counts.get(NOT_ON_ROLL):
        text += " Marks while not on roll are kept but not counted."
    return text


def codes_chart(codes: pl.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """Sessions by register code, each bar labelled with its code and count."""
    data = codes.with_columns(pl.format("{} · {}", "code", "meaning").alias("label"))
    order = data["label"].to_list()
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort=order, title=None), x=alt.X("sessions:Q", title="Sessions")
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "counts_as:N",
            title="Counts as",
            scale=alt.Scale(domain=list(CELL_KINDS), range=list(CELL_COLOURS)),
        ),
        tooltip=[
            alt.Tooltip("code:N", title="Code"),
            alt.Tooltip("meaning:N", title="Meaning"),
            alt.Tooltip("counts_as:N", title="Counts as"),
            alt.Tooltip("sessions:Q", title="Sessions"),
            alt.Tooltip("share:Q", title="Share (%)", format=".1f"),
        ],
    )
    text = base.mark_text(align="left", dx=3, color="black").encode(
        text=alt.Text("sessions:Q", format=",")
    )
    return alt.layer(bars, text).properties(
        height=height_for(data.height, 28), title="Sessions by register code"
    )


def describe_codes(codes: pl.DataFrame) -> str:
    """The codes used, most used first."""
    if codes.is_empty():
        return "No counted sessions in this window."
    parts = [
        f"{row['code']} ({row['meaning'].lower()}) {row['sessions']:,}"
        for row in codes.head(5).iter_rows(named=True)
    ]
    more = f", and {codes.height - 5} more codes" if codes.height > 5 else ""
    return f"{codes['sessions'].sum():,} counted sessions by code: " + "; ".join(parts) + more + "."


def incidents_chart(incidents: pl.DataFrame) -> alt.Chart:
    """Each incident as a point on a timeline: negative ones as downward triangles, positive as
    upward, in two rows."""
    data = incidents.select("date", "type", "category", "points", "staff", "action").with_columns(
        pl.col("type").str.to_titlecase()
    )
    kinds = ["Negative", "Positive"]
    return (
        alt.Chart(data, title="Behaviour incidents over time")
        .mark_point(filled=True, size=90)
        .encode(
            x=alt.X("date:T", title="Date", axis=alt.Axis(format="%d %b %Y")),
            y=alt.Y("type:N", sort=kinds, title=None),
            shape=alt.Shape(
                "type:N",
                title=None,
                scale=alt.Scale(domain=kinds, range=["triangle-down", "triangle-up"]),
            ),
            color=alt.Color(
                "type:N", title=None, scale=alt.Scale(domain=kinds, range=["#e45756", "#54a24b"])
            ),
            tooltip=[
                alt.Tooltip("date:T", title="Date", format="%d %b %Y"),
                alt.Tooltip("type:N", title="Type"),
                alt.Tooltip("category:N", title="Category"),
                alt.Tooltip("points:Q", title="Points"),
                alt.Tooltip("action:N", title="Action"),
            ],
        )
        .properties(height=height_for(2, 40))
    )


def describe_incidents(incidents: pl.DataFrame) -> str:
    """Counts by type and the most frequent negative category."""
    if incidents.is_empty():
        return "No behaviour incidents in this window."
    negative = incidents.filter(pl.col("type") == "negative")
    positive = incidents.height - negative.height
    text = f"{negative.height} negative and {positive} positive incidents in the window"
    if negative.height:
        top = (
            negative.group_by("category")
            .len()
            .sort("len", "category", descending=[True, False])
            .row(0)
        )
        text += f"; most frequent negative: {top[0].lower()} ({top[1]})"
        latest = negative["date"].max()
        assert isinstance(latest, date)
        text += f"; latest negative on {latest:%d %b %Y}"
    return text + "."


def describe_figures(figures: dict | None) -> str:
    """The pupil's headline figures in one sentence."""
    if figures is None:
        return "Not on roll in this window."
    if not figures["possible"]:
        return "On roll in this window, but with no possible session."
    flag = (
        "severely absent (50% or more)"
        if figures["severe_absence"]
        else "persistently absent (10% or more)"
        if figures["persistent_absence"]
        else "not persistently absent"
    )
    return (
        f"Attended {figures['attended']:,} of {figures['possible']:,} possible sessions ({round_half_up(figures['attendance_rate'])}%); "
        f"{figures['authorised']:,} authorised and {figures['unauthorised']:,} unauthorised absences; {flag}."
    )
