"""A parsed, validated file, ready to be merged into the store."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import polars as pl

#: Each frame a file may bring, and the columns that put its records in a fixed order.
_RECORDS = (
    ("enrolments", ("upn",)),
    ("marks", ("date", "session", "upn")),
    ("behaviour", ("incident_key",)),
    ("exclusions", ("upn", "start_date", "category")),
    ("contacts", ("upn", "priority")),
)
#: Where a record came from in the file (its row, its column): not what it says.
_PLACE = ("_row", "_field")


@dataclass
class Batch:
    """What one file brings. Frames key pupils by `upn` and keep `_row` for messages.

    - enrolments: `upn` plus any enrolment attributes the file gives;
    - marks: `upn, date, session, code, minutes_late` (and, from a grid or a CTF, `_field`: the
      column or element each mark came from, for messages);
    - behaviour: `upn, date, time, type, category, ...`;
    - exclusions: `upn, start_date, category, sessions, ...`;
    - contacts: `upn, priority, contact_name, relationship, phone, ...`.
    """

    kind: str
    rows_read: int
    enrolments: pl.DataFrame | None = None
    marks: pl.DataFrame | None = None
    behaviour: pl.DataFrame | None = None
    exclusions: pl.DataFrame | None = None
    contacts: pl.DataFrame | None = None
    has_minutes_late: bool = False
    skipped: int = 0
    laestab: str | None = None
    phase_hint: str | None = None
    notes: list[str] = field(default_factory=list)

    def content_sha256(self) -> str:
        """The SHA-256 of what the file brings, not of its bytes: its kind and records, in a fixed
        order, as text. The same rows saved with other line endings, in another encoding or
        with another separator, column order or row order give the same digest."""
        digest = hashlib.sha256(f"{self.kind}|minutes_late={self.has_minutes_late}".encode())
        for name, order in _RECORDS:
            frame = getattr(self, name)
            if frame is None:
                continue
            records = frame.drop([c for c in _PLACE if c in frame.columns])
            records = records.select(sorted(records.columns))
            digest.update(f"|{name}|{','.join(records.columns)}|".encode())
            # Marks come in date order: each few days are sorted on their own, never all at once.
            parts = (
                (part.sort(order) for part in whole_days(records, 100_000))
                if name == "marks" and records["date"].is_sorted()
                else records.sort(order, maintain_order=True).iter_slices(100_000)
            )
            for part in parts:
                digest.update(part.write_csv(include_header=False).encode())
        return digest.hexdigest()


def whole_days(marks: pl.DataFrame, rows: int) -> Iterator[pl.DataFrame]:
    """Marks in date order, about `rows` at a time, each slice of whole days."""
    start = 0
    while start < marks.height:
        end = min(start + rows, marks.height)
        if end < marks.height:
            end = int(marks["date"].search_sorted(marks["date"][end - 1], side="right"))
        yield marks.slice(start, end - start)
        start = end
