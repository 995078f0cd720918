"""Excel workbooks from report frames: one sheet per table, headers bold, rates to one decimal.

Text is always written as text (never as a formula or a link), so a cell starting with `=` from
an MIS export cannot run in Excel.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, datetime

import polars as pl
import xlsxwriter


def to_xlsx_bytes(sheets: Mapping[str, pl.DataFrame], *, note: str | None = None) -> bytes:
    """A workbook with one sheet per frame (names cut to Excel's 31 characters); `note`, when
    given, goes in the first row of each sheet (the window and scope the table is for)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
    )
    bold = workbook.add_format({"bold": True, "bottom": 1})
    dates = workbook.add_format({"num_format": "dd/mm/yyyy"})
    decimals = workbook.add_format({"num_format": "0.0"})
    for name, frame in sheets.items():
        sheet = workbook.add_worksheet(name[:31])
        top = 0
        if note:
            sheet.write_string(0, 0, note)
            top = 2
        for column, header in enumerate(frame.columns):
            sheet.write_string(top, column, header, bold)
            values = frame[header]
            width = max([len(header), *(len(str(v)) for v in values.head(200).to_list())]) + 2
            sheet.set_column(column, column, min(width, 60))
            for row, value in enumerate(values.to_list(), start=top + 1):
                if value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(row, column, value)
                elif isinstance(value, (int, float)):
                    sheet.write_number(
                        row, column, value, decimals if isinstance(value, float) else None
                    )
                elif isinstance(value, (date, datetime)):
                    sheet.write_datetime(
                        row,
                        column,
                        datetime.combine(value, datetime.min.time())
                        if type(value) is date
                        else value,
                        dates,
                    )
                else:
                    sheet.write_string(row, column, str(value))
        sheet.freeze_panes(top + 1, 0)
    workbook.close()
    return buffer.getvalue()
