"""The attendance code table: the one place that says how every register code counts.

Every rule in Rollcall (possible sessions, attendance, absence, lateness, the penalty-notice
codes) is read from `attendance_codes.csv`, never inferred from a column name.

`valid_from`/`valid_to` say when a code is accepted and how it counts; `withdrawn_from` says when
the regulations withdrew a code that DfE's own statistics still count. `J` and `H` were withdrawn
on 19 Aug 2024, but DfE's 2024/25 and 2025/26 daily data still count J as approved educational
activity and H as authorised absence (tests/unit/test_golden_dfe.py), so Rollcall counts them the
same way and lists them as data-quality findings instead of refusing a file that holds them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

import polars as pl

PRESENT = "present"
AEA = "aea"
AUTHORISED = "authorised"
UNAUTHORISED = "unauthorised"
NOT_COUNTED = "not_counted"
CATEGORIES = (PRESENT, AEA, AUTHORISED, UNAUTHORISED, NOT_COUNTED)

LATE_BEFORE_CLOSE = "before_close"
LATE_AFTER_CLOSE = "after_close"

#: `N`, reason not yet established: counted as unauthorised until the school finds the reason
#: and replaces it (`rules.md` section 1: follow up within 5 school days).
NOT_YET_KNOWN = "N"
#: `I`, illness (not medical appointments, which are `M`).
ILLNESS = "I"

#: Open ends of a code's validity are stored as these dates so that range joins stay simple.
OPEN_FROM = date(1900, 1, 1)
OPEN_TO = date(9999, 12, 31)

#: The day the 2024 regulations changed the code set (School Attendance (Pupil Registration)
#: (England) Regulations 2024).
CODE_CHANGE_2024 = date(2024, 8, 19)

#: Register cells that mean "no mark" in MIS grids and CTF strings; they are skipped, not imported.
NO_MARK_PLACEHOLDERS = frozenset({"", "-", ".", " "})


@dataclass(frozen=True)
class CodeRule:
    """How one register code counts between two dates (inclusive)."""

    code: str
    meaning: str
    category: str
    counts_as_possible: bool
    late: str | None
    valid_from: date
    valid_to: date
    withdrawn_from: date | None
    source: str

    def applies_on(self, day: date) -> bool:
        """True when this rule is the one in force for a session on `day`."""
        return self.valid_from <= day <= self.valid_to


def _parse_date(text: str, default: date) -> date:
    return date.fromisoformat(text) if text else default


@cache
def code_rules() -> tuple[CodeRule, ...]:
    """All code rules, in the order of the table."""
    text = resources.files("analytics.domain").joinpath("attendance_codes.csv").read_text("utf-8")
    rules = []
    for row in csv.DictReader(text.splitlines()):
        rules.append(
            CodeRule(
                code=row["code"],
                meaning=row["meaning"],
                category=row["category"],
                counts_as_possible=row["counts_as_possible"] == "true",
                late=row["late"] or None,
                valid_from=_parse_date(row["valid_from"], OPEN_FROM),
                valid_to=_parse_date(row["valid_to"], OPEN_TO),
                withdrawn_from=date.fromisoformat(row["withdrawn_from"])
                if row["withdrawn_from"]
                else None,
                source=row["source"],
            )
        )
    return tuple(rules)


def all_codes() -> tuple[str, ...]:
    """Every code that has ever been valid, each once, in table order."""
    return tuple(dict.fromkeys(rule.code for rule in code_rules()))


def rule_for(code: str, day: date) -> CodeRule | None:
    """The rule for `code` on `day`, or None when the code was not valid that day."""
    for rule in code_rules():
        if rule.code == code and rule.applies_on(day):
            return rule
    return None


def codes_in(category: str, day: date | None = None) -> tuple[str, ...]:
    """Codes of one category; valid on `day` when given, else ever valid."""
    return tuple(
        dict.fromkeys(
            rule.code
            for rule in code_rules()
            if rule.category == category and (day is None or rule.applies_on(day))
        )
    )


def penalty_codes() -> tuple[str, ...]:
    """Codes that count towards the penalty-notice threshold: the unauthorised absence codes."""
    return codes_in(UNAUTHORISED)


def code_table() -> pl.DataFrame:
    """The code table as a frame: one row per code and validity period."""
    return pl.DataFrame(
        [rule.__dict__ for rule in code_rules()],
        schema={
            "code": pl.String,
            "meaning": pl.String,
            "category": pl.String,
            "counts_as_possible": pl.Boolean,
            "late": pl.String,
            "valid_from": pl.Date,
            "valid_to": pl.Date,
            "withdrawn_from": pl.Date,
            "source": pl.String,
        },
    )


def withdrawn_on(code: str, day: date) -> bool:
    """True when `code` had been withdrawn by the regulations on `day` (but still counts)."""
    rule = rule_for(code, day)
    return rule is not None and rule.withdrawn_from is not None and day >= rule.withdrawn_from


def normalise_code(raw: str) -> str:
    """A register cell as the DfE code: trimmed, letters upper-cased (`l` -> `L`, `y1` -> `Y1`)."""
    return raw.strip().upper()
