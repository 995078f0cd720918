"""`rollcall import KIND FILE...`: import MIS exports; `rollcall import parquet DIR` restores a
Parquet export of a whole store; `rollcall import benchmarks FILE...` reads DfE's published
figures (`cli.benchmarks`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analytics.cli.common import EXIT_OK, EXIT_REFUSED, CommandError, database, parse_date
from analytics.ingest import KINDS, ImportJob, ImportRefused, import_files

PARQUET = "parquet"
BENCHMARKS = "benchmarks"


def run_parquet(args: argparse.Namespace) -> int:
    from analytics.store.parquet import ParquetRefused, import_parquet

    if len(args.file) != 1:
        raise CommandError("import parquet takes one folder (a `rollcall export parquet` export)")
    try:
        counts = import_parquet(database(args), args.file[0])
    except ParquetRefused as refused:
        raise CommandError(str(refused)) from None
    print(f"{args.file[0]}: {len(counts)} tables restored, {counts.get('marks', 0):,} marks")
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    if args.kind == PARQUET:
        return run_parquet(args)
    if args.kind == BENCHMARKS:
        from analytics.cli.benchmarks import run_import

        return run_import(args)
    options = {
        "school_urn": args.school,
        "school_name": args.school_name,
        "phase": args.phase,
        "as_of": args.as_of,
        "restore_replaced": args.restore_replaced,
    }
    # Several files are imported in order, each whole or not at all, over one open database.
    try:
        for result in import_files(
            database(args), [ImportJob(args.kind, file, options) for file in args.file]
        ):
            print(result.summary())
    except ImportRefused as refused:
        print(refused.message(), file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `import`."""
    parser = commands.add_parser("import", parents=[common], help="import an MIS export")
    parser.add_argument("kind", choices=(*KINDS, PARQUET, BENCHMARKS))
    parser.add_argument(
        "file",
        type=Path,
        nargs="+",
        help="files of that kind, imported in order (parquet: a folder; benchmarks: DfE's CSVs)",
    )
    parser.add_argument(
        "--school", type=int, help="the school's URN (needed when the database holds several)"
    )
    parser.add_argument("--school-name", help="name for a school this import creates")
    parser.add_argument(
        "--phase", help="phase for a school this import creates (primary, secondary, ...)"
    )
    parser.add_argument(
        "--as-of", type=parse_date, help="date a pupils file's year groups refer to (default today)"
    )
    parser.add_argument(
        "--restore-replaced",
        action="store_true",
        help="import a file that puts back codes later imports replaced (refused without it), "
        "even one imported before",
    )
    parser.set_defaults(run=run)
