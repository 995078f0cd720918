"""Turning text columns into typed ones, collecting a problem for every bad value.

A `Checker` works column by column over the whole file (vectorised), so a 100,000-row file is
checked in one pass and every bad row is reported, not just the first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import polars as pl

from analytics.domain.upn import upn_problem
from analytics.ingest.errors import ImportRefused, Problem, shown_value
from analytics.ingest.table import ROW

_TIME_SUFFIX = r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$"
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
_TRUE = {"y", "yes", "true", "1", "t"}
_FALSE = {"n", "no", "false", "0", "f"}
_FIRST_YEAR, _LAST_YEAR = 1950, 2100
_PROBLEMS_PER_FIELD = 50


class Checker:
    """Parses the columns of one file and gathers its problems; `finish` refuses the file if any."""

    def __init__(self, file_name: str, frame: pl.DataFrame, unit: str = "row") -> None:
        self.file_name = file_name
        self.frame = frame
        self.unit = unit
        self.problems: list[Problem] = []
        self.total = 0

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
        for row, raw in bad.select(ROW, field).head(_PROBLEMS_PER_FIELD).iter_rows():
            shown = shown_value(field, raw) if raw is not None else ""
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
        missing = self.frame.filter(pl.col(field).is_null()) if field in self.frame.columns else self.frame
        self._report(missing.with_columns(pl.lit(None, pl.String).alias(field)), field, "is empty")

    def text(self, field: str, *, required: bool = False, max_length: int = 200) -> pl.Series:
        """A text column, checked for presence and length."""
        if required:
            self.require(field)
        values = self._column(field)
        too_long = self.frame.filter(values.str.len_chars() > max_length) if field in self.frame.columns else None
        if too_long is not None and not too_long.is_empty():
            self.total += too_long.height
            for row in too_long[ROW].head(_PROBLEMS_PER_FIELD):
                self._append(row, field, f"is longer than {max_length} characters")
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
        trimmed = raw.str.replace(_TIME_SUFFIX, "")
        parsed = pl.select(
            pl.coalesce([trimmed.str.to_date(fmt, strict=False) for fmt in _DATE_FORMATS])
        ).to_series()
        parsed = parsed.alias(field)
        in_range = parsed.dt.year().is_between(_FIRST_YEAR, _LAST_YEAR)
        frame = self.frame.with_columns(raw.alias(field), parsed.alias("_parsed"))
        serial = frame.filter(pl.col(field).str.contains(r"^\d{5}(\.\d+)?$"))
        self._report(
            serial,
            field,
            "{value} looks like an Excel serial number, not a date: format the column as a date",
        )
        bad = frame.filter(
            pl.col(field).is_not_null()
            & ~pl.col(field).str.contains(r"^\d{5}(\.\d+)?$")
            & (pl.col("_parsed").is_null() | ~in_range)
        )
        self._report(bad, field, "{value} is not a date (write YYYY-MM-DD or DD/MM/YYYY)")
        parsed = pl.select(pl.when(in_range).then(parsed)).to_series().alias(field)
        if not_after is not None:
            future = frame.filter(pl.col("_parsed") > not_after)
            self._report(future, field, f"{{value}} is after {not_after.isoformat()}")
        if weekdays_only:
            weekend = frame.filter(pl.col("_parsed").dt.weekday() >= 6)
            self._report(weekend, field, "{value} is a Saturday or Sunday, when there are no sessions")
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
        self, field: str, *, required: bool = False, minimum: int | None = None, maximum: int | None = None
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
            self._report(frame.filter(pl.col("_parsed") < minimum), field, f"{{value}} is below {minimum}")
        if maximum is not None:
            self._report(frame.filter(pl.col("_parsed") > maximum), field, f"{{value}} is above {maximum}")
        return parsed

    def choice(
        self, field: str, mapping: Mapping[str, str], *, required: bool = False, allowed: str = ""
    ) -> pl.Series:
        """A value from a fixed list; `mapping` takes lower-cased spellings to the stored value."""
        if required:
            self.require(field)
        raw = self._column(field)
        parsed = raw.str.to_lowercase().replace_strict(dict(mapping), default=None, return_dtype=pl.String)
        frame = self.frame.with_columns(raw.alias(field))
        bad = frame.filter(raw.is_not_null() & parsed.is_null())
        self._report(bad, field, "{value} is not one of " + (allowed or ", ".join(sorted(set(mapping.values())))))
        return parsed.alias(field)

    def upn(self, field: str = "upn") -> pl.Series:
        """A UPN: upper-cased, 13 characters, with the right check letter."""
        self.require(field)
        values = self._column(field).str.to_uppercase().str.replace_all(r"\s", "")
        reasons = {v: upn_problem(v) for v in values.drop_nulls().unique()}
        bad = {v: reason for v, reason in reasons.items() if reason}
        if bad:
            rows = self.frame.with_columns(values.alias("_upn")).filter(pl.col("_upn").is_in(list(bad)))
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
        later = repeated.join(first_row, on=keys, nulls_equal=True).filter(pl.col(ROW) != pl.col("_first"))
        self.total += later.height
        for row, first in later.select(ROW, "_first").head(_PROBLEMS_PER_FIELD).iter_rows():
            self._append(row, keys[-1], message.format(first=first))

