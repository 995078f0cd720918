"""Behaviour charts: incidents per 100 pupils by group and by week, exclusions by reason, and
each pupil's attendance against their negative incidents.

Each chart has a `describe_*` sentence; colour is never the only signal (values are written on
bars, series differ by dash and shape, persistent absentees are drawn as crosses).
"""

from __future__ import annotations

import altair as alt
import polars as pl

from analytics.domain.rounding import round_half_up, rounded_text
from analytics.reports.charts.layout import height_for


def _number(value: float | None) -> str:
    return "no figure" if value is None else f"{round_half_up(value)}"


def group_chart(by_group: pl.DataFrame, characteristic: str) -> alt.LayerChart | alt.FacetChart:
    """Negative incidents per 100 pupils for each group, value and pupils written beside each bar."""
    data = by_group.select("group", "pupils", "negative_per_100", "positive_per_100").with_columns(
        pl.format("{} (n={})", rounded_text(pl.col("negative_per_100")), pl.col("pupils")).alias(
            "text"
        )
    )
    order = data["group"].to_list()
    base = alt.Chart(data).encode(
        y=alt.Y("group:N", sort=order, title=None),
        x=alt.X("negative_per_100:Q", title="Negative incidents per 100 pupils"),
    )
    bars = base.mark_bar(color="#e45756").encode(
        tooltip=[
            alt.Tooltip("group:N", title=characteristic),
            alt.Tooltip("pupils:Q", title="Pupils", format=","),
            alt.Tooltip("negative_per_100:Q", title="Negative per 100", format=".1f"),
            alt.Tooltip("positive_per_100:Q", title="Positive per 100", format=".1f"),
        ]
    )
    return alt.layer(
        bars, base.mark_text(align="left", dx=3, color="black").encode(text="text:N")
    ).properties(
        height=height_for(data.height, 30),
        title=f"Negative incidents per 100 pupils, by {characteristic}",
    )


def describe_groups(by_group: pl.DataFrame, characteristic: str) -> str:
    """The whole scope's rates and the group with the most negative incidents per 100 pupils."""
    whole = by_group.row(0, named=True)
    text = (
        f"All {whole['pupils']:,} pupils: {_number(whole['negative_per_100'])} negative and {_number(whole['positive_per_100'])} "
        f"positive incidents per 100 pupils."
    )
    groups = by_group.slice(1).drop_nulls("negative_per_100")
    if groups.height:
        top = groups.sort("negative_per_100", descending=True).row(0, named=True)
        text += f" Most negative incidents ({characteristic}): {top['group']} ({top['pupils']:,} pupils), {_number(top['negative_per_100'])} per 100 pupils."
    return text


def weekly_chart(weekly: pl.DataFrame) -> alt.Chart:
    """Negative and positive incidents per 100 pupils on roll, week by week."""
    data = weekly.unpivot(
        on=["negative_per_100", "positive_per_100"],
        index=["week_start", "pupils"],
        variable_name="kind",
        value_name="rate",
    ).with_columns(
        pl.col("kind").replace_strict(
            {"negative_per_100": "Negative", "positive_per_100": "Positive"}
        )
    )
    kinds = ["Negative", "Positive"]
    return (
        alt.Chart(data, title="Incidents per 100 pupils by week")
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=45))
        .encode(
            x=alt.X(
                "week_start:T", title="Week beginning", axis=alt.Axis(format="%d %b", labelAngle=0)
            ),
            y=alt.Y("rate:Q", title="Incidents per 100 pupils"),
            color=alt.Color(
                "kind:N", title=None, scale=alt.Scale(domain=kinds, range=["#e45756", "#54a24b"])
            ),
            strokeDash=alt.StrokeDash(
                "kind:N", title=None, scale=alt.Scale(domain=kinds, range=[[1, 0], [6, 4]])
            ),
            shape=alt.Shape(
                "kind:N",
                title=None,
                scale=alt.Scale(domain=kinds, range=["triangle-down", "triangle-up"]),
            ),
            tooltip=[
                alt.Tooltip("kind:N", title="Incidents"),
                alt.Tooltip("week_start:T", title="Week beginning", format="%d %b %Y"),
                alt.Tooltip("rate:Q", title="Per 100 pupils", format=".1f"),
                alt.Tooltip("pupils:Q", title="Pupils on roll", format=","),
            ],
        )
        .properties(height=340)
    )


def describe_weekly(weekly: pl.DataFrame) -> str:
    """The week with the most negative incidents per 100 pupils, and the latest week."""
    rows = weekly.drop_nulls("negative_per_100")
    if rows.is_empty():
        return "No school weeks in this window, so no weekly incidents."
    high = rows.sort("negative_per_100", descending=True).row(0, named=True)
    last = rows.sort("week_start").row(-1, named=True)
    return (
        f"Negative incidents per 100 pupils over {rows.height} school weeks: highest {_number(high['negative_per_100'])} "
        f"(week beginning {high['week_start']:%d %b %Y}), latest {_number(last['negative_per_100'])} "
        f"(week beginning {last['week_start']:%d %b %Y}, positive {_number(last['positive_per_100'])})."
    )


def reasons_chart(by_reason: pl.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """Suspensions and permanent exclusions by reason, counts written on the bars."""
    data = (
        by_reason.unpivot(
            on=["suspensions", "permanent_exclusions"],
            index=["reason", "meaning"],
            variable_name="kind",
            value_name="count",
        )
        .with_columns(
            pl.col("kind").replace_strict(
                {"suspensions": "Suspensions", "permanent_exclusions": "Permanent exclusions"}
            ),
            pl.format("{} ({})", "meaning", "reason").alias("label"),
        )
        .filter(pl.col("count") > 0)
    )
    order = by_reason.select(pl.format("{} ({})", "meaning", "reason").alias("label"))[
        "label"
    ].to_list()
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=420)),
        yOffset=alt.YOffset("kind:N"),
        x=alt.X("count:Q", title="Exclusions"),
    )
    bars = base.mark_bar().encode(
        color=alt.Color("kind:N", title=None), tooltip=["label:N", "kind:N", "count:Q"]
    )
    text = (
        base.mark_text(align="left", dx=3, color="black")
        .encode(text="text:N")
        .transform_calculate(text="(datum.kind == 'Suspensions' ? 'S: ' : 'PX: ') + datum.count")
    )
    return alt.layer(bars, text).properties(
        height=height_for(by_reason.height, 36),
        title="Suspensions (S) and permanent exclusions (PX) by reason",
    )


def describe_reasons(by_reason: pl.DataFrame, totals: dict) -> str:
    """Totals and the most common reason."""
    if by_reason.is_empty():
        return "No suspensions or permanent exclusions in this window."
    top = by_reason.row(0, named=True)
    return (
        f"{totals['suspensions']:,} suspensions of {totals['pupils_suspended']:,} pupils and {totals['permanent_exclusions']:,} permanent "
        f"exclusions in the window. An exclusion with several reasons counts under each. Most common reason: {top['meaning']} "
        f"({top['suspensions']:,} suspensions, {top['permanent_exclusions']:,} permanent exclusions)."
    )


def attendance_behaviour_chart(pupils: pl.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """One point per pupil: attendance across, negative incidents up; persistent absentees as
    crosses, others as circles; a rule at 90% attendance (the persistent-absence line)."""
    data = pupils.select(
        "attendance_rate",
        "negative_incidents",
        "group_year_group",
        pl.when(pl.col("persistent_absence"))
        .then(pl.lit("Persistent absentee"))
        .otherwise(pl.lit("Not persistently absent"))
        .alias("kind"),
    )
    kinds = ["Persistent absentee", "Not persistently absent"]
    points = (
        alt.Chart(data)
        .mark_point(size=40, filled=False, opacity=0.7)
        .encode(
            x=alt.X("attendance_rate:Q", title="Attendance (%)", scale=alt.Scale(zero=False)),
            y=alt.Y("negative_incidents:Q", title="Negative incidents"),
            shape=alt.Shape(
                "kind:N", title=None, scale=alt.Scale(domain=kinds, range=["cross", "circle"])
            ),
            color=alt.Color(
                "kind:N", title=None, scale=alt.Scale(domain=kinds, range=["#d62728", "#4c78a8"])
            ),
            tooltip=[
                alt.Tooltip("group_year_group:N", title="Year group"),
                alt.Tooltip("attendance_rate:Q", title="Attendance (%)", format=".1f"),
                alt.Tooltip("negative_incidents:Q", title="Negative incidents"),
            ],
        )
    )
    rule = (
        alt.Chart(pl.DataFrame({"x": [90.0]}))
        .mark_rule(strokeDash=[4, 4], color="black")
        .encode(x="x:Q")
    )
    return alt.layer(points, rule).properties(
        height=400, title="Each pupil's attendance against negative incidents (dashed line: 90%)"
    )


def describe_attendance_behaviour(absentees: pl.DataFrame) -> str:
    """The share of persistent absentees with a negative incident, against the other pupils."""
    rows = {row["persistent_absence"]: row for row in absentees.iter_rows(named=True)}
    pa, rest = rows.get(True), rows.get(False)
    if not pa or not pa["pupils"]:
        return "No persistent absentees in this window."
    assert rest is not None  # `behaviour_of_absentees` gives a row for the others too
    return (
        f"{pa['pupils_with_negative']:,} of {pa['pupils']:,} persistent absentees ({_number(pa['pupils_with_negative_rate'])}%) had at least "
        f"one negative incident, against {rest['pupils_with_negative']:,} of {rest['pupils']:,} other pupils "
        f"({_number(rest['pupils_with_negative_rate'])}%); persistent absentees had {_number(pa['negative_per_100'])} negative incidents "
        f"per 100 pupils, the others {_number(rest['negative_per_100'])}."
    )
