"""Tiny inline frames for pipeline tests: enrolments and marks written as short lists."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from analytics.domain.codes import code_table

URN = 100001


def enrolments(*rows: dict) -> pl.LazyFrame:
    """Enrolments with defaults: on roll from 1 Sep 2025, year 5 in 2025/26, no flags."""
    defaults = {
        "school_urn": URN,
        "upn": None,
        "date_of_birth": date(2015, 1, 1),
        "sex": "F",
        "year_group": "5",
        "year_group_academic_year": 2025,
        "form": "5A",
        "admission_date": date(2025, 9, 1),
        "leaving_date": None,
        "fsm": False,
        "fsm6": False,
        "looked_after": False,
        "sen": "N",
        "eal": False,
        "ethnicity": "WBRI",
        "disadvantaged": None,
    }
    records = []
    for number, row in enumerate(rows, start=1):
        record = defaults | {"enrolment_id": number, "upn": f"PUPIL{number:08d}"} | row
        records.append(record)
    schema = {
        "enrolment_id": pl.Int32,
        "school_urn": pl.Int32,
        "upn": pl.String,
        "date_of_birth": pl.Date,
        "sex": pl.String,
        "year_group": pl.String,
        "year_group_academic_year": pl.Int16,
        "form": pl.String,
        "admission_date": pl.Date,
        "leaving_date": pl.Date,
        "fsm": pl.Boolean,
        "fsm6": pl.Boolean,
        "looked_after": pl.Boolean,
        "sen": pl.String,
        "eal": pl.Boolean,
        "ethnicity": pl.String,
        "disadvantaged": pl.Boolean,
    }
    return pl.LazyFrame(records, schema=schema)


def marks(
    enrolment_id: int, codes: str | list[str], start: date = date(2025, 9, 1)
) -> pl.DataFrame:
    """Marks for one enrolment from `start`, AM then PM, weekdays only: `marks(1, "//N\\\\")`."""
    sequence = list(codes) if isinstance(codes, str) else codes
    rows = []
    day = start
    while len(rows) < len(sequence):
        if day.weekday() < 5:
            for session in ("AM", "PM"):
                if len(rows) < len(sequence):
                    rows.append((URN, enrolment_id, day, session, sequence[len(rows)], None))
        day += timedelta(days=1)
    return pl.DataFrame(
        rows,
        schema={
            "school_urn": pl.Int32,
            "enrolment_id": pl.Int32,
            "date": pl.Date,
            "session": pl.String,
            "code": pl.String,
            "minutes_late": pl.Int16,
        },
        orient="row",
    )


def all_marks(*frames: pl.DataFrame) -> pl.LazyFrame:
    """Several enrolments' marks as one lazy frame."""
    return pl.concat(frames).lazy()


def codes() -> pl.LazyFrame:
    """The code table, lazily."""
    return code_table().lazy()
