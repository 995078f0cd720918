"""`rollcall risk train`: backtest and retrain the risk-of-persistent-absence model."""

from __future__ import annotations

import argparse

from analytics.cli.common import EXIT_OK, database


def run_train(args: argparse.Namespace) -> int:
    from analytics.reports.coordinator.risk import (
        train,
    )  # imported here: scikit-learn loads only when needed

    db = database(args)
    run = train(db, seed=args.seed, trained_by=args.by)
    print(run.summary())
    return EXIT_OK


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `risk` and its subcommands."""
    risk = commands.add_parser(
        "risk", parents=[common], help="the risk-of-persistent-absence model"
    )
    actions = risk.add_subparsers(dest="risk", required=True)
    train = actions.add_parser(
        "train",
        parents=[common],
        help="backtest on the latest complete year, then train on every complete year (falls back to rules with too little history)",
    )
    train.add_argument(
        "--seed",
        type=int,
        default=2026,
        help="random seed (the same data and seed give the same model)",
    )
    train.add_argument(
        "--by", help="who is training it, for the model card (default: your login name)"
    )
    train.set_defaults(run=run_train)
