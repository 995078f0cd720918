"""National Curriculum year groups: N1, N2, R, 1..14, and how a pupil moves through them."""

from __future__ import annotations

import re

import polars as pl

YEAR_GROUPS = ("N1", "N2", "R", *(str(n) for n in range(1, 15)))
_RANK = {name: rank for rank, name in enumerate(YEAR_GROUPS)}
_ALIASES = {"RECEPTION": "R", "YR": "R", "REC": "R", "NURSERY 1": "N1", "NURSERY 2": "N2"}
#: How pages and reports name each year group.
YEAR_GROUP_LABELS = {"N1": "Nursery 1", "N2": "Nursery 2", "R": "Reception"} | {
    str(n): f"Year {n}" for n in range(1, 15)
}
NO_YEAR_GROUP = "No year group"


def year_group_label(year_group: str | None) -> str:
    """`"9"` -> `"Year 9"`, `"R"` -> `"Reception"`; `"No year group"` for none."""
    return YEAR_GROUP_LABELS.get(year_group or "", NO_YEAR_GROUP)


def normalise_year_group(raw: str) -> str | None:
    """`Y7`, `Year 7`, `07` and `7` -> `"7"`; `Reception`, `YR` -> `"R"`; None when not a year group."""
    text = raw.strip().upper()
    text = _ALIASES.get(text, text)
    text = re.sub(r"^(YEAR|YR|Y)\s*", "", text) if text not in _RANK else text
    if text.isdigit():
        text = str(int(text))
    return text if text in _RANK else None


def year_group_expr(raw: pl.Expr) -> pl.Expr:
    """`normalise_year_group` as a native Polars expression (null when not a year group), so an
    import checks a column without calling Python once per value."""
    text = raw.str.strip_chars().str.to_uppercase().replace(_ALIASES)
    text = (
        pl.when(text.is_in(YEAR_GROUPS))
        .then(text)
        .otherwise(text.str.replace(r"^(YEAR|YR|Y)\s*", ""))
    )
    number = text.cast(pl.UInt32, strict=False)
    text = (
        pl.when(text.str.contains(r"^[0-9]+$") & number.is_not_null())
        .then(number.cast(pl.String))
        .otherwise(text)
    )
    return pl.when(text.is_in(YEAR_GROUPS)).then(text)


def year_group_rank(year_group: str) -> int:
    """Position of a year group in school order (N1 first)."""
    return _RANK[year_group]


def n1_year(year_group: str, academic_year: int) -> int:
    """The academic year in which a pupil in `year_group` in `academic_year` was (or will be) in
    N1: the same for every year of the pupil's schooling, so it names a year-group cohort."""
    return academic_year - _RANK[year_group]


def shift_year_group(year_group: str, years: int) -> str | None:
    """The year group `years` academic years later (earlier when negative); None off either end."""
    rank = _RANK[year_group] + years
    return YEAR_GROUPS[rank] if 0 <= rank < len(YEAR_GROUPS) else None
