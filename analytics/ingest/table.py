"""Reading a CSV export into a frame of text: encodings, delimiters, headers and row numbers.

Every value stays text here; `fields` turns columns into dates, codes and flags. Each row keeps
its spreadsheet row number in `_row` (the header is row 1) so problems can point at it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import polars as pl

from analytics.ingest.errors import ImportRefused, Problem

ROW = "_row"
_DELIMITERS = (",", ";", "\t", "|")


def decode(data: bytes) -> str:
    """Bytes as text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Files saved from Excel on Windows; the five bytes cp1252 leaves undefined read as Latin-1.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def normalise_header(name: str) -> str:
    """`" Date of Birth "` -> `date_of_birth`; session headers such as `2025-09-03 AM` keep their text."""
    cleaned = name.strip().strip('"').strip()
    if re.search(r"\d", cleaned) and re.search(r"\b(AM|PM)\b", cleaned, re.IGNORECASE):
        return cleaned
    return re.sub(r"[\s\-]+", "_", cleaned).lower()


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


def _sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


@dataclass
class Table:
    """A CSV file read as text columns, with its spreadsheet row numbers."""

    file_name: str
    frame: pl.DataFrame
    columns: list[str]
    ignored_columns: list[str] = field(default_factory=list)
    rows_read: int = 0


def _ragged_row(text: str, delimiter: str, width: int) -> Problem:
    for number, record in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if record and len(record) > width:
            return Problem(number, None, f"has {len(record)} fields but the header has {width}")
    return Problem(None, None, "could not be read as CSV")


def read_table(
    file_name: str,
    data: bytes,
    *,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    accept_column: re.Pattern[str] | None = None,
) -> Table:
    """Read a CSV export, checking its header against the required and optional columns.

    Columns that are neither are ignored (and listed). `accept_column` admits further columns by
    pattern, such as the session columns of a register grid.
    """
    text = decode(data)
    header_line = _first_line(text)
    if not header_line:
        raise ImportRefused(file_name, [Problem(None, None, "is empty")])
    delimiter = _sniff_delimiter(header_line)
    header = next(csv.reader([header_line], delimiter=delimiter))
    # Blank header cells (trailing commas from Excel) get placeholder names and are ignored.
    names = [normalise_header(h) or f"_blank_{i}" for i, h in enumerate(header)]

    problems: list[Problem] = []
    seen: set[str] = set()
    for name in names:
        if name in seen:
            problems.append(Problem(1, name, "appears twice in the header"))
        seen.add(name)
    for name in required:
        if name not in seen:
            hint = ""
            if delimiter == "," and any(d in header_line for d in (";", "\t")):
                hint = " (is the file separated by something other than commas?)"
            problems.append(Problem(1, name, f"is a required column and is missing{hint}"))
    if problems:
        raise ImportRefused(file_name, problems)

    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            separator=delimiter,
            has_header=True,
            new_columns=names,
            infer_schema=False,
            quote_char='"',
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as error:
        raise ImportRefused(file_name, [_ragged_row(text, delimiter, len(names))]) from error

    known = set(required) | set(optional)
    kept = [n for n in names if n in known or (accept_column is not None and accept_column.fullmatch(n))]
    ignored = [n for n in names if n not in kept and not n.startswith("_blank_")]
    frame = frame.select(kept).with_columns(
        [pl.col(c).str.strip_chars().replace("", None) for c in kept]
    )
    # Row numbers before blank lines are dropped, so they match the spreadsheet.
    frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    if kept:
        frame = frame.filter(pl.any_horizontal([pl.col(c).is_not_null() for c in kept]))
    return Table(file_name, frame, kept, ignored, frame.height)
