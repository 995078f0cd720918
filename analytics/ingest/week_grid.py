"""The week grid some MIS registers export: one row per pupil and week, a week start, and one
column per session of the week headed by its weekday (`MonAM`, `Mon PM`, ... `FriPM`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl

from analytics.domain.codes import NO_MARK_PLACEHOLDERS
from analytics.ingest.batch import Batch
from analytics.ingest.errors import ImportRefused, Problem
from analytics.ingest.fields import Checker
from analytics.ingest.marks import EMPTY, FIELD, MARK_COLUMNS, MarkChunks
from analytics.ingest.synonyms import WEEKDAYS
from analytics.ingest.source import Source
from analytics.ingest.table import ROW, read_table

#: The session columns of a week grid, as `synonyms.header_names` reads their headings.
SESSION_COLUMNS = tuple(f"{day}_{session}" for day in WEEKDAYS for session in ("am", "pm"))


def is_week_grid(columns: list[str]) -> bool:
    """True when a file's columns (as read) hold a week grid's session columns."""
    return any(c in SESSION_COLUMNS for c in columns)


def parse_week_grid(
    file_name: str, data: bytes | Source, *, today: date, rename: Callable[[str], str]
) -> Batch:
    """Read and check a week grid, turning each filled cell into a mark dated by its row's week
    start (a Monday) and its column's weekday."""
    table = read_table(
        file_name,
        data,
        required=("upn", "week_start"),
        optional=SESSION_COLUMNS,
        rename=rename,
    )
    session_columns = [c for c in SESSION_COLUMNS if c in table.columns]
    if not session_columns:
        raise ImportRefused(
            file_name,
            [Problem(table.header_row, None, "has no session columns (headed like 'MonAM')")],
        )
    check = Checker(file_name)
    offsets = pl.DataFrame(
        {
            "_column": session_columns,
            # Messages name a column as the file wrote it, near enough: `Mon AM`.
            FIELD: [f"{c[:3].capitalize()} {c[-2:].upper()}" for c in session_columns],
            "_offset": [WEEKDAYS.index(c[:3]) for c in session_columns],
            "session": [c[-2:].upper() for c in session_columns],
        }
    )
    marks = MarkChunks(check, today=today)
    weeks_read: list[pl.DataFrame] = []
    for frame in table.chunks():
        chunk = check.over(frame)
        upns = chunk.upn()
        week_start = chunk.date("week_start", required=True)
        rows = frame.select(ROW).with_columns(upns, week_start)
        not_monday = rows.filter(pl.col("week_start").dt.weekday() != 1)
        for row, day in not_monday.select(ROW, "week_start").iter_rows():
            chunk.add(row, "week_start", f"{day:%d %b %Y} is a {day:%A}: a week starts on a Monday")
        weeks_read.append(rows)
        cells = (
            frame.with_columns(upns, week_start)
            .filter(pl.col("week_start").dt.weekday() == 1)
            .unpivot(
                index=[ROW, "upn", "week_start"],
                on=session_columns,
                variable_name="_column",
                value_name="code",
            )
            .filter(
                pl.col("code").is_not_null() & ~pl.col("code").is_in(list(NO_MARK_PLACEHOLDERS))
            )
            .join(offsets, on="_column")
            .with_columns(
                (pl.col("week_start") + pl.duration(days=pl.col("_offset"))).alias("date"),
                pl.col("code").str.to_uppercase(),
                pl.lit(None, pl.Int16).alias("minutes_late"),
            )
        )
        marks.add(chunk, cells)
    rows = pl.concat(weeks_read)
    check.duplicates(
        ["upn", "week_start"],
        rows.filter(pl.col("upn").is_not_null() & pl.col("week_start").is_not_null()),
        "repeats the pupil and week of row {first}",
    )
    distinct = marks.finish(EMPTY.with_columns(pl.lit(None, pl.String).alias(FIELD)))
    weeks = rows["week_start"].drop_nulls().n_unique()
    notes = [f"a week grid of {weeks} week{'s' if weeks != 1 else ''}", *table.notes()]
    return Batch(
        kind="grid",
        rows_read=table.rows_read,
        marks=distinct.select(ROW, FIELD, *MARK_COLUMNS),
        notes=notes,
    )
