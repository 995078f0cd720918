"""`rollcall import benchmarks FILE...`: DfE's published figures, newer than the built-in ones;
`rollcall school set URN --laestab NNNNNNN`: a school's LA, for the LA and regional comparisons."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analytics.access.roles import command_line_actor
from analytics.cli.common import EXIT_OK, EXIT_REFUSED, CommandError, database
from analytics.reports.comparisons.places import checked_laestab, place_of
from analytics.reports.comparisons.published import BenchmarkRefused, import_published
from analytics.reports.comparisons.scope import held_figures
from analytics.store import benchmarks as stored
from analytics.store import read


def run_import(args: argparse.Namespace) -> int:
    """Import each file in order, each whole or not at all; stop at the first refused."""
    db = database(args)
    for path in args.file:
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: cannot be read ({error.strerror})") from None
        try:
            imported = import_published(db, Path(path).name, data, actor=command_line_actor())
        except BenchmarkRefused as refused:
            print(f"{refused}\nNothing was imported from {path}.", file=sys.stderr)
            return EXIT_REFUSED
        print(imported.summary())
    return EXIT_OK


def run_set(args: argparse.Namespace) -> int:
    db = database(args)
    try:
        laestab = checked_laestab(args.laestab)
    except ValueError as error:
        raise CommandError(str(error)) from None
    if args.urn not in read.schools(db)["urn"].to_list():
        raise CommandError(f"no school {args.urn} in {db.path}")
    place = place_of(laestab, held_figures(db))
    if place is None:
        raise CommandError(
            f"no published figures Rollcall holds are for LA number {laestab[:3]}: check the "
            "LAESTAB (a new LA's figures can be imported first with `rollcall import benchmarks`)"
        )
    before = stored.set_school_laestab(db, args.urn, laestab, actor=command_line_actor())
    was = f" (was {before})" if before and before != laestab else ""
    print(f"school {args.urn}: LAESTAB {laestab}{was}, {place.describe()}")
    return EXIT_OK


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `school set`; `import benchmarks` is a kind of `import` (see `cli.imports`)."""
    school = commands.add_parser("school", parents=[common], help="a school's details")
    actions = school.add_subparsers(dest="school_action", required=True)
    setter = actions.add_parser(
        "set", parents=[common], help="record a school's LAESTAB (its LA and establishment number)"
    )
    setter.add_argument("urn", type=int, help="the school's URN")
    setter.add_argument(
        "--laestab", required=True, help="seven digits: LA number then establishment number"
    )
    setter.set_defaults(run=run_set)
