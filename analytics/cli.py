"""`rollcall`: the command line for imports, the demo trust and exports."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from analytics.ingest import KINDS, ImportRefused, import_file
from analytics.pipelines.windows import Window
from analytics.reports.csv import write_csv
from analytics.reports.register import load_register
from analytics.reports.summary import summary_table
from analytics.store import Database, DatabaseMissing, read

EXIT_OK = 0
EXIT_REFUSED = 2


def _date(text: str) -> date:
    for parse in (date.fromisoformat, lambda t: date(int(t[6:10]), int(t[3:5]), int(t[0:2]))):
        try:
            return parse(text)
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"'{text}' is not a date (write YYYY-MM-DD or DD/MM/YYYY)")


def _school_urns(db: Database, school: int | None) -> list[int]:
    """The one school asked for, or the only school in the database."""
    urns = read.schools(db)["urn"].to_list()
    if school is not None:
        if school not in urns:
            raise SystemExit(f"rollcall: no school {school} in {db.path}")
        return [school]
    if len(urns) == 1:
        return urns
    raise SystemExit(f"rollcall: the database holds {len(urns)} schools; name one with --school URN")


def cmd_import(args: argparse.Namespace) -> int:
    db = Database(args.db)
    try:
        result = import_file(
            db,
            args.kind,
            args.file,
            school_urn=args.school,
            school_name=args.school_name,
            phase=args.phase,
            as_of=args.as_of,
        )
    except ImportRefused as refused:
        print(refused.message(), file=sys.stderr)
        return EXIT_REFUSED
    print(result.summary())
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from analytics.synthetic import build_demo  # imported late: the generator is large

    path = Path(args.db) if args.db else Database().path
    if path.exists() and not args.force:
        print(f"rollcall: {path} exists; add --force to replace it with the demo trust", file=sys.stderr)
        return EXIT_REFUSED
    started = time.perf_counter()
    report = build_demo(path, seed=args.seed)
    print(report)
    print(f"demo trust built in {time.perf_counter() - started:.1f} s at {path}")
    return EXIT_OK


def cmd_export_summary(args: argparse.Namespace) -> int:
    db = Database(args.db)
    window = Window(args.start, args.end)
    urns = _school_urns(db, args.school)
    table = summary_table(load_register(db, urns, window), window)
    write_csv(table, args.out)
    print(f"{args.out}: {table.height:,} enrolments, {window}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    db_help = "database file (default: $ROLLCALL_DB or data/rollcall.duckdb)"
    parser = argparse.ArgumentParser(prog="rollcall", description=__doc__)
    parser.add_argument("--db", help=db_help)
    # Subcommands accept --db too; SUPPRESS keeps a --db given before the subcommand.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help=db_help, default=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True)

    imp = commands.add_parser("import", parents=[common], help="import an MIS export")
    imp.add_argument("kind", choices=KINDS)
    imp.add_argument("file", type=Path)
    imp.add_argument("--school", type=int, help="the school's URN (needed when the database holds several)")
    imp.add_argument("--school-name", help="name for a school this import creates")
    imp.add_argument("--phase", help="phase for a school this import creates (primary, secondary, ...)")
    imp.add_argument("--as-of", type=_date, help="date a pupils file's year groups refer to (default today)")
    imp.set_defaults(run=cmd_import)

    demo = commands.add_parser("demo", parents=[common], help="build the synthetic demo trust")
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--force", action="store_true", help="replace an existing database")
    demo.set_defaults(run=cmd_demo)

    export = commands.add_parser("export", parents=[common], help="write a CSV export")
    exports = export.add_subparsers(dest="export", required=True)
    summary = exports.add_parser("summary", parents=[common], help="per-enrolment attendance summary")
    summary.add_argument("--from", dest="start", type=_date, required=True)
    summary.add_argument("--to", dest="end", type=_date, required=True)
    summary.add_argument("--out", type=Path, required=True)
    summary.add_argument("--school", type=int)
    summary.set_defaults(run=cmd_export_summary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except DatabaseMissing as missing:
        print(f"rollcall: {missing}", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
