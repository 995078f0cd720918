"""What the returns to the local authority read beyond the usual reads: the kept spells of
absence that could hold a continuous run of unauthorised absence (`reports.returns`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from analytics.store.database import Database


def spells_with_unauthorised(
    db: Database, school_urns: Sequence[int] | None, start: date, end: date, at_least: int
) -> pl.DataFrame:
    """The kept absence spells (`absence_spells`, over each enrolment's whole history) of these
    schools (all when None) that reach into `start`..`end` and hold at least `at_least`
    unauthorised sessions: `enrolment_id, first_date, last_date`."""
    where, params = "TRUE", []
    if school_urns is not None:
        where, params = "school_urn IN (SELECT unnest(?::INTEGER[]))", [list(school_urns)]
    with db.connect() as con:
        return con.execute(
            f"SELECT enrolment_id, first_date, last_date FROM absence_spells WHERE {where} "
            "AND last_date >= ? AND first_date <= ? AND unauthorised >= ? "
            "ORDER BY enrolment_id, first_date",
            [*params, start, end, at_least],
        ).pl()
