"""The demo's school calendar: the local authority's terms, each school's INSET days, and the
register days of each school up to DEMO_TODAY.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from analytics.domain.calendar import early_may_bank_holiday, easter_sunday, spring_bank_holiday
from analytics.synthetic.schools import ACADEMIC_YEARS, DEMO_TODAY, DemoSchool

#: A local authority's year: 190 teaching days, and five INSET days on top.
TEACHING_DAYS_PER_YEAR = 190
_INSET_DAYS_PER_YEAR = 5
#: Oakfield was a polling station on 4 July 2024 and closed for the day (coded `#`).
_PLANNED_CLOSURE = (990114, date(2024, 7, 4))


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _weekdays(first: date, last: date) -> list[date]:
    days = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class Term:
    """A term of an academic year: its first and last day (INSET days included) and the
    weekdays inside it with no school (half-term, bank holidays)."""

    name: str
    first: date
    last: date
    closed: frozenset[date] = frozenset()

    def open_days(self) -> list[date]:
        """Weekdays of the term the school is open (INSET days included)."""
        return [d for d in _weekdays(self.first, self.last) if d not in self.closed]


def autumn_start(year: int) -> date:
    """First day of the autumn term: the first weekday of September (a Friday waits for Monday)."""
    day = _weekday_on_or_after(date(year, 9, 1))
    return day + timedelta(days=3) if day.weekday() == 4 else day


def term_dates(year: int) -> list[Term]:
    """The local authority's terms for an academic year (the same for the trust's schools).

    Autumn from early September to about 20 December with a week off at the end of October;
    spring from early January to the Friday before Holy Week with the February half-term;
    summer from the Monday after Easter week to about 22 July, without the early May bank
    holiday and the spring bank holiday week. The summer term's end is set so the year has
    195 open days (190 teaching days after five INSET days), as a local authority does.
    """
    # October half-term: the week holding 28 October.
    october = date(year, 10, 28) - timedelta(days=date(year, 10, 28).weekday())
    autumn = Term(
        "autumn",
        autumn_start(year),
        _weekday_on_or_before(date(year, 12, 20)),
        frozenset(october + timedelta(days=i) for i in range(5)),
    )
    spring_year = year + 1
    january = _weekday_on_or_after(date(spring_year, 1, 3))
    if january.weekday() == 4:
        january += timedelta(days=3)
    february = _monday_on_or_after(date(spring_year, 2, 12))
    easter = easter_sunday(spring_year)
    spring = Term(
        "spring",
        january,
        easter - timedelta(days=9),
        frozenset(february + timedelta(days=i) for i in range(5)),
    )
    whitsun = spring_bank_holiday(spring_year)
    summer_closed = frozenset(
        {early_may_bank_holiday(spring_year), *(whitsun + timedelta(days=i) for i in range(5))}
    )
    summer_first = easter + timedelta(days=8)
    summer_last = _weekday_on_or_before(date(spring_year, 7, 22))
    target = TEACHING_DAYS_PER_YEAR + _INSET_DAYS_PER_YEAR
    while True:
        summer = Term("summer", summer_first, summer_last, summer_closed)
        total = len(autumn.open_days()) + len(spring.open_days()) + len(summer.open_days())
        if total == target:
            return [autumn, spring, summer]
        step = -1 if total > target else 1
        summer_last = summer_last + timedelta(days=step)
        summer_last = (
            _weekday_on_or_before(summer_last) if step < 0 else _weekday_on_or_after(summer_last)
        )


def _inset_days(school: DemoSchool, terms: list[Term]) -> set[date]:
    """The school's five INSET days of a year, by the rules named in `school.inset`."""
    autumn, spring, summer = (t.open_days() for t in terms)
    october_break = min(terms[0].closed)
    whitsun_break = max(d for d in terms[2].closed if d.month in (5, 6))
    picks = {
        "autumn_first": autumn[0],
        "autumn_second": autumn[1],
        "october_friday": max(d for d in autumn if d < october_break),
        "spring_first": spring[0],
        "summer_first": summer[0],
        "june_monday": min(d for d in summer if d > whitsun_break),
        "summer_last": summer[-1],
    }
    return {picks[rule] for rule in school.inset}


@dataclass(frozen=True)
class SchoolCalendar:
    """A school's register days over the demo period, one entry per day with marks.

    `days` are the teaching days (INSET days excluded) up to DEMO_TODAY, plus the planned closure
    day, which carries `#` marks. Each day has its academic year, its file period (the term, or
    the half-term in the current year) and its position relative to the holidays.
    """

    school: DemoSchool
    days: np.ndarray  # datetime64[D]
    year: np.ndarray  # academic year of each day
    period: np.ndarray  # file period label of each day
    term_first: dict[int, date]  # first day of each academic year's autumn term (INSET included)
    last_day: dict[
        int, date
    ]  # last teaching day of each academic year (DEMO_TODAY for the current one)
    closure: np.ndarray  # True on the planned closure day
    to_break: np.ndarray  # teaching days left before the next holiday (0 on the last day)
    from_break: np.ndarray  # teaching days since the last holiday (0 on the first day back)
    progress: np.ndarray  # 0 at the start of the academic year, 1 at its end

    def dates(self) -> list[date]:
        return self.days.astype(object).tolist()

    def index_of(self, day: date) -> int | None:
        """The position of `day` among the register days, or None when it has none."""
        position = int(np.searchsorted(self.days, np.datetime64(day, "D")))
        return (
            position
            if position < len(self.days) and self.days[position] == np.datetime64(day, "D")
            else None
        )

    def days_of_year(self, academic_year: int) -> np.ndarray:
        """Positions of the teaching days (not the closure day) of one academic year."""
        return np.flatnonzero((self.year == academic_year) & ~self.closure)


def school_calendar(school: DemoSchool) -> SchoolCalendar:
    """The register days of a school from September 2023 to DEMO_TODAY."""
    days: list[date] = []
    years: list[int] = []
    periods: list[str] = []
    term_first: dict[int, date] = {}
    last_day: dict[int, date] = {}
    for year in ACADEMIC_YEARS:
        terms = term_dates(year)
        inset = _inset_days(school, terms)
        term_first[year] = terms[0].first
        october_break = min(terms[0].closed)
        for term in terms:
            for day in term.open_days():
                if day in inset or day > DEMO_TODAY:
                    continue
                if year == ACADEMIC_YEARS[-1]:
                    period = "autumn1" if day < october_break else "autumn2"
                else:
                    period = term.name
                days.append(day)
                years.append(year)
                periods.append(period)
        last_day[year] = max(d for d, y in zip(days, years, strict=True) if y == year)
    day_array = np.array(days, dtype="datetime64[D]")
    closure = np.array([(school.urn, d) == _PLANNED_CLOSURE for d in days])
    gaps = np.diff(day_array).astype(int)
    breaks_after = np.append(gaps > 6, True)  # the day before a holiday (and the last day)
    breaks_before = np.insert(gaps > 6, 0, True)
    to_break = np.zeros(len(days), dtype=np.int32)
    from_break = np.zeros(len(days), dtype=np.int32)
    for i in range(len(days) - 2, -1, -1):
        to_break[i] = 0 if breaks_after[i] else to_break[i + 1] + 1
    for i in range(1, len(days)):
        from_break[i] = 0 if breaks_before[i] else from_break[i - 1] + 1
    year_array = np.array(years)
    progress = np.zeros(len(days))
    for year in ACADEMIC_YEARS:
        positions = np.flatnonzero(year_array == year)
        span = TEACHING_DAYS_PER_YEAR - 1
        progress[positions] = np.minimum(np.arange(len(positions)) / span, 1.0)
    return SchoolCalendar(
        school,
        day_array,
        year_array,
        np.array(periods),
        term_first,
        last_day,
        closure,
        to_break,
        from_break,
        progress,
    )
