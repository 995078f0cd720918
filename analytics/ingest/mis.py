"""Files as MIS exports write them: their headings read through the synonyms table and the
school's saved column mapping, and a register file told apart by its shape (a row per session,
a grid of dated session columns, or a week grid of `MonAM ... FriPM` with a week start).

This is what lets the morning's marks come straight from SIMS, Arbor, Bromcom, Go 4 Schools or
Wonde, whatever each calls its columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from analytics.ingest import contacts, grid, marks, week_grid
from analytics.ingest.batch import Batch
from analytics.ingest.synonyms import header_names
from analytics.ingest.errors import ImportRefused
from analytics.ingest.source import Source
from analytics.ingest.table import read_table

#: The columns of each kind of file whose headings a school may map, in the order the Import
#: page offers them (required first).
MAPPED_COLUMNS: dict[str, tuple[str, ...]] = {
    "marks": (*marks.REQUIRED, *marks.OPTIONAL, "week_start"),
    "grid": ("upn", "week_start"),
    "contacts": (*contacts.REQUIRED, *contacts.OPTIONAL),
}


def file_headings(data: bytes | Source) -> list[str]:
    """The headings of a CSV file's header line, as written ([] when it cannot be read: the
    import itself then says why). Only the header is read."""
    try:
        table = read_table("the file", data, required=(), rename=str.strip)
    except ImportRefused:
        return []
    return table.headings


def parse_register(
    kind: str,
    file_name: str,
    data: bytes | Source,
    *,
    today: date,
    columns: Mapping[str, str] | None = None,
) -> Batch:
    """Read and check a file of marks (`kind` marks or grid) in whichever shape the MIS wrote it;
    `columns` is the school's saved mapping (column -> heading)."""
    rename = header_names(MAPPED_COLUMNS["marks"], columns)
    data = Source.of(file_name, data)
    if week_grid.is_week_grid([rename(h) for h in file_headings(data)]):
        return week_grid.parse_week_grid(file_name, data, today=today, rename=rename)
    if kind == "grid":
        return grid.parse_grid(file_name, data, today=today, rename=rename)
    return marks.parse_marks(file_name, data, today=today, rename=rename)


def parse_contacts(
    file_name: str, data: bytes | Source, *, columns: Mapping[str, str] | None = None
) -> Batch:
    """Read and check a contacts file under its MIS headings (`columns`: the saved mapping)."""
    rename = header_names(MAPPED_COLUMNS["contacts"], columns)
    return contacts.parse_contacts(file_name, data, rename=rename)
