"""The register as read for one set of schools: the frames every report starts from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from analytics.pipelines.cohorts import with_cohorts
from analytics.pipelines.measures import enrolment_measures, enrolments_on_roll
from analytics.pipelines.sessions import counted_sessions
from analytics.pipelines.windows import Window
from analytics.store import Database, read


@dataclass(frozen=True)
class Register:
    """Schools, enrolments, marks and the code table, collected from the store."""

    schools: pl.DataFrame
    enrolments: pl.DataFrame
    marks: pl.DataFrame
    codes: pl.DataFrame

    def sessions(self, window: Window) -> pl.LazyFrame:
        """Counted sessions in the window (one row per on-roll mark, classified)."""
        return counted_sessions(self.marks.lazy(), self.codes.lazy(), self.enrolments.lazy(), window)

    def cohorts(self, window: Window) -> pl.LazyFrame:
        """Enrolments on roll in the window, with their cohort columns for its academic year."""
        return with_cohorts(enrolments_on_roll(self.enrolments.lazy(), window), window.academic_year_start)

    def enrolment_measures(self, window: Window) -> pl.LazyFrame:
        """One row per enrolment on roll in the window, with cohorts, totals, rates and flags."""
        return enrolment_measures(self.cohorts(window), self.sessions(window))


def load_register(
    db: Database, school_urns: Sequence[int] | None = None, window: Window | None = None
) -> Register:
    """Read what the reports for these schools (all when None) and window (all dates when None) need."""
    return Register(
        schools=read.schools(db) if school_urns is None else read.schools(db).filter(pl.col("urn").is_in(list(school_urns))),
        enrolments=read.enrolments(db, school_urns),
        marks=read.marks(db, school_urns, window.start if window else None, window.end if window else None),
        codes=read.codes(db),
    )
