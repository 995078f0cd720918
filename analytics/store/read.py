"""Reading the store into Polars frames: every query the pipelines and pages need.

Each function opens the database, runs one parameterised query and returns a collected frame;
pipelines make them lazy. Filters that cut the rows read (schools, dates) are pushed into SQL.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from analytics.pipelines.sessions import SESSION_MEASURES
from analytics.store.aggregates import N1_YEAR
from analytics.store.database import Database, one_row

ENROLMENT_COLUMNS = (
    "enrolment_id, school_urn, upn, forename, surname, date_of_birth, sex, year_group, "
    "year_group_academic_year, form, admission_date, leaving_date, fsm, fsm6, looked_after, sen, "
    "eal, ethnicity, disadvantaged"
)


def _school_filter(column: str, school_urns: Sequence[int] | None) -> tuple[str, list]:
    if school_urns is None:
        return "TRUE", []
    return f"{column} IN (SELECT unnest(?::INTEGER[]))", [list(school_urns)]


def _scope(
    school_column: str,
    school_urns: Sequence[int] | None,
    enrolment_column: str,
    enrolment_ids: Sequence[int] | None,
) -> tuple[str, list]:
    """A WHERE clause (and its parameters) keeping these schools and these enrolments (all of
    either when None)."""
    where, params = _school_filter(school_column, school_urns)
    if enrolment_ids is not None:
        where += f" AND {enrolment_column} IN (SELECT unnest(?::INTEGER[]))"
        params = [*params, list(enrolment_ids)]
    return where, params


def _dates(column: str, start: date | None, end: date | None) -> tuple[str, list]:
    return f"{column} BETWEEN ? AND ?", [start or date(1900, 1, 1), end or date(9999, 12, 31)]


def schools(db: Database) -> pl.DataFrame:
    """One row per school: urn, name, phase, laestab."""
    with db.connect() as con:
        return con.execute("SELECT urn, name, phase, laestab FROM schools ORDER BY name").pl()


def enrolments(
    db: Database,
    school_urns: Sequence[int] | None = None,
    enrolment_ids: Sequence[int] | None = None,
) -> pl.DataFrame:
    """One row per enrolment with its pupil's details and cohort flags."""
    where, params = _scope("school_urn", school_urns, "enrolment_id", enrolment_ids)
    with db.connect() as con:
        return con.execute(
            f"SELECT {ENROLMENT_COLUMNS} FROM enrolments WHERE {where} ORDER BY enrolment_id",
            params,
        ).pl()


def school_of_enrolment(db: Database, enrolment_id: int) -> int | None:
    """The URN of an enrolment's school, or None when there is no such enrolment."""
    with db.connect() as con:
        row = con.execute(
            "SELECT school_urn FROM enrolments WHERE enrolment_id = ?", [enrolment_id]
        ).fetchone()
    return None if row is None else row[0]


def spells(
    db: Database,
    school_urns: Sequence[int] | None = None,
    enrolment_ids: Sequence[int] | None = None,
) -> pl.DataFrame:
    """One row per spell on roll: enrolment_id, admission_date, leaving_date (NULL while on roll)."""
    where, params = _scope("e.school_urn", school_urns, "s.enrolment_id", enrolment_ids)
    with db.connect() as con:
        return con.execute(
            "SELECT s.enrolment_id, s.admission_date, s.leaving_date FROM enrolment_spells s "
            f"JOIN enrolments e USING (enrolment_id) WHERE {where} ORDER BY s.enrolment_id, s.admission_date",
            params,
        ).pl()


def marks(
    db: Database,
    school_urns: Sequence[int] | None = None,
    start: date | None = None,
    end: date | None = None,
    enrolment_ids: Sequence[int] | None = None,
) -> pl.DataFrame:
    """One row per current mark: school_urn, enrolment_id, date, session, code, minutes_late."""
    where, params = _scope("school_urn", school_urns, "enrolment_id", enrolment_ids)
    dates, bounds = _dates("date", start, end)
    with db.connect() as con:
        return con.execute(
            "SELECT school_urn, enrolment_id, date, session::VARCHAR AS session, code::VARCHAR AS code, minutes_late "
            f"FROM marks WHERE {where} AND {dates}",
            [*params, *bounds],
        ).pl()


def counted_sessions(
    db: Database,
    school_urns: Sequence[int] | None,
    start: date,
    end: date,
    *,
    codes: Sequence[str] | None = None,
    flagged: str | None = None,
    enrolment_ids: Sequence[int] | pl.Series | None = None,
) -> pl.DataFrame:
    """The counted sessions (on roll, code in force) from `start` to `end` of these schools and
    enrolments (all when None), only those with one of `codes` or with the measure `flagged`
    when given: `school_urn, enrolment_id, date, session, code, minutes_late` and SESSION_MEASURES."""
    ids = None if enrolment_ids is None else list(enrolment_ids)
    where, params = _scope("school_urn", school_urns, "enrolment_id", ids)
    # Filters on the stored code reach the marks before the view joins them.
    if codes is not None:
        where += " AND code IN (SELECT unnest(?::attendance_code[]))"
        params = [*params, list(codes)]
    if flagged is not None:
        if flagged not in SESSION_MEASURES:
            raise ValueError(f"{flagged} is not a session measure")
        where += f" AND {flagged} = 1 AND code IN (SELECT code FROM code_flags WHERE {flagged} = 1)"
    with db.connect() as con:
        return con.execute(
            "SELECT school_urn, enrolment_id, date, session::VARCHAR AS session, code::VARCHAR AS code, "
            "minutes_late, "
            f"{', '.join(SESSION_MEASURES)} FROM counted_sessions WHERE {where} AND date BETWEEN ? AND ?",
            [*params, start, end],
        ).pl()


def late_sessions(
    db: Database,
    school_urns: Sequence[int] | None,
    start: date,
    end: date,
    n1_years: Sequence[int] | None = None,
) -> pl.DataFrame:
    """Counted sessions in the window coded late (`L` before registers closed, `U` after), of
    the enrolments of these year-group cohorts (all when None): `enrolment_id, date, session,
    code, minutes_late, late_before_close, late_after_close`."""
    where, params = _school_filter("c.school_urn", school_urns)
    cohorts = "TRUE" if n1_years is None else f"{N1_YEAR} IN (SELECT unnest(?::SMALLINT[]))"
    with db.connect() as con:
        return con.execute(
            "SELECT c.enrolment_id, c.date, c.session::VARCHAR AS session, c.code::VARCHAR AS code, "
            "c.minutes_late, "
            "c.late_before_close, c.late_after_close FROM counted_sessions c "
            f"JOIN enrolments e USING (enrolment_id) WHERE {where} AND {cohorts} "
            "AND c.date BETWEEN ? AND ? AND (c.late_before_close = 1 OR c.late_after_close = 1) "
            "AND c.code IN (SELECT code FROM code_flags WHERE late_before_close = 1 OR late_after_close = 1)",
            [*params, *([] if n1_years is None else [list(n1_years)]), start, end],
        ).pl()


def mark_history(db: Database, enrolment_id: int) -> pl.DataFrame:
    """Every replaced mark of one enrolment, oldest import first."""
    with db.connect() as con:
        return con.execute(
            "SELECT date, session::VARCHAR AS session, code::VARCHAR AS code, minutes_late, import_id, "
            "replaced_by_import, replaced_by_code::VARCHAR AS replaced_by_code FROM mark_history WHERE enrolment_id = ? "
            "ORDER BY date, session, import_id",
            [enrolment_id],
        ).pl()


def codes(db: Database) -> pl.DataFrame:
    """The attendance code table as stored."""
    with db.connect() as con:
        return con.execute("SELECT * FROM attendance_codes ORDER BY code, valid_from").pl()


def behaviour_incidents(
    db: Database,
    school_urns: Sequence[int] | None = None,
    start: date | None = None,
    end: date | None = None,
    enrolment_ids: Sequence[int] | None = None,
) -> pl.DataFrame:
    """One row per behaviour incident (dated from `start` to `end` when given)."""
    where, params = _scope("school_urn", school_urns, "enrolment_id", enrolment_ids)
    dates, bounds = _dates("date", start, end)
    with db.connect() as con:
        return con.execute(
            "SELECT school_urn, enrolment_id, date, time, type, category, points, severity, location, "
            f"subject, staff, action, notes FROM behaviour_incidents WHERE {where} AND {dates} ORDER BY date",
            [*params, *bounds],
        ).pl()


def exclusions(
    db: Database,
    school_urns: Sequence[int] | None = None,
    start: date | None = None,
    end: date | None = None,
    enrolment_ids: Sequence[int] | None = None,
) -> pl.DataFrame:
    """One row per suspension or permanent exclusion (starting from `start` to `end` when given)."""
    where, params = _scope("school_urn", school_urns, "enrolment_id", enrolment_ids)
    dates, bounds = _dates("start_date", start, end)
    with db.connect() as con:
        return con.execute(
            "SELECT school_urn, enrolment_id, start_date, end_date, category, sessions, reason_1, "
            f"reason_2, reason_3 FROM exclusions WHERE {where} AND {dates} ORDER BY start_date",
            [*params, *bounds],
        ).pl()


def imports(db: Database) -> pl.DataFrame:
    """The import log, newest first."""
    with db.connect() as con:
        return con.execute("SELECT * FROM imports ORDER BY import_id DESC").pl()


def mark_date_range(
    db: Database, school_urns: Sequence[int] | None = None
) -> tuple[date, date] | None:
    """The first and last date holding a mark, or None when there are no marks."""
    where, params = _school_filter("school_urn", school_urns)
    with db.connect() as con:
        first, last = one_row(
            con.execute(
                f"SELECT min(date), max(date) FROM school_day_codes WHERE {where}", params
            ).fetchone()
        )
    return None if first is None else (first, last)


def day_codes(db: Database, school_urns: Sequence[int] | None = None) -> pl.DataFrame:
    """Each school's dates and the codes used on them (one row per school, date and code): the
    small frame school days, terms and half-terms are read from (kept per day by the store, so
    no mark is scanned)."""
    where, params = _school_filter("school_urn", school_urns)
    with db.connect() as con:
        return con.execute(
            f"SELECT school_urn, date, code::VARCHAR AS code FROM school_day_codes WHERE {where} "
            "ORDER BY school_urn, date, code",
            params,
        ).pl()


@dataclass(frozen=True)
class DemoStatus:
    """Whether a database is the synthetic demo trust and nothing else."""

    synthetic: bool
    reason: str


def demo_status(db: Database) -> DemoStatus:
    """Synthetic only when `rollcall demo` built the database, nothing was imported after it, and
    every pupil has a UPN of the demo's made-up local authority."""
    with db.connect() as con:
        row = con.execute("SELECT value FROM store_state WHERE key = 'demo'").fetchone()
        if row is None:
            return DemoStatus(False, "this database was not built by `rollcall demo`")
        marker = json.loads(row[0])
        last_import = one_row(
            con.execute("SELECT coalesce(max(import_id), 0) FROM imports").fetchone()
        )[0]
        if last_import != marker["last_import_id"]:
            return DemoStatus(
                False, "files have been imported into this database since the demo was built"
            )
        real = one_row(
            con.execute(
                "SELECT count(*) FROM enrolments WHERE NOT starts_with(substr(upn, 2, 3), ?)",
                [marker["upn_la_prefix"]],
            ).fetchone()
        )[0]
        if real:
            return DemoStatus(False, "this database holds pupils who are not the demo's")
    return DemoStatus(True, f"the synthetic demo trust (seed {marker['seed']})")
