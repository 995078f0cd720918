"""Register marks: the marks CSV (one row per pupil and session), and the checks every source of
marks goes through (codes valid on their date, one code per session, no weekends or future)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl

from analytics.domain.codes import code_table
from analytics.ingest.batch import Batch
from analytics.ingest.errors import ImportRefused, Problem, shown_value
from analytics.ingest.fields import Checker
from analytics.ingest.source import Source
from analytics.ingest.table import ROW, read_table

REQUIRED = ("upn", "date", "session", "code")
OPTIONAL = ("minutes_late",)
SESSIONS = {"am": "AM", "pm": "PM"}
MARK_COLUMNS = ("upn", "date", "session", "code", "minutes_late")
#: Optional column of a marks frame naming the field a mark came from (a grid's session column).
FIELD = "_field"
_SHOWN = 50
#: A marks frame with no rows.
EMPTY = pl.DataFrame(
    schema={
        ROW: pl.Int64,
        "upn": pl.String,
        "date": pl.Date,
        "session": pl.String,
        "code": pl.String,
        "minutes_late": pl.Int16,
    }
)


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


_KEY = "_session"


def _session_key() -> pl.Expr:
    """One number per pupil, date and session of compact marks (`_session`): one number is
    sorted and hashed in a fraction of the memory of the three columns."""
    pupil = pl.col("upn").to_physical().cast(pl.UInt64)
    day = (pl.col("date").cast(pl.Int32) + (1 << 30)).cast(pl.UInt64)
    return ((pupil * (1 << 32)) + day * 2 + pl.col("session").to_physical()).alias(_KEY)


def check_one_code_per_session(check: Checker, marks: pl.DataFrame) -> pl.DataFrame:
    """Drop exact repeats of a mark; refuse two different codes (or minutes late) for one
    session. `marks` are compact, with their `_session` key (which is dropped)."""
    keys = marks[_KEY].sort()
    # Most files repeat no session, which the sorted keys tell without a hash table.
    if not (keys.slice(1) == keys.slice(0, max(keys.len() - 1, 0))).any():
        return marks.drop(_KEY)
    del keys
    # Marks in file order: a CTF pupil's marks share one row number, so rows alone cannot order them.
    repeated = marks.with_row_index("_seq").filter(pl.col(_KEY).is_duplicated())
    conflicting = repeated.filter(pl.struct("code", "minutes_late").n_unique().over(_KEY) > 1)
    if not conflicting.is_empty():
        first = (
            conflicting.sort("_seq")
            .group_by(_KEY)
            .agg(
                pl.col("_seq").first().alias("_first_seq"),
                pl.col(ROW).first().alias("_first_row"),
                pl.col("code").first().alias("_first_code"),
            )
        )
        later = (
            conflicting.with_columns(_field_of(marks, "code").alias(FIELD))
            .join(first, on=_KEY)
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
    return marks.filter(pl.col(_KEY).is_first_distinct()).drop(_KEY)


#: As many marks as a 200 MB marks file holds (3,000 pupils for six years): a file of more (a
#: register grid of a million columns, a CTF of nothing but marks) is refused as soon as it
#: reaches this many, before it takes more memory than an import may (1 GB).
MAX_MARKS = 7_000_000
SESSION = pl.Enum(["AM", "PM"])


def compact(marks: pl.DataFrame) -> pl.DataFrame:
    """Marks held in little memory: UPNs, codes and source columns as categories, the session
    as AM/PM (about 30 bytes a mark, a tenth of them as text), with their `_session` key."""
    categories = [c for c in ("upn", "code", FIELD) if c in marks.columns]
    compacted = marks.with_columns(
        pl.col(categories).cast(pl.Categorical), pl.col("session").cast(SESSION)
    )
    return compacted.with_columns(_session_key())


class MarkChunks:
    """A file's marks, gathered a chunk at a time: each chunk is checked (codes in force on
    their date, no weekends, none in the future) and kept compact; `finish` checks the whole
    file's marks against each other (one code per session) and refuses the file if any check
    failed anywhere."""

    def __init__(self, check: Checker, *, today: date) -> None:
        self.check = check
        self.today = today
        self.parts: list[pl.DataFrame] = []
        self.count = 0

    def add(self, check: Checker, marks: pl.DataFrame) -> None:
        """Check one chunk's marks (`check` is the chunk's checker) and keep the valid ones."""
        valid = marks.filter(pl.col("date").is_not_null() & pl.col("code").is_not_null())
        self.count += valid.height
        if self.count > MAX_MARKS:
            message = (
                f"holds more than {MAX_MARKS:,} marks, more than any one school's export: split "
                "it, by term or by year, and import the parts in order"
            )
            raise ImportRefused(self.check.file_name, [Problem(None, None, message)])
        check_codes(check, valid)
        for label, wrong in (
            (
                "is a Saturday or Sunday, when there are no sessions",
                pl.col("date").dt.weekday() >= 6,
            ),
            ("is in the future", pl.col("date") > self.today),
        ):
            bad = (
                valid.filter(wrong)
                .select(ROW, "date", _field_of(valid, "date").alias(FIELD))
                .sort(ROW)
            )
            check.total += max(bad.height - _SHOWN, 0)
            for row, day, field in bad.head(_SHOWN).iter_rows():
                check.add(row, field if field != "code" else "date", f"{day:%d %b %Y} {label}")
        self.parts.append(compact(valid))

    def finish(self, empty: pl.DataFrame) -> pl.DataFrame:
        """The file's distinct marks in date order, once every chunk is in (`empty` gives their
        columns when there were none); refuses the file when any check failed."""
        marks = pl.concat(self.parts) if self.parts else compact(empty)
        deduplicated = check_one_code_per_session(self.check, marks)
        self.check.finish()
        # In date order, as the store takes them in (a CTF or a grid gives them pupil by pupil).
        if not deduplicated["date"].is_sorted():
            deduplicated = deduplicated.sort("date", maintain_order=True)
        return deduplicated


def parse_marks(
    file_name: str,
    data: bytes | Source,
    *,
    today: date,
    rename: Callable[[str], str] | None = None,
) -> Batch:
    """Read and check a marks CSV (`upn,date,session,code[,minutes_late]`); `rename` reads its
    headings (`synonyms.header_names`)."""
    table = read_table(file_name, data, required=REQUIRED, optional=OPTIONAL, rename=rename)
    check = Checker(file_name)
    has_minutes = "minutes_late" in table.columns
    marks = MarkChunks(check, today=today)
    for frame in table.chunks():
        rows = check.over(frame)
        rows.require("code")
        marks.add(
            rows,
            pl.DataFrame(
                {
                    ROW: frame[ROW],
                    "upn": rows.upn(),
                    "date": rows.date("date", required=True),
                    "session": rows.choice("session", SESSIONS, required=True, allowed="AM, PM"),
                    "code": frame["code"].str.to_uppercase(),
                    "minutes_late": rows.integer("minutes_late", minimum=0, maximum=600).cast(
                        pl.Int16
                    ),
                }
            ),
        )
    distinct = marks.finish(EMPTY)
    skipped = table.rows_read - distinct.height
    notes = [f"{skipped} repeated {'row' if skipped == 1 else 'rows'} skipped"] if skipped else []
    notes += table.notes()
    return Batch(
        kind="marks",
        rows_read=table.rows_read,
        marks=distinct.select(ROW, *MARK_COLUMNS),
        has_minutes_late=has_minutes,
        skipped=skipped,
        notes=notes,
    )
