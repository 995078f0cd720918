"""Figures for a window from the store's weekly totals: the fast path pages take at trust and
local-authority size, giving the same figures as `Register` (which reads every raw mark)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from analytics.pipelines.cohorts import with_cohorts
from analytics.pipelines.measures import enrolment_measures, enrolments_on_roll
from analytics.pipelines.weekly import measures_by_week
from analytics.pipelines.windows import Window
from analytics.store import Database, aggregates, read


@dataclass(frozen=True)
class WindowTotals:
    """One window's enrolments (with spells on roll) and their session totals per week."""

    window: Window
    schools: pl.DataFrame
    enrolments: pl.DataFrame
    spells: pl.DataFrame
    weeks: pl.DataFrame  # enrolment_id, week_start, aggregates.WEEK_TOTALS (the window's days only)
    #: The year groups the enrolments were chosen by (all when empty).
    year_groups: tuple[str, ...] = ()

    def cohorts(self) -> pl.LazyFrame:
        """Enrolments on roll in the window, with their cohort columns for its academic year."""
        on_roll = enrolments_on_roll(self.enrolments.lazy(), self.window, self.spells.lazy())
        return with_cohorts(on_roll, self.window.academic_year_start)

    def enrolment_measures(self, window: Window | None = None) -> pl.LazyFrame:
        """One row per enrolment on roll in the window, with cohorts, totals, rates and flags
        (the same frame as `Register.enrolment_measures`, so either can feed a report). The
        totals were read for one window: `window`, when given, must be that one."""
        if window is not None and (window.start, window.end) != (
            self.window.start,
            self.window.end,
        ):
            raise ValueError(f"these totals are for {self.window}, not {window}")
        return enrolment_measures(self.cohorts(), self.weeks.lazy())

    def weekly(self, by: Sequence[str] = ()) -> pl.LazyFrame:
        """One row per group and week of the window with its measures (as `weekly_measures`)."""
        return measures_by_week(self.weeks.lazy(), self.cohorts(), by)

    def in_year_groups(self, year_groups: Sequence[str] | None) -> WindowTotals:
        """The totals of the enrolments in these year groups (in the window's academic year)."""
        if not year_groups:
            return self
        wanted = with_cohorts(self.enrolments.lazy(), self.window.academic_year_start).filter(
            pl.col("year_group").is_in(list(year_groups))
        )
        ids = wanted.select("enrolment_id").collect()["enrolment_id"]
        keep = pl.col("enrolment_id").is_in(ids)
        return WindowTotals(
            self.window,
            self.schools,
            self.enrolments.filter(keep),
            self.spells.filter(keep),
            self.weeks.filter(keep),
            tuple(year_groups),
        )


def load_totals(
    db: Database,
    school_urns: Sequence[int] | None,
    window: Window,
    year_groups: Sequence[str] = (),
    totals: Sequence[str] = aggregates.SESSION_TOTALS,
) -> WindowTotals:
    """Read the enrolments of these schools (all when None) and their weekly `totals` in the
    window; with `year_groups`, of the enrolments in them (in the window's academic year)."""
    schools = read.schools(db)
    if school_urns is not None:
        schools = schools.filter(pl.col("urn").is_in(list(school_urns)))
    whole = WindowTotals(
        window=window,
        schools=schools,
        enrolments=read.enrolments(db, school_urns),
        spells=read.spells(db, school_urns),
        weeks=aggregates.window_weeks(db, school_urns, window.start, window.end, totals),
    )
    return whole.in_year_groups(year_groups)
