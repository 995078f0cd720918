"""`rollcall`: the command line. Each command group lives in its own module and registers itself."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from analytics.cli import (
    backups,
    bench,
    benchmarks,
    census,
    demo,
    exports,
    imports,
    letters,
    rewards,
    risk,
    store,
    users,
)
from analytics.cli.common import EXIT_REFUSED, CommandError
from analytics.store import DatabaseBusy, DatabaseKeyError, DatabaseMissing

#: Modules that add commands: each has `register(commands, common)`.
COMMAND_MODULES = (
    imports,
    demo,
    exports,
    letters,
    rewards,
    census,
    risk,
    users,
    backups,
    bench,
    store,
    benchmarks,
)


def build_parser() -> argparse.ArgumentParser:
    """The whole `rollcall` parser."""
    db_help = "database file (default: $ROLLCALL_DB or data/rollcall.duckdb)"
    parser = argparse.ArgumentParser(
        prog="rollcall", description="Rollcall: attendance and behaviour analytics."
    )
    parser.add_argument("--db", help=db_help)
    # Subcommands accept --db too; SUPPRESS keeps a --db given before the subcommand.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help=db_help, default=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.register(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (DatabaseMissing, DatabaseBusy, DatabaseKeyError, CommandError) as error:
        print(f"rollcall: {error}", file=sys.stderr)
        return EXIT_REFUSED
