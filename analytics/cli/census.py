"""`rollcall check census`: the checks to run before the school census attendance return.

Prints each check with its rule id, whether it is an error or a query, the pupils it found (by
UPN, never by name) and how to fix it; exits 1 when an error (not a query) is found.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analytics.cli.common import EXIT_OK, database, record_pupil_export, school_urns
from analytics.domain.calendar import CENSUS_PERIODS, academic_year_label, parse_academic_year
from analytics.domain.census import ERROR
from analytics.reports.exports.census import CensusReturn, census_return
from analytics.reports.exports.csv import write_csv

#: Exit code when the checks found an error to fix before submitting.
EXIT_ERRORS = 1
#: Pupils listed per check on screen; `--out` writes them all.
SHOWN_PER_CHECK = 20


def academic_year(text: str) -> int:
    """An argument academic year: `2025/26`, `2025-26` or `2025`."""
    try:
        return parse_academic_year(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_period_arguments(parser: argparse.ArgumentParser) -> None:
    """`--period`, `--year` and `--school`, shared by `export census` and `check census`."""
    parser.add_argument(
        "--period", choices=CENSUS_PERIODS, required=True, help="census attendance period"
    )
    parser.add_argument(
        "--year", type=academic_year, required=True, help="academic year, such as 2025/26"
    )
    parser.add_argument(
        "--school", type=int, help="URN (may be left out when the database holds one school)"
    )


def describe(report: CensusReturn) -> list[str]:
    """The lines that say what the return holds."""
    totals = report.totals()
    names = ", ".join(f"{name} ({urn})" for urn, name in report.schools.iter_rows())
    start, end = report.window.start, report.window.end
    lines = [
        (
            f"Census {report.period} {academic_year_label(report.academic_year)}: {start.day} {start:%b %Y} "
            f"to {end.day} {end:%b %Y}, {names}"
        ),
        (
            f"Return: {totals['pupils']:,} pupils; sessions possible {totals['sessions_possible']:,}, "
            f"authorised {totals['sessions_authorised']:,}, unauthorised {totals['sessions_unauthorised']:,}"
        ),
    ]
    if totals["sessions_possible"] == 0:
        lines.append(
            "No possible session in the period yet: is it still to come, or are its marks not imported?"
        )
    left_out = report.on_roll - totals["pupils"]
    if left_out:
        lines.append(
            f"Left out: {left_out:,} of the {report.on_roll:,} pupils on roll in the period are outside ages 4 to 15 "
            f"on 31 August ({report.younger:,} younger, {report.older:,} older)"
        )
    return lines


def run(args: argparse.Namespace) -> int:
    db = database(args)
    urns = school_urns(db, args.school)
    report = census_return(db, urns, args.period, args.year)
    for line in describe(report):
        print(line)
    failed = sorted(
        (f for f in report.findings if f.failed), key=lambda f: f.check.severity != ERROR
    )
    for finding in failed:
        check = finding.check
        count = finding.pupils.height
        print(
            f"\n{check.severity.upper():<6} {check.rule:<10} {check.title}: {count:,} pupil{'s' if count != 1 else ''}"
        )
        print(f"       Fix: {check.fix}")
        for row in finding.pupils.head(SHOWN_PER_CHECK).iter_rows(named=True):
            print(
                f"       {row['upn']}  {('Year ' + row['ncyear']) if row['ncyear'] else '':<8} {row['detail']}"
            )
        if count > SHOWN_PER_CHECK:
            print(
                f"       ... and {count - SHOWN_PER_CHECK:,} more"
                + ("" if args.out else " (write them all with --out FILE)")
            )
    passed = [f.check for f in report.findings if not f.failed]
    if passed:
        print("\nPassed:")
        for check in passed:
            print(f"       {check.rule:<10} {check.title}")
    if args.out:
        write_csv(report.findings_table(), args.out)
        record_pupil_export(
            db, "census checks CSV", args.out, urns, f"{report.findings_table().height} rows"
        )
        print(f"\n{args.out}: {report.findings_table().height:,} rows")
    errors, queries = len(report.errors), len(report.queries)
    verdict = f"{errors} error{'s' if errors != 1 else ''}, {queries} quer{'ies' if queries != 1 else 'y'}"
    if errors:
        print(f"\n{verdict}: fix the errors before submitting the return.")
        return EXIT_ERRORS
    print(
        f"\n{verdict}: no errors." + (" Review the queries before submitting." if queries else "")
    )
    return EXIT_OK


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `check` and its `census` subcommand."""
    check = commands.add_parser(
        "check", parents=[common], help="check data before a statutory return"
    )
    checks = check.add_subparsers(dest="check", required=True)
    census = checks.add_parser(
        "census",
        parents=[common],
        help=f"census attendance checks (exit {EXIT_ERRORS} when an error is found)",
    )
    add_period_arguments(census)
    census.add_argument("--out", type=Path, help="also write every pupil found to this CSV file")
    census.set_defaults(run=run)
