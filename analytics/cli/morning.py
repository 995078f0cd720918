"""`rollcall export calls` (the day's calling list) and `rollcall export returns` (the returns to
the local authority): the attendance team's exports, which hold pupils' contacts and addresses
and are recorded in the audit log."""

from __future__ import annotations

import argparse
from pathlib import Path

from analytics.cli.common import EXIT_OK, CommandError, database, parse_date, record_pupil_export
from analytics.domain.returns import RETURN_KINDS, return_kind
from analytics.reports.exports.csv import write_csv
from analytics.store import read


def _schools(db, school: int | None) -> list[int] | None:
    """The one school asked for, or every school (None)."""
    if school is None:
        return None
    if school not in read.schools(db)["urn"].to_list():
        raise CommandError(f"no school {school} in {db.path}")
    return [school]


def run_calls(args: argparse.Namespace) -> int:
    from analytics.reports.coordinator.calls import calling_list, calls_export

    db = database(args)
    urns = _schools(db, args.school)
    calls = calling_list(db, args.date, urns)
    table = calls_export(calls)
    write_csv(table, args.out)
    record_pupil_export(
        db,
        "calling list CSV (with contacts)",
        args.out,
        urns,
        f"{table.height} pupils, {args.date}",
    )
    print(
        f"{args.out}: {calls.pupils:,} pupils to call on {args.date:%a %d %b %Y} "
        f"({calls.done:,} done, {calls.left:,} left, {calls.urgent:,} urgent)"
    )
    if not calls.registered:
        print(f"No register has been taken on {args.date:%d %b %Y} yet.")
    return EXIT_OK


def run_returns(args: argparse.Namespace) -> int:
    from analytics.reports.returns import return_list

    if args.end < args.start:
        raise CommandError(f"--to {args.end} is before --from {args.start}")
    db = database(args)
    urns = _schools(db, args.school)
    found = return_list(db, args.kind, args.start, args.end, urns)
    write_csv(found.rows, args.out)
    record_pupil_export(
        db,
        f"{args.kind} return CSV",
        args.out,
        urns,
        f"{found.rows.height} rows, {args.start} to {args.end}",
    )
    print(
        f"{args.out}: {found.rows.height:,} rows, {found.kind.title.lower()} {args.start} to {args.end}"
    )
    print(f"Due: {found.kind.deadline}")
    return EXIT_OK


def register_exports(exports: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `export calls` and `export returns`."""
    calls = exports.add_parser(
        "calls",
        parents=[common],
        help="the calling list of a day: one row per pupil with no mark or N, with contacts",
    )
    calls.add_argument("--date", type=parse_date, required=True, help="the day of the registers")
    calls.add_argument("--out", type=Path, required=True)
    calls.add_argument("--school", type=int, help="URN (default: every school)")
    calls.set_defaults(run=run_calls)
    returns = exports.add_parser(
        "returns", parents=[common], help="a return to the local authority for a period"
    )
    returns.add_argument(
        "--kind",
        choices=RETURN_KINDS,
        required=True,
        help="; ".join(f"{k}: {return_kind(k).title.lower()}" for k in RETURN_KINDS),
    )
    returns.add_argument("--from", dest="start", type=parse_date, required=True)
    returns.add_argument("--to", dest="end", type=parse_date, required=True)
    returns.add_argument("--out", type=Path, required=True)
    returns.add_argument("--school", type=int, help="URN (default: every school)")
    returns.set_defaults(run=run_returns)
