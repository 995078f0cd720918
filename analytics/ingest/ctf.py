"""Attendance marks from a Common Transfer File (CTF XML).

Each pupil's `Attendance/YearData/AttendSessions` holds an `AttendanceStartDate` and a string of
`AttendanceMarks`, one per session (AM then PM) from that date: comma-separated from CTF 24 (so
two-character codes such as `C1` fit), one character per session before.

A CTF is read as the register of the school that sent it, and only when that is the school it is
imported into (`this_schools_laestab`): a transfer file from a pupil's previous school is refused
whole. Of the pupils' year data, only that of this school (its LA and establishment number, or
none named, which is the sender's) is read. The file is read a pupil at a time, never held whole.

The CTF specification was not available to us, so which days the string covers is read from the
string itself: when every weekend slot of the calendar-day reading is blank or `#`, the string
covers every calendar day; otherwise it covers weekdays only. Each import notes which it used.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
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
from analytics.ingest.marks import EMPTY, FIELD, MARK_COLUMNS, MarkChunks
from analytics.ingest.pupils import refuse_too_many_pupils
from analytics.ingest.source import Source
from analytics.ingest.table import ROW

MARKS_PATH = "Attendance/YearData/AttendSessions/AttendanceMarks"
_NO_MARKS = EMPTY.with_columns(pl.lit(None, pl.String).alias(FIELD))
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


class ForeignCtf(ValueError):
    """A CTF that is not the register of the school it is imported into (a transfer file from a
    pupil's previous school), or whose sender cannot be told; the message says why."""


@dataclass(frozen=True)
class CtfSchool:
    """A school as a CTF's header names it: its LA and establishment number, and its URN."""

    lea: str | None = None
    estab: str | None = None
    urn: str | None = None

    @property
    def laestab(self) -> str | None:
        """LA number then establishment number (`8012000`), when the header gives both."""
        return f"{self.lea}{self.estab}" if self.lea and self.estab else None

    def named(self) -> str:
        """How a message names the school (school numbers only: never a pupil's data)."""
        parts = [f"LA/establishment {self.laestab}"] if self.laestab else []
        parts += [f"URN {self.urn}"] if self.urn else []
        return ", ".join(parts) or "no school"


def this_schools_laestab(
    sender: CtfSchool, receiver: CtfSchool, *, school_urn: int, known: str | None
) -> str:
    """The LA and establishment number of school `school_urn` as a CTF shows it (`known` is the
    one recorded for it, if any); raises ForeignCtf when the file is not that school's own.

    A CTF is read as the register of the school that sent it (`Header/SourceSchool`): it is the
    school's own when its sender is the school, by the recorded LAESTAB or, when none is recorded
    yet, by URN. Only then is the sender's LAESTAB the school's. A transfer file sent by a
    pupil's previous school holds that school's register and is never taken as this school's,
    whatever its `DestSchool` says; and with no LAESTAB recorded and no URN in the header, who
    sent the file cannot be told."""
    ours = str(school_urn)
    if (sender.urn and sender.urn != ours) or (
        known and sender.laestab and sender.laestab != known
    ):
        to_us = receiver.urn == ours or bool(known and receiver.laestab == known)
        what = "a transfer file to this school" if to_us else "a file"
        raise ForeignCtf(
            f"is {what} sent by another school ({sender.named()}), not by school {ours}: it "
            "holds that school's register, not this school's, so nothing in it was imported. "
            "Import the CTF that this school's own MIS exports"
        )
    if known:
        if sender.laestab or sender.urn == ours:
            return known
        raise ForeignCtf("names no LEA and Estab, nor URN, of the school that sent it")
    if sender.urn == ours:
        if sender.laestab:
            return sender.laestab
        raise ForeignCtf("names no LEA and Estab of the school that sent it")
    raise ForeignCtf(
        f"does not show that it was sent by school {ours} (no URN in its header), and no LA and "
        f"establishment number is recorded for school {ours} to compare with: record it first "
        f"(rollcall school set {ours} --laestab NNNNNNN, or on the Import page)"
    )


#: Pupils read before their marks are checked and put aside in compact form.
_PUPILS_PER_CHUNK = 500
#: Longer than any AttendanceMarks string: a year's sessions, comma-separated, are about 2,200
#: characters.
_MAX_MARKS_STRING = 20_000


@dataclass
class _Pupils:
    """A chunk of a CTF's pupils: their details and their marks strings."""

    details: list[dict] = field(default_factory=list)
    strings: list[dict] = field(default_factory=list)
    bad_starts: list[int] = field(default_factory=list)
    long_strings: list[int] = field(default_factory=list)


def _elements(file_name: str, source: Source) -> Iterator[tuple[str, Element, list[str]]]:
    """The XML's `start` and `end` events, each with the path of element names down to it."""
    path: list[str] = []
    with source.open() as stream:
        try:
            for event, element in ElementTree.iterparse(stream, events=("start", "end")):
                if event == "start":
                    path.append(_local(element.tag))
                yield event, element, path
                if event == "end":
                    path.pop()
        except DefusedXmlException:
            message = "declares XML entities or external references, which a CTF never needs: refused for safety"
            raise ImportRefused(file_name, [Problem(None, None, message)]) from None
        except (ElementTree.ParseError, LookupError, ValueError) as error:
            # LookupError: an unknown encoding in the XML declaration.
            raise ImportRefused(
                file_name, [Problem(None, None, f"is not well-formed XML ({error})")]
            ) from None


def _header_school(header: Element, name: str) -> CtfSchool:
    school = _child(header, name)
    return CtfSchool(_text(school, "LEA"), _text(school, "Estab"), _text(school, "URN"))


def _read_pupil(pupil: Element, number: int, target: str, into: _Pupils, today: date) -> bool:
    """Put one pupil's details and marks strings at school `target` into `into`; False when the
    pupil has neither an entry nor attendance there."""
    entry = leaving = None
    for school in _children(_child(pupil, "SchoolHistory"), "School"):
        if f"{_text(school, 'LEA')}{_text(school, 'Estab')}" == target:
            entry, leaving = _text(school, "EntryDate"), _text(school, "LeavingDate")
    starts = []
    for year in _children(_child(pupil, "Attendance"), "YearData"):
        # Year data naming no school is the sender's, which is this school.
        year_school = f"{_text(year, 'LEA') or ''}{_text(year, 'Estab') or ''}"
        if year_school and year_school != target:
            continue
        for sessions in _children(year, "AttendSessions"):
            start_text = _text(sessions, "AttendanceStartDate")
            marks_text = _child(sessions, "AttendanceMarks")
            if start_text is None or marks_text is None or not marks_text.text:
                continue
            if len(marks_text.text) > _MAX_MARKS_STRING:
                into.long_strings.append(number)
                continue
            try:
                start = date.fromisoformat(start_text)
            except ValueError:
                start = None
            if start is None or not _FIRST_START <= start <= today:
                into.bad_starts.append(number)
                continue
            starts.append(start_text)
            into.strings.append(
                {ROW: number, "start": start, "marks": marks_text.text.strip("\n\r")}
            )
    if entry is None and not starts:
        return False
    into.details.append(
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
    return True


def _checked_pupils(
    check: Checker, pupils: _Pupils, marks: MarkChunks, readings: set[bool], today: date
) -> pl.DataFrame:
    """Check a chunk of pupils and their marks (the marks go to `marks`, and how their strings
    were read to `readings`); their details, staged."""
    # Columns keep the CTF's element names, so that problems name the element to look at.
    frame = pl.DataFrame(
        pupils.details, schema={ROW: pl.Int64, **{name: pl.String for name in _STORED_AS}}
    )
    check = check.over(frame)
    for number in pupils.bad_starts:
        message = f"is not a date from {_FIRST_START.year} to today (write YYYY-MM-DD)"
        check.add(number, "AttendanceStartDate", message)
    for number in pupils.long_strings:
        check.add(number, "AttendanceMarks", "is longer than any year's marks")
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
    cells = session_marks(
        pl.DataFrame(pupils.strings, schema={ROW: pl.Int64, "start": pl.Date, "marks": pl.String})
    )
    readings.update(cells["_every_day"].unique().to_list())
    cells = cells.drop("_every_day").with_columns(
        pl.lit(MARKS_PATH).alias(FIELD), pl.lit(None, pl.Int16).alias("minutes_late")
    )
    marks.add(
        check,
        cells.join(
            staged.select(ROW, pl.col("UPN").alias("upn")),
            on=ROW,
            how="left",
            maintain_order="left",
        ),
    )
    return staged


def parse_ctf(
    file_name: str, data: bytes | Source, *, school_urn: int, laestab: str | None, today: date
) -> Batch:
    """Read a CTF sent by school `school_urn` itself (`laestab` is its LA and establishment number
    when recorded, e.g. `8012000`): its pupils, and the attendance marks it holds for the school.
    A CTF sent by another school is refused (`this_schools_laestab`)."""
    source = Source.of(file_name, data)
    check = Checker(file_name, unit="pupil")
    marks = MarkChunks(check, today=today)
    readings: set[bool] = set()
    target: str | None = None
    academic_year: str | None = None
    chunk = _Pupils()
    staged_parts: list[pl.DataFrame] = []
    count = skipped = 0
    container: Element | None = None
    for event, element, path in _elements(file_name, source):
        if len(path) == 1 and event == "start" and path[0] != "CTfile":
            raise ImportRefused(
                file_name, [Problem(None, None, "is not a Common Transfer File (no <CTfile>)")]
            )
        if event == "start" and path == ["CTfile", "CTFpupilData"]:
            container = element
        if event != "end":
            continue
        if path == ["CTfile", "Header"]:
            try:
                target = this_schools_laestab(
                    _header_school(element, "SourceSchool"),
                    _header_school(element, "DestSchool"),
                    school_urn=school_urn,
                    known=laestab,
                )
            except ForeignCtf as foreign:
                problem = Problem(None, "Header/SourceSchool", str(foreign))
                raise ImportRefused(file_name, [problem]) from None
            academic_year = _text(element, "SourceSchool", "AcademicYear") or _text(
                element, "AcademicYear"
            )
        elif path == ["CTfile", "CTFpupilData", "Pupil"]:
            if target is None:
                message = "has no <Header> naming the school that sent it before its pupils"
                raise ImportRefused(file_name, [Problem(None, "Header", message)])
            count += 1
            refuse_too_many_pupils(file_name, count)
            if not _read_pupil(element, count, target, chunk, today):
                skipped += 1
            if container is not None:
                container.clear()  # the pupil is read: let it go
            if len(chunk.details) >= _PUPILS_PER_CHUNK:
                staged_parts.append(_checked_pupils(check, chunk, marks, readings, today))
                chunk = _Pupils()
    if target is None:
        raise ImportRefused(
            file_name, [Problem(None, "Header", "has no <Header> naming the school that sent it")]
        )
    staged_parts.append(_checked_pupils(check, chunk, marks, readings, today))
    staged = pl.concat(staged_parts)
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
    distinct = marks.finish(_NO_MARKS)

    notes = [f"{count} {'pupil' if count == 1 else 'pupils'} in the file"]
    if skipped:
        noun = "pupil" if skipped == 1 else "pupils"
        notes.append(f"skipped {skipped} {noun} with no attendance or entry at this school")
    if readings:
        reading = " and ".join(
            sorted("every calendar day" if e else "weekdays only" for e in readings)
        )
        notes.append(f"marks strings read as {reading}")
    return Batch(
        kind="ctf",
        rows_read=count,
        enrolments=staged,
        marks=distinct.select(ROW, FIELD, *MARK_COLUMNS),
        skipped=skipped,
        laestab=target,
        notes=notes,
    )
