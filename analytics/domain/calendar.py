"""Academic years, census periods and the dates they turn on (Easter, the spring bank holiday)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import polars as pl

#: Census attendance periods, in the order they fall in an academic year.
CENSUS_PERIODS = ("autumn", "spring", "summer1", "summer2")


def academic_year_of(day: date) -> int:
    """The academic year holding `day`, as its starting calendar year (1 Aug to 31 Jul)."""
    return day.year if day.month >= 8 else day.year - 1


def academic_year_expr(day: pl.Expr) -> pl.Expr:
    """`academic_year_of` for a Polars date expression."""
    return day.dt.year() - (day.dt.month() < 8).cast(pl.Int32)


def academic_year_label(year: int) -> str:
    """`2025` -> `"2025/26"`."""
    return f"{year}/{(year + 1) % 100:02d}"


def parse_academic_year(text: str) -> int:
    """Read `2025/26`, `2025-26`, `202526` or `2025` as the starting year 2025."""
    cleaned = text.strip()
    match = re.fullmatch(r"(\d{4})(?:\s*[/-]?\s*(\d{2}|\d{4}))?", cleaned)
    if not match:
        raise ValueError(f"'{cleaned}' is not an academic year (write it as 2025/26)")
    start = int(match.group(1))
    if match.group(2):
        end = int(match.group(2)) % 100
        if end != (start + 1) % 100:
            raise ValueError(f"'{cleaned}' is not an academic year (write it as 2025/26)")
    return start


def academic_year_bounds(year: int) -> tuple[date, date]:
    """First and last day of an academic year: 1 Aug to 31 Jul."""
    return date(year, 8, 1), date(year + 1, 7, 31)


def easter_sunday(year: int) -> date:
    """Easter Sunday of a year in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def spring_bank_holiday(year: int) -> date:
    """The spring bank holiday: the last Monday in May."""
    last = date(year, 5, 31)
    return last - timedelta(days=last.weekday())


def early_may_bank_holiday(year: int) -> date:
    """The early May bank holiday: the first Monday in May."""
    first = date(year, 5, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def census_period(name: str, academic_year: int) -> tuple[date, date]:
    """Start and end (inclusive) of a census attendance period of an academic year.

    autumn: 1 Aug - 31 Dec; spring: 1 Jan - Easter Sunday; summer1: Easter Monday - the Sunday
    before the spring bank holiday; summer2: the spring bank holiday - 31 Jul.
    """
    spring_year = academic_year + 1
    easter = easter_sunday(spring_year)
    bank_holiday = spring_bank_holiday(spring_year)
    periods = {
        "autumn": (date(academic_year, 8, 1), date(academic_year, 12, 31)),
        "spring": (date(spring_year, 1, 1), easter),
        "summer1": (easter + timedelta(days=1), bank_holiday - timedelta(days=1)),
        "summer2": (bank_holiday, date(spring_year, 7, 31)),
    }
    if name not in periods:
        raise ValueError(f"'{name}' is not a census period: use one of {', '.join(CENSUS_PERIODS)}")
    return periods[name]


def age_on(date_of_birth: date, day: date) -> int:
    """Age in whole years on `day`."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def week_start(day: date) -> date:
    """The Monday of the week holding `day`."""
    return day - timedelta(days=day.weekday())
