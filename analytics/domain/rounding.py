"""Rounding for shown figures: half-up, as DfE rounds (12.25 -> 12.3), never half-to-even."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import polars as pl


def round_half_up(value: float | Fraction | int, places: int = 1) -> Decimal:
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


def rounded_text(values: pl.Expr, places: int = 1) -> pl.Expr:
    """Each value as the text shown for it, rounded half-up as `round_half_up` rounds (null,
    and NaN, give null): for labels built in Polars, whose `Expr.round` rounds half to even."""

    def shown(value: float) -> str | None:
        return None if value != value else str(round_half_up(value, places))

    return values.map_elements(shown, return_dtype=pl.String)
