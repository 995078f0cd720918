"""`rollcall bench --size S|M|L`: generate a trust or local authority, import it and time every
step against pandas and a hand-written SQL floor (`benchmarks/README.md`)."""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

from analytics.cli.common import EXIT_OK, EXIT_REFUSED


def run(args: argparse.Namespace) -> int:
    from analytics.bench.generate import SIZES  # imported here: only this command needs them
    from analytics.bench.run import run as run_bench
    from analytics.bench.run import size_checks

    size = SIZES[args.size]
    command = (
        "rollcall " + " ".join(shlex.quote(a) for a in sys.argv[1:])
        if sys.argv[1:]
        else f"rollcall bench --size {args.size}"
    )
    folder = (
        Path(args.keep)
        if args.keep
        else Path(tempfile.mkdtemp(prefix=f"rollcall-bench-{args.size}-"))
    )
    folder.mkdir(parents=True, exist_ok=True)
    try:
        report = run_bench(size, folder, seed=args.seed, command=command)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    text = report.markdown()
    print()
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text, "utf-8")
        print(f"results written to {args.markdown}")
    failed = size_checks(report)
    if failed and args.size == "M":
        print("Targets not met:", *failed, sep="\n  ")
        return EXIT_REFUSED
    return EXIT_OK


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `bench`."""
    parser = commands.add_parser(
        "bench", parents=[common], help="time Rollcall at trust and local-authority size"
    )
    parser.add_argument(
        "--size",
        choices=("XS", "S", "M", "L"),
        default="S",
        help="S: 1 school, 1,200 pupils, 1 year; M: 20 schools, 20,000 pupils, 3 years; L: 100,000 pupils, 1 year (XS: tests)",
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the generated data")
    parser.add_argument(
        "--keep", metavar="DIR", help="generate into DIR and keep the exports and database there"
    )
    parser.add_argument("--markdown", metavar="FILE", help="also write the results table to FILE")
    parser.set_defaults(run=run)
