"""A school's local authority and region, from its LAESTAB and the published files.

A LAESTAB is the school's LA number (DfE's three-digit `old_la_code`) and its four-digit
establishment number. The published files carry each LA's old and new codes with its region, so
the LA's name, current codes and region are read from them (the newest file that has the LA),
never typed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from analytics.reports.comparisons.figures import LOCAL_AUTHORITY, REGIONAL
from analytics.reports.comparisons.held import HeldFigures, Where

_LAESTAB = re.compile(r"\d{7}")


def checked_laestab(text: str) -> str:
    """A LAESTAB as seven digits (spaces and a `/` between LA and establishment allowed), or a
    ValueError saying what is wrong."""
    cleaned = re.sub(r"[\s/-]", "", str(text))
    if not _LAESTAB.fullmatch(cleaned):
        raise ValueError(
            f"'{text}' is not a LAESTAB: it is seven digits, the LA number and the "
            "establishment number (e.g. 3524001)"
        )
    return cleaned


@dataclass(frozen=True)
class Place:
    """The local authority and region of a school."""

    la_number: str
    la_name: str
    la_codes: tuple[str, ...]
    region_name: str | None
    region_code: str | None

    @property
    def local_authority(self) -> Where:
        return Where(LOCAL_AUTHORITY, self.la_name, (self.la_number, *self.la_codes))

    @property
    def region(self) -> Where | None:
        if not self.region_name:
            return None
        return Where(REGIONAL, self.region_name, tuple(c for c in (self.region_code,) if c))

    def describe(self) -> str:
        region = f", {self.region_name}" if self.region_name else ""
        return f"{self.la_name} (LA {self.la_number}){region}"


def place_of(laestab: str, figures: HeldFigures) -> Place | None:
    """The LA and region of a LAESTAB, from the newest held file that has its LA; None when no
    held file knows the LA number."""
    number = checked_laestab(laestab)[:3]
    rows = (
        figures.frame.filter(
            (pl.col("geographic_level") == LOCAL_AUTHORITY) & (pl.col("old_la_code") == number)
        )
        .select("academic_year", "la_name", "new_la_code", "region_name", "region_code")
        .unique()
        .sort("academic_year", descending=True)
    )
    if rows.is_empty():
        return None
    named = rows.filter(pl.col("region_name").is_not_null())
    newest = (named if not named.is_empty() else rows).row(0, named=True)
    codes = rows.drop_nulls("new_la_code")["new_la_code"].unique().sort().to_list()
    return Place(
        number, newest["la_name"], tuple(codes), newest["region_name"], newest["region_code"]
    )


def scope_place(schools: pl.DataFrame, figures: HeldFigures) -> tuple[Place | None, str]:
    """The one LA of every school in `schools` (`urn`, `laestab`), or None with the reason."""
    if schools.is_empty():
        return None, "no school in scope"
    missing = schools.filter(pl.col("laestab").is_null() | (pl.col("laestab") == ""))
    if not missing.is_empty():
        return None, (
            "no LAESTAB recorded for school "
            + ", ".join(str(urn) for urn in missing["urn"].to_list())
            + " (its LA and establishment number, which the school's data manager records on "
            "the Import page or from the school's Common Transfer File)"
        )
    numbers = {str(code)[:3] for code in schools["laestab"].to_list()}
    if len(numbers) > 1:
        return None, "the schools shown are in different local authorities"
    try:
        place = place_of(schools["laestab"][0], figures)
    except ValueError as error:
        return None, str(error)
    if place is None:
        return None, f"no published figures for LA number {numbers.pop()}"
    return place, ""
