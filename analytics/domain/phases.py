"""Which DfE phase a pupil's figures are compared with: the school's phase, or for all-through
and other schools, the pupil's year group (Reception to Year 6 primary, Year 7 up secondary)."""

from __future__ import annotations

import polars as pl

from analytics.domain.yeargroups import year_group_rank

#: School phases (as Rollcall stores them) that are a DfE phase of their own.
SCHOOL_PHASES = {"primary": "Primary", "secondary": "Secondary", "special": "Special"}
_LAST_PRIMARY_RANK = year_group_rank("6")
_RANKS = {
    name: year_group_rank(name) for name in ("N1", "N2", "R", *(str(n) for n in range(1, 15)))
}


def national_phase(school_phase: str = "school_phase", year_group: str = "year_group") -> pl.Expr:
    """The DfE phase (`Primary`, `Secondary`, `Special`) each enrolment is compared with; null
    when the school's phase says nothing and the year group is unknown."""
    by_school = pl.col(school_phase).str.to_lowercase().replace_strict(SCHOOL_PHASES, default=None)
    rank = pl.col(year_group).replace_strict(_RANKS, default=None, return_dtype=pl.Int32)
    by_year = (
        pl.when(rank <= _LAST_PRIMARY_RANK)
        .then(pl.lit("Primary"))
        .when(rank > _LAST_PRIMARY_RANK)
        .then(pl.lit("Secondary"))
    )
    return pl.coalesce(by_school, by_year)
