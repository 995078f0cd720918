"""Overview charts beyond the weekly line: the 5% absence bands against national.

Each chart has a `describe_*` sentence for its caption and for screen readers; colour is never the
only signal (the school is drawn as bars, national as tick marks, and values are written on).
"""

from __future__ import annotations

import altair as alt
import polars as pl

from analytics.domain.rounding import round_half_up, rounded_text
from analytics.reports.charts.layout import height_for

SCHOOL = "This scope (compulsory school age)"
NATIONAL = "National"


def band_chart(bands: pl.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """Horizontal bars of the share of compulsory-age pupils in each 5% absence band, with the
    national share as a black tick mark on each bar's row."""
    data = bands.select(
        "band_label",
        "band_from",
        pl.col("compared_share").alias("share"),
        pl.col("compared_pupils").alias("pupils"),
        "national_share",
    ).with_columns(
        # Each label names both figures (a bare figure beside the national tick read as the
        # national one) and sits past the bar or the tick, whichever is further right.
        pl.when(pl.col("national_share").is_null())
        .then(pl.format("{}%", rounded_text(pl.col("share"))))
        .otherwise(
            pl.format(
                "{}% (national {}%)",
                rounded_text(pl.col("share")),
                rounded_text(pl.col("national_share")),
            )
        )
        .alias("text"),
        pl.max_horizontal("share", "national_share").alias("label_at"),
    )
    order = data.sort("band_from")["band_label"].to_list()
    # An explicit band scale: layering bars with ticks and text otherwise lets some Vega-Lite
    # versions (Streamlit's) pick a point scale and draw the bars with no height.
    y = alt.Y(
        "band_label:N",
        sort=order,
        title="Share of possible sessions missed",
        scale=alt.Scale(type="band", paddingInner=0.2),
    )
    bars = (
        alt.Chart(data)
        .mark_bar(color="#4c78a8")
        .encode(
            y=y,
            x=alt.X("share:Q", title="Pupils in the band (%)"),
            tooltip=[
                alt.Tooltip("band_label:N", title="Absence band"),
                alt.Tooltip("pupils:Q", title="Pupils", format=","),
                alt.Tooltip("share:Q", title="Share (%)", format=".1f"),
                alt.Tooltip("national_share:Q", title="National share (%)", format=".1f"),
            ],
        )
    )
    labels = (
        alt.Chart(data)
        .mark_text(align="left", dx=6, color="black")
        .encode(y=y, x="label_at:Q", text="text:N")
    )
    national = (
        alt.Chart(data.drop_nulls("national_share"))
        .mark_tick(color="black", thickness=3, size=18)
        .encode(
            y=y,
            x="national_share:Q",
            tooltip=[alt.Tooltip("national_share:Q", title="National share (%)", format=".1f")],
        )
    )
    return alt.layer(bars, labels, national).properties(
        height=height_for(len(order), 30),
        title="Pupils by share of sessions missed (bars) against national (black ticks)",
    )


def describe_bands(bands: pl.DataFrame) -> str:
    """One sentence on the bands: how many pupils miss under 5%, 10% or more, 50% or more,
    each against national when there is a national figure."""
    compared = bands.drop_nulls("compared_share")
    if compared.is_empty() or compared["compared_pupils"].sum() == 0:
        return "No pupils of compulsory school age with a possible session, so there are no absence bands."

    def share(rows: pl.DataFrame, column: str) -> str:
        values = rows[column].drop_nulls()
        return "no figure" if values.is_empty() else f"{round_half_up(values.sum())}%"

    low = compared.filter(pl.col("band_from") < 5)
    persistent = compared.filter(pl.col("band_from") >= 10)
    severe = compared.filter(pl.col("band_from") >= 50)
    national = bands["national_share"].null_count() == 0
    against = (
        (lambda rows: f" (national {share(rows, 'national_share')})")
        if national
        else (lambda rows: "")
    )
    text = (
        f"Of {compared['compared_pupils'].sum():,} pupils of compulsory school age, {share(low, 'compared_share')} missed under 5% of "
        f"their sessions{against(low)}, {share(persistent, 'compared_share')} missed 10% or more{against(persistent)} and "
        f"{share(severe, 'compared_share')} missed half or more{against(severe)}."
    )
    return text
