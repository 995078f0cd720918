"""The pupils CSV: one row per pupil on roll (or who has left), with their cohort details."""

from __future__ import annotations

from datetime import date

import polars as pl

from analytics.domain.calendar import academic_year_expr
from analytics.domain.cohorts import SEN_SPELLINGS, SEX_SPELLINGS
from analytics.domain.yeargroups import YEAR_GROUPS, year_group_expr, year_group_rank
from analytics.ingest.batch import Batch
from analytics.ingest.errors import ImportRefused, Problem
from analytics.ingest.contacts import postcodes
from analytics.ingest.fields import Checker
from analytics.ingest.source import Source
from analytics.ingest.table import ROW, read_table

REQUIRED = ("upn", "forename", "surname", "date_of_birth", "year_group", "admission_date")
OPTIONAL = (
    "sex",
    "form",
    "leaving_date",
    "fsm",
    "fsm6",
    "looked_after",
    "sen",
    "eal",
    "ethnicity",
    "disadvantaged",
    "address",
    "postcode",
    "leaving_reason",
    "social_care",
    "vulnerable",
)
#: More pupils than any school has (the largest have under 5,000): a pupils file or CTF of more
#: is refused as soon as it reaches this many, before it takes more memory than an import may.
MAX_PUPILS = 50_000


def refuse_too_many_pupils(file_name: str, count: int) -> None:
    """Refuse a file once it holds more than MAX_PUPILS pupils."""
    if count > MAX_PUPILS:
        message = (
            f"holds more than {MAX_PUPILS:,} pupils, more than any school has: import one "
            "school's pupils at a time"
        )
        raise ImportRefused(file_name, [Problem(None, None, message)])


_FLAGS = ("fsm", "fsm6", "looked_after", "eal", "disadvantaged", "social_care", "vulnerable")


def phase_of(year_groups: list[str]) -> str:
    """The phase a school's year groups suggest: primary, secondary or all-through."""
    ranks = [year_group_rank(y) for y in year_groups]
    if not ranks:
        return "unknown"
    if max(ranks) <= year_group_rank("6"):
        return "primary"
    if min(ranks) >= year_group_rank("7"):
        return "secondary"
    return "all-through"


def year_group_reference(leaving: pl.Series, as_of: date) -> pl.Series:
    """The academic year a recorded year group belongs to: that of the file's date, or of the
    leaving date when the pupil left before it."""
    reference = pl.when(pl.col("leaving") < as_of).then(pl.col("leaving")).otherwise(pl.lit(as_of))
    return (
        pl.DataFrame({"leaving": leaving})
        .select(academic_year_expr(reference).cast(pl.Int16).alias("year_group_academic_year"))
        .to_series()
    )


def _pupil_rows(check: Checker, frame: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """One chunk of a pupils file, typed and checked row by row."""
    present = set(frame.columns)
    columns = {
        "upn": check.upn(),
        "forename": check.text("forename", required=True, max_length=100),
        "surname": check.text("surname", required=True, max_length=100),
        "date_of_birth": check.date("date_of_birth", required=True, not_after=as_of),
        "admission_date": check.date("admission_date", required=True),
    }
    check.require("year_group")
    raw_years = frame["year_group"]
    year_groups = frame.select(year_group_expr(pl.col("year_group")))["year_group"]
    bad_years = frame.filter(raw_years.is_not_null() & year_groups.is_null())
    for row in bad_years[ROW]:
        check.add(row, "year_group", f"is not a year group (use one of {', '.join(YEAR_GROUPS)})")
    columns["year_group"] = year_groups
    if "sex" in present:
        columns["sex"] = check.choice("sex", SEX_SPELLINGS, allowed="M, F")
    if "form" in present:
        columns["form"] = check.text("form", max_length=20)
    if "leaving_date" in present:
        columns["leaving_date"] = check.date("leaving_date")
    for flag in _FLAGS:
        if flag in present:
            columns[flag] = check.boolean(flag)
    if "sen" in present:
        columns["sen"] = check.choice(
            "sen", SEN_SPELLINGS, allowed="N, K (SEN support), E (EHC plan)"
        )
    if "ethnicity" in present:
        columns["ethnicity"] = check.text("ethnicity", max_length=40).str.to_uppercase()
    # For the returns to the local authority (`returns.py`): where the pupil lives, and why
    # a leaver left (the ground of deletion).
    if "address" in present:
        columns["address"] = check.text("address", max_length=200)
    if "postcode" in present:
        columns["postcode"] = postcodes(check)
    if "leaving_reason" in present:
        columns["leaving_reason"] = check.text("leaving_reason", max_length=100)

    staged = pl.DataFrame(columns).with_columns(frame[ROW])
    if "leaving_date" in staged.columns:
        before = staged.filter(pl.col("leaving_date") < pl.col("admission_date"))
        for row in before[ROW]:
            check.add(row, "leaving_date", "is before the admission date")
    born_after = staged.filter(pl.col("date_of_birth") >= pl.col("admission_date"))
    for row in born_after[ROW]:
        check.add(row, "date_of_birth", "is not before the admission date")
    return staged


def parse_pupils(file_name: str, data: bytes | Source, *, as_of: date) -> Batch:
    """Read and check a pupils CSV. `as_of` is the date the export's year groups refer to."""
    table = read_table(file_name, data, required=REQUIRED, optional=OPTIONAL)
    check = Checker(file_name)
    parts = []
    for frame in table.chunks():
        refuse_too_many_pupils(file_name, table.rows_read)
        parts.append(_pupil_rows(check.over(frame), frame, as_of))
    staged = pl.concat(parts)
    check.duplicates(
        ["upn"], staged.filter(pl.col("upn").is_not_null()), "repeats the UPN of row {first}"
    )
    check.finish()

    leaving = (
        staged["leaving_date"]
        if "leaving_date" in staged.columns
        else pl.Series([None] * staged.height, dtype=pl.Date)
    )
    staged = staged.with_columns(year_group_reference(leaving, as_of))
    notes = table.notes()
    return Batch(
        kind="pupils",
        rows_read=table.rows_read,
        enrolments=staged,
        phase_hint=phase_of(staged["year_group"].unique().to_list()),
        notes=notes,
    )
