"""The headings MIS exports give Rollcall's columns: one table of synonyms for every kind of file,
and the column mapping a school saves for headings of its own.

SIMS, Arbor, Bromcom, Go 4 Schools and Wonde each name the same column differently
(`AttendanceDate`, `Session Date`, `date`; `AttendanceMark`, `Mark`, `code`; `MinsLate`,
`session_minutes_late`). Headings are compared squashed: lower case, letters and digits only, so
`Attendance Date`, `attendance_date` and `AttendanceDate` are one heading. A school's saved
mapping (heading -> column) is read first, then this table; any other heading is read as it is
written (and ignored, and listed, when no column has that name).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from analytics.ingest.table import normalise_header

#: Each column and the headings MIS exports write for it (Rollcall's own name is always read).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "upn": ("UPN", "Pupil UPN", "Student UPN", "Unique Pupil Number", "upn_number"),
    "date": (
        "AttendanceDate",
        "Attendance Date",
        "Session Date",
        "SessionDate",
        "Mark Date",
        "Register Date",
        "Date of Session",
    ),
    "session": ("SessionName", "Session Name", "AM/PM", "AMPM", "Session Type"),
    "code": (
        "AttendanceMark",
        "Attendance Mark",
        "Mark",
        "AttendanceCode",
        "Attendance Code",
        "Session Mark",
        "Mark Code",
        "Register Code",
    ),
    "minutes_late": (
        "MinsLate",
        "Mins Late",
        "Minutes Late",
        "MinutesLate",
        "session_minutes_late",
        "Late Minutes",
        "Late (mins)",
    ),
    "week_start": (
        "WeekStart",
        "Week Starting",
        "Week Beginning",
        "WeekBeginning",
        "Week Commencing",
        "WeekCommencing",
        "W/C",
        "WC",
    ),
    "contact_name": ("Contact", "Contact Name", "ContactName", "Contact Full Name"),
    "relationship": ("Relationship", "Relationship to Pupil", "Relation", "ContactRelationship"),
    "priority": ("Priority", "Contact Priority", "Priority Order"),
    "phone": ("Phone", "Telephone", "Home Phone", "Home Telephone", "Phone Number", "Tel"),
    "mobile": ("Mobile", "Mobile Phone", "Mobile Number", "Mobile Telephone"),
    "email": ("Email", "E-mail", "Email Address", "EmailAddress"),
    "parental_responsibility": ("Parental Responsibility", "ParentalResponsibility", "PR"),
    "lives_with_pupil": ("Lives With Pupil", "Lives With", "Resides With Pupil", "Same Address"),
}

#: A week grid's session column: a weekday and a session (`MonAM`, `Mon AM`, `Monday PM`).
WEEK_GRID_COLUMN = re.compile(r"(mon|tue|wed|thu|fri)(?:[a-z]*)[\s_\-]*(am|pm)", re.IGNORECASE)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def squashed(heading: str) -> str:
    """A heading as headings are compared: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", heading.lower())


def week_grid_column(heading: str) -> str | None:
    """`mon_am` ... `fri_pm` for a week grid's session heading; None for any other."""
    match = WEEK_GRID_COLUMN.fullmatch(heading.strip().strip('"').strip())
    if match is None:
        return None
    weekday, session = match.groups()
    return f"{weekday.lower()}_{session.lower()}"


def header_names(
    columns: tuple[str, ...], mapping: Mapping[str, str] | None = None
) -> Callable[[str], str]:
    """How a file's headings are read for a kind of file with these `columns`: the school's
    `mapping` (column -> its heading) first, then the synonyms of these columns, then a week
    grid's session headings (`MonAM` -> `mon_am`); anything else as `normalise_header` reads it."""
    known: dict[str, str] = {}
    for column in columns:
        for heading in (column, *SYNONYMS.get(column, ())):
            known.setdefault(squashed(heading), column)
    for column, heading in (mapping or {}).items():
        known[squashed(heading)] = column

    def name(heading: str) -> str:
        found = known.get(squashed(heading))
        if found is not None:
            return found
        return week_grid_column(heading) or normalise_header(heading)

    return name


def recognised(
    headings: list[str], columns: tuple[str, ...], mapping: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Which of a file's headings each of `columns` would be read from: column -> heading (the
    first heading that names it), for the columns the file has."""
    name = header_names(columns, mapping)
    found: dict[str, str] = {}
    for heading in headings:
        column = name(heading)
        if column in columns:
            found.setdefault(column, heading)
    return found
