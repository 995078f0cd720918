"""The register grid CSV that MIS session reports produce: one row per pupil, one column per
session, headed like `2025-09-03 AM` or `Wed 03/09/2025 PM`."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, datetime

import polars as pl

from analytics.domain.codes import NO_MARK_PLACEHOLDERS
from analytics.ingest.batch import Batch
from analytics.ingest.errors import ImportRefused, Problem, shown_heading
from analytics.ingest.fields import Checker
from analytics.ingest.marks import EMPTY, FIELD, MARK_COLUMNS, MarkChunks
from analytics.ingest.source import Source
from analytics.ingest.table import ROW, SESSION_LIKE, Table, read_table

SESSION_COLUMN = re.compile(
    r"(?:([A-Za-z]{3,9})\s+)?(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})\s*[-\s]?\s*(AM|PM)",
    re.IGNORECASE,
)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Cells turned into marks at once (a year's grid of 1,500 pupils is 570,000 cells).
_CELLS_AT_A_TIME = 250_000


def session_of_column(header: str) -> tuple[date, str] | None:
    """The date and session a grid column holds, or None when it is not a session column."""
    match = SESSION_COLUMN.fullmatch(header.strip())
    if not match:
        return None
    _weekday, text, session = match.groups()
    fmt = "%Y-%m-%d" if "-" in text else "%d/%m/%Y"
    try:
        return datetime.strptime(text, fmt).date(), session.upper()
    except ValueError:
        return None


def _column_problem(header: str) -> str | None:
    """Why a session-like heading cannot be read, or None when it can."""
    found = session_of_column(header)
    if found is None:
        return "is not a session with a real date (head it like '2025-09-03 AM' or 'Wed 03/09/2025 PM')"
    match = SESSION_COLUMN.fullmatch(header.strip())
    assert match is not None  # session_of_column found a session in it
    weekday = (match.group(1) or "").lower()[:3]
    day = found[0]
    # A weekday that does not match the date is how a US-style (MM/DD) heading shows itself.
    if weekday in _WEEKDAYS and _WEEKDAYS.index(weekday) != day.weekday():
        return (
            f"says {calendar.day_name[_WEEKDAYS.index(weekday)]} but {day:%d %b %Y} is a {day:%A}"
        )
    return None


def _label(table: Table, column: str) -> str:
    """How a message names a column: its heading, or its place when the heading may be pupil data
    (a UPN with AM after it is session-like, but is no session)."""
    return column if shown_heading(column) else f"column {table.position(column)}"


def parse_grid(
    file_name: str,
    data: bytes | Source,
    *,
    today: date,
    rename: Callable[[str], str] | None = None,
) -> Batch:
    """Read and check a register grid, turning each filled cell into a mark; `rename` reads its
    headings (`synonyms.header_names`)."""
    table = read_table(
        file_name, data, required=("upn",), accept_column=SESSION_LIKE, rename=rename
    )
    session_columns = [c for c in table.columns if c != "upn"]
    header = table.header_row
    problems = [
        Problem(header, _label(table, c), reason)
        for c in session_columns
        if (reason := _column_problem(c))
    ]
    if not session_columns:
        problems.append(
            Problem(header, None, "has no session columns (headed like '2025-09-03 AM')")
        )
    if problems:
        raise ImportRefused(file_name, problems)
    sessions: dict[str, tuple[date, str]] = {}
    for c in session_columns:
        found = session_of_column(c)
        assert found is not None  # a column without a session was refused above
        sessions[c] = found
    seen: dict[tuple[date, str], str] = {}
    for column, key in sessions.items():
        if key in seen:
            problems.append(Problem(header, column, f"is the same session as column '{seen[key]}'"))
        seen[key] = column
    if problems:
        raise ImportRefused(file_name, problems)

    check = Checker(file_name)
    lookup = pl.DataFrame(
        {
            FIELD: list(sessions),
            "date": [d for d, _ in sessions.values()],
            "session": [s for _, s in sessions.values()],
        }
    )
    marks = MarkChunks(check, today=today)
    pupils = []
    # A chunk of a wide grid is turned into marks a few rows at a time.
    rows_at_a_time = max(1, _CELLS_AT_A_TIME // len(session_columns))
    for chunk in table.chunks():
        for start in range(0, max(chunk.height, 1), rows_at_a_time):
            frame = chunk.slice(start, rows_at_a_time)
            rows = check.over(frame)
            upns = rows.upn()
            # Each row's UPN, kept small, to find a UPN repeated in another chunk.
            pupils.append(frame.select(ROW).with_columns(upns.cast(pl.Categorical)))
            cells = (
                frame.with_columns(upns)
                .unpivot(
                    index=[ROW, "upn"], on=session_columns, variable_name=FIELD, value_name="code"
                )
                .filter(
                    pl.col("code").is_not_null() & ~pl.col("code").is_in(list(NO_MARK_PLACEHOLDERS))
                )
                .with_columns(
                    pl.col("code").str.to_uppercase(), pl.lit(None, pl.Int16).alias("minutes_late")
                )
                .join(lookup, on=FIELD)
            )
            marks.add(rows, cells)
    check.duplicates(["upn"], pl.concat(pupils), "repeats the UPN of row {first}")
    distinct = marks.finish(EMPTY.with_columns(pl.lit(None, pl.String).alias(FIELD)))
    notes = [f"{len(session_columns)} session columns", *table.notes()]
    return Batch(
        kind="grid",
        rows_read=table.rows_read,
        marks=distinct.select(ROW, FIELD, *MARK_COLUMNS),
        notes=notes,
    )
