"""Three academic years of a school's figures beside the national, regional and LA figures of the
same years.

The school's figures are those of its compulsory-age pupils counted as DfE counts them (as every
comparison is), from the store's weekly totals (never the raw marks). Each year is the whole
academic year, the latest up to the window's end. A published figure is set beside a year only
when it is for that same academic year (a trend of different years' figures would mislead):
where DfE has not published the year yet, the cell is empty and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from analytics.domain.calendar import academic_year_label
from analytics.pipelines.windows import Window
from analytics.reports.analysis.pupils import measures_with_phase
from analytics.reports.comparisons.periods import compulsory_age_measures
from analytics.reports.comparisons.scope import (
    PLACE_SCHEMA,
    Comparators,
    comparators,
    place_columns,
    place_figures,
)
from analytics.reports.inputs.totals import load_totals
from analytics.store import Database

#: The measures a trend shows, with their labels.
TREND_MEASURES = {
    "attendance_rate": "Attendance",
    "absence_rate": "Overall absence",
    "unauthorised_rate": "Unauthorised absence",
    "persistent_absence_rate": "Persistent absence",
}
YEARS = 3

#: Columns of a trend table, in order.
TREND_COLUMNS = (
    "academic_year",
    "year",
    "measure",
    "label",
    "school_value",
    "school_pupils",
    "school_persistent",
    "school_from",
    "school_to",
    *PLACE_SCHEMA,
)


@dataclass(frozen=True)
class Trend:
    """A scope's trend: one row per academic year and measure (TREND_COLUMNS), and where the
    scope's LA and region are (or why they are not known)."""

    table: pl.DataFrame
    place: str
    no_place: str


def trend_years(window: Window, years: int = YEARS) -> list[Window]:
    """The academic years of a trend ending with the window's: whole years, the last up to the
    window's end."""
    last = window.academic_year_start
    found = [Window.academic_year(year) for year in range(last - years + 1, last + 1)]
    current = found[-1]
    if window.end < current.end:
        found[-1] = Window(
            current.start, window.end, f"{current.label} to {window.end.day} {window.end:%b %Y}"
        )
    return found


def trend(
    db: Database,
    school_urns: Sequence[int] | None,
    window: Window,
    year_groups: Sequence[str] = (),
    compare: Comparators | None = None,
) -> Trend:
    """The trend of these schools (every school when None) in these year groups, for the three
    academic years ending with the window's."""
    compare = compare or comparators(db, school_urns)
    rows = []
    for year_window in trend_years(window):
        totals = load_totals(db, school_urns, year_window).in_year_groups(year_groups)
        measured = measures_with_phase(totals, year_window).collect().lazy()
        school = compulsory_age_measures(measured).collect().row(0, named=True)
        days = totals.weeks["week_start"]
        school_from: date | None = None
        school_to: date | None = None
        if not days.is_empty():
            first_week, last_week = days.min(), days.max()
            assert isinstance(first_week, date) and isinstance(last_week, date)
            school_from = max(first_week, year_window.start)
            school_to = min(last_week + timedelta(days=4), year_window.end)
        for measure, label in TREND_MEASURES.items():
            places = place_figures(
                measured,
                measure,
                year_window.academic_year_start,
                "year",
                compare,
                exact_year=True,
            )
            rows.append(
                {
                    "academic_year": year_window.academic_year_start,
                    "year": year_window.label
                    or academic_year_label(year_window.academic_year_start),
                    "measure": measure,
                    "label": label,
                    "school_value": school[measure],
                    "school_pupils": school["enrolments_counted"],
                    "school_persistent": school["persistent_absentees"],
                    "school_from": school_from,
                    "school_to": school_to,
                    **place_columns(places),
                }
            )
    table = pl.DataFrame(
        rows,
        schema_overrides={
            "school_value": pl.Float64,
            "school_pupils": pl.Int64,
            "school_persistent": pl.Int64,
            "school_from": pl.Date,
            "school_to": pl.Date,
            **PLACE_SCHEMA,
        },
    ).select(TREND_COLUMNS)
    return Trend(
        table,
        compare.place.describe() if compare.place else "",
        compare.no_place if compare.place is None else "",
    )
