"""Keeping a large store fast and sound: check the weekly totals against the raw marks, and
rewrite the big tables in school and date order after many small imports."""

from __future__ import annotations

from analytics.store import aggregates
from analytics.store.database import Database

#: The tables kept in order, and their order: DuckDB skips whole row groups whose school or
#: date range a query cannot need, which only works while rows sit in this order.
ORDERED = {
    "marks": "school_urn, date, enrolment_id, session",
    "enrolment_weeks": "school_urn, week_start, enrolment_id",
    "school_day_codes": "school_urn, date, code",
    "session_counts": "school_urn, date, session, n1_year, code",
    "absence_spells": "school_urn, enrolment_id, first_date",
}


def check(db: Database) -> dict[str, int]:
    """Rows where the weekly totals and day codes disagree with a recount from the raw marks."""
    with db.connect() as con:
        return aggregates.differences(con)


def optimise(db: Database) -> None:
    """Rewrite the ordered tables in their order (daily imports of many schools interleave them)
    and checkpoint the file. Figures do not change."""
    with db.transaction() as con:
        for table, order in ORDERED.items():
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE ordered_rows AS SELECT * FROM {table} ORDER BY {order}"
            )
            con.execute(f"DELETE FROM {table}")
            con.execute(f"INSERT INTO {table} SELECT * FROM ordered_rows")
            con.execute("DROP TABLE ordered_rows")
    with db.connect() as con:
        con.execute("CHECKPOINT")
