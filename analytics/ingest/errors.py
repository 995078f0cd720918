"""Why a file was refused: problems that name the file, the row and the field."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Fields whose values are never repeated in a message: they identify a pupil.
PRIVATE_FIELDS = frozenset(
    {"upn", "forename", "surname", "date_of_birth", "notes", "UPN", "Surname", "Forename", "DOB"}
)
_MAX_SHOWN = 10


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file. `row` counts the header as row 1, as a spreadsheet does
    (`unit` names what is counted when it is not a row, such as a CTF's pupils); None means the
    whole file."""

    row: int | None
    field: str | None
    message: str
    unit: str = "row"

    def describe(self) -> str:
        """`row 12, field 'date': ...`."""
        where = []
        if self.row is not None:
            where.append(f"{self.unit} {self.row}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message


#: A UPN anywhere in a value (a row whose fields slipped along, or columns swapped).
_UPN_LIKE = re.compile(r"[A-Za-z]\d{11}[0-9A-Za-z]")
#: Three letters in a row: a word, and any word may be a pupil's name. The values a message
#: does show (codes, sessions, dates, numbers, Y/N) have at most two letters in a row.
_WORD = re.compile(r"[^\W\d_]{3,}")


#: Characters no heading or name holds: C0 and C1 controls (NUL, tab, line feed, form feed,
#: vertical tab, escape, ...), DEL, the line and paragraph separators, and the bidirectional
#: overrides and isolates that reorder text on screen.
_CONTROL_RANGES = (
    (0x00, 0x1F),
    (0x7F, 0x9F),
    (0x2028, 0x2029),
    (0x202A, 0x202E),
    (0x2066, 0x2069),
)
_CONTROL_NAMES = {
    "\x00": "NUL",
    "\t": "tab",
    "\n": "line feed",
    "\r": "carriage return",
    "\x0b": "vertical tab",
    "\x0c": "form feed",
    "\x1b": "escape",
    "\x7f": "delete",
}


def control_characters(allowed: str = "") -> str:
    """A regular expression (for Python and Polars alike) matching one control character, other
    than those `allowed` (such as the tab and new lines of a note)."""
    characters = [
        chr(code)
        for first, last in _CONTROL_RANGES
        for code in range(first, last + 1)
        if chr(code) not in allowed
    ]
    return "[" + "".join(characters) + "]"  # none is special inside a character class


CONTROL = re.compile(control_characters())


def control_name(text: str, allowed: str = "") -> str | None:
    """The name of the first control character in `text` (`NUL`, `form feed`, `U+202E`), if any."""
    found = re.search(control_characters(allowed), text)
    if found is None:
        return None
    character = found.group()
    return _CONTROL_NAMES.get(character, f"U+{ord(character):04X}")


def shown_value(
    field: str, value: str, limit: int = 40, private: tuple[str | None, ...] = ()
) -> str:
    """How a bad value may appear in a message: quoted and cut short, or withheld when it is a
    private field, holds something shaped like a UPN, holds a word (a name in the wrong column,
    which files with no name columns cannot check), holds a control character, or holds one of
    the row's `private` values (its name, UPN or date of birth, found in the wrong column when a
    row's fields slipped)."""
    lowered = value.lower()
    if (
        field in PRIVATE_FIELDS
        or _UPN_LIKE.search(value)
        or _WORD.search(value)
        or CONTROL.search(value)
        or any(p and len(p) > 1 and p.lower() in lowered for p in private)
    ):
        return "the value"
    cut = value if len(value) <= limit else value[:limit] + "…"
    return f"'{cut}'"


#: A register grid's session heading (`Wed 03/09/2025 PM`): its date is a session's, shown.
_SESSION_HEADING = re.compile(
    r"(?:[A-Za-z]{3,9}\s+)?\d{1,4}[-/]\d{1,2}[-/]\d{1,4}\s*[-\s]?\s*(?:AM|PM)", re.IGNORECASE
)
_DATE_LIKE = re.compile(r"\d{1,4}[-/._ ]\d{1,2}[-/._ ]\d{1,4}")  # as written or normalised
_DIGITS = re.compile(r"\d{5,}")
#: Longer than any column heading of an MIS export.
HEADING_LIMIT = 40


def heading_holds_data(heading: str) -> bool:
    """Whether a column heading holds what looks like pupil data rather than a column's name: a
    UPN or a date (a session heading's date excepted), five or more digits in a row, or a control
    character (a data row joined to the header)."""
    if _SESSION_HEADING.fullmatch(heading.strip()):
        return False
    return bool(
        _UPN_LIKE.search(heading)
        or _DATE_LIKE.search(heading)
        or _DIGITS.search(heading)
        or CONTROL.search(heading)
    )


def holds_upn(text: str) -> bool:
    """Whether `text` holds something shaped like a UPN."""
    return _UPN_LIKE.search(text) is not None


def shown_heading(heading: str) -> bool:
    """Whether a message may quote a column heading: not when it holds what looks like pupil data
    (`heading_holds_data`), nor when it is longer than any heading."""
    return len(heading) <= HEADING_LIMIT and not heading_holds_data(heading)


class ImportRefused(Exception):
    """A file that was not imported, with every problem found (the database is unchanged)."""

    def __init__(self, file_name: str, problems: list[Problem], total: int | None = None) -> None:
        self.file_name = file_name
        self.problems = problems
        self.total = total if total is not None else len(problems)
        super().__init__(self.message())

    def message(self) -> str:
        """The whole refusal as text, at most ten problems then a count of the rest."""
        noun = "problem" if self.total == 1 else "problems"
        lines = [f"{self.file_name} was not imported ({self.total} {noun}); nothing was changed."]
        lines += [f"  {self.file_name} {p.describe()}" for p in self.problems[:_MAX_SHOWN]]
        if self.total > _MAX_SHOWN:
            lines.append(f"  … and {self.total - _MAX_SHOWN} more")
        return "\n".join(lines)
