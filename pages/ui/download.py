"""Download buttons for any table: CSV (formulas escaped) and Excel, built only when clicked."""

from __future__ import annotations

import re

import polars as pl
import streamlit as st

from analytics.reports.csv import to_csv_bytes
from analytics.reports.excel import to_xlsx_bytes


def _file_stem(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "table"


def download_buttons(frame: pl.DataFrame, name: str, *, key: str, note: str | None = None) -> None:
    """Two buttons under a table: `name.csv` and `name.xlsx` of exactly the rows shown."""
    stem = _file_stem(name)
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        "Download CSV", data=lambda: to_csv_bytes(frame), file_name=f"{stem}.csv", mime="text/csv",
        key=f"{key}_csv", on_click="ignore", icon=":material/download:",
    )
    right.download_button(
        "Download Excel", data=lambda: to_xlsx_bytes({name: frame}, note=note), file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx", on_click="ignore", icon=":material/table_view:",
    )
