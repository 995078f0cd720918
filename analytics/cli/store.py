"""`rollcall store check|optimise`: look after a large store."""

from __future__ import annotations

import argparse

from analytics.cli.common import EXIT_OK, EXIT_REFUSED, database


def run_check(args: argparse.Namespace) -> int:
    from analytics.store.maintenance import check

    differences = check(database(args))
    for table, rows in differences.items():
        print(
            f"{table}: {'agrees with the raw marks' if rows == 0 else f'{rows:,} rows differ from the raw marks'}"
        )
    if any(differences.values()):
        print("run `rollcall store rebuild` to recount them")
        return EXIT_REFUSED
    return EXIT_OK


def run_rebuild(args: argparse.Namespace) -> int:
    from analytics.store import aggregates

    with database(args).transaction() as con:
        aggregates.rebuild(con)
    print("weekly totals and day codes recounted from the raw marks")
    return EXIT_OK


def run_optimise(args: argparse.Namespace) -> int:
    from analytics.store.maintenance import optimise

    optimise(database(args))
    print("marks and totals rewritten in school and date order")
    return EXIT_OK


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `store` and its subcommands."""
    store = commands.add_parser("store", parents=[common], help="check or optimise the database")
    actions = store.add_subparsers(dest="action", required=True)
    actions.add_parser(
        "check", parents=[common], help="compare the weekly totals with the raw marks"
    ).set_defaults(run=run_check)
    actions.add_parser(
        "rebuild", parents=[common], help="recount the weekly totals from the raw marks"
    ).set_defaults(run=run_rebuild)
    actions.add_parser(
        "optimise",
        parents=[common],
        help="rewrite marks and totals in school and date order (after many small imports)",
    ).set_defaults(run=run_optimise)
