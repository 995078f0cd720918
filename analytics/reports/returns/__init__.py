"""Returns to the local authority (`rollcall export returns`, the Returns page): new pupils,
deletions from roll, continuous absence and part-time timetables, each a list with its deadline
(`analytics.domain.returns`).

Each list reads only what it needs: pupils, their spells on roll and the school days (new pupils
and deletions), the kept absence spells and the sessions of the few that could hold a long run
(continuous absence), the period's `C2` sessions (part-time), the contacts and details the
pupils and contacts files give, and the intervention log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from analytics.domain.returns import COLUMNS, ReturnKind, return_kind
from analytics.reports.returns.absence import continuous_absence_return, part_time_return
from analytics.reports.returns.roll import deletions_return, new_pupils_return
from analytics.store import Database


@dataclass(frozen=True)
class ReturnList:
    """One return for one period: what it is, and its rows (COLUMNS of its kind)."""

    kind: ReturnKind
    start: date
    end: date
    rows: pl.DataFrame


_BUILDERS = {
    "new-pupils": new_pupils_return,
    "deletions": deletions_return,
    "continuous-absence": continuous_absence_return,
    "part-time": part_time_return,
}


def return_list(
    db: Database, kind: str, start: date, end: date, urns: Sequence[int] | None = None
) -> ReturnList:
    """The return `kind` for the period `start` to `end` (inclusive) of these schools (all
    when None)."""
    found = return_kind(kind)
    if end < start:
        raise ValueError(f"the period cannot end ({end}) before it starts ({start})")
    rows = _BUILDERS[kind](db, start, end, urns)
    return ReturnList(found, start, end, rows.select(COLUMNS[kind]))


def with_due_status(rows: pl.DataFrame, today: date) -> pl.DataFrame:
    """A return's rows with `status`: when each return is due against `today` (`overdue by 3
    days`, `due today`, `due in 2 days`), for returns that have a due day per pupil."""
    if "return_due" not in rows.columns:
        return rows
    days = (pl.col("return_due") - pl.lit(today)).dt.total_days()
    plural = pl.when(days.abs() == 1).then(pl.lit("")).otherwise(pl.lit("s"))
    return rows.with_columns(
        pl.when(days < 0)
        .then(pl.format("overdue by {} day{}", -days, plural))
        .when(days == 0)
        .then(pl.lit("due today"))
        .otherwise(pl.format("due in {} day{}", days, plural))
        .alias("status")
    )
