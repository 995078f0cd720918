"""`rollcall user add|remove|list`: the accounts that may sign in to the app."""

from __future__ import annotations

import argparse
import getpass
import sys

from analytics.access import accounts
from analytics.access.roles import Role
from analytics.cli.common import EXIT_OK, CommandError, database
from analytics.store import DatabaseMissing, read


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("The same password again: ") != first:
        raise CommandError("the two passwords differ; nothing was changed")
    return first


def _unknown_schools(args: argparse.Namespace, schools: list[int]) -> list[int]:
    try:
        known = set(read.schools(database(args))["urn"].to_list())
    except DatabaseMissing:
        return []
    return [urn for urn in schools if urn not in known]


def run_add(args: argparse.Namespace) -> int:
    if args.all_schools and args.school:
        raise CommandError("give --school or --all-schools, not both")
    schools = None if args.all_schools else args.school or []
    password = None if args.oidc else _password(args)
    try:
        account = accounts.add(args.name, args.role, schools, password=password)
    except accounts.AccountError as error:
        raise CommandError(f"{error}; nothing was changed") from None
    scope = "every school" if account.schools is None else ", ".join(map(str, account.schools))
    how = (
        "signs in with Microsoft or Google as this email address"
        if args.oidc
        else "signs in with a password"
    )
    print(f"added {account.name}: {account.role.label.lower()}, {scope}; {how}")
    unknown = [] if account.schools is None else _unknown_schools(args, list(account.schools))
    if unknown:
        print(f"note: no school {', '.join(map(str, unknown))} in the database yet")
    return EXIT_OK


def run_remove(args: argparse.Namespace) -> int:
    try:
        account = accounts.remove(args.name)
    except accounts.AccountError as error:
        raise CommandError(str(error)) from None
    print(f"removed {account.name}")
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    found = accounts.load()
    if not found:
        print(f"no accounts in {accounts.accounts_path()}: add one with `rollcall user add`")
        return EXIT_OK
    rows = [("name", "role", "schools", "sign-in", "added")]
    for account in found.values():
        schools = "all" if account.schools is None else " ".join(map(str, account.schools))
        rows.append((account.name, account.role.value, schools, account.sign_in, account.created))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()
        )
    return EXIT_OK


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `user` and its subcommands."""
    user = commands.add_parser(
        "user", parents=[common], help="manage the accounts that may sign in"
    )
    users = user.add_subparsers(dest="user_command", required=True)
    add = users.add_parser("add", parents=[common], help="add an account")
    add.add_argument(
        "name", help="a sign-in name, or the email address for Microsoft or Google sign-in"
    )
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument(
        "--school",
        type=int,
        action="append",
        metavar="URN",
        help="a school the account may see (repeat for more)",
    )
    add.add_argument("--all-schools", action="store_true", help="every school, now and later")
    add.add_argument(
        "--oidc",
        action="store_true",
        help="no password: signs in with Microsoft or Google ([auth] in the secrets file)",
    )
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (for scripts)",
    )
    add.set_defaults(run=run_add)
    remove = users.add_parser("remove", parents=[common], help="remove an account")
    remove.add_argument("name")
    remove.set_defaults(run=run_remove)
    listing = users.add_parser(
        "list", parents=[common], help="list the accounts (never a password)"
    )
    listing.set_defaults(run=run_list)
