"""CSV files that are safe to open in Excel."""

from __future__ import annotations

from pathlib import Path

import polars as pl

#: A cell starting with one of these would be run as a formula by Excel (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells that Excel would read as formulas, prefixed with `'`; numbers are untouched."""
    pattern = "^[" + "".join("\\" + c if c in "-+" else c for c in FORMULA_STARTS) + "]"
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(pattern)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c, dtype in frame.schema.items()
        if dtype == pl.String
    )


def to_csv_bytes(frame: pl.DataFrame) -> bytes:
    """The frame as UTF-8 CSV text, formulas escaped."""
    return escape_formulas(frame).write_csv().encode("utf-8")


def write_csv(frame: pl.DataFrame, path: Path | str) -> None:
    """Write the frame as a CSV file, formulas escaped."""
    Path(path).write_bytes(to_csv_bytes(frame))
