"""`rollcall export ...`: CSV exports. Each export registers one subcommand here."""

from __future__ import annotations

import argparse
from pathlib import Path

from analytics.cli.common import EXIT_OK, CommandError, database, parse_date, school_urns
from analytics.pipelines.windows import Window
from analytics.reports.csv import write_csv
from analytics.reports.register import load_register
from analytics.reports.summary import summary_table


def run_summary(args: argparse.Namespace) -> int:
    db = database(args)
    window = Window(args.start, args.end)
    table = summary_table(load_register(db, school_urns(db, args.school), window), window)
    write_csv(table, args.out)
    print(f"{args.out}: {table.height:,} enrolments, {window}")
    return EXIT_OK


def run_parquet(args: argparse.Namespace) -> int:
    from analytics.store.parquet import ParquetRefused, export_parquet

    try:
        counts = export_parquet(database(args), args.folder)
    except ParquetRefused as refused:
        raise CommandError(str(refused)) from None
    print(f"{args.folder}: {len(counts)} tables, {counts.get('marks', 0):,} marks, partitioned by school and academic year")
    return EXIT_OK


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `export` and its subcommands."""
    export = commands.add_parser("export", parents=[common], help="write a CSV export")
    exports = export.add_subparsers(dest="export", required=True)
    summary = exports.add_parser("summary", parents=[common], help="per-enrolment attendance summary for a window")
    summary.add_argument("--from", dest="start", type=parse_date, required=True)
    summary.add_argument("--to", dest="end", type=parse_date, required=True)
    summary.add_argument("--out", type=Path, required=True)
    summary.add_argument("--school", type=int, help="URN (may be left out when the database holds one school)")
    summary.set_defaults(run=run_summary)
    parquet = exports.add_parser(
        "parquet", parents=[common], help="the whole store as Parquet, partitioned by school and academic year"
    )
    parquet.add_argument("folder", type=Path, help="a new (or empty) folder")
    parquet.set_defaults(run=run_parquet)
