"""Pupil characteristics as groups: one labelled value per enrolment for each characteristic the
cohort pages break figures down by (disadvantaged, FSM, SEN, year group, form, sex, EAL, ethnic
group, looked after).

Every enrolment falls in exactly one group of each characteristic (an unrecorded value is a group
of its own), so the groups of a characteristic partition the enrolments and add up to the whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from analytics.domain.cohorts import ETHNIC_MAJOR_GROUPS, SEN_LABELS
from analytics.domain.yeargroups import NO_YEAR_GROUP, YEAR_GROUP_LABELS

NOT_RECORDED = "Not recorded"


def _flag(column: str, yes: str, no: str, unknown: str | None = NOT_RECORDED) -> pl.Expr:
    """A yes/no column as labels; unknown (null) is its own group, or `no` when `unknown` is None."""
    value = pl.col(column)
    labelled = pl.when(value).then(pl.lit(yes)).otherwise(pl.lit(no))
    return (
        labelled
        if unknown is None
        else pl.when(value.is_null()).then(pl.lit(unknown)).otherwise(labelled)
    )


def _year_group_label(column: str = "year_group") -> pl.Expr:
    return (
        pl.col(column)
        .replace_strict(YEAR_GROUP_LABELS, default=None)
        .fill_null(pl.lit(NO_YEAR_GROUP))
    )


@dataclass(frozen=True)
class Characteristic:
    """A way of splitting enrolments into groups: its key, its label, and its groups' order."""

    key: str
    label: str
    order: tuple[str, ...]

    @property
    def column(self) -> str:
        """The column `with_groups` adds for it."""
        return group_column(self.key)


def group_column(key: str) -> str:
    """`sen` -> `group_sen`: the column holding an enrolment's group for a characteristic."""
    return f"group_{key}"


_YEAR_ORDER = (
    "Nursery 1",
    "Nursery 2",
    "Reception",
    *(f"Year {n}" for n in range(1, 15)),
    NO_YEAR_GROUP,
)

CHARACTERISTICS: dict[str, Characteristic] = {
    c.key: c
    for c in (
        Characteristic("disadvantaged", "Disadvantaged", ("Disadvantaged", "Not disadvantaged")),
        Characteristic(
            "fsm", "Free school meals", ("FSM eligible", "Not FSM eligible", NOT_RECORDED)
        ),
        Characteristic("sen", "SEN provision", tuple(SEN_LABELS[k] for k in ("N", "K", "E"))),
        Characteristic("year_group", "Year group", _YEAR_ORDER),
        Characteristic("form", "Form", ()),
        Characteristic("sex", "Sex", ("Female", "Male", NOT_RECORDED)),
        Characteristic(
            "eal",
            "English as an additional language",
            ("EAL", "English first language", NOT_RECORDED),
        ),
        Characteristic("ethnic_group", "Ethnic group", tuple(ETHNIC_MAJOR_GROUPS)),
        Characteristic("looked_after", "Looked after", ("Looked after", "Not looked after")),
    )
}


def characteristic(key: str) -> Characteristic:
    """The characteristic named `key`; a clear error for an unknown one."""
    if key not in CHARACTERISTICS:
        raise ValueError(f"unknown characteristic '{key}': use one of {', '.join(CHARACTERISTICS)}")
    return CHARACTERISTICS[key]


def group_expression(key: str, with_school: bool = False) -> pl.Expr:
    """Each enrolment's group label for characteristic `key`, from `with_cohorts` columns.
    `with_school` names the school beside a form (form names repeat across a trust's schools)."""
    sex = pl.col("sex")
    expressions = {
        "disadvantaged": _flag("disadvantaged", "Disadvantaged", "Not disadvantaged", unknown=None),
        "fsm": _flag("fsm", "FSM eligible", "Not FSM eligible"),
        "sen": pl.col("sen").fill_null("N").replace_strict(SEN_LABELS, default=NOT_RECORDED),
        "year_group": _year_group_label(),
        "form": pl.col("form").fill_null(pl.lit("No form")),
        "sex": pl.when(sex == "F")
        .then(pl.lit("Female"))
        .when(sex == "M")
        .then(pl.lit("Male"))
        .otherwise(pl.lit(NOT_RECORDED)),
        "eal": _flag("eal", "EAL", "English first language"),
        "ethnic_group": pl.col("ethnic_group").fill_null(pl.lit("Unclassified")),
        # The census records looked-after children; a blank means not looked after.
        "looked_after": _flag("looked_after", "Looked after", "Not looked after", unknown=None),
    }
    expression = expressions[characteristic(key).key]
    if key == "form" and with_school:
        expression = pl.format("{} ({})", expression, pl.col("school_name"))
    return expression.cast(pl.String)


def with_groups(
    per_enrolment: pl.LazyFrame, keys: Sequence[str], with_school: bool = False
) -> pl.LazyFrame:
    """One row per enrolment (as given), adding `group_<key>` for each characteristic key.
    `with_school` needs a `school_name` column."""
    return per_enrolment.with_columns(
        group_expression(key, with_school).alias(group_column(key)) for key in keys
    )


def group_order(key: str, found: Sequence[str]) -> list[str]:
    """The groups found, in the characteristic's display order (unlisted ones sorted, at the end)."""
    order = characteristic(key).order
    listed = [g for g in order if g in found]
    return listed + sorted(g for g in found if g not in order)
