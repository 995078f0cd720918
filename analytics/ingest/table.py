"""Reading a CSV export into frames of text: encodings, delimiters, headers and row numbers.

Every value stays text here; `fields` turns columns into dates, codes and flags. Each row keeps
its spreadsheet row number in `_row` (the header is row 1 unless blank lines come before it) so
problems can point at it.

A file is read twice, a block at a time, and never held whole: first to settle its encoding and
to refuse early a file no register export looks like (a line longer than any row), then to hand
its rows to the importer a chunk at a time, each chunk ending at the end of a row.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import polars as pl

from analytics.ingest.errors import (
    ImportRefused,
    Problem,
    control_name,
    heading_holds_data,
    holds_upn,
    shown_heading,
)
from analytics.ingest.source import Source

ROW = "_row"
#: A heading with a digit and an AM or PM that is not part of a word (`2025-09-03 AM`,
#: `2025-09-03AM`): a register grid's session column, perhaps with a bad date. Kept as written.
SESSION_LIKE = re.compile(r"(?=.*\d)(?=.*(?<![A-Za-z])(?:AM|PM)(?![A-Za-z])).*", re.IGNORECASE)
_DELIMITERS = (",", ";", "\t", "|")
#: Longer than any line of a register export: a year's grid row is about 1.5 KB and a behaviour
#: row with its longest note about 3 KB. A longer line (a file of zeros with no new line, two
#: files joined) is refused before the file is read further.
MAX_LINE_BYTES = 1024 * 1024
#: A row with quoted new lines may run over several lines, but never this far.
_MAX_ROW_CHARACTERS = 4 * MAX_LINE_BYTES

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
#: A character of two, three or four bytes as UTF-8 writes it.
_UTF8_CHARACTER = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_LINE_END = re.compile(rb"[\r\n]")
_LATIN_1 = "rollcall-latin-1"


def _latin_1(error: UnicodeError) -> tuple[str, int]:
    # The five bytes Windows-1252 leaves undefined read as Latin-1, one by one.
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error(_LATIN_1, _latin_1)


def _utf16_without_bom(head: bytes) -> str | None:
    """`utf-16-le` or `utf-16-be` when the file starts as UTF-16 text without a byte-order mark:
    a header is plain ASCII, so every other byte of it is zero (and no byte between them)."""
    head = head[: len(head) - len(head) % 2]
    if len(head) < 8:
        return None
    evens, odds = head[0::2], head[1::2]
    for zeros, letters, encoding in ((odds, evens, "utf-16-le"), (evens, odds, "utf-16-be")):
        if zeros.count(0) >= 0.9 * len(zeros) and letters.count(0) <= 0.1 * len(letters):
            return encoding
    return None


class _LineLengths:
    """Finds a line longer than MAX_LINE_BYTES as the blocks of a file go by.

    Every window of half that length, at a multiple of it from the start of the file, is looked
    at for a line end: a line of MAX_LINE_BYTES or more always covers one window whole, so only
    a window with no line end in it needs its line measured.
    """

    _WINDOW = MAX_LINE_BYTES // 2

    def __init__(self) -> None:
        self.offset = 0  # of the current block in the file
        self.line_start = 0  # where the line running into the current block started
        self.lines_before = 0  # line ends before `line_start`

    def feed(self, block: bytes) -> int | None:
        """The number of a line too long (counting from 1), or None."""
        assert self.offset % self._WINDOW == 0, "blocks are whole windows"
        for start in range(0, len(block), self._WINDOW):
            stop = min(start + self._WINDOW, len(block))
            if _LINE_END.search(block, start, stop) is not None:
                continue
            before = max(block.rfind(b"\n", 0, start), block.rfind(b"\r", 0, start))
            line_start = self.offset + before + 1 if before >= 0 else self.line_start
            after = _LINE_END.search(block, stop)
            line_end = self.offset + (after.start() if after else len(block))
            if line_end - line_start > MAX_LINE_BYTES:
                return self.lines_before + _line_ends(block[: before + 1]) + 1
        last = max(block.rfind(b"\n"), block.rfind(b"\r"))
        if last >= 0:
            self.lines_before += _line_ends(block[: last + 1])
            self.line_start = self.offset + last + 1
        self.offset += len(block)
        return None


def _line_ends(data: bytes) -> int:
    return data.count(b"\n") or data.count(b"\r")


@dataclass(frozen=True)
class _Encoding:
    """How a file's bytes become text."""

    codec: str
    errors: str = "strict"
    #: Old Mac line endings: carriage returns and no line feed.
    cr_only: bool = False


def _encoding(file_name: str, source: Source) -> _Encoding:
    """Read the whole file once, a block at a time, to settle its encoding: UTF-8 (with or without
    BOM), UTF-16 (with BOM, or without one when the header shows it), else Windows-1252. Refuses
    a file marked as UTF-8 or UTF-16 that is not, a file that is UTF-8 in places but not throughout
    (read as Windows-1252, its UTF-8 names would be garbled: 'Zoë' would become 'ZoÃ«'), and a
    line longer than any register export's, as soon as it is found."""
    head = source.head(4096)
    if head.startswith(_UTF8_BOM):
        codec = "utf-8-sig"
    elif head.startswith(_UTF16_BOMS):
        codec = "utf-16"
    else:
        codec = _utf16_without_bom(head) or "utf-8"
    decoder = codecs.getincrementaldecoder(codec)()
    lengths = _LineLengths()
    lines_decoded = 0
    first_bad_row: int | None = None
    utf8_seen = has_lf = has_cr = False
    for block in source.blocks():
        if (line := lengths.feed(block)) is not None:
            message = (
                f"is longer than {MAX_LINE_BYTES // 1024 // 1024} MB, longer than any row of a "
                "register export: the file is damaged or is not an export"
            )
            raise ImportRefused(file_name, [Problem(line, None, message)])
        has_lf = has_lf or b"\n" in block
        has_cr = has_cr or b"\r" in block
        if not block.isascii():
            utf8_seen = utf8_seen or _UTF8_CHARACTER.search(block) is not None
        if first_bad_row is not None:
            continue
        try:
            lines_decoded += decoder.decode(block).count("\n")
        except UnicodeDecodeError as error:
            good = error.object[: error.start].decode(codec, errors="ignore")
            first_bad_row = lines_decoded + good.count("\n") + 1
            if codec != "utf-8":
                raise ImportRefused(
                    file_name, [Problem(first_bad_row, None, _bad(codec))]
                ) from None
    if first_bad_row is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            first_bad_row = lines_decoded + 1
            if codec != "utf-8":
                raise ImportRefused(
                    file_name, [Problem(first_bad_row, None, _bad(codec))]
                ) from None
    cr_only = has_cr and not has_lf
    if first_bad_row is None:
        return _Encoding(codec, cr_only=cr_only)
    if utf8_seen:
        message = (
            "is not UTF-8 text, though the rows before it are: the file mixes two encodings. "
            "Save it again as one (in Excel, 'CSV UTF-8')"
        )
        raise ImportRefused(file_name, [Problem(first_bad_row, None, message)])
    return _Encoding("cp1252", _LATIN_1, cr_only)  # saved from Excel on Windows


def _bad(codec: str) -> str:
    if codec == "utf-8-sig":
        return "starts with a UTF-8 byte-order mark but is not valid UTF-8 text"
    if codec == "utf-16":
        return "starts with a UTF-16 byte-order mark but is not valid UTF-16 text"
    return (
        "is UTF-16 text without a byte-order mark, and not valid UTF-16 throughout: "
        "save it again as 'CSV UTF-8'"
    )


def _text_blocks(source: Source, encoding: _Encoding) -> Iterator[str]:
    """The file as text, a block at a time."""
    decoder = codecs.getincrementaldecoder(encoding.codec)(encoding.errors)
    for block in source.blocks():
        text = decoder.decode(block)
        yield text.replace("\r", "\n") if encoding.cr_only else text
    yield decoder.decode(b"", final=True)


def decode(data: bytes) -> str:
    """Bytes as text, as an import reads them: UTF-8 (with or without BOM), UTF-16 (with BOM, or
    without one when its header shows it), else Windows-1252. Raises ImportRefused as an import
    would."""
    source = Source("the file", data=data)
    encoding = _encoding(source.name, source)
    return "".join(_text_blocks(source, replace(encoding, cr_only=False)))


def normalise_header(name: str) -> str:
    """`" Date of Birth "` -> `date_of_birth`; session headers such as `2025-09-03 AM` keep their text."""
    cleaned = name.strip().strip('"').strip()
    if SESSION_LIKE.fullmatch(cleaned):
        return cleaned
    return re.sub(r"[\s\-]+", "_", cleaned).lower()


def _sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _end_of_last_row(text: str) -> int:
    """Where the last whole row of `text` ends (just after its new line), or -1: a new line ends
    a row unless it is inside a quoted field, that is after an odd number of quotes (the way
    Polars reads it; a quote anywhere else is refused as malformed CSV)."""
    quotes = text.count('"')
    position = len(text)
    while (end := text.rfind("\n", 0, position)) != -1:
        quotes -= text.count('"', end, position)
        if quotes % 2 == 0:
            return end + 1
        position = end
    return -1


@dataclass
class Table:
    """A CSV file's header, and its rows as frames of text columns, a chunk at a time, with their
    spreadsheet row numbers (`chunks`)."""

    file_name: str
    columns: list[str]
    ignored_columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    header_row: int = 1
    headings: list[str] = field(default_factory=list)
    header_line: str = ""
    delimiter: str = ","
    #: The file's text after the header, in blocks; read once, by `chunks`.
    rest: Iterator[str] = field(default_factory=lambda: iter(()))

    def position(self, column: str) -> int:
        """Where a column is in the header, counting from 1 (as a spreadsheet's columns)."""
        return self.headings.index(column) + 1

    def notes(self) -> list[str]:
        """What the import should say about the file itself: the columns it ignored, naming only
        those whose headings cannot be pupil data (none, when any heading holds data)."""
        if not self.ignored_columns:
            return []
        named = [name for name in self.ignored_columns if shown_heading(name)]
        if any(heading_holds_data(name) for name in self.ignored_columns):
            named = []  # a header that holds data may hold a name too: none is quoted
        hidden = len(self.ignored_columns) - len(named)
        listed = ", ".join(named)
        if hidden:
            more = f"{hidden} more" if named else str(hidden)
            heading = "whose heading is" if hidden == 1 else "whose headings are"
            listed += f"{' and ' if named else ''}{more} {heading} not shown "
            listed += "(they look like pupil data, not column names)"
        return [f"ignored columns: {listed}"]

    def chunks(self) -> Iterator[pl.DataFrame]:
        """The rows, a chunk at a time: the columns read (as text, trimmed, blank as null) and
        `_row`; rows with nothing in them are left out. `rows_read` counts them as they go."""
        next_row = self.header_row + 1
        pending = ""
        for text in self.rest:
            pending += text
            end = _end_of_last_row(pending)
            if end == -1:
                if len(pending) > _MAX_ROW_CHARACTERS:
                    message = (
                        "could not be read: a quoted field is not closed, or a row is too long"
                    )
                    raise ImportRefused(self.file_name, [Problem(next_row, None, message)])
                continue
            chunk, pending = pending[:end], pending[end:]
            frame = self._frame(chunk, next_row)
            next_row += frame.height
            yield self._kept(frame)
        if pending or next_row == self.header_row + 1:  # a file of a header alone has one, empty
            yield self._kept(self._frame(pending, next_row))

    def whole(self) -> pl.DataFrame:
        """Every row in one frame, for files checked whole (contacts, a week grid): small by
        nature, and never larger than the upload limit."""
        return pl.concat(list(self.chunks()))

    def _frame(self, text: str, first_row: int) -> pl.DataFrame:
        """The rows of `text` (whole rows, the first of them `first_row`) with their numbers."""
        names = [name if self._read(name) else f"\x00{i}" for i, name in enumerate(self.headings)]

        def read(*, cut_empty_tails: bool) -> pl.DataFrame:
            return pl.read_csv(
                io.BytesIO(f"{self.header_line}\n{text}".encode()),
                separator=self.delimiter,
                has_header=True,
                new_columns=names,
                infer_schema=False,
                quote_char='"',
                truncate_ragged_lines=cut_empty_tails,
            )

        try:
            frame = read(cut_empty_tails=False)
        except (pl.exceptions.PolarsError, pl.exceptions.PanicException):
            # Polars' own message quotes the row, so it is never shown.
            problem = _unreadable_row(text, self.delimiter, len(names), first_row)
            if problem is not None:
                raise ImportRefused(self.file_name, [problem]) from None
            try:
                frame = read(cut_empty_tails=True)
            except (pl.exceptions.PolarsError, pl.exceptions.PanicException):
                raise ImportRefused(self.file_name, [_NOT_CSV]) from None
        # Row numbers before blank rows are dropped, so they match the spreadsheet.
        return (
            frame.select(self.columns)
            .with_row_index(ROW, offset=first_row)
            .with_columns(pl.col(ROW).cast(pl.Int64))
        )

    def _read(self, name: str) -> bool:
        return name in self.columns

    def _kept(self, frame: pl.DataFrame) -> pl.DataFrame:
        frame = frame.with_columns(
            [pl.col(c).str.strip_chars().replace("", None) for c in self.columns]
        )
        if self.columns:
            frame = frame.filter(pl.any_horizontal([pl.col(c).is_not_null() for c in self.columns]))
        self.rows_read += frame.height
        return frame


_NOT_CSV = Problem(None, None, "could not be read as CSV")


def _unreadable_row(text: str, delimiter: str, width: int, first_row: int) -> Problem | None:
    """Why Polars could not read `text` (rows from `first_row` on), or None when the only fault
    is rows longer than the header by empty fields alone (trailing commas, as Excel writes
    them), which lose nothing when cut off."""
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


def _split_header(blocks: Iterator[str]) -> tuple[int, str, Iterator[str]]:
    """(blank lines before the header, the header line, the text after the header's new line)."""
    skipped = 0
    pending = ""
    for text in blocks:
        pending += text
        while (end := pending.find("\n")) != -1:
            line = pending[:end].rstrip("\r")
            pending = pending[end + 1 :]
            if line.strip():
                return skipped, line, _after(pending, blocks)
            skipped += 1
    line = pending.rstrip("\r")
    return (skipped, line, iter(())) if line.strip() else (skipped, "", iter(()))


def _after(first: str, blocks: Iterator[str]) -> Iterator[str]:
    yield first
    yield from blocks


def read_table(
    file_name: str,
    data: bytes | Source,
    *,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    accept_column: re.Pattern[str] | None = None,
    rename: Callable[[str], str] | None = None,
) -> Table:
    """Read a CSV export's header, checking it against the required and optional columns; its
    rows are read by `Table.chunks`.

    Columns that are neither are ignored (and listed). `accept_column` admits further columns by
    pattern, such as the session columns of a register grid. `rename` reads each heading as a
    column name (default `normalise_header`; `synonyms.header_names` knows MIS headings).
    """
    source = Source.of(file_name, data)
    encoding = _encoding(file_name, source)
    blank_lines, header_line, rest = _split_header(_text_blocks(source, encoding))
    if not header_line:
        raise ImportRefused(file_name, [Problem(None, None, "is empty")])
    header_row = blank_lines + 1
    if control := control_name(header_line, allowed="\t"):
        # Often a data row joined to the header by a form feed or vertical tab: never shown.
        message = (
            f"holds a control character ({control}): the header must be one line of column "
            "names, ended by a new line"
        )
        raise ImportRefused(file_name, [Problem(header_row, None, message)])
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
    elif holds_upn(header_line):
        # A data row joined to the header with no new line: that row would be lost.
        message = (
            "holds a UPN among its column names: the header must be one line of column names, "
            "ended by a new line"
        )
        raise ImportRefused(file_name, [Problem(header_row, None, message)])
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
    kept = [name for name in names if wanted(name)]
    ignored = list(dict.fromkeys(name for name in names if name and not wanted(name)))
    return Table(
        file_name,
        kept,
        ignored,
        header_row=header_row,
        headings=names,
        header_line=header_line,
        delimiter=delimiter,
        rest=rest,
    )
