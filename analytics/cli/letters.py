"""`rollcall letters`: the letters of a stage, one PDF per family and one to print, each recorded
in the pupils' chronologies with its PDF."""

from __future__ import annotations

import argparse
from pathlib import Path

from analytics.cli.common import EXIT_OK, CommandError, database, parse_date, record_pupil_export
from analytics.cli.common import school_urns as one_school


def run_letters(args: argparse.Namespace) -> int:
    from analytics.access.roles import command_line_actor
    from analytics.domain.stages import StagesFileError, load_procedure
    from analytics.reports.coordinator.stages import keep_moves, stage_report
    from analytics.reports.letters.render import LetterTemplateError
    from analytics.reports.letters.run import record_letters, stage_letters

    db = database(args)
    urn = one_school(db, args.school)[0]
    try:
        procedure = load_procedure(args.stages)
        report = stage_report(db, args.as_of, [urn], procedure)
        run = stage_letters(db, report, args.stage, urn)
    except (StagesFileError, LetterTemplateError) as error:
        raise CommandError(str(error)) from None
    files = [letter.file_name for letter in run.letters]
    summary = (
        f"{len(run.letters):,} letters ({run.stage.name}) for {run.pupils:,} pupils as of "
        f"{args.as_of:%d %b %Y}; {run.already_sent:,} in the stage already had its letter"
    )
    if args.dry_run:
        print(f"dry run, nothing written or recorded: {summary}")
        for name in files[:5]:
            print(f"  would write {args.out / name}")
        if len(files) > 5:
            print(f"  ... and {len(files) - 5:,} more, and {args.out / run.merged_file_name}")
        return EXIT_OK
    args.out.mkdir(parents=True, exist_ok=True)
    for name, pdf in run.pdfs.items():
        (args.out / name).write_bytes(pdf)
    if run.letters:
        (args.out / run.merged_file_name).write_bytes(run.merged_pdf())
    record_letters(db, run, command_line_actor())
    keep_moves(db, report, command_line_actor())  # the moves the letters follow from
    record_pupil_export(db, f"{run.stage.key} letters", args.out, [urn], summary)
    print(f"{args.out}: {summary}; each recorded in the pupils' chronologies")
    return EXIT_OK


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `letters`."""
    letters = commands.add_parser(
        "letters",
        parents=[common],
        help="the letters of a stage: one PDF per family, one to print, recorded in the chronology",
    )
    letters.add_argument("--stage", required=True, help="the stage's key or name")
    letters.add_argument("--as-of", dest="as_of", type=parse_date, required=True)
    letters.add_argument("--out", type=Path, required=True, help="folder for the PDFs")
    letters.add_argument("--school", type=int, help="URN (may be left out with one school)")
    letters.add_argument(
        "--stages",
        type=Path,
        help="a stages file (default: $ROLLCALL_STAGES, else the shipped one)",
    )
    letters.add_argument(
        "--dry-run",
        action="store_true",
        help="say what would be written, and write and record nothing",
    )
    letters.set_defaults(run=run_letters)


__all__ = ["CommandError", "register"]
