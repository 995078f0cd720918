"""Windows: the date range (inclusive) every figure is for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from analytics.domain.calendar import (
    academic_year_bounds,
    academic_year_label,
    academic_year_of,
    census_period,
)


@dataclass(frozen=True)
class Window:
    """A date range, inclusive at both ends, with a label for pages and exports."""

    start: date
    end: date
    label: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"a window cannot end ({self.end}) before it starts ({self.start})")

    def __str__(self) -> str:
        span = f"{self.start:%d %b %Y} to {self.end:%d %b %Y}"
        return f"{self.label} ({span})" if self.label else span

    @classmethod
    def academic_year(cls, year: int) -> Window:
        """The whole academic year (1 Aug to 31 Jul)."""
        start, end = academic_year_bounds(year)
        return cls(start, end, academic_year_label(year))

    @classmethod
    def year_to_date(cls, day: date) -> Window:
        """From the start of the academic year holding `day` up to `day`."""
        year = academic_year_of(day)
        return cls(academic_year_bounds(year)[0], day, f"{academic_year_label(year)} to date")

    @classmethod
    def census(cls, period: str, year: int) -> Window:
        """A school census attendance period."""
        start, end = census_period(period, year)
        return cls(start, end, f"{period} {academic_year_label(year)}")

    @property
    def academic_year_start(self) -> int:
        """The academic year of the window's last day (which year groups refer to)."""
        return academic_year_of(self.end)

    def a_year_earlier(self) -> Window:
        """The same window one year before (by calendar date; 29 Feb becomes 28 Feb)."""

        def back(day: date) -> date:
            try:
                return day.replace(year=day.year - 1)
            except ValueError:
                return day.replace(year=day.year - 1, day=28)

        label = f"{self.label}, a year earlier" if self.label else ""
        return Window(back(self.start), back(self.end), label)

    def days(self) -> int:
        """Number of calendar days in the window."""
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        """True when `day` is inside the window."""
        return self.start <= day <= self.end

    def shifted(self, days: int) -> Window:
        """The window moved by a number of days."""
        return Window(
            self.start + timedelta(days=days), self.end + timedelta(days=days), self.label
        )
