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

from datetime import date, timedelta
from xml.etree.ElementTree import Element

import polars as pl
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from analytics.domain.calendar import academic_year_of
from analytics.domain.codes import NO_MARK_PLACEHOLDERS
from analytics.domain.cohorts import SEX_SPELLINGS
from analytics.domain.yeargroups import normalise_year_group
from analytics.ingest.batch import Batch
from analytics.ingest.errors import ImportRefused, Problem
from analytics.ingest.fields import Checker
from analytics.ingest.marks import FIELD, MARK_COLUMNS, finish_marks
from analytics.ingest.table import ROW

MARKS_PATH = "Attendance/YearData/AttendSessions/AttendanceMarks"
_WEEKEND_BLANKS = NO_MARK_PLACEHOLDERS | {"#"}


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


def split_marks(marks: str) -> list[str]:
    """The session marks of an AttendanceMarks string: comma-separated, or one character each."""
    if "," in marks:
        return [m.strip() for m in marks.split(",")]
    return list(marks)


def _slots(start: date, count: int, every_day: bool) -> list[tuple[date, str]]:
    slots: list[tuple[date, str]] = []
    day = start
    while len(slots) < count:
        if every_day or day.weekday() < 5:
            slots += [(day, "AM"), (day, "PM")]
        day += timedelta(days=1)
    return slots[:count]


def covers_every_day(start: date, marks: list[str]) -> bool:
    """True when the marks read as every calendar day leave all weekend sessions blank."""
    weekend = [m for m, (day, _) in zip(marks, _slots(start, len(marks), True), strict=True) if day.weekday() >= 5]
    return bool(weekend) and all(m.strip() in _WEEKEND_BLANKS for m in weekend)


def session_marks(start: date, marks: list[str]) -> tuple[list[tuple[date, str, str]], bool]:
    """(date, session, code) for each filled slot, and whether weekends were in the string."""
    every_day = covers_every_day(start, marks)
    filled = [
        (day, session, code.strip().upper())
        for code, (day, session) in zip(marks, _slots(start, len(marks), every_day), strict=True)
        if code.strip() not in NO_MARK_PLACEHOLDERS and not (day.weekday() >= 5 and code.strip() == "#")
    ]
    return filled, every_day


def _parse_xml(file_name: str, data: bytes) -> Element:
    try:
        return ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise ImportRefused(file_name, [Problem(None, None, f"is not well-formed XML ({error})")]) from None


def parse_ctf(file_name: str, data: bytes, *, laestab: str | None, today: date) -> Batch:
    """Read a CTF's pupils and the attendance marks it holds for the school `laestab`
    (LA number and establishment number, e.g. `8012000`); the header's source school when None."""
    root = _parse_xml(file_name, data)
    if _local(root.tag) != "CTfile":
        raise ImportRefused(file_name, [Problem(None, None, "is not a Common Transfer File (no <CTfile>)")])
    header = _child(root, "Header")
    source = _child(header, "SourceSchool")
    source_laestab = None
    if _text(source, "LEA") and _text(source, "Estab"):
        source_laestab = f"{_text(source, 'LEA')}{_text(source, 'Estab')}"
    target = laestab or source_laestab
    if target is None:
        raise ImportRefused(
            file_name, [Problem(None, "Header/SourceSchool", "names no LEA and Estab, and the school has no LAESTAB")]
        )
    academic_year = _text(header, "SourceSchool", "AcademicYear") or _text(header, "AcademicYear")

    pupils = _children(_child(root, "CTFpupilData"), "Pupil")
    details: list[dict] = []
    cells: list[dict] = []
    every_day_seen: set[bool] = set()
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
                    cells.append({ROW: number, "_bad_start": start_text})
                    continue
                starts.append(start_text)
                filled, every_day = session_marks(start, split_marks(marks_text.text.strip("\n\r")))
                every_day_seen.add(every_day)
                cells += [{ROW: number, "date": d, "session": s, "code": c} for d, s, c in filled]
        if entry is None and not starts:
            skipped += 1
            continue
        details.append(
            {
                ROW: number,
                "upn": _pupil_text(pupil, "UPN"),
                "forename": _pupil_text(pupil, "Forename"),
                "surname": _pupil_text(pupil, "Surname"),
                "date_of_birth": _pupil_text(pupil, "DOB"),
                "sex": _pupil_text(pupil, "Sex") or _pupil_text(pupil, "Gender"),
                "year_group": _text(pupil, "BasicDetails", "NCyearActual") or _pupil_text(pupil, "NCyearActual"),
                "admission_date": entry or min(starts),
                "leaving_date": leaving,
            }
        )
    text_schema = {c: pl.String for c in ("upn", "forename", "surname", "date_of_birth", "sex", "year_group", "admission_date", "leaving_date")}
    frame = pl.DataFrame(details, schema={ROW: pl.Int64, **text_schema})
    check = Checker(file_name, frame, unit="pupil")
    for cell in cells:
        if "_bad_start" in cell:
            check.add(cell[ROW], "AttendanceStartDate", "is not a date (write YYYY-MM-DD)")
    upn = check.upn("upn")
    year_groups = frame["year_group"].map_elements(lambda v: normalise_year_group(v) or "", return_dtype=pl.String)
    for row in frame.filter(year_groups.replace("", None).is_null())[ROW]:
        check.add(row, "NCyearActual", "is missing or not a year group")
    staged = pl.DataFrame(
        {
            ROW: frame[ROW],
            "upn": upn,
            "forename": check.text("forename", required=True, max_length=100),
            "surname": check.text("surname", required=True, max_length=100),
            "date_of_birth": check.date("date_of_birth", required=True, not_after=today),
            "sex": check.choice("sex", SEX_SPELLINGS, allowed="M, F"),
            "year_group": year_groups.replace("", None),
            "admission_date": check.date("admission_date", required=True),
            "leaving_date": check.date("leaving_date"),
        }
    )
    check.duplicates(["upn"], staged.filter(pl.col("upn").is_not_null()), "repeats the UPN of pupil {first}")
    # NCyearActual is the year group in the file's academic year (CTF <AcademicYear>, e.g. 2025).
    year = int(academic_year) if academic_year and academic_year.isdigit() else academic_year_of(today)
    staged = staged.with_columns(pl.lit(year, pl.Int16).alias("year_group_academic_year"))

    marks = pl.DataFrame(
        [c for c in cells if "_bad_start" not in c],
        schema={ROW: pl.Int64, "date": pl.Date, "session": pl.String, "code": pl.String},
    ).with_columns(pl.lit(MARKS_PATH).alias(FIELD), pl.lit(None, pl.Int16).alias("minutes_late"))
    marks = marks.join(staged.select(ROW, "upn"), on=ROW, how="left")
    marks = finish_marks(check, marks, today=today)

    notes = [f"{len(pupils)} pupils in the file"]
    if skipped:
        notes.append(f"{skipped} pupils had no attendance or entry at this school and were skipped")
    if every_day_seen:
        reading = " and ".join(sorted("every calendar day" if e else "weekdays only" for e in every_day_seen))
        notes.append(f"marks strings read as {reading}")
    return Batch(
        kind="ctf",
        rows_read=len(pupils),
        enrolments=staged,
        marks=marks.select(ROW, *MARK_COLUMNS),
        skipped=skipped,
        laestab=target,
        notes=notes,
    )
