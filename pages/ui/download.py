"""Download buttons for any table: CSV (formulas escaped) and Excel, built only when clicked.

A table of pupil data is passed with `pupil_data=True`: each download is then recorded in the
audit log (who, which table, how many rows) when it is made."""

from __future__ import annotations

import re

import polars as pl
import streamlit as st

from analytics.reports.exports.csv import to_csv_bytes
from analytics.reports.exports.excel import to_xlsx_bytes
from pages.ui.access import audited_export, current_user


def _file_stem(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "table"


def download_buttons(
    frame: pl.DataFrame,
    name: str,
    *,
    key: str,
    note: str | None = None,
    pupil_data: bool = False,
    school_urn: int | None = None,
    file_stem: str | None = None,
) -> None:
    """Two buttons under a table: `name.csv` and `name.xlsx` (or `file_stem`'s) of exactly the
    rows shown, the Excel sheet named `name` (Excel keeps 31 characters: keep dates and the like
    in `file_stem`). With `pupil_data`, each download is recorded in the audit log."""
    stem = _file_stem(file_stem or name)
    csv_data = lambda: to_csv_bytes(frame)
    xlsx_data = lambda: to_xlsx_bytes({name: frame}, note=note)
    user = current_user() if pupil_data else None
    if user is not None:
        csv_data = audited_export(
            user, f"{stem}.csv", csv_data, school_urn=school_urn, rows=frame.height
        )
        xlsx_data = audited_export(
            user, f"{stem}.xlsx", xlsx_data, school_urn=school_urn, rows=frame.height
        )
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        "Download CSV",
        data=csv_data,
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    right.download_button(
        "Download Excel",
        data=xlsx_data,
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        on_click="ignore",
        icon=":material/table_view:",
    )
