"""`rollcall certificates`: reward certificates for a window, one PDF per pupil and one to print."""

from __future__ import annotations

import argparse
from pathlib import Path

from analytics.cli.common import EXIT_OK, database, parse_date, record_pupil_export, school_urns
from analytics.pipelines.windows import Window


def run_certificates(args: argparse.Namespace) -> int:
    from analytics.reports.coordinator.rewards import (
        certificate_files,
        certificates_pdf,
        rewards,
    )

    db = database(args)
    urns = None if args.school is None else school_urns(db, args.school)
    window = Window(args.start, args.end)
    found = rewards(db, window, urns, by=args.by, top=args.top)
    files = certificate_files(found, args.kind)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, pdf in files.items():
        (args.out / name).write_bytes(pdf)
    merged = args.out / f"{args.kind}-all-{args.start:%Y-%m-%d}-{args.end:%Y-%m-%d}.pdf"
    merged.write_bytes(certificates_pdf(found, args.kind))
    detail = f"{len(files)} {args.kind} certificates, {window}"
    record_pupil_export(db, "certificates", args.out, urns, detail)
    print(f"{args.out}: {detail} (by {args.by}); all of them in {merged.name}")
    return EXIT_OK


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `certificates`."""
    certificates = commands.add_parser(
        "certificates",
        parents=[common],
        help="reward certificates (full attendance or most improved) for a window",
    )
    certificates.add_argument("--kind", choices=("full", "improved"), required=True)
    certificates.add_argument("--from", dest="start", type=parse_date, required=True)
    certificates.add_argument("--to", dest="end", type=parse_date, required=True)
    certificates.add_argument("--by", choices=("form", "year", "school"), default="form")
    certificates.add_argument("--top", type=int, default=3, help="most improved: how many a group")
    certificates.add_argument("--out", type=Path, required=True)
    certificates.add_argument("--school", type=int, help="URN (default: every school)")
    certificates.set_defaults(run=run_certificates)
