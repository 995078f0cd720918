"""Register marks: the marks CSV (one row per pupil and session), and the checks every source of
marks goes through (codes valid on their date, one code per session, no weekends or future)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl

from analytics.domain.codes import code_table
from analytics.ingest.batch import Batch
from analytics.ingest.errors import shown_value
from analytics.ingest.fields import Checker
from analytics.ingest.table import ROW, read_table

REQUIRED = ("upn", "date", "session", "code")
OPTIONAL = ("minutes_late",)
SESSIONS = {"am": "AM", "pm": "PM"}
MARK_COLUMNS = ("upn", "date", "session", "code", "minutes_late")
#: Optional column of a marks frame naming the field a mark came from (a grid's session column).
FIELD = "_field"
_SHOWN = 50


def _field_of(marks: pl.DataFrame, default: str) -> pl.Expr:
    return pl.col(FIELD) if FIELD in marks.columns else pl.lit(default)


def check_codes(check: Checker, marks: pl.DataFrame) -> None:
    """Every code must be a DfE code in force on its session's date."""
    rules = code_table().select("code", "valid_from", "valid_to")
    pairs = marks.select("date", "code").unique()
    verdict = (
        pairs.join(rules, on="code", how="left")
        .group_by("date", "code")
        .agg(
            pl.col("valid_from").is_not_null().any().alias("_known"),
            ((pl.col("date") >= pl.col("valid_from")) & (pl.col("date") <= pl.col("valid_to")))
            .fill_null(False)
            .any()
            .alias("_ok"),
            pl.col("valid_from").min().alias("_from"),
            pl.col("valid_to").max().alias("_to"),
        )
        .filter(~pl.col("_ok"))
    )
    if verdict.is_empty():
        return
    bad = (
        marks.select(ROW, "date", "code", _field_of(marks, "code").alias(FIELD))
        .join(verdict, on=["date", "code"])
        .sort(ROW)
    )
    check.total += max(bad.height - _SHOWN, 0)
    for row, day, code, field, known, _ok, first, last in bad.head(_SHOWN).iter_rows():
        if not known:
            check.add(row, field, f"{shown_value('code', code)} is not a DfE attendance code")
        else:
            span = f"from {first:%d %b %Y}" if first > day else f"until {last:%d %b %Y}"
            check.add(
                row, field, f"code '{code}' was not in use on {day:%d %b %Y} (it is valid {span})"
            )


def check_one_code_per_session(check: Checker, marks: pl.DataFrame) -> pl.DataFrame:
    """Drop exact repeats of a mark; refuse two different codes (or minutes late) for one session."""
    keys = ["upn", "date", "session"]
    # Marks in file order: a CTF pupil's marks share one row number, so rows alone cannot order them.
    repeated = marks.with_row_index("_seq").filter(pl.struct(keys).is_duplicated())
    if repeated.is_empty():
        return marks
    conflicting = repeated.filter(pl.struct("code", "minutes_late").n_unique().over(keys) > 1)
    if not conflicting.is_empty():
        first = (
            conflicting.sort("_seq")
            .group_by(keys)
            .agg(
                pl.col("_seq").first().alias("_first_seq"),
                pl.col(ROW).first().alias("_first_row"),
                pl.col("code").first().alias("_first_code"),
            )
        )
        later = (
            conflicting.with_columns(_field_of(marks, "code").alias(FIELD))
            .join(first, on=keys)
            .filter(pl.col("_seq") != pl.col("_first_seq"))
            .sort("_seq")
        )
        check.total += max(later.height - _SHOWN, 0)
        shown = later.select(ROW, FIELD, "_first_row", pl.col("code") == pl.col("_first_code"))
        for row, field, first_row, same_code in shown.head(_SHOWN).iter_rows():
            if same_code:
                what, field = "different minutes late", "minutes_late"
            else:
                what = "a different code"
            check.add(row, field, f"gives {what} for the same session as {check.unit} {first_row}")
    return marks.unique(subset=keys, keep="first", maintain_order=True)


def finish_marks(check: Checker, marks: pl.DataFrame, *, today: date) -> pl.DataFrame:
    """Checks shared by every source of marks; refuses the file or returns its distinct marks."""
    valid = marks.filter(pl.col("date").is_not_null() & pl.col("code").is_not_null())
    check_codes(check, valid)
    for label, wrong in (
        ("is a Saturday or Sunday, when there are no sessions", pl.col("date").dt.weekday() >= 6),
        ("is in the future", pl.col("date") > today),
    ):
        bad = (
            valid.filter(wrong).select(ROW, "date", _field_of(valid, "date").alias(FIELD)).sort(ROW)
        )
        check.total += max(bad.height - _SHOWN, 0)
        for row, day, field in bad.head(_SHOWN).iter_rows():
            check.add(row, field if field != "code" else "date", f"{day:%d %b %Y} {label}")
    deduplicated = check_one_code_per_session(check, valid)
    check.finish()
    return deduplicated


def parse_marks(
    file_name: str, data: bytes, *, today: date, rename: Callable[[str], str] | None = None
) -> Batch:
    """Read and check a marks CSV (`upn,date,session,code[,minutes_late]`); `rename` reads its
    headings (`synonyms.header_names`)."""
    table = read_table(file_name, data, required=REQUIRED, optional=OPTIONAL, rename=rename)
    check = Checker(file_name, table.frame)
    has_minutes = "minutes_late" in table.columns
    check.require("code")
    marks = pl.DataFrame(
        {
            ROW: table.frame[ROW],
            "upn": check.upn(),
            "date": check.date("date", required=True),
            "session": check.choice("session", SESSIONS, required=True, allowed="AM, PM"),
            "code": table.frame["code"].str.to_uppercase(),
            "minutes_late": check.integer("minutes_late", minimum=0, maximum=600).cast(pl.Int16),
        }
    )
    marks = finish_marks(check, marks, today=today)
    skipped = table.rows_read - marks.height
    notes = [f"{skipped} repeated {'row' if skipped == 1 else 'rows'} skipped"] if skipped else []
    notes += table.notes()
    return Batch(
        kind="marks",
        rows_read=table.rows_read,
        marks=marks.select(ROW, *MARK_COLUMNS),
        has_minutes_late=has_minutes,
        skipped=skipped,
        notes=notes,
    )
