"""Behaviour incidents and exclusions as read for one set of schools, beside the register."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from analytics.pipelines.windows import Window
from analytics.store import Database, read


@dataclass(frozen=True)
class BehaviourRecords:
    """Every behaviour incident and exclusion of these schools, from the store."""

    incidents: pl.DataFrame
    exclusions: pl.DataFrame

    def for_enrolments(self, enrolment_ids: pl.Series) -> BehaviourRecords:
        """The records of these enrolments only."""
        return BehaviourRecords(
            self.incidents.filter(pl.col("enrolment_id").is_in(enrolment_ids)),
            self.exclusions.filter(pl.col("enrolment_id").is_in(enrolment_ids)),
        )


def load_behaviour(
    db: Database,
    school_urns: Sequence[int] | None = None,
    window: Window | None = None,
    enrolment_ids: Sequence[int] | None = None,
) -> BehaviourRecords:
    """Read the incidents dated in the window and the exclusions starting in it (all dates when
    None) of these schools and enrolments (all when None)."""
    start, end = (window.start, window.end) if window else (None, None)
    return BehaviourRecords(
        read.behaviour_incidents(db, school_urns, start, end, enrolment_ids),
        read.exclusions(db, school_urns, start, end, enrolment_ids),
    )
