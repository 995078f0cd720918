"""`rollcall import KIND FILE`: import an MIS export."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analytics.cli.common import EXIT_OK, EXIT_REFUSED, database, parse_date
from analytics.ingest import KINDS, ImportRefused, import_file


def run(args: argparse.Namespace) -> int:
    try:
        result = import_file(
            database(args),
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


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `import`."""
    parser = commands.add_parser("import", parents=[common], help="import an MIS export")
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("file", type=Path)
    parser.add_argument("--school", type=int, help="the school's URN (needed when the database holds several)")
    parser.add_argument("--school-name", help="name for a school this import creates")
    parser.add_argument("--phase", help="phase for a school this import creates (primary, secondary, ...)")
    parser.add_argument("--as-of", type=parse_date, help="date a pupils file's year groups refer to (default today)")
    parser.set_defaults(run=run)
