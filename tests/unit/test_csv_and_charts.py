"""CSV exports are safe in Excel; charts show what their captions say."""

from datetime import date

import polars as pl

from analytics.reports.charts.weekly import describe_weekly, weekly_rate_chart
from analytics.reports.exports.csv import escape_formulas, to_csv_bytes


def test_cells_that_excel_would_run_are_escaped():
    frame = pl.DataFrame(
        {
            "text": ["=1+1", "+44", "-x", "@SUM(A1)", "\tcmd", "\rx", "safe", None],
            "number": [-1.5, 2, 3, 4, 5, 6, 7, 8],
        }
    )
    escaped = escape_formulas(frame)
    assert escaped["text"].to_list() == [
        "'=1+1",
        "'+44",
        "'-x",
        "'@SUM(A1)",
        "'\tcmd",
        "'\rx",
        "safe",
        None,
    ]
    assert escaped["number"].to_list() == frame["number"].to_list()
    assert to_csv_bytes(frame).decode().splitlines()[1] == "'=1+1,-1.5"


def test_the_weekly_chart_plots_each_week():
    weekly = pl.DataFrame(
        {
            "week_start": [date(2025, 9, 1), date(2025, 9, 8)],
            "attendance_rate": [95.25, 93.0],
            "possible": [100, 120],
        }
    )
    spec = weekly_rate_chart(weekly).to_dict()
    assert spec["encoding"]["x"]["field"] == "week_start"
    assert spec["encoding"]["y"]["field"] == "rate"
    assert spec["mark"]["point"]  # points as well as colour
    assert len(next(iter(spec["datasets"].values()))) == 2
    text = describe_weekly(weekly)
    assert "2 school weeks" in text and "lowest 93.0%" in text and "highest 95.3%" in text


def test_excel_workbooks_keep_text_as_text():
    import io
    import zipfile

    from analytics.reports.exports.excel import to_xlsx_bytes

    frame = pl.DataFrame(
        {
            "name": ['=HYPERLINK("x")', "plain"],
            "rate": [12.25, None],
            "day": [date(2025, 9, 1), None],
            "flag": [True, False],
        }
    )
    data = to_xlsx_bytes(
        {"A sheet name longer than thirty-one characters": frame}, note="Trust · 2025/26"
    )
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = book.namelist()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "xl/worksheets/sheet1.xml" in names
    assert "<f>" not in sheet  # no formula anywhere
    assert "=HYPERLINK" in strings and "Trust · 2025/26" in strings


def test_categorical_and_enum_cells_are_escaped_too():
    frame = pl.DataFrame({"text": ["=1+1", "ok"]}).with_columns(
        pl.col("text").cast(pl.Categorical).alias("category"),
        pl.col("text").cast(pl.Enum(["=1+1", "ok"])).alias("enum"),
    )
    assert to_csv_bytes(frame).decode().splitlines()[1:] == ["'=1+1,'=1+1,'=1+1", "ok,ok,ok"]
