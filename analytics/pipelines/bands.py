"""The DfE's 5% absence bands: how many enrolments miss [0, 5)% of their possible sessions,
[5, 10)%, ... [45, 50)%, and 50% or more (as in DfE's absence-distribution statistics).

Bands are computed in integers (`20 × absent // possible`), like persistent absence, so a pupil
absent for exactly 10% is in the [10, 15)% band and the bands from 10% up add up to the
persistent absentees; the top band (50% and over) is the severe absentees. Enrolments with no
possible session are in no band.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

BAND_WIDTH_PERCENT = 5
#: The top band starts here and has no upper bound.
TOP_BAND_PERCENT = 50
BAND_COUNT = TOP_BAND_PERCENT // BAND_WIDTH_PERCENT + 1


def band_label(band: int) -> str:
    """`0` -> `0% to under 5%`; the last band -> `50% and over`."""
    low = band * BAND_WIDTH_PERCENT
    if low >= TOP_BAND_PERCENT:
        return f"{TOP_BAND_PERCENT}% and over"
    return f"{low}% to under {low + BAND_WIDTH_PERCENT}%"


BAND_LABELS = tuple(band_label(band) for band in range(BAND_COUNT))


def bands() -> pl.LazyFrame:
    """One row per band: `absence_band` (0 to 10), `band_label`, `band_from` (its lowest rate)."""
    return pl.LazyFrame(
        {
            "absence_band": list(range(BAND_COUNT)),
            "band_label": list(BAND_LABELS),
            "band_from": [b * BAND_WIDTH_PERCENT for b in range(BAND_COUNT)],
        },
        schema={"absence_band": pl.Int8, "band_label": pl.String, "band_from": pl.Int32},
    )


def absence_band(absent: str = "absent", possible: str = "possible") -> pl.Expr:
    """The band of `absent / possible` (0 for [0, 5)% ... 10 for 50% and over); null when nothing
    was possible."""
    per_band = 100 // BAND_WIDTH_PERCENT
    whole = pl.col(possible).cast(pl.Int64)
    band = (pl.col(absent).cast(pl.Int64) * per_band) // whole
    return pl.when(whole > 0).then(pl.min_horizontal(band, pl.lit(BAND_COUNT - 1))).cast(pl.Int8)


def with_absence_band(per_enrolment: pl.LazyFrame) -> pl.LazyFrame:
    """One row per enrolment, adding `absence_band` (null when no possible session)."""
    return per_enrolment.with_columns(absence_band().alias("absence_band"))


def band_distribution(per_enrolment: pl.LazyFrame, by: Sequence[str] = ()) -> pl.LazyFrame:
    """One row per group and band (every band, even empty): `absence_band, band_label,
    band_from, enrolments` (in the band) and `share` (% of the group's enrolments with a
    possible session)."""
    banded = with_absence_band(per_enrolment).filter(pl.col("absence_band").is_not_null())
    counts = banded.group_by(*by, "absence_band").agg(pl.len().cast(pl.Int64).alias("enrolments"))
    groups = banded.select(*by).unique() if by else pl.LazyFrame({"_all": [0]})
    grid = groups.join(bands(), how="cross")
    joined = grid.join(counts, on=[*by, "absence_band"], how="left").with_columns(
        pl.col("enrolments").fill_null(0)
    )
    if not by:
        joined = joined.drop("_all")
    total = pl.col("enrolments").sum().over(by) if by else pl.col("enrolments").sum()
    return joined.with_columns(
        pl.when(total > 0).then(pl.col("enrolments") * 100.0 / total).alias("share")
    ).sort(*by, "absence_band")
