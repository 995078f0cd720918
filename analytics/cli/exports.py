"""`rollcall export ...`: CSV exports. Each export registers one subcommand here."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analytics.cli import morning
from analytics.cli.census import add_period_arguments, describe
from analytics.cli.common import (
    EXIT_OK,
    CommandError,
    database,
    parse_date,
    record_pupil_export,
    school_urns,
)
from analytics.pipelines.windows import Window
from analytics.reports.exports.census import census_return
from analytics.reports.exports.csv import write_csv
from analytics.reports.inputs.register import load_register
from analytics.reports.exports.summary import summary_table


def run_summary(args: argparse.Namespace) -> int:
    db = database(args)
    window = Window(args.start, args.end)
    urns = school_urns(db, args.school)
    table = summary_table(load_register(db, urns, window), window)
    write_csv(table, args.out)
    record_pupil_export(db, "summary CSV", args.out, urns, f"{table.height} enrolments, {window}")
    print(f"{args.out}: {table.height:,} enrolments, {window}")
    return EXIT_OK


def run_parquet(args: argparse.Namespace) -> int:
    from analytics.store.parquet import ParquetRefused, export_parquet

    db = database(args)
    try:
        counts = export_parquet(db, args.folder)
    except ParquetRefused as refused:
        raise CommandError(str(refused)) from None
    record_pupil_export(
        db,
        "Parquet store",
        args.folder,
        None,
        f"{len(counts)} tables, {counts.get('marks', 0)} marks",
    )
    print(
        f"{args.folder}: {len(counts)} tables, {counts.get('marks', 0):,} marks, partitioned by school and academic year"
    )
    return EXIT_OK


def run_census(args: argparse.Namespace) -> int:
    db = database(args)
    urns = school_urns(db, args.school)
    report = census_return(db, urns, args.period, args.year)
    write_csv(report.table, args.out)
    record_pupil_export(
        db, "census CSV", args.out, urns, f"{report.table.height} pupils, {args.period} {args.year}"
    )
    print(f"{args.out}: {report.table.height:,} pupils")
    for line in describe(report):
        print(line)
    errors, queries = len(report.errors), len(report.queries)
    if errors or queries:
        print(
            f"The checks found {errors} error{'s' if errors != 1 else ''} and {queries} quer{'ies' if queries != 1 else 'y'}: "
            f"run `rollcall check census --period {args.period} --year {args.year}/{(args.year + 1) % 100:02d}` to see them."
        )
    return EXIT_OK


def run_targets(args: argparse.Namespace) -> int:
    from analytics.reports.coordinator.targets import (  # loads scikit-learn: only here
        coordinator_inputs,
        targets_export,
    )

    db = database(args)
    urns = None if args.school is None else school_urns(db, args.school)
    inputs = coordinator_inputs(db)
    table = targets_export(inputs, args.as_of, urns)
    write_csv(table, args.out)
    record_pupil_export(
        db, "targets CSV", args.out, urns, f"{table.height} enrolments, as of {args.as_of}"
    )
    window = Window.year_to_date(args.as_of)
    print(f"{args.out}: {table.height:,} enrolments on roll on {args.as_of:%d %b %Y}, {window}")
    if inputs.model.kind != "model":
        print(f"risk_score from transparent rules: {inputs.model.reason}", file=sys.stderr)
    return EXIT_OK


def run_stages(args: argparse.Namespace) -> int:
    from analytics.access.roles import command_line_actor
    from analytics.domain.stages import StagesFileError, load_procedure
    from analytics.reports.coordinator.stages import keep_moves, stage_report, stages_export

    db = database(args)
    urns = None if args.school is None else school_urns(db, args.school)
    try:
        procedure = load_procedure(args.stages)
    except StagesFileError as error:
        raise CommandError(str(error)) from None
    report = stage_report(db, args.as_of, urns, procedure)
    table = stages_export(report)
    write_csv(table, args.out)
    kept = keep_moves(db, report, command_line_actor())
    record_pupil_export(
        db, "stages CSV", args.out, urns, f"{table.height} pupils in a stage, as of {args.as_of}"
    )
    print(
        f"{args.out}: {table.height:,} pupils on roll in a stage on {args.as_of:%d %b %Y}; "
        f"{kept:,} moves this academic year kept"
    )
    return EXIT_OK


def run_comparison(args: argparse.Namespace) -> int:
    from analytics.reports.comparisons.export import comparison_table

    db = database(args)
    urn = school_urns(db, args.school)[0]
    table = comparison_table(db, urn, Window(args.start, args.end))
    write_csv(table, args.out)
    print(f"{args.out}: {table.height:,} measures and groups of school {urn}")
    return EXIT_OK


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `export` and its subcommands."""
    export = commands.add_parser("export", parents=[common], help="write a CSV export")
    exports = export.add_subparsers(dest="export", required=True)
    summary = exports.add_parser(
        "summary", parents=[common], help="per-enrolment attendance summary for a window"
    )
    summary.add_argument("--from", dest="start", type=parse_date, required=True)
    summary.add_argument("--to", dest="end", type=parse_date, required=True)
    summary.add_argument("--out", type=Path, required=True)
    summary.add_argument(
        "--school", type=int, help="URN (may be left out when the database holds one school)"
    )
    summary.set_defaults(run=run_summary)
    census = exports.add_parser(
        "census", parents=[common], help="the school census attendance return of a period"
    )
    add_period_arguments(census)
    census.add_argument("--out", type=Path, required=True)
    census.set_defaults(run=run_census)
    targets = exports.add_parser(
        "targets",
        parents=[common],
        help="who needs action: one row per enrolment on roll at the as-of date, academic year to date",
    )
    targets.add_argument("--as-of", dest="as_of", type=parse_date, required=True)
    targets.add_argument("--out", type=Path, required=True)
    targets.add_argument("--school", type=int, help="URN (default: every school)")
    targets.set_defaults(run=run_targets)
    stages = exports.add_parser(
        "stages",
        parents=[common],
        help="the staged procedure: one row per pupil on roll in a stage at the as-of date (keeps the year's moves)",
    )
    stages.add_argument("--as-of", dest="as_of", type=parse_date, required=True)
    stages.add_argument("--out", type=Path, required=True)
    stages.add_argument("--school", type=int, help="URN (default: every school)")
    stages.add_argument(
        "--stages",
        type=Path,
        help="a stages file (default: $ROLLCALL_STAGES, else the shipped one)",
    )
    stages.set_defaults(run=run_stages)
    comparison = exports.add_parser(
        "comparison",
        parents=[common],
        help="a school's figures beside the national, LA and regional ones, per measure and group",
    )
    comparison.add_argument("--school", type=int, help="URN (may be left out with one school)")
    comparison.add_argument("--from", dest="start", type=parse_date, required=True)
    comparison.add_argument("--to", dest="end", type=parse_date, required=True)
    comparison.add_argument("--out", type=Path, required=True)
    comparison.set_defaults(run=run_comparison)
    parquet = exports.add_parser(
        "parquet",
        parents=[common],
        help="the whole store as Parquet, partitioned by school and academic year",
    )
    parquet.add_argument("folder", type=Path, help="a new (or empty) folder")
    parquet.set_defaults(run=run_parquet)
    morning.register_exports(exports, common)
