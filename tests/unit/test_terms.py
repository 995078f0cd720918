"""Terms and half-terms read from school days: holidays split them, months name them."""

from datetime import date, timedelta

import polars as pl

from analytics.pipelines.terms import half_terms, last_school_weeks, terms


def weekdays(start: date, end: date, skip: tuple[date, ...] = ()) -> list[date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5 and day not in skip:
            days.append(day)
        day += timedelta(days=1)
    return days


def school_year_2025() -> pl.LazyFrame:
    spans = [
        (date(2025, 9, 3), date(2025, 10, 24)),
        (date(2025, 11, 3), date(2025, 12, 19)),
        (date(2026, 1, 5), date(2026, 2, 13)),
        (date(2026, 2, 23), date(2026, 3, 27)),
        (date(2026, 4, 13), date(2026, 5, 22)),
        (date(2026, 6, 1), date(2026, 7, 22)),
    ]
    # An INSET day on a Monday does not split a half-term: the week still has school days.
    days = [d for start, end in spans for d in weekdays(start, end, skip=(date(2026, 1, 5),))]
    return pl.LazyFrame({"date": days})


def test_six_half_terms_named_by_their_months():
    halves = half_terms(school_year_2025()).collect()
    assert halves["label"].to_list() == [
        "Autumn 1",
        "Autumn 2",
        "Spring 1",
        "Spring 2",
        "Summer 1",
        "Summer 2",
    ]
    assert halves["academic_year"].unique().to_list() == [2025]
    assert halves.row(0, named=True)["start"] == date(2025, 9, 3)
    assert halves.row(0, named=True)["end"] == date(2025, 10, 24)
    assert halves.row(2, named=True)["start"] == date(2026, 1, 6)  # after the INSET day
    assert halves["school_weeks"].to_list() == [8, 7, 6, 5, 6, 8]


def test_terms_join_their_half_terms():
    table = terms(half_terms(school_year_2025())).collect()
    assert table["term"].to_list() == ["Autumn", "Spring", "Summer"]
    assert table.row(1, named=True)["start"] == date(2026, 1, 6)
    assert table.row(1, named=True)["end"] == date(2026, 3, 27)


def test_last_school_weeks_skip_holidays():
    start, end = last_school_weeks(school_year_2025(), 2, date(2025, 11, 5))
    assert (start, end) == (date(2025, 10, 20), date(2025, 11, 5))  # half-term week skipped
    assert last_school_weeks(school_year_2025(), 3, date(2025, 8, 1)) is None
