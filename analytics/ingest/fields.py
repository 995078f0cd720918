"""Turning text columns into typed ones, collecting a problem for every bad value.

A `Checker` works column by column over the whole file (vectorised), so a 100,000-row file is
checked in one pass and every bad row is reported, not just the first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from analytics.domain.upn import upn_problem
from analytics.ingest.errors import (
    PRIVATE_FIELDS,
    ImportRefused,
    Problem,
    control_characters,
    control_name,
    shown_value,
)
from analytics.ingest.table import ROW

_TIME_SUFFIX = r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$"
#: Spreadsheets add midnight to a date formatted as date and time; any other time is not a date.
_MIDNIGHT_SUFFIX = r"[ T]0?0:00(:00(\.0+)?)?$"
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
_TRUE = {"y", "yes", "true", "1", "t"}
_FALSE = {"n", "no", "false", "0", "f"}
_FIRST_YEAR, _LAST_YEAR = 1950, 2100
_PROBLEMS_PER_FIELD = 50


def _parse_dates(raw: pl.Series) -> pl.Series:
    """Text as dates in any accepted format; null where none fits."""
    return pl.select(
        pl.coalesce([raw.str.to_date(fmt, strict=False) for fmt in _DATE_FORMATS])
    ).to_series()


@dataclass
class _Findings:
    """The problems found in one file, however many chunks it is read in."""

    problems: list[Problem] = field(default_factory=list)
    total: int = 0


class Checker:
    """Parses the columns of one file and gathers its problems; `finish` refuses the file if any.

    A file read in chunks has one Checker, and one more `over` each chunk: they share the file's
    problems, so `finish` refuses it for a problem in any chunk."""

    def __init__(
        self,
        file_name: str,
        frame: pl.DataFrame | None = None,
        unit: str = "row",
        findings: _Findings | None = None,
    ) -> None:
        self.file_name = file_name
        self.frame = frame if frame is not None else pl.DataFrame(schema={ROW: pl.Int64})
        self.unit = unit
        self._findings = findings if findings is not None else _Findings()

    def over(self, frame: pl.DataFrame) -> Checker:
        """A checker of one chunk of the file, adding to this one's problems."""
        return Checker(self.file_name, frame, self.unit, self._findings)

    @property
    def problems(self) -> list[Problem]:
        """The problems found so far (at most 50 of a kind in a chunk; `total` counts them all)."""
        return self._findings.problems

    @property
    def total(self) -> int:
        """How many problems were found."""
        return self._findings.total

    @total.setter
    def total(self, value: int) -> None:
        self._findings.total = value

    def add(self, row: int | None, field: str | None, message: str) -> None:
        """Record one problem."""
        self.total += 1
        self._append(row, field, message)

    def _append(self, row: int | None, field: str | None, message: str) -> None:
        """Keep a problem's text without counting it (the caller counted the batch)."""
        self.problems.append(Problem(row, field, message, self.unit))

    def _report(self, bad: pl.DataFrame, field: str, message: str) -> None:
        """Record a problem for each row of `bad` (which has ROW and the raw `field`)."""
        if bad.is_empty():
            return
        self.total += bad.height
        private = [c for c in self.frame.columns if c in PRIVATE_FIELDS and c != field]
        shown_rows = bad.select(ROW, field).head(_PROBLEMS_PER_FIELD)
        if private:
            shown_rows = shown_rows.join(
                self.frame.select(ROW, *private), on=ROW, how="left", maintain_order="left"
            )
        for row, raw, *others in shown_rows.iter_rows():
            shown = shown_value(field, raw, private=tuple(others)) if raw is not None else ""
            self._append(row, field, message.format(value=shown))

    def finish(self) -> None:
        """Refuse the file when any problem was found."""
        if self.problems:
            self.problems.sort(key=lambda p: (p.row or 0, p.field or ""))
            raise ImportRefused(self.file_name, self.problems, self.total)

    def _column(self, field: str) -> pl.Series:
        if field in self.frame.columns:
            return self.frame[field]
        return pl.Series(field, [None] * self.frame.height, dtype=pl.String)

    def require(self, field: str) -> None:
        """Every row must give `field`."""
        missing = (
            self.frame.filter(pl.col(field).is_null())
            if field in self.frame.columns
            else self.frame
        )
        self._report(missing.with_columns(pl.lit(None, pl.String).alias(field)), field, "is empty")

    def text(
        self, field: str, *, required: bool = False, max_length: int = 200, lines: bool = False
    ) -> pl.Series:
        """A text column, checked for presence, length and control characters (NUL, form feed,
        escape, ...: never in a name, and never raw in a census return or an export). Text of
        several `lines` (a note) may hold tabs and new lines."""
        if required:
            self.require(field)
        values = self._column(field)
        if field not in self.frame.columns:
            return values
        too_long = self.frame.filter(values.str.len_chars() > max_length)
        if not too_long.is_empty():
            self.total += too_long.height
            for row in too_long[ROW].head(_PROBLEMS_PER_FIELD):
                self._append(row, field, f"is longer than {max_length} characters")
        allowed = "\t\r\n" if lines else ""
        controlled = self.frame.filter(values.str.contains(control_characters(allowed)))
        if not controlled.is_empty():
            self.total += controlled.height
            for row, value in controlled.select(ROW, field).head(_PROBLEMS_PER_FIELD).iter_rows():
                self._append(
                    row, field, f"holds a control character ({control_name(value, allowed)})"
                )
        return values

    def date(
        self,
        field: str,
        *,
        required: bool = False,
        not_after: date | None = None,
        weekdays_only: bool = False,
    ) -> pl.Series:
        """A date written `YYYY-MM-DD` or `DD/MM/YYYY` (a midnight time after it is allowed)."""
        if required:
            self.require(field)
        raw = self._column(field)
        parsed = _parse_dates(raw)
        if (parsed.is_null() & raw.is_not_null()).any():
            trimmed = _parse_dates(raw.str.replace(_MIDNIGHT_SUFFIX, ""))
            parsed = pl.select(pl.coalesce(parsed, trimmed)).to_series()
        in_range = parsed.dt.year().is_between(_FIRST_YEAR, _LAST_YEAR)
        frame = self.frame.with_columns(raw.alias(field), parsed.alias("_parsed"))
        # Only the few rows that are not dates are looked at closely, to say why.
        bad = frame.filter(pl.col(field).is_not_null() & (pl.col("_parsed").is_null() | ~in_range))
        serial = pl.col(field).str.contains(r"^\d{5}(\.\d+)?$")
        short_year = pl.col("_parsed").dt.year() < 1000
        timed = pl.col(field).str.contains(_TIME_SUFFIX)
        unread = ~serial & pl.col("_parsed").is_null()
        for rows, message in (
            (
                serial,
                "{value} looks like an Excel serial number, not a date: format the column as a date",
            ),
            (~serial & short_year, "{value} has a short year: write the year in full"),
            (
                pl.col("_parsed").is_not_null() & ~short_year,
                f"{{value}} is not between {_FIRST_YEAR} and {_LAST_YEAR}",
            ),
            (unread & timed, "{value} has a time of day: give the date alone"),
            (unread & ~timed, "{value} is not a date (write YYYY-MM-DD or DD/MM/YYYY)"),
        ):
            self._report(bad.filter(rows), field, message)
        parsed = pl.select(pl.when(in_range).then(parsed)).to_series().alias(field)
        if not_after is not None:
            future = frame.filter(in_range & (pl.col("_parsed") > not_after))
            self._report(future, field, f"{{value}} is after {not_after.isoformat()}")
        if weekdays_only:
            weekend = frame.filter(in_range & (pl.col("_parsed").dt.weekday() >= 6))
            self._report(
                weekend, field, "{value} is a Saturday or Sunday, when there are no sessions"
            )
        return parsed

    def boolean(self, field: str) -> pl.Series:
        """A yes/no column: Y/N, yes/no, true/false, 1/0 (any case); blank is unknown."""
        raw = self._column(field)
        lowered = raw.str.to_lowercase()
        parsed = (
            pl.select(
                pl.when(lowered.is_in(list(_TRUE)))
                .then(True)
                .when(lowered.is_in(list(_FALSE)))
                .then(False)
            )
            .to_series()
            .alias(field)
        )
        bad = self.frame.with_columns(raw.alias(field)).filter(raw.is_not_null() & parsed.is_null())
        self._report(bad, field, "{value} is not yes or no (use Y/N, yes/no, true/false or 1/0)")
        return parsed

    def integer(
        self,
        field: str,
        *,
        required: bool = False,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> pl.Series:
        """A whole number within the given bounds."""
        if required:
            self.require(field)
        raw = self._column(field)
        parsed = raw.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False).alias(field)
        frame = self.frame.with_columns(raw.alias(field), parsed.alias("_parsed"))
        self._report(
            frame.filter(pl.col(field).is_not_null() & pl.col("_parsed").is_null()),
            field,
            "{value} is not a whole number",
        )
        if minimum is not None:
            self._report(
                frame.filter(pl.col("_parsed") < minimum), field, f"{{value}} is below {minimum}"
            )
        if maximum is not None:
            self._report(
                frame.filter(pl.col("_parsed") > maximum), field, f"{{value}} is above {maximum}"
            )
        return parsed

    def choice(
        self, field: str, mapping: Mapping[str, str], *, required: bool = False, allowed: str = ""
    ) -> pl.Series:
        """A value from a fixed list; `mapping` takes lower-cased spellings to the stored value."""
        if required:
            self.require(field)
        raw = self._column(field)
        distinct = raw.drop_nulls().unique()
        chosen = distinct.str.to_lowercase().replace_strict(
            dict(mapping), default=None, return_dtype=pl.String
        )
        parsed = raw.replace_strict(distinct, chosen, default=None, return_dtype=pl.String)
        frame = self.frame.with_columns(raw.alias(field))
        bad = frame.filter(raw.is_not_null() & parsed.is_null())
        self._report(
            bad,
            field,
            "{value} is not one of " + (allowed or ", ".join(sorted(set(mapping.values())))),
        )
        return parsed.alias(field)

    def upn(self, field: str = "upn") -> pl.Series:
        """A UPN: upper-cased, 13 characters, with the right check letter."""
        self.require(field)
        raw = self._column(field)
        # A file repeats each pupil's UPN on many rows: tidy and check each distinct one once.
        distinct = raw.drop_nulls().unique()
        tidied = distinct.str.to_uppercase().str.replace_all(r"\s", "")
        values = raw.replace_strict(distinct, tidied, default=None, return_dtype=pl.String)
        reasons = {v: upn_problem(v) for v in tidied.unique()}
        bad = {v: reason for v, reason in reasons.items() if reason}
        if bad:
            rows = self.frame.with_columns(values.alias("_upn")).filter(
                pl.col("_upn").is_in(list(bad))
            )
            self.total += rows.height
            for row, value in rows.select(ROW, "_upn").head(_PROBLEMS_PER_FIELD).iter_rows():
                self._append(row, field, f"is not a valid UPN: {bad[value]}")
        return values.alias(field)

    def duplicates(self, keys: list[str], frame: pl.DataFrame, message: str) -> None:
        """Report rows that repeat an earlier row's `keys`."""
        repeated = frame.filter(pl.struct(keys).is_duplicated()).sort(ROW)
        if repeated.is_empty():
            return
        first_row = repeated.group_by(keys).agg(pl.col(ROW).min().alias("_first"))
        later = (
            repeated.join(first_row, on=keys, nulls_equal=True)
            .filter(pl.col(ROW) != pl.col("_first"))
            .sort(ROW)
        )
        self.total += later.height
        for row, first in later.select(ROW, "_first").head(_PROBLEMS_PER_FIELD).iter_rows():
            self._append(row, keys[-1], message.format(first=first))
