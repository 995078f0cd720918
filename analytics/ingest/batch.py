"""A parsed, validated file, ready to be merged into the store."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl


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
