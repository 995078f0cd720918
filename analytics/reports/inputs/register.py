"""The register as read for one set of schools: the frames every report starts from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from analytics.domain.yeargroups import year_group_rank
from analytics.pipelines.cohorts import with_cohorts
from analytics.pipelines.calendar import week_start
from analytics.pipelines.measures import enrolment_measures, enrolments_on_roll, session_totals
from analytics.pipelines.sessions import counted_sessions
from analytics.pipelines.windows import Window
from analytics.store import Database, read


@dataclass(frozen=True)
class Register:
    """Schools, enrolments with their spells on roll, marks and the code table, from the store."""

    schools: pl.DataFrame
    enrolments: pl.DataFrame
    spells: pl.DataFrame
    marks: pl.DataFrame
    codes: pl.DataFrame

    def sessions(self, window: Window) -> pl.LazyFrame:
        """Counted sessions in the window (one row per on-roll mark, classified)."""
        return counted_sessions(self.marks.lazy(), self.codes.lazy(), self.spells.lazy(), window)

    def cohorts(self, window: Window) -> pl.LazyFrame:
        """Enrolments on roll in the window, with their cohort columns for its academic year."""
        on_roll = enrolments_on_roll(self.enrolments.lazy(), window, self.spells.lazy())
        return with_cohorts(on_roll, window.academic_year_start)

    def in_year_groups(self, window: Window, year_groups: Sequence[str] | None) -> Register:
        """The register of the enrolments in these year groups (in the window's academic year)."""
        if not year_groups:
            return self
        wanted = with_cohorts(self.enrolments.lazy(), window.academic_year_start).filter(
            pl.col("year_group").is_in(list(year_groups))
        )
        ids = wanted.select("enrolment_id").collect()["enrolment_id"]
        return Register(
            self.schools,
            self.enrolments.filter(pl.col("enrolment_id").is_in(ids)),
            self.spells.filter(pl.col("enrolment_id").is_in(ids)),
            self.marks.filter(pl.col("enrolment_id").is_in(ids)),
            self.codes,
        )

    def weeks(self, window: Window) -> pl.LazyFrame:
        """Session totals per enrolment and week in the window (as `WindowTotals.weeks` holds them)."""
        sessions = self.sessions(window).with_columns(week_start().alias("week_start"))
        return session_totals(sessions, ("enrolment_id", "week_start"))

    def enrolment_measures(self, window: Window) -> pl.LazyFrame:
        """One row per enrolment on roll in the window, with cohorts, totals, rates and flags."""
        return enrolment_measures(self.cohorts(window), self.sessions(window))


def load_register(
    db: Database,
    school_urns: Sequence[int] | None = None,
    window: Window | None = None,
    enrolment_ids: Sequence[int] | None = None,
) -> Register:
    """Read what the reports for these schools (all when None), window (all dates when None) and
    enrolments (all when None) need: the schools, dates and enrolments are chosen in the store."""
    schools = read.schools(db)
    if school_urns is not None:
        schools = schools.filter(pl.col("urn").is_in(list(school_urns)))
    return Register(
        schools=schools,
        enrolments=read.enrolments(db, school_urns, enrolment_ids),
        spells=read.spells(db, school_urns, enrolment_ids),
        marks=read.marks(
            db,
            school_urns,
            window.start if window else None,
            window.end if window else None,
            enrolment_ids,
        ),
        codes=read.codes(db),
    )


def year_groups_on_roll(
    db: Database, school_urns: Sequence[int] | None, window: Window
) -> list[str]:
    """The year groups of the enrolments on roll in the window, in school order."""
    on_roll = enrolments_on_roll(
        read.enrolments(db, school_urns).lazy(), window, read.spells(db, school_urns).lazy()
    )
    cohorts = with_cohorts(on_roll, window.academic_year_start)
    found = (
        cohorts.select(pl.col("year_group").drop_nulls().unique()).collect()["year_group"].to_list()
    )
    return sorted(found, key=year_group_rank)
