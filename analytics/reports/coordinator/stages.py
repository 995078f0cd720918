"""The staged attendance procedure as pages and exports show it: each pupil's stage as of a date,
why, since when and when it is next reviewed; every move of the year; the counts per stage; and
`rollcall export stages`.

It reads the weekly totals of the schools asked for from a year before the academic year starts
(the longest look-back of a stages file is a year of school weeks), their school days and the
runs of continuous unauthorised absence, and computes every move of the year
(`pipelines.stages`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from analytics.domain.calendar import academic_year_bounds, academic_year_of
from analytics.domain.stages import Procedure, load_procedure
from analytics.pipelines.calendar import school_weeks
from analytics.pipelines.stages import TOTALS, stages_as_of
from analytics.pipelines.targets import on_roll_on
from analytics.reports.coordinator.targets import pupil_names
from analytics.reports.returns.absence import continuous_runs
from analytics.store import Database, aggregates, read
from analytics.store import stages as stage_store

#: How far back before the academic year the weekly totals are read.
_LOOKBACK_DAYS = 366

STAGES_EXPORT_COLUMNS = (
    "school_urn",
    "upn",
    "stage",
    "stage_name",
    "since",
    "reason",
    "previous_stage",
    "review_due",
    "year_group",
    "form",
    "action",
    "moves_this_year",
)


@dataclass(frozen=True)
class StageReport:
    """Stages as of one date for some schools: the procedure, the pupils on roll in a stage
    (`current`, with their names), every move of the year (`moves`) and the counts per stage."""

    as_of: date
    procedure: Procedure
    urns: tuple[int, ...]
    current: pl.DataFrame
    moves: pl.DataFrame
    #: Every pupil on roll on the as-of date (`enrolment_id, upn, name, year_group, form`, ...).
    pupils: pl.DataFrame

    def in_year_groups(self, year_groups: Sequence[str]) -> StageReport:
        """The report for the pupils in these year groups (all when empty)."""
        if not year_groups:
            return self
        wanted = pl.col("year_group").is_in(list(year_groups))
        pupils = self.pupils.filter(wanted)
        return StageReport(
            self.as_of,
            self.procedure,
            self.urns,
            self.current.filter(wanted),
            self.moves.filter(pl.col("enrolment_id").is_in(pupils["enrolment_id"].implode())),
            pupils,
        )

    def counts(self) -> pl.DataFrame:
        """Pupils on roll in each stage (every stage listed, 0 when none)."""
        stages = pl.DataFrame(
            {
                "stage": [s.number for s in self.procedure.stages],
                "stage_name": [s.name for s in self.procedure.stages],
                "action": [s.action.description for s in self.procedure.stages],
            },
            schema={"stage": pl.Int16, "stage_name": pl.String, "action": pl.String},
        )
        counted = self.current.group_by("stage").agg(pl.len().cast(pl.Int64).alias("pupils"))
        return stages.join(counted, on="stage", how="left").with_columns(
            pl.col("pupils").fill_null(0)
        )


def _review_due(procedure: Procedure, as_of: date) -> pl.Expr:
    """The next review at which a pupil could move down: the end of each whole review period
    (in calendar weeks: holidays still to come are not in the register) after `since`, the first
    one after `as_of`."""
    period = pl.lit(None, pl.Int32)
    for stage in procedure.stages:
        period = (
            pl.when(pl.col("stage") == stage.number)
            .then(pl.lit(7 * stage.review_school_weeks))
            .otherwise(period)
        )
    days_since = (pl.lit(as_of) - pl.col("since")).dt.total_days()
    periods = (days_since // period) + 1
    return pl.col("since") + pl.duration(days=periods * period)


def stage_report(
    db: Database,
    as_of: date,
    urns: Sequence[int] | None = None,
    procedure: Procedure | None = None,
) -> StageReport:
    """Every pupil's stage as of `as_of` at these schools (all when None), and the year's moves."""
    procedure = procedure or load_procedure()
    schools = read.schools(db)["urn"].to_list()
    chosen = tuple(schools if urns is None else urns)
    year = academic_year_of(as_of)
    year_start = academic_year_bounds(year)[0]
    enrolments = read.enrolments(db, list(chosen))
    weekly = aggregates.window_weeks(
        db, list(chosen), year_start - timedelta(days=_LOOKBACK_DAYS), as_of, TOTALS
    ).join(enrolments.select("enrolment_id", "school_urn"), on="enrolment_id")
    days = aggregates.school_days(db, list(chosen)).filter(pl.col("date") <= as_of)
    runs = continuous_runs(db, year_start - timedelta(days=30), as_of, list(chosen))
    state, moves = stages_as_of(
        weekly.lazy(),
        school_weeks(days.lazy()),
        days.lazy(),
        runs.lazy().select("enrolment_id", "first_day", "last_day", "school_days"),
        as_of,
        procedure,
    )
    keys = pl.DataFrame(
        {
            "to_stage": [s.number for s in procedure.stages],
            "stage_key": [s.key for s in procedure.stages],
        },
        schema={"to_stage": pl.Int16, "stage_key": pl.String},
    )
    moves = moves.join(keys, on="to_stage", how="left")
    spells = read.spells(db, list(chosen))
    people = pupil_names(read.schools(db), enrolments, academic_year_of(as_of)).join(
        on_roll_on(spells.lazy(), as_of), on="enrolment_id", how="semi"
    )
    names = pl.DataFrame(
        {
            "stage": [s.number for s in procedure.stages],
            "stage_name": [s.name for s in procedure.stages],
            "action": [s.action.description for s in procedure.stages],
        },
        schema={"stage": pl.Int16, "stage_name": pl.String, "action": pl.String},
    )
    move_counts = moves.group_by("enrolment_id").agg(
        pl.len().cast(pl.Int64).alias("moves_this_year")
    )
    people = people.collect().lazy()
    current = (
        people.join(state.lazy().filter(pl.col("stage") > 0), on="enrolment_id", how="inner")
        .join(names.lazy(), on="stage", how="left")
        .join(move_counts.lazy(), on="enrolment_id", how="left")
        .with_columns(_review_due(procedure, as_of).alias("review_due"))
        .sort("stage", "since", "name", "upn", descending=[True, False, False, False])
        .collect()
    )
    return StageReport(as_of, procedure, chosen, current, moves, people.collect())


def stages_export(report: StageReport) -> pl.DataFrame:
    """`rollcall export stages`: one row per pupil on roll in a stage, STAGES_EXPORT_COLUMNS
    (dates ISO; `previous_stage` 0 for none)."""
    return report.current.select(STAGES_EXPORT_COLUMNS).sort("school_urn", "upn")


def moves_with_pupils(report: StageReport) -> pl.DataFrame:
    """The year's moves of the pupils on roll, with each one's name, year group and form, latest
    first."""
    people = report.pupils.select("enrolment_id", "upn", "name", "year_group", "form")
    names = {s.number: s.name for s in report.procedure.stages} | {0: "no stage"}
    mapping = pl.DataFrame(
        {"stage": list(names), "name_of_stage": list(names.values())},
        schema={"stage": pl.Int16, "name_of_stage": pl.String},
    )
    return (
        report.moves.join(people, on="enrolment_id", how="inner")
        .join(mapping.rename({"stage": "from_stage", "name_of_stage": "from"}), on="from_stage")
        .join(mapping.rename({"stage": "to_stage", "name_of_stage": "to"}), on="to_stage")
        .sort("date", "name", descending=[True, False])
    )


def keep_moves(db: Database, report: StageReport, recorded_by: str) -> int:
    """Keep the report's moves (each school's year as recomputed), in place of those kept
    before for the same schools and year; returns how many were kept."""
    return stage_store.replace_stage_moves(
        db,
        list(report.urns),
        academic_year_of(report.as_of),
        report.moves,
        as_of=report.as_of,
        stages_digest=report.procedure.digest,
        recorded_by=recorded_by,
    )


def moves_over(
    db: Database, first: date, last: date, urns: Sequence[int] | None, procedure: Procedure
) -> pl.DataFrame:
    """Every stage move from `first` to `last`, each academic year's recomputed as of its end (or
    `last`), for the impact of entering a stage."""
    found = []
    for year in range(academic_year_of(first), academic_year_of(last) + 1):
        end = min(last, academic_year_bounds(year)[1])
        found.append(stage_report(db, end, urns, procedure).moves)
    moves = pl.concat(found) if found else pl.DataFrame()
    return moves.filter(pl.col("date").is_between(first, last)) if moves.height else moves
