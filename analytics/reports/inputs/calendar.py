"""The school calendar as the register shows it: school days, half-terms and terms, for filters
and windows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from analytics.pipelines.calendar import school_days
from analytics.pipelines.sessions import classify_marks
from analytics.pipelines.terms import half_terms, last_school_weeks, terms
from analytics.pipelines.windows import Window
from analytics.store import Database, aggregates, read


@dataclass(frozen=True)
class SchoolCalendar:
    """School days (any of the chosen schools open), half-terms and terms."""

    days: pl.DataFrame
    half_terms: pl.DataFrame
    terms: pl.DataFrame

    @property
    def last_day(self) -> date | None:
        """The latest school day in the register."""
        if self.days.is_empty():
            return None
        last = self.days["date"].max()
        assert isinstance(last, date)
        return last

    def academic_years(self) -> list[int]:
        """Academic years with a school day, newest first."""
        return sorted(self.half_terms["academic_year"].unique().to_list(), reverse=True)

    def windows(self, academic_year: int, kind: str) -> list[Window]:
        """The terms (`kind="term"`) or half-terms (`"half"`) of a year as windows, in order."""
        table = self.terms if kind == "term" else self.half_terms
        label = "term" if kind == "term" else "label"
        rows = table.filter(pl.col("academic_year") == academic_year).iter_rows(named=True)
        return [
            Window(r["start"], r["end"], r[label] if kind == "half" else f"{r['term']} term")
            for r in rows
        ]

    def last_weeks(self, weeks: int, up_to: date | None = None) -> Window | None:
        """The last `weeks` school weeks up to `up_to` (default: the latest school day)."""
        end = up_to or self.last_day
        if end is None:
            return None
        span = last_school_weeks(self.days.lazy(), weeks, end)
        return None if span is None else Window(span[0], span[1], f"last {weeks} school weeks")


def school_calendar(db: Database, school_urns: Sequence[int] | None = None) -> SchoolCalendar:
    """The calendar of these schools (all when None), pooled."""
    # Pooled, a date is a school day when any of the schools has a possible session on it.
    day_codes = (
        aggregates.pooled_day_codes(db, school_urns)
        .lazy()
        .with_columns(pl.lit(0).alias("school_urn"))
    )
    days = (
        school_days(classify_marks(day_codes, read.codes(db).lazy()))
        .select("date")
        .unique()
        .sort("date")
    )
    halves = half_terms(days)
    return SchoolCalendar(days.collect(), halves.collect(), terms(halves).collect())
