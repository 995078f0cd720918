"""Behaviour incidents and exclusions from MIS exports."""

from __future__ import annotations

import hashlib
from datetime import date

import polars as pl

from analytics.domain.exclusions import CATEGORIES, REASONS, SESSIONS_PER_DAY, SUSPENSION
from analytics.ingest.batch import Batch
from analytics.ingest.fields import Checker
from analytics.ingest.source import Source
from analytics.ingest.table import ROW, read_table

BEHAVIOUR_REQUIRED = ("upn", "date", "type", "category")
BEHAVIOUR_OPTIONAL = (
    "time",
    "points",
    "severity",
    "location",
    "subject",
    "staff",
    "action",
    "notes",
)
TYPE_SPELLINGS = {
    "positive": "positive",
    "+": "positive",
    "pos": "positive",
    "negative": "negative",
    "-": "negative",
    "neg": "negative",
}

_TIME = r"^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"

#: Larger than any school's behaviour or exclusions export (a large secondary's year of
#: incidents, notes and all, is a few megabytes). Their text is held whole until the import is
#: committed, so these files are held lower than the upload limit: within it, an import of one
#: stays under 1 GB of memory.
MAX_MEGABYTES = 50
_TOO_LARGE = "more than any school's behaviour or exclusions export"

EXCLUSION_REQUIRED = ("upn", "start_date", "category", "sessions")
EXCLUSION_OPTIONAL = ("end_date", "reason_1", "reason_2", "reason_3")


def _incident_keys(frame: pl.DataFrame, school_urn: int) -> pl.Series:
    """A stable key per incident: its pupil, date, time, type and category, and which repeat of
    those it is in the file, so re-exported incidents match and edited notes update in place."""
    identity = ["upn", "date", "time", "type", "category"]
    occurrence = frame.select(pl.int_range(pl.len()).over(identity).alias("n"))["n"]
    keys = []
    for values, n in zip(frame.select(identity).iter_rows(), occurrence, strict=True):
        text = "|".join(str(v) for v in (school_urn, *values, n))
        keys.append(hashlib.sha1(text.encode("utf-8")).hexdigest())
    return pl.Series("incident_key", keys, dtype=pl.String)


def _incident_rows(check: Checker, frame: pl.DataFrame, today: date) -> pl.DataFrame:
    """One chunk of a behaviour file, typed and checked row by row."""
    time = check.text("time", max_length=8)
    bad_time = frame.filter(time.is_not_null() & ~time.str.contains(_TIME))
    for row in bad_time[ROW]:
        check.add(row, "time", "is not a time of day (write HH:MM)")
    return pl.DataFrame(
        {
            ROW: frame[ROW],
            "upn": check.upn(),
            "date": check.date("date", required=True, not_after=today),
            # `9:05` and `09:05:00` are one time, so incident keys match across exports.
            "time": time.str.replace(r"^(\d):", "0$1:").str.slice(0, 5),
            "type": check.choice(
                "type", TYPE_SPELLINGS, required=True, allowed="positive, negative"
            ),
            "category": check.text("category", required=True, max_length=100),
            "points": check.integer("points", minimum=-1000, maximum=1000).cast(pl.Int32),
            "severity": check.integer("severity", minimum=-10, maximum=10).cast(pl.Int32),
            **{
                c: check.text(c, max_length=200) for c in ("location", "subject", "staff", "action")
            },
            "notes": check.text("notes", max_length=2000, lines=True),
        }
    )


def parse_behaviour(file_name: str, data: bytes | Source, *, school_urn: int, today: date) -> Batch:
    """Read and check a behaviour CSV (`upn,date,type,category` and optional details)."""
    source = Source.of(file_name, data)
    source.refuse_if_larger_than(MAX_MEGABYTES, _TOO_LARGE)
    table = read_table(file_name, source, required=BEHAVIOUR_REQUIRED, optional=BEHAVIOUR_OPTIONAL)
    check = Checker(file_name)
    staged = pl.concat(
        [_incident_rows(check.over(frame), frame, today) for frame in table.chunks()]
    )
    check.finish()
    staged = staged.with_columns(_incident_keys(staged, school_urn))  # in file order
    notes = table.notes()
    return Batch(kind="behaviour", rows_read=table.rows_read, behaviour=staged, notes=notes)


def _check_dates_and_sessions(check: Checker, staged: pl.DataFrame) -> None:
    """A suspension starts on a school day, and an exclusion's sessions fit the school days
    (weekdays) from its start to its end date inclusive, at two a day."""
    weekend = staged.filter(
        (pl.col("category") == SUSPENSION) & (pl.col("start_date").dt.weekday() >= 6)
    )
    for row, start in weekend.select(ROW, "start_date").iter_rows():
        check.add(
            row,
            "start_date",
            f"{start:%d %b %Y} is a Saturday or Sunday: a suspension starts on a school day",
        )
    days = pl.business_day_count(pl.col("start_date"), pl.col("end_date").dt.offset_by("1d"))
    too_many = staged.with_columns(days.alias("_days")).filter(
        (pl.col("end_date") >= pl.col("start_date"))
        & (pl.col("sessions") > SESSIONS_PER_DAY * pl.col("_days"))
    )
    for row, sessions, start, end, count in too_many.select(
        ROW, "sessions", "start_date", "end_date", "_days"
    ).iter_rows():
        noun = "school day" if count == 1 else "school days"
        check.add(
            row,
            "sessions",
            f"{sessions} sessions do not fit {start:%d %b %Y} to {end:%d %b %Y} "
            f"({count} {noun}, {SESSIONS_PER_DAY * count} sessions)",
        )


def _exclusion_rows(check: Checker, frame: pl.DataFrame, today: date) -> pl.DataFrame:
    """One chunk of an exclusions file, typed and checked row by row."""
    reason_spellings = {code.lower(): code for code in REASONS}
    staged = pl.DataFrame(
        {
            ROW: frame[ROW],
            "upn": check.upn(),
            "start_date": check.date("start_date", required=True, not_after=today),
            "end_date": check.date("end_date"),
            "category": check.choice(
                "category",
                CATEGORIES,
                required=True,
                allowed="suspension, permanent (a fixed-period exclusion is a suspension)",
            ),
            "sessions": check.integer("sessions", required=True, minimum=0, maximum=999).cast(
                pl.Int32
            ),
            **{
                f"reason_{n}": check.choice(
                    f"reason_{n}",
                    reason_spellings,
                    allowed="the census reason codes (such as DB or VA)",
                )
                for n in (1, 2, 3)
            },
        }
    )
    for row in staged.filter(pl.col("end_date") < pl.col("start_date"))[ROW]:
        check.add(row, "end_date", "is before the start date")
    _check_dates_and_sessions(check, staged)
    return staged


def parse_exclusions(file_name: str, data: bytes | Source, *, today: date) -> Batch:
    """Read and check an exclusions CSV (`upn,start_date,category,sessions` and reasons)."""
    source = Source.of(file_name, data)
    source.refuse_if_larger_than(MAX_MEGABYTES, _TOO_LARGE)
    table = read_table(file_name, source, required=EXCLUSION_REQUIRED, optional=EXCLUSION_OPTIONAL)
    check = Checker(file_name)
    staged = pl.concat(
        [_exclusion_rows(check.over(frame), frame, today) for frame in table.chunks()]
    )
    check.duplicates(
        ["upn", "start_date", "category"],
        staged.filter(pl.col("upn").is_not_null() & pl.col("start_date").is_not_null()),
        "repeats the pupil, start date and category of row {first}",
    )
    check.finish()
    notes = table.notes()
    return Batch(kind="exclusions", rows_read=table.rows_read, exclusions=staged, notes=notes)
