"""What the pages read instead of raw marks, kept up to date by every merge.

- `enrolment_weeks`: each enrolment's session totals per week (Monday) over its counted
  sessions (the `counted_sessions` view: code in force on the date, inside a spell on roll),
  with illness and absence by weekday for the risk model;
- `session_counts`: counted sessions per school, date, session, year-group cohort (`n1_year`)
  and code, for the weekday, session and reason figures of any schools, window and year groups;
- `absence_spells`: every enrolment's spells of consecutive absence, over its whole history;
- `school_day_codes`: how many marks (on roll or not) carry each code on each school day.

Every merge keeps them exact inside its own transaction. New and replaced marks move the totals
and counts of the weeks, days and sessions they fall in by what the new code counts less what the
old one counted; a change to an enrolment's spells on roll recounts its weeks from the first day
it affects (and its school's session counts from then on); spells are recomputed from the first
spell a change can reach. So every table always equals what the raw marks give:
`differences` checks a live store (`rollcall store check`), and tests/unit/test_aggregates.py
checks it after every kind of change.

A window is read from `enrolment_weeks`, except that a school whose first or last week of the
window holds marks outside it has that week counted from the raw marks of the window's days in
it; spells that run over either end of a window are recounted from the window's own marks. So
figures for any window are exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import polars as pl

from analytics.domain.codes import ILLNESS
from analytics.domain.yeargroups import YEAR_GROUPS
from analytics.pipelines.absence_spells import absence_spells, absence_spells_with_ends
from analytics.pipelines.sessions import SESSION_MEASURES
from analytics.store.database import Connection, Database, one_row

#: The session measures kept per enrolment and week (`sessions` counts every counted mark,
#: possible or not; the rest are the session measures of analytics.pipelines.sessions).
SESSION_TOTALS = ("sessions", *SESSION_MEASURES)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
#: Everything kept per enrolment and week, in table order: the session totals, then illness and
#: absence by weekday (what the risk model's features are summed from).
WEEK_TOTALS = (*SESSION_TOTALS, "illness", *(f"absent_{day}" for day in WEEKDAYS))


def n1_year_sql(
    year_group: str = "e.year_group", academic_year: str = "e.year_group_academic_year"
) -> str:
    """SQL for the academic year an enrolment was (or would be) in N1, from a year group and the
    academic year it is for: its year group in academic year A is YEAR_GROUPS[A - n1_year]."""
    groups = ", ".join(f"'{name}'" for name in YEAR_GROUPS)
    return f"({academic_year} - (list_position([{groups}], {year_group}) - 1))::SMALLINT"


#: `n1_year_sql` of the enrolments table, aliased `e`.
N1_YEAR = n1_year_sql()
_SPELL_COLUMNS = (
    "enrolment_id",
    "first_date",
    "first_session",
    "last_date",
    "last_session",
    "sessions",
    "unauthorised",
    "main_code",
)


def _week_condition(total: str) -> str:
    """When a counted session counts in `total` (SQL over `counted_sessions`)."""
    if total == "illness":
        return f"code = '{ILLNESS}'"
    if total.startswith("absent_"):
        return f"absent = 1 AND isodow(date) = {WEEKDAYS.index(total.removeprefix('absent_')) + 1}"
    return f"{total} = 1"


def _week_flag(total: str) -> pl.Expr:
    """`_week_condition` in Polars, over counted sessions with their code flags."""
    if total == "illness":
        return (pl.col("code") == ILLNESS).cast(pl.Int16)
    if total.startswith("absent_"):
        weekday = WEEKDAYS.index(total.removeprefix("absent_")) + 1
        return ((pl.col("absent") == 1) & (pl.col("date").dt.weekday() == weekday)).cast(pl.Int16)
    return pl.col(total).cast(pl.Int16)


# Totals are counted with FILTER rather than summed: DuckDB sums small integers into 128-bit
# accumulators, several times slower than counting.
_SUMS = ", ".join(
    f"(count(*) FILTER (WHERE {_week_condition(c)}))::UTINYINT AS {c}" for c in WEEK_TOTALS[1:]
)
_WEEK_ROWS = (
    "SELECT school_urn, enrolment_id, date_trunc('week', date) AS week_start, "
    f"count(*)::UTINYINT AS sessions, {_SUMS} FROM counted_sessions"
)
_SESSION_ROWS = (
    f"SELECT c.school_urn, c.date, c.session, {N1_YEAR} AS n1_year, c.code::attendance_code AS code, "
    "count(*)::INTEGER AS marks FROM counted_sessions c JOIN enrolments e USING (enrolment_id)"
)


def _school_filter(column: str, school_urns: Sequence[int] | None) -> tuple[str, list]:
    if school_urns is None:
        return "TRUE", []
    return f"{column} IN (SELECT unnest(?::INTEGER[]))", [list(school_urns)]


def _counted_changes(
    con: Connection, school_urn: int, changes: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The week, day and session deltas of a set of mark changes, computed in Polars: the marks
    an import brings are already in memory, and DuckDB reads a table made inside the import's
    transaction several times slower than a committed one. The flags come from `code_flags`,
    and a mark counts as in `counted_sessions`: its code in force on the day, the day inside a
    spell on roll."""
    flags = con.execute(
        f"SELECT code::VARCHAR AS code, valid_from, valid_to, {', '.join(SESSION_TOTALS[1:])} "
        "FROM code_flags"
    ).pl()
    spells = con.execute(
        "SELECT enrolment_id, admission_date, leaving_date FROM enrolment_spells "
        "WHERE enrolment_id IN (SELECT enrolment_id FROM enrolments WHERE school_urn = ?)",
        [school_urn],
    ).pl()
    cohorts = con.execute(
        f"SELECT e.enrolment_id, {N1_YEAR} AS n1_year FROM enrolments e WHERE e.school_urn = ?",
        [school_urn],
    ).pl()
    day = pl.col("date")
    kept = ("enrolment_id", "date", "session")
    signed = pl.concat(
        [
            changes.lazy().select(*kept, "code", pl.lit(1, pl.Int16).alias("sign")),
            changes.lazy()
            .filter(pl.col("old_code").is_not_null())
            .select(*kept, pl.col("old_code").alias("code"), pl.lit(-1, pl.Int16).alias("sign")),
        ]
    )
    counted = (
        signed.join(flags.lazy(), on="code")
        .filter(day.is_between(pl.col("valid_from"), pl.col("valid_to")))
        .join(spells.lazy(), on="enrolment_id")
        .filter(
            (day >= pl.col("admission_date"))
            & (pl.col("leaving_date").is_null() | (day <= pl.col("leaving_date")))
        )
    )
    weeks = counted.group_by("enrolment_id", day.dt.truncate("1w").alias("week_start")).agg(
        pl.col("sign").sum().cast(pl.Int16).alias("sessions"),
        *((_week_flag(c) * pl.col("sign")).sum().cast(pl.Int16).alias(c) for c in WEEK_TOTALS[1:]),
    )
    days = signed.group_by("date", "code").agg(pl.col("sign").sum().cast(pl.Int32).alias("marks"))
    sessions = (
        counted.join(cohorts.lazy(), on="enrolment_id")
        .group_by("date", "session", "n1_year", "code")
        .agg(pl.col("sign").sum().cast(pl.Int32).alias("marks"))
    )
    week_deltas, day_deltas, session_deltas = pl.collect_all([weeks, days, sessions])
    return week_deltas, day_deltas, session_deltas


def refresh_marks(
    con: Connection, school_urn: int, changes: pl.DataFrame, *, new_days: bool = False
) -> None:
    """Bring the school's aggregates up to date with `changes` (`enrolment_id, date, session,
    code, old_code` for every mark added, `old_code` null, or replaced): each total and count
    moves by what the new code counts less what the old one counted, so only the rows the marks
    touch are read or written; spells are recomputed from the first one the changes can reach.

    `new_days` says the school held no mark from the first to the last date of `changes` before
    them (a history load, the next term's file): then only the weeks at either end can already
    have totals, and every day is new.
    """
    if changes.is_empty():
        return
    first, last = changes["date"].min(), changes["date"].max()
    assert isinstance(first, date) and isinstance(last, date)
    weeks = (first - timedelta(days=first.weekday()), last)
    week_deltas, day_deltas, session_deltas = _counted_changes(con, school_urn, changes)
    con.register("week_deltas", week_deltas)
    con.register("day_deltas", day_deltas)
    con.register("session_deltas", session_deltas)
    try:
        values = ", ".join(f"d.{c}" for c in WEEK_TOTALS)
        may_exist = "TRUE"
        if new_days:
            # Weeks lying wholly between the first and last day held no mark, so no totals: in they go.
            may_exist = "(d.week_start < ? OR d.week_start + 6 > ?)"
            con.execute(
                f"INSERT INTO enrolment_weeks SELECT ?, d.enrolment_id, d.week_start, {values} FROM week_deltas d "
                f"WHERE NOT {may_exist} ORDER BY d.week_start, d.enrolment_id",
                [school_urn, first, last],
            )
        ends = [first, last] if new_days else []
        same_week = (
            "enrolment_weeks.school_urn = ? AND enrolment_weeks.week_start BETWEEN ? AND ? "
            "AND enrolment_weeks.enrolment_id = d.enrolment_id AND enrolment_weeks.week_start = d.week_start"
        )
        added = ", ".join(f"{c} = enrolment_weeks.{c} + d.{c}" for c in WEEK_TOTALS)
        con.execute(
            f"UPDATE enrolment_weeks SET {added} FROM week_deltas d WHERE {may_exist} AND {same_week}",
            [*ends, school_urn, *weeks],
        )
        con.execute(
            f"INSERT INTO enrolment_weeks SELECT ?, d.enrolment_id, d.week_start, {values} FROM week_deltas d "
            f"WHERE {may_exist} AND NOT EXISTS (SELECT 1 FROM enrolment_weeks WHERE {same_week}) "
            "ORDER BY d.week_start, d.enrolment_id",
            [school_urn, *ends, school_urn, *weeks],
        )
        if new_days:
            con.execute(
                "INSERT INTO school_day_codes SELECT ?, date, code, marks FROM day_deltas ORDER BY date, code",
                [school_urn],
            )
            con.execute(
                "INSERT INTO session_counts SELECT ?, date, session::session_name, n1_year, code, marks "
                "FROM session_deltas WHERE marks <> 0 ORDER BY date, session, n1_year, code",
                [school_urn],
            )
        else:
            con.execute(
                "DELETE FROM enrolment_weeks WHERE school_urn = ? AND week_start BETWEEN ? AND ? AND sessions = 0",
                [school_urn, *weeks],
            )
            _add_counts(
                con, "school_day_codes", "day_deltas", ("date", "code"), school_urn, first, last
            )
            _add_counts(
                con, "session_counts", "session_deltas", ("date", "session", "n1_year", "code"),
                school_urn, first, last,
            )  # fmt: skip
    finally:
        for name in ("week_deltas", "day_deltas", "session_deltas"):
            con.unregister(name)
    touched = changes.group_by("enrolment_id").agg(pl.col("date").min().alias("since"))
    refresh_spells(con, school_urn, touched)


def _add_counts(
    con: Connection,
    table: str,
    deltas: str,
    key: Sequence[str],
    school_urn: int,
    first: date,
    last: date,
) -> None:
    """Add the `marks` deltas of the registered frame `deltas` to `table` on `key`, inserting new
    keys and deleting the rows that fall to zero (dates from `first` to `last`)."""
    same = " AND ".join(
        [f"{table}.school_urn = ?", f"{table}.date BETWEEN ? AND ?"]
        + [f"{table}.{c} = d.{c}" for c in key]
    )
    bounds = [school_urn, first, last]
    con.execute(
        f"UPDATE {table} SET marks = {table}.marks + d.marks FROM {deltas} d WHERE {same}", bounds
    )
    columns = ", ".join(f"d.{c}" for c in key)
    con.execute(
        f"INSERT INTO {table} SELECT ?, {columns}, d.marks FROM {deltas} d "
        f"WHERE d.marks <> 0 AND NOT EXISTS (SELECT 1 FROM {table} WHERE {same}) ORDER BY {columns}",
        [school_urn, *bounds],
    )
    con.execute(
        f"DELETE FROM {table} WHERE school_urn = ? AND date BETWEEN ? AND ? AND marks = 0", bounds
    )


def refresh_enrolments(con: Connection, school_urn: int, changes: str) -> None:
    """Recount the aggregates of enrolments whose spells on roll changed. `changes` is a query
    giving `enrolment_id, since`: the first date whose being on roll may have changed."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE affected_enrolments AS SELECT enrolment_id, "
        "min(date_trunc('week', since))::DATE AS since FROM "
        f"({changes}) WHERE since IS NOT NULL GROUP BY enrolment_id"
    )
    first = one_row(con.execute("SELECT min(since) FROM affected_enrolments").fetchone())[0]
    if first is None:
        return
    con.execute(
        "DELETE FROM enrolment_weeks USING affected_enrolments a WHERE enrolment_weeks.school_urn = ? "
        "AND enrolment_weeks.enrolment_id = a.enrolment_id AND enrolment_weeks.week_start >= a.since",
        [school_urn],
    )
    con.execute(
        f"INSERT INTO enrolment_weeks {_WEEK_ROWS} c "
        "SEMI JOIN affected_enrolments a ON c.enrolment_id = a.enrolment_id AND c.date >= a.since "
        "WHERE c.school_urn = ? AND c.date >= ? GROUP BY ALL ORDER BY week_start, enrolment_id",
        [school_urn, first],
    )
    recount_session_counts(con, school_urn, first)
    refresh_spells(con, school_urn, con.execute("SELECT * FROM affected_enrolments").pl())


def recount_session_counts(con: Connection, school_urn: int, since: date | None = None) -> None:
    """Recount a school's session counts from the raw marks, from `since` (all dates when None):
    after its pupils' spells on roll or year groups change."""
    since = since or date(1900, 1, 1)
    con.execute(
        "DELETE FROM session_counts WHERE school_urn = ? AND date >= ?", [school_urn, since]
    )
    con.execute(
        f"INSERT INTO session_counts {_SESSION_ROWS} WHERE c.school_urn = ? AND c.date >= ? "
        "GROUP BY ALL ORDER BY 2, 3, 4, 5",
        [school_urn, since],
    )


def _spells_from_marks(
    con: Connection, school_urn: int, restart: str | None = None, since: date | None = None
) -> pl.DataFrame:
    """The school's spells (with `ended_on`) from its counted sessions: of the enrolments in the
    temporary table `restart` (`enrolment_id, since`) from their own dates, or of every enrolment."""
    join = (
        f"SEMI JOIN {restart} r ON c.enrolment_id = r.enrolment_id AND c.date >= r.since "
        if restart
        else ""
    )
    sessions = con.execute(
        "SELECT c.enrolment_id, c.date, c.session::VARCHAR AS session, c.code::VARCHAR AS code, "
        f"c.possible, c.absent, c.unauthorised FROM counted_sessions c {join}"
        "WHERE c.school_urn = ? AND c.date >= ? AND c.possible = 1",
        [school_urn, since or date(1900, 1, 1)],
    ).pl()
    return absence_spells_with_ends(sessions.lazy()).collect()


def _insert_spells(con: Connection, school_urn: int, spells: pl.DataFrame) -> None:
    if spells.is_empty():
        return
    con.register("new_spells", spells)
    try:
        con.execute(
            "INSERT INTO absence_spells SELECT ?, enrolment_id, first_date, first_session::session_name, "
            "last_date, last_session::session_name, sessions, unauthorised, main_code::attendance_code, "
            "ended_on FROM new_spells ORDER BY enrolment_id, first_date",
            [school_urn],
        )
    finally:
        con.unregister("new_spells")


def refresh_spells(con: Connection, school_urn: int, touched: pl.DataFrame) -> None:
    """Recompute the spells of the enrolments in `touched` (`enrolment_id, since`: the first date
    whose marks or being on roll changed) from the first spell a change on or after `since` can
    reach: the spell holding `since`, or the one before it when no attended session ended it
    before `since`; spells ended before then cannot change."""
    if touched.is_empty():
        return
    con.register(
        "touched_enrolments", touched.select("enrolment_id", pl.col("since").cast(pl.Date))
    )
    try:
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE spell_restart AS
            SELECT t.enrolment_id, least(t.since, coalesce(min(s.first_date), t.since)) AS since
            FROM touched_enrolments t
            LEFT JOIN absence_spells s ON s.enrolment_id = t.enrolment_id AND s.first_date < t.since
             AND (s.ended_on IS NULL OR s.ended_on >= t.since) AND s.school_urn = ?
            GROUP BY t.enrolment_id, t.since
            """,
            # The school's spells only (its row groups): a day's import took 0.2 s here, not 0.01.
            [school_urn],
        )
    finally:
        con.unregister("touched_enrolments")
    con.execute(
        "DELETE FROM absence_spells USING spell_restart r WHERE absence_spells.enrolment_id = r.enrolment_id "
        "AND absence_spells.first_date >= r.since"
    )
    earliest = one_row(con.execute("SELECT min(since) FROM spell_restart").fetchone())[0]
    _insert_spells(con, school_urn, _spells_from_marks(con, school_urn, "spell_restart", earliest))


def rebuild(con: Connection) -> None:
    """Recount every aggregate from the raw marks (after the code table changes, or on request)."""
    con.execute("DELETE FROM enrolment_weeks")
    con.execute(
        f"INSERT INTO enrolment_weeks {_WEEK_ROWS} GROUP BY ALL ORDER BY school_urn, week_start, enrolment_id"
    )
    con.execute("DELETE FROM school_day_codes")
    con.execute(
        "INSERT INTO school_day_codes SELECT school_urn, date, code, count(*) FROM marks "
        "GROUP BY ALL ORDER BY school_urn, date, code"
    )
    con.execute("DELETE FROM session_counts")
    con.execute(f"INSERT INTO session_counts {_SESSION_ROWS} GROUP BY ALL ORDER BY 1, 2, 3, 4, 5")
    con.execute("DELETE FROM absence_spells")
    for (school_urn,) in con.execute("SELECT urn FROM schools ORDER BY urn").fetchall():
        _insert_spells(con, school_urn, _spells_from_marks(con, school_urn))  # a school at a time


def differences(con: Connection) -> dict[str, int]:
    """Rows where each kept table and a recount from the raw marks disagree (all zero when they
    agree)."""
    week_columns = ", ".join(("school_urn", "enrolment_id", "week_start", *WEEK_TOTALS))
    pairs = {
        "enrolment_weeks": (
            f"SELECT {week_columns} FROM ({_WEEK_ROWS} GROUP BY ALL)",
            f"SELECT {week_columns} FROM enrolment_weeks",
        ),
        "school_day_codes": (
            "SELECT school_urn, date, code, count(*) AS marks FROM marks GROUP BY ALL",
            "SELECT school_urn, date, code, marks FROM school_day_codes",
        ),
        "session_counts": (
            f"{_SESSION_ROWS} GROUP BY ALL",
            "SELECT school_urn, date, session, n1_year, code, marks FROM session_counts",
        ),
    }

    def count(a: str, b: str) -> int:
        both_ways = f"SELECT (SELECT count(*) FROM ({a} EXCEPT ALL {b})) + (SELECT count(*) FROM ({b} EXCEPT ALL {a}))"
        return one_row(con.execute(both_ways).fetchone())[0]

    found = {table: count(*pair) for table, pair in pairs.items()}
    schools = [urn for (urn,) in con.execute("SELECT urn FROM schools").fetchall()]
    recounted = (
        pl.concat(
            [
                _spells_from_marks(con, urn).select(
                    pl.lit(urn, pl.Int32).alias("school_urn"), pl.all()
                )
                for urn in schools
            ],
            how="vertical_relaxed",
        )
        if schools
        else pl.DataFrame()
    )
    kept = (
        "SELECT school_urn, enrolment_id, first_date, first_session::VARCHAR, last_date, last_session::VARCHAR, "
        "sessions, unauthorised, main_code::VARCHAR, ended_on FROM absence_spells"
    )
    if recounted.is_empty():
        kept_spells = one_row(con.execute(f"SELECT count(*) FROM ({kept})").fetchone())
        found["absence_spells"] = kept_spells[0]
        return found
    con.register("recounted_spells", recounted)
    try:
        found["absence_spells"] = count("SELECT * FROM recounted_spells", kept)
    finally:
        con.unregister("recounted_spells")
    return found


def pooled_day_codes(db: Database, school_urns: Sequence[int] | None = None) -> pl.DataFrame:
    """The codes used on each date by any of these schools (all when None): `date, code`, one row
    per date and code (a trust's calendar from a few thousand rows instead of one per school)."""
    where, params = _school_filter("school_urn", school_urns)
    with db.connect() as con:
        return con.execute(
            f"SELECT DISTINCT date, code::VARCHAR AS code FROM school_day_codes WHERE {where} ORDER BY date, code",
            params,
        ).pl()


def window_weeks(
    db: Database,
    school_urns: Sequence[int] | None,
    start: date,
    end: date,
    totals: Sequence[str] = SESSION_TOTALS,
) -> pl.DataFrame:
    """One row per enrolment and week with a counted session inside the window: `enrolment_id,
    week_start` and `totals` (of WEEK_TOTALS) over the window's days of that week.

    A week's kept totals answer for it whenever the school has no mark on the week's days outside
    the window: every week in the middle, and the weeks at either end in the usual case (a window
    from a Monday, or to a Friday or the last register day, as terms, half-terms and "to date"
    windows are). Only a school whose end week does hold marks outside the window has that week
    counted from the raw marks of the window's days in it.
    """
    where, params = _school_filter("school_urn", school_urns)
    first_week = start - timedelta(days=start.weekday())
    last_week = end - timedelta(days=end.weekday())
    columns = ", ".join(totals)
    with db.connect() as con:
        # Each school's end weeks that hold marks outside the window (a few rows at most).
        partial = con.execute(
            "SELECT DISTINCT school_urn, date_trunc('week', date) AS week_start FROM school_day_codes "
            f"WHERE {where} AND ((date >= ? AND date < ?) OR (date > ? AND date <= ?))",
            [*params, first_week, start, end, last_week + timedelta(days=6)],
        ).pl()
        con.register("partial_weeks", partial)
        try:
            kept = con.execute(
                f"SELECT w.enrolment_id, w.week_start, {', '.join(f'w.{c}' for c in totals)} "
                "FROM enrolment_weeks w "
                "ANTI JOIN partial_weeks p ON w.school_urn = p.school_urn AND w.week_start = p.week_start "
                f"WHERE {where.replace('school_urn', 'w.school_urn')} AND w.week_start BETWEEN ? AND ?",
                [*params, first_week, last_week],
            ).pl()
            if partial.is_empty():
                return kept
            # Counted from the raw marks of the window's days in those weeks only (each end's
            # dates read on their own, so DuckDB skips every row group in between).
            counted = [
                con.execute(
                    f"SELECT enrolment_id, week_start, {columns} FROM ({_WEEK_ROWS} c "
                    "SEMI JOIN partial_weeks p ON c.school_urn = p.school_urn AND date_trunc('week', c.date) = p.week_start "
                    f"WHERE {where.replace('school_urn', 'c.school_urn')} AND c.date BETWEEN ? AND ? GROUP BY ALL)",
                    [*params, max(start, monday), min(end, monday + timedelta(days=6))],
                ).pl()
                for monday in partial["week_start"].cast(pl.Date).unique().to_list()
            ]
        finally:
            con.unregister("partial_weeks")
    return pl.concat([kept, *counted], rechunk=False)


def school_days(db: Database, school_urns: Sequence[int] | None = None) -> pl.DataFrame:
    """One row per school and school day, `school_urn, date`: a day on which one of its
    enrolments on roll has a mark that counts as a possible session (as
    `pipelines.calendar.school_days` finds them in the counted sessions), from the session counts."""
    where, params = _school_filter("s.school_urn", school_urns)
    with db.connect() as con:
        return con.execute(
            "SELECT DISTINCT s.school_urn, s.date FROM session_counts s JOIN code_flags f "
            "ON f.code = s.code AND s.date BETWEEN f.valid_from AND f.valid_to "
            f"WHERE {where} AND f.possible = 1 ORDER BY s.school_urn, s.date",
            params,
        ).pl()


def _n1_years_filter(n1_years: Sequence[int] | None, column: str) -> tuple[str, list]:
    if n1_years is None:
        return "TRUE", []
    return f"{column} IN (SELECT unnest(?::SMALLINT[]))", [list(n1_years)]


def window_session_counts(
    db: Database,
    school_urns: Sequence[int] | None,
    start: date,
    end: date,
    n1_years: Sequence[int] | None = None,
) -> pl.DataFrame:
    """Counted sessions in the window by `school_urn, date, session, code` (`marks`), of the
    enrolments of these year-group cohorts (all when None)."""
    where, params = _school_filter("school_urn", school_urns)
    cohorts, cohort_params = _n1_years_filter(n1_years, "n1_year")
    with db.connect() as con:
        return con.execute(
            "SELECT school_urn, date, session::VARCHAR AS session, code::VARCHAR AS code, "
            "sum(marks)::BIGINT AS marks FROM session_counts "
            f"WHERE {where} AND {cohorts} AND date BETWEEN ? AND ? GROUP BY ALL ORDER BY ALL",
            [*params, *cohort_params, start, end],
        ).pl()


def window_spells(
    db: Database,
    school_urns: Sequence[int] | None,
    start: date,
    end: date,
    n1_years: Sequence[int] | None = None,
) -> pl.DataFrame:
    """The spells of consecutive absence in the window (as `absence_spells` gives them from the
    window's sessions) of the enrolments of these year-group cohorts (all when None): the kept
    spells inside it, and the part inside it of each kept spell running over either end,
    recounted from the raw marks of that part alone (every possible session of it is absence)."""
    where, params = _school_filter("s.school_urn", school_urns)
    cohorts, cohort_params = _n1_years_filter(n1_years, N1_YEAR)
    chosen = (
        f"FROM absence_spells s JOIN enrolments e USING (enrolment_id) WHERE {where} AND {cohorts} "
        "AND s.first_date <= ? AND s.last_date >= ?"
    )
    bounds = [*params, *cohort_params, end, start]
    with db.connect() as con:
        inside = con.execute(
            f"SELECT s.enrolment_id, s.first_date, s.first_session::VARCHAR AS first_session, s.last_date, "
            "s.last_session::VARCHAR AS last_session, s.sessions::BIGINT AS sessions, "
            "s.unauthorised::BIGINT AS unauthorised, s.main_code::VARCHAR AS main_code "
            f"{chosen} AND s.first_date >= ? AND s.last_date <= ?",
            [*bounds, start, end],
        ).pl()
        con.execute(
            "CREATE OR REPLACE TEMP TABLE overrun_spells AS SELECT s.enrolment_id, "
            "greatest(s.first_date, ?) AS clip_from, least(s.last_date, ?) AS clip_to, "
            f"s.first_date < ? AS over_start {chosen} AND (s.first_date < ? OR s.last_date > ?)",
            [start, end, start, *bounds, start, end],
        )
        overrun = []
        for over_start in (True, False):  # each end's dates read on their own
            span = one_row(
                con.execute(
                    "SELECT min(clip_from), max(clip_to) FROM overrun_spells WHERE over_start = ?",
                    [over_start],
                ).fetchone()
            )
            if span[0] is None:
                continue
            overrun.append(
                con.execute(
                    "SELECT c.enrolment_id, c.date, c.session::VARCHAR AS session, "
                    "c.code::VARCHAR AS code, c.possible, c.absent, c.unauthorised "
                    "FROM counted_sessions c SEMI JOIN overrun_spells o ON c.enrolment_id = o.enrolment_id "
                    "AND c.date BETWEEN o.clip_from AND o.clip_to AND o.over_start = ? "
                    "WHERE c.date BETWEEN ? AND ? AND c.possible = 1",
                    [over_start, *span],
                ).pl()
            )
    # Each end's clipped spells on their own (one enrolment may run over both ends in two
    # spells, with attended sessions between them that were not read); a spell running over
    # both ends is clipped the same way at each.
    parts = [inside, *(absence_spells(sessions.lazy()).collect() for sessions in overrun)]
    return (
        pl.concat(parts, how="vertical_relaxed")
        .select(_SPELL_COLUMNS)
        .unique()
        .sort("enrolment_id", "first_date", "first_session")
    )
