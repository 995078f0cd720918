"""`rollcall demo`: build the synthetic demo trust."""

from __future__ import annotations

import argparse
import sys

from analytics.cli.common import EXIT_OK, EXIT_REFUSED, database


def run(args: argparse.Namespace) -> int:
    from analytics.synthetic import build_demo  # imported here: only this command needs it

    path = database(args).path
    if path.exists() and not args.force:
        print(
            f"rollcall: {path} exists; add --force to replace it with the demo trust",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    print(build_demo(path, seed=args.seed))
    print(f"demo trust written to {path}")
    return EXIT_OK


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `demo`."""
    parser = commands.add_parser("demo", parents=[common], help="build the synthetic demo trust")
    parser.add_argument(
        "--seed", type=int, default=2026, help="random seed (the same seed gives the same trust)"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing database")
    parser.set_defaults(run=run)
