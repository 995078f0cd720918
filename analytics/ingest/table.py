"""Reading a CSV export into a frame of text: encodings, delimiters, headers and row numbers.

Every value stays text here; `fields` turns columns into dates, codes and flags. Each row keeps
its spreadsheet row number in `_row` (the header is row 1 unless blank lines come before it) so
problems can point at it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from analytics.ingest.errors import ImportRefused, Problem

ROW = "_row"
#: A heading with a digit and an AM or PM that is not part of a word (`2025-09-03 AM`,
#: `2025-09-03AM`): a register grid's session column, perhaps with a bad date. Kept as written.
SESSION_LIKE = re.compile(r"(?=.*\d)(?=.*(?<![A-Za-z])(?:AM|PM)(?![A-Za-z])).*", re.IGNORECASE)
_DELIMITERS = (",", ";", "\t", "|")


_UTF8_BOM = b"\xef\xbb\xbf"
#: A character of two, three or four bytes as UTF-8 writes it.
_UTF8_CHARACTER = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def decode(data: bytes) -> str:
    """Bytes as text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    Raises UnicodeDecodeError when a file marked as UTF-8 or UTF-16 by its BOM is not, and when
    a file is UTF-8 in places but not throughout (read as Windows-1252, its UTF-8 names would be
    garbled: 'Zoë' would become 'ZoÃ«').
    """
    if data.startswith(_UTF8_BOM):
        return data[len(_UTF8_BOM) :].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if _UTF8_CHARACTER.search(data):
            raise
        # Files saved from Excel on Windows; the five bytes cp1252 leaves undefined read as Latin-1.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def _decode_or_refuse(file_name: str, data: bytes) -> str:
    try:
        return decode(data)
    except UnicodeDecodeError as error:
        # The row of the first bad byte: the lines of good text before it, plus one.
        row = error.object[: error.start].decode(error.encoding, errors="ignore").count("\n") + 1
        if error.encoding.startswith("utf-16"):
            message = "starts with a UTF-16 byte-order mark but is not valid UTF-16 text"
        elif data.startswith(_UTF8_BOM):
            message = "starts with a UTF-8 byte-order mark but is not valid UTF-8 text"
        else:
            message = (
                "is not UTF-8 text, though the rows before it are: the file mixes two encodings. "
                "Save it again as one (in Excel, 'CSV UTF-8')"
            )
        raise ImportRefused(file_name, [Problem(row, None, message)]) from None


def normalise_header(name: str) -> str:
    """`" Date of Birth "` -> `date_of_birth`; session headers such as `2025-09-03 AM` keep their text."""
    cleaned = name.strip().strip('"').strip()
    if SESSION_LIKE.fullmatch(cleaned):
        return cleaned
    return re.sub(r"[\s\-]+", "_", cleaned).lower()


def _split_header(text: str) -> tuple[int, str, str]:
    """(blank lines before the header, the header line, the text from the header on)."""
    start = 0
    skipped = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        line = text[start:end].rstrip("\r")
        if line.strip():
            return skipped, line, text[start:]
        skipped += 1
        start = end + 1
    return skipped, "", ""


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
    header_row: int = 1

    def notes(self) -> list[str]:
        """What the import should say about the file itself (the columns it ignored)."""
        return (
            [f"ignored columns: {', '.join(self.ignored_columns)}"] if self.ignored_columns else []
        )


_NOT_CSV = Problem(None, None, "could not be read as CSV")


def _unreadable_row(text: str, delimiter: str, width: int, first_row: int) -> Problem | None:
    """Why Polars could not read `text` (which starts with the header, row `first_row`), or None
    when the only fault is rows longer than the header by empty fields alone (trailing commas,
    as Excel writes them), which lose nothing when cut off."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = first_row - 1
    empty_tails = False
    try:
        for number, record in enumerate(reader, start=first_row):
            if len(record) > width:
                if any(field.strip() for field in record[width:]):
                    return Problem(
                        number, None, f"has {len(record)} fields but the header has {width}"
                    )
                empty_tails = True
    except csv.Error:
        message = "could not be read: a quoted field is not closed, or a field is too long"
        return Problem(number + 1, None, message)
    return None if empty_tails else _NOT_CSV


_DATA_LIKE = re.compile(r"[A-Za-z]\d{11}[0-9A-Za-z]|\d{1,4}[-/]\d{1,2}[-/]\d{1,4}")


def _header_that_is_not_one(header: list[str], line: str, required: tuple[str, ...]) -> str | None:
    """Why a first row holding none of the required columns is not a header, when it can be told:
    it holds data (the header is missing), or it is one column (the wrong separator)."""
    expected = ", ".join(required)
    if any(_DATA_LIKE.search(cell) for cell in header):
        return f"holds data, not column names: the first row must be the header ({expected})"
    if len(header) == 1:
        others = sorted({c for c in line if not c.isalnum() and c not in " _-'\"\ufeff"})
        found = f" (found {' '.join(repr(c) for c in others[:3])})" if others else ""
        return f"has only one column: separate the columns with commas, semicolons or tabs{found}"
    return None


def read_table(
    file_name: str,
    data: bytes,
    *,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    accept_column: re.Pattern[str] | None = None,
    rename: Callable[[str], str] | None = None,
) -> Table:
    """Read a CSV export, checking its header against the required and optional columns.

    Columns that are neither are ignored (and listed). `accept_column` admits further columns by
    pattern, such as the session columns of a register grid. `rename` reads each heading as a
    column name (default `normalise_header`; `synonyms.header_names` knows MIS headings).
    """
    text = _decode_or_refuse(file_name, data)
    if "\r" in text and "\n" not in text:  # old Mac line endings
        text = text.replace("\r", "\n")
    blank_lines, header_line, text = _split_header(text)
    if not header_line:
        raise ImportRefused(file_name, [Problem(None, None, "is empty")])
    header_row = blank_lines + 1
    delimiter = _sniff_delimiter(header_line)
    try:
        header = next(csv.reader([header_line], delimiter=delimiter))
    except csv.Error:
        message = "could not be read as a header (a heading is too long or badly quoted)"
        raise ImportRefused(file_name, [Problem(header_row, None, message)]) from None
    names = [(rename or normalise_header)(h) for h in header]
    known = set(required) | set(optional)

    def wanted(name: str) -> bool:
        return name in known or (
            accept_column is not None and accept_column.fullmatch(name) is not None
        )

    if not set(required) & set(names):
        whole = _header_that_is_not_one(header, header_line, required)
        if whole:
            raise ImportRefused(file_name, [Problem(header_row, None, whole)])
    problems: list[Problem] = []
    seen: set[str] = set()
    for name in names:
        if name in seen and wanted(name):
            problems.append(Problem(header_row, name, "appears twice in the header"))
        seen.add(name)
    for name in required:
        if name not in seen:
            hint = ""
            if delimiter == "," and any(d in header_line for d in (";", "\t")):
                hint = " (is the file separated by something other than commas?)"
            problems.append(Problem(header_row, name, f"is a required column and is missing{hint}"))
    if problems:
        raise ImportRefused(file_name, problems)

    # Other columns (blank headings from Excel's trailing commas, repeats, names of our own such as
    # `_row`) are read under placeholder names, then dropped; the named ones are listed.
    columns = [name if wanted(name) else f"\x00{i}" for i, name in enumerate(names)]
    kept = [name for name in columns if not name.startswith("\x00")]
    ignored = list(dict.fromkeys(name for name in names if name and not wanted(name)))

    def read(*, cut_empty_tails: bool) -> pl.DataFrame:
        return pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            separator=delimiter,
            has_header=True,
            new_columns=columns,
            infer_schema=False,
            quote_char='"',
            truncate_ragged_lines=cut_empty_tails,
        )

    try:
        frame = read(cut_empty_tails=False)
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException):
        # Polars' own message quotes the row, so it is never shown.
        problem = _unreadable_row(text, delimiter, len(names), header_row)
        if problem is not None:
            raise ImportRefused(file_name, [problem]) from None
        try:
            frame = read(cut_empty_tails=True)
        except (pl.exceptions.PolarsError, pl.exceptions.PanicException):
            raise ImportRefused(file_name, [_NOT_CSV]) from None

    frame = frame.select(kept).with_columns(
        [pl.col(c).str.strip_chars().replace("", None) for c in kept]
    )
    # Row numbers before blank lines are dropped, so they match the spreadsheet.
    frame = frame.with_row_index(ROW, offset=header_row + 1).with_columns(
        pl.col(ROW).cast(pl.Int64)
    )
    if kept:
        frame = frame.filter(pl.any_horizontal([pl.col(c).is_not_null() for c in kept]))
    return Table(file_name, frame, kept, ignored, frame.height, header_row)
