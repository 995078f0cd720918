"""A tiny school for the governors' and census tests: pupils with cohort flags, a term of marks
written by a rule, behaviour and exclusions, imported through the real importers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tests.fixtures.ingest.builders import upn

URN = 100001
AUTUMN_2025 = (date(2025, 9, 3), date(2025, 10, 17))
AUTUMN_2024 = (date(2024, 9, 4), date(2024, 10, 18))


@dataclass(frozen=True)
class Pupil:
    """One pupil of the tiny school (the n-th synthetic UPN)."""

    n: int
    year_group: str = "5"
    date_of_birth: date = date(2015, 3, 4)
    disadvantaged: bool = False
    sen: str = "N"
    admission_date: date = date(2021, 9, 1)
    leaving_date: date | None = None

    @property
    def upn(self) -> str:
        return upn(self.n)

    @property
    def forename(self) -> str:
        return f"Zebedee{self.n}"

    @property
    def surname(self) -> str:
        return f"Quartermaine{self.n}"


def weekdays(first: date, last: date) -> list[date]:
    """Every Monday to Friday from `first` to `last`."""
    days, day = [], first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def pupils_csv(pupils: Sequence[Pupil]) -> str:
    rows = [
        "upn,forename,surname,date_of_birth,year_group,admission_date,leaving_date,disadvantaged,sen"
    ]
    for p in pupils:
        rows.append(
            f"{p.upn},{p.forename},{p.surname},{p.date_of_birth},{p.year_group},{p.admission_date},"
            f"{p.leaving_date or ''},{'Y' if p.disadvantaged else 'N'},{p.sen}"
        )
    return "\n".join(rows) + "\n"


def marks_csv(
    pupils: Sequence[Pupil], days: Sequence[date], code: Callable[[Pupil, date, str], str | None]
) -> str:
    """One mark per pupil, day and session; `code` returns None for no mark (a missing mark)."""
    rows = ["upn,date,session,code"]
    for p in pupils:
        for day in days:
            for session in ("AM", "PM"):
                value = code(p, day, session)
                if value is not None:
                    rows.append(f"{p.upn},{day},{session},{value}")
    return "\n".join(rows) + "\n"


def present(pupil: Pupil, day: date, session: str) -> str:
    return "/" if session == "AM" else "\\"


def build(
    load,
    pupils: Sequence[Pupil],
    code: Callable[[Pupil, date, str], str | None] = present,
    terms: Sequence[tuple[date, date]] = (AUTUMN_2025,),
    *,
    as_of: date = date(2025, 10, 17),
    exclusions: str | None = None,
    behaviour: str | None = None,
) -> None:
    """Import the school: pupils (year groups as at `as_of`), marks over `terms`, and optional
    exclusions and behaviour CSV text."""
    load(
        "pupils",
        pupils_csv(pupils),
        school_urn=URN,
        school_name="Tiny Primary",
        phase="primary",
        as_of=as_of,
    )
    for first, last in terms:
        load(
            "marks",
            marks_csv(pupils, weekdays(first, last), code),
            file_name=f"marks-{first}.csv",
            school_urn=URN,
        )
    if exclusions:
        load("exclusions", exclusions, school_urn=URN)
    if behaviour:
        load("behaviour", behaviour, school_urn=URN)
