"""What the analysis pages read from the store's session aggregates for a scope and window: counted
sessions by date, session and code, late sessions with their minutes, and spells of absence.

Each is read for the window with the schools, dates and year groups chosen in the store, and
gives exactly what the same figures from the window's raw marks give (tests/unit/test_aggregates.py
and tests/unit/test_analysis_reports.py check both ways).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from analytics.domain.yeargroups import n1_year
from analytics.pipelines.sessions import SESSION_MEASURES, classify_marks
from analytics.pipelines.windows import Window
from analytics.store import Database, aggregates, read


def cohorts_of(year_groups: Sequence[str], window: Window) -> list[int] | None:
    """The year-group cohorts (`n1_year`) of these year groups in the window's academic year, as
    the pages choose year groups; None (every cohort) when no year group is chosen."""
    if not year_groups:
        return None
    return [n1_year(year_group, window.academic_year_start) for year_group in year_groups]


def session_counts(
    db: Database, school_urns: Sequence[int] | None, window: Window, year_groups: Sequence[str] = ()
) -> pl.DataFrame:
    """One row per school, date, session and code in the window: `school_urn, date, session,
    code, marks` and each session measure (0/1 flags of `classify_marks`) multiplied by `marks`:
    so any sum of a measure over these rows is the sum over the counted sessions themselves."""
    counts = aggregates.window_session_counts(
        db, school_urns, window.start, window.end, cohorts_of(year_groups, window)
    )
    classified = classify_marks(counts.lazy(), read.codes(db).lazy())
    return classified.with_columns(
        (pl.col(m).cast(pl.Int64) * pl.col("marks")).alias(m) for m in SESSION_MEASURES
    ).collect()


def late_sessions(
    db: Database, school_urns: Sequence[int] | None, window: Window, year_groups: Sequence[str] = ()
) -> pl.DataFrame:
    """The counted sessions in the window coded late, with their minutes late."""
    return read.late_sessions(
        db, school_urns, window.start, window.end, cohorts_of(year_groups, window)
    )


def absence_spells(
    db: Database, school_urns: Sequence[int] | None, window: Window, year_groups: Sequence[str] = ()
) -> pl.DataFrame:
    """The spells of consecutive absence in the window (`pipelines.absence_spells`)."""
    return aggregates.window_spells(
        db, school_urns, window.start, window.end, cohorts_of(year_groups, window)
    )
