"""Rounding for shown figures: half-up, as DfE rounds (12.25 -> 12.3), never half-to-even."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import polars as pl


def round_half_up(value: float | Fraction | int | Decimal, places: int = 1) -> Decimal:
    """`value` rounded half away from zero to `places` decimals.

    Floats are read through their shortest repr, so 1.005 rounds as the written 1.005 would.
    """
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent(numerator: int, denominator: int, places: int = 1) -> Decimal | None:
    """`numerator / denominator * 100` rounded half-up exactly, or None when nothing is possible."""
    if denominator == 0:
        return None
    return round_half_up(Fraction(numerator * 100, denominator), places)


def format_percent(value: float | None, places: int = 1) -> str:
    """A rate for display: `12.3%`, or an en dash when there is no rate."""
    if value is None or value != value:  # None or NaN
        return "–"
    return f"{round_half_up(value, places)}%"


def _half_up_decimal(values: pl.Expr, places: int) -> pl.Expr:
    # Through the float's shortest text (as `round_half_up` reads floats through their repr), then
    # a decimal rounded half away from zero: all inside Polars, with no Python call per value
    # (Python inside a query can deadlock the app when two sessions run at once).
    exact = values.cast(pl.Float64).cast(pl.String).cast(pl.Decimal(38, 12), strict=False)
    return exact.round(places, mode="half_away_from_zero")


def rounded(values: pl.Expr, places: int = 1) -> pl.Expr:
    """Each value rounded half-up to `places` decimals, as a float (null, and NaN, give null): a
    native Polars expression giving what `round_half_up` gives (`Expr.round` defaults to half to
    even)."""
    return _half_up_decimal(values, places).cast(pl.Float64)


def rounded_text(values: pl.Expr, places: int = 1) -> pl.Expr:
    """Each value as the text shown for it, rounded half-up as `round_half_up` rounds (null,
    and NaN, give null; minus zero shows as 0): for labels built in Polars."""
    return _half_up_decimal(values, places).cast(pl.Decimal(38, places)).cast(pl.String)


def percent_text(values: pl.Expr, places: int = 1, missing: str = "–") -> pl.Expr:
    """`12.3%` for each rate, rounded half-up (`missing` where there is no rate), as
    `format_percent` writes one value."""
    return pl.format("{}%", rounded_text(values, places)).fill_null(missing)
