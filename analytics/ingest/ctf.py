"""Attendance marks from a Common Transfer File (CTF XML).

Each pupil's `Attendance/YearData/AttendSessions` holds an `AttendanceStartDate` and a string of
`AttendanceMarks`, one per session (AM then PM) from that date: comma-separated from CTF 24 (so
two-character codes such as `C1` fit), one character per session before. Only the year data of
the importing school (its LA and establishment number) is read.

The CTF specification was not available to us, so which days the string covers is read from the
string itself: when every weekend slot of the calendar-day reading is blank or `#`, the string
covers every calendar day; otherwise it covers weekdays only. Each import notes which it used.
"""

from __future__ import annotations

from datetime import date
from xml.etree.ElementTree import Element

import polars as pl
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from analytics.domain.calendar import academic_year_of
from analytics.domain.codes import NO_MARK_PLACEHOLDERS
from analytics.domain.cohorts import SEX_SPELLINGS
from analytics.domain.yeargroups import year_group_expr
from analytics.ingest.batch import Batch
from analytics.ingest.errors import ImportRefused, Problem
from analytics.ingest.fields import Checker
from analytics.ingest.marks import FIELD, MARK_COLUMNS, finish_marks
from analytics.ingest.table import ROW

MARKS_PATH = "Attendance/YearData/AttendSessions/AttendanceMarks"
_WEEKEND_BLANKS = NO_MARK_PLACEHOLDERS | {"#"}
_FIRST_START = date(1990, 1, 1)
#: CTF elements a pupil's details are read from, and the enrolment columns they are stored as.
_STORED_AS = {
    "UPN": "upn",
    "Forename": "forename",
    "Surname": "surname",
    "DOB": "date_of_birth",
    "Sex": "sex",
    "NCyearActual": "year_group",
    "EntryDate": "admission_date",
    "LeavingDate": "leaving_date",
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _children(element: Element | None, name: str) -> list[Element]:
    return [] if element is None else [c for c in element if _local(c.tag) == name]


def _text(element: Element | None, *path: str) -> str | None:
    for name in path:
        element = _child(element, name)
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _pupil_text(pupil: Element, name: str) -> str | None:
    """A pupil item directly under <Pupil> or under <BasicDetails> (never a contact's)."""
    return _text(pupil, name) or _text(pupil, "BasicDetails", name)


def session_marks(strings: pl.DataFrame) -> pl.DataFrame:
    """The filled slots of AttendanceMarks strings (`_row`, `start`, `marks`), one row each:
    `_row, date, session, code, _every_day` (which reading of its string the mark comes from).

    A string read as every calendar day must have a mark slot on a weekend, all of them blank.
    """
    slots = (
        strings.with_row_index("_string")
        .with_columns(
            pl.when(pl.col("marks").str.contains(","))
            .then(pl.col("marks").str.split(","))
            .otherwise(pl.col("marks").str.split(""))
            .alias("code")
        )
        .explode("code")
        .filter(pl.col("code").is_not_null())
        .with_columns(
            pl.col("code").str.strip_chars().str.to_uppercase(),
            pl.int_range(pl.len()).over("_string").alias("_slot"),
        )
        .with_columns(
            (pl.col("start") + pl.duration(days=pl.col("_slot") // 2)).alias("_calendar_day"),
            pl.when(pl.col("_slot") % 2 == 0)
            .then(pl.lit("AM"))
            .otherwise(pl.lit("PM"))
            .alias("session"),
        )
    )
    weekend = pl.col("_calendar_day").dt.weekday() >= 6
    slots = slots.with_columns(
        (weekend.any() & (~weekend | pl.col("code").is_in(list(_WEEKEND_BLANKS))).all())
        .over("_string")
        .alias("_every_day")
    )
    return (
        slots.with_columns(
            pl.when(pl.col("_every_day"))
            .then(pl.col("_calendar_day"))
            .otherwise(pl.col("start").dt.add_business_days(pl.col("_slot") // 2, roll="forward"))
            .alias("date")
        )
        .filter(
            ~pl.col("code").is_in(list(NO_MARK_PLACEHOLDERS))
            & ~((pl.col("date").dt.weekday() >= 6) & (pl.col("code") == "#"))
        )
        .select(ROW, "date", "session", "code", "_every_day")
    )


def _parse_xml(file_name: str, data: bytes) -> Element:
    try:
        return ElementTree.fromstring(data)
    except DefusedXmlException:
        message = "declares XML entities or external references, which a CTF never needs: refused for safety"
        raise ImportRefused(file_name, [Problem(None, None, message)]) from None
    except (ElementTree.ParseError, LookupError, ValueError) as error:
        # LookupError: an unknown encoding in the XML declaration.
        raise ImportRefused(
            file_name, [Problem(None, None, f"is not well-formed XML ({error})")]
        ) from None


def parse_ctf(file_name: str, data: bytes, *, laestab: str | None, today: date) -> Batch:
    """Read a CTF's pupils and the attendance marks it holds for the school `laestab`
    (LA number and establishment number, e.g. `8012000`); the header's source school when None."""
    root = _parse_xml(file_name, data)
    if _local(root.tag) != "CTfile":
        raise ImportRefused(
            file_name, [Problem(None, None, "is not a Common Transfer File (no <CTfile>)")]
        )
    header = _child(root, "Header")
    source = _child(header, "SourceSchool")
    source_laestab = None
    if _text(source, "LEA") and _text(source, "Estab"):
        source_laestab = f"{_text(source, 'LEA')}{_text(source, 'Estab')}"
    target = laestab or source_laestab
    if target is None:
        raise ImportRefused(
            file_name,
            [
                Problem(
                    None,
                    "Header/SourceSchool",
                    "names no LEA and Estab, and the school has no LAESTAB",
                )
            ],
        )
    academic_year = _text(header, "SourceSchool", "AcademicYear") or _text(header, "AcademicYear")

    pupils = _children(_child(root, "CTFpupilData"), "Pupil")
    details: list[dict] = []
    strings: list[dict] = []
    bad_starts: list[int] = []
    skipped = 0
    for number, pupil in enumerate(pupils, start=1):
        entry = leaving = None
        for school in _children(_child(pupil, "SchoolHistory"), "School"):
            if f"{_text(school, 'LEA')}{_text(school, 'Estab')}" == target:
                entry, leaving = _text(school, "EntryDate"), _text(school, "LeavingDate")
        starts = []
        for year in _children(_child(pupil, "Attendance"), "YearData"):
            year_school = f"{_text(year, 'LEA') or ''}{_text(year, 'Estab') or ''}"
            if year_school and year_school != target:
                continue
            for sessions in _children(year, "AttendSessions"):
                start_text = _text(sessions, "AttendanceStartDate")
                marks_text = _child(sessions, "AttendanceMarks")
                if start_text is None or marks_text is None or not marks_text.text:
                    continue
                try:
                    start = date.fromisoformat(start_text)
                except ValueError:
                    start = None
                if start is None or not _FIRST_START <= start <= today:
                    bad_starts.append(number)
                    continue
                starts.append(start_text)
                strings.append(
                    {ROW: number, "start": start, "marks": marks_text.text.strip("\n\r")}
                )
        if entry is None and not starts:
            skipped += 1
            continue
        details.append(
            {
                ROW: number,
                "UPN": _pupil_text(pupil, "UPN"),
                "Forename": _pupil_text(pupil, "Forename"),
                "Surname": _pupil_text(pupil, "Surname"),
                "DOB": _pupil_text(pupil, "DOB"),
                "Sex": _pupil_text(pupil, "Sex") or _pupil_text(pupil, "Gender"),
                "NCyearActual": _text(pupil, "BasicDetails", "NCyearActual")
                or _pupil_text(pupil, "NCyearActual"),
                "EntryDate": entry or min(starts),
                "LeavingDate": leaving,
            }
        )
    # Columns keep the CTF's element names, so that problems name the element to look at.
    frame = pl.DataFrame(
        details, schema={ROW: pl.Int64, **{name: pl.String for name in _STORED_AS}}
    )
    check = Checker(file_name, frame, unit="pupil")
    for number in bad_starts:
        message = f"is not a date from {_FIRST_START.year} to today (write YYYY-MM-DD)"
        check.add(number, "AttendanceStartDate", message)
    upn = check.upn("UPN")
    year_groups = frame.select(year_group_expr(pl.col("NCyearActual")))["NCyearActual"]
    for row in frame.filter(year_groups.is_null())[ROW]:
        check.add(row, "NCyearActual", "is missing or not a year group")
    staged = pl.DataFrame(
        {
            ROW: frame[ROW],
            "UPN": upn,
            "Forename": check.text("Forename", required=True, max_length=100),
            "Surname": check.text("Surname", required=True, max_length=100),
            "DOB": check.date("DOB", required=True, not_after=today),
            "Sex": check.choice("Sex", SEX_SPELLINGS, allowed="M, F"),
            "NCyearActual": year_groups,
            "EntryDate": check.date("EntryDate", required=True),
            "LeavingDate": check.date("LeavingDate"),
        }
    )
    check.duplicates(
        ["UPN"], staged.filter(pl.col("UPN").is_not_null()), "repeats the UPN of pupil {first}"
    )
    staged = staged.rename(_STORED_AS)
    # NCyearActual is the year group in the file's academic year (CTF <AcademicYear>, e.g. 2025).
    year = academic_year_of(today)
    if academic_year and academic_year.isascii() and academic_year.isdigit():
        if _FIRST_START.year <= int(academic_year) <= today.year:
            year = int(academic_year)
        else:
            message = f"'{academic_year}' is not an academic year up to {today.year}"
            check.add(None, "Header/AcademicYear", message)
    staged = staged.with_columns(pl.lit(year, pl.Int16).alias("year_group_academic_year"))

    cells = session_marks(
        pl.DataFrame(strings, schema={ROW: pl.Int64, "start": pl.Date, "marks": pl.String})
    )
    every_day_seen = set(cells["_every_day"].unique().to_list())
    marks = cells.drop("_every_day").with_columns(
        pl.lit(MARKS_PATH).alias(FIELD), pl.lit(None, pl.Int16).alias("minutes_late")
    )
    marks = marks.join(staged.select(ROW, "upn"), on=ROW, how="left", maintain_order="left")
    marks = finish_marks(check, marks, today=today)

    notes = [f"{len(pupils)} {'pupil' if len(pupils) == 1 else 'pupils'} in the file"]
    if skipped:
        noun = "pupil" if skipped == 1 else "pupils"
        notes.append(f"skipped {skipped} {noun} with no attendance or entry at this school")
    if every_day_seen:
        reading = " and ".join(
            sorted("every calendar day" if e else "weekdays only" for e in every_day_seen)
        )
        notes.append(f"marks strings read as {reading}")
    return Batch(
        kind="ctf",
        rows_read=len(pupils),
        enrolments=staged,
        marks=marks.select(ROW, FIELD, *MARK_COLUMNS),
        skipped=skipped,
        laestab=target,
        notes=notes,
    )
