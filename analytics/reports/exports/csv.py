"""CSV files that are safe to open in Excel."""

from __future__ import annotations

from pathlib import Path

import polars as pl

#: A cell starting with one of these would be run as a formula by Excel (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_text(dtype: pl.DataType) -> bool:
    # Categorical and Enum columns are written as their text, so they need escaping as well.
    return dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum))


def escape_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells that Excel would read as formulas, prefixed with `'`; numbers are untouched."""
    pattern = "^[" + "".join("\\" + c if c in "-+" else c for c in FORMULA_STARTS) + "]"
    text = {c: pl.col(c).cast(pl.String) for c, dtype in frame.schema.items() if _is_text(dtype)}
    return frame.with_columns(
        pl.when(value.str.contains(pattern)).then(pl.lit("'") + value).otherwise(value).alias(c)
        for c, value in text.items()
    )


def to_csv_bytes(frame: pl.DataFrame) -> bytes:
    """The frame as UTF-8 CSV text, formulas escaped."""
    return escape_formulas(frame).write_csv().encode("utf-8")


def write_csv(frame: pl.DataFrame, path: Path | str) -> None:
    """Write the frame as a CSV file, formulas escaped."""
    Path(path).write_bytes(to_csv_bytes(frame))
