"""The published figures Rollcall holds, and the rule that picks the one a school's figure is set
beside: the newest.

Held figures are the built-in files of `data/benchmarks/` and every file imported since with
`rollcall import benchmarks` (kept in the database). For one measure, group of pupils, phase and
place, and a window of academic year Y, the figure compared with is chosen so:

1. **Comparable windows only.** A term is compared with that term, the autumn and spring terms
   together, or a whole year; a year (or a year to date, or any longer window) with a whole
   year or the autumn and spring terms. Weeks and part-year figures are never used unless asked
   for by name.
2. **Up to the window's year.** No figure from a later academic year than Y.
3. **The newest year first.** Among what is left, the latest academic year wins, whatever the
   window, kind or file: no comparison uses an older figure while a newer one is held. A figure
   is for the school's own phase or, where DfE publishes a group only for all state-funded
   schools together (FSM and SEN groups, lately), for all schools. The phase's own figure is
   the like-for-like one (phases differ far more than years do: persistent absence of FSM
   pupils was 45% in secondary schools in 2022/23, 32% in all schools in autumn 2024), so it
   stands against an all-schools figure up to PHASE_YEARS academic years newer, and gives way
   only to one newer still.
4. **Within that year, the nearest like-for-like:** the school's own phase first, then the
   nearest window (the same term first), then census figures (definitive) before daily data
   (estimates), then a figure imported into Rollcall before a built-in one (the latest import
   first), then the latest-ending window.

A figure more than one academic year older than the window is marked wherever it is shown
(`Benchmark.older`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import polars as pl

from analytics.reports.comparisons.figures import (
    BUILT_IN,
    CENSUS,
    NATIONAL,
    SCHEMA,
    WINDOWS,
    group_key,
    group_key_expr,
)
from analytics.reports.comparisons.national import Benchmark, benchmarks

#: How many academic years newer DfE's all-schools figure must be than a phase's own before it
#: is used instead (rule 3).
PHASE_YEARS = 2
#: Windows a comparison may use without being asked for one by name.
COMPARED_WINDOWS = ("year", "autumn", "spring", "summer", "autumn_spring")


def comparable_windows(window: str) -> dict[str, int]:
    """The kinds of published window comparable with a window of kind `window` (a term, or
    `year` for anything else), nearest first: kind -> rank."""
    if window in ("autumn", "spring"):
        return {window: 0, "autumn_spring": 1, "year": 2}
    if window == "summer":
        return {"summer": 0, "year": 1, "autumn_spring": 2}
    return {"year": 0, "autumn_spring": 1}


@dataclass(frozen=True)
class Where:
    """A place figures are published for: England, a region (by name and code) or a local
    authority (by its old three-digit number and its current codes)."""

    level: str = NATIONAL
    name: str = "England"
    codes: tuple[str, ...] = ()

    def rows(self) -> pl.Expr:
        """The rows of a figure frame published for this place."""
        level = pl.col("geographic_level") == self.level
        if self.level == NATIONAL:
            return level
        codes = [code for code in self.codes if code]
        named = pl.col("region_name").str.to_lowercase() == self.name.lower()
        if self.level == "Regional":
            return level & (named | pl.col("region_code").is_in(codes))
        return level & (pl.col("old_la_code").is_in(codes) | pl.col("new_la_code").is_in(codes))


ENGLAND = Where()

_EMPTY = pl.DataFrame(schema=SCHEMA)


class HeldFigures:
    """The built-in figures and those imported into one database, with the newest-figure rule.
    Immutable once made; lookups are remembered, so one object serves a page's many lookups."""

    def __init__(self, imported: pl.DataFrame | None = None) -> None:
        self.imported = _EMPTY if imported is None else imported.select(list(SCHEMA))
        self._lock = threading.Lock()
        self._by_measure: dict[str, pl.DataFrame] | None = None
        self._picks: dict[tuple, Benchmark | None] = {}

    @property
    def frame(self) -> pl.DataFrame:
        """Every held figure (columns as `figures.SCHEMA`)."""
        return pl.concat([benchmarks(), self.imported])

    def _measure(self, measure: str) -> pl.DataFrame:
        with self._lock:
            if self._by_measure is None:
                keyed = self.frame.with_columns(group_key_expr("characteristic"))
                self._by_measure = {
                    key[0]: part
                    for key, part in keyed.partition_by("measure", as_dict=True).items()
                }
        return self._by_measure.get(measure, _EMPTY.with_columns(group_key_expr("characteristic")))

    def candidates(
        self,
        measure: str,
        phase: str,
        academic_year: int,
        window: str = "year",
        *,
        groups: Sequence[str] = ("Total",),
        where: Where = ENGLAND,
        exact_year: bool = False,
    ) -> pl.DataFrame:
        """Every held figure a window of `academic_year` could be compared with, best first (the
        first row is the one `pick` gives). `window` is a term or `year`; or `week`,
        `year_to_date` or a window label for that exact kind of window."""
        frame = self._measure(measure)
        if window in COMPARED_WINDOWS:
            ranks = comparable_windows(window)
            in_window = pl.col("window").is_in(list(ranks))
        elif window in WINDOWS:
            ranks = {window: 0}
            in_window = pl.col("window") == window
        elif window in self.frame["window_label"]:
            ranks = {}
            in_window = pl.col("window_label") == window
        else:
            raise ValueError(
                f"unknown window '{window}': use one of {', '.join(WINDOWS)} or a window label"
            )
        keys = [group_key(name) for name in groups]
        phases = [phase] if phase == "Total" else [phase, "Total"]
        year = pl.col("academic_year")
        found = frame.filter(
            in_window
            & where.rows()
            & pl.col("group_key").is_in(keys)
            & pl.col("phase").is_in(phases)
            & ((year == academic_year) if exact_year else (year <= academic_year))
        )
        own_phase = pl.col("phase") == phase
        return found.with_columns(
            own_phase.alias("own_phase"),
            # The phase's own figure stands against DfE's all-schools figure up to PHASE_YEARS later.
            (pl.col("academic_year") + PHASE_YEARS * own_phase.cast(pl.Int32)).alias("standing"),
            pl.col("window").replace_strict(ranks, default=0, return_dtype=pl.Int32).alias("near"),
            (pl.col("data_kind") == CENSUS).alias("definitive"),
            (pl.col("origin") != BUILT_IN).alias("imported"),
        ).sort(
            [
                "standing",
                "own_phase",
                "academic_year",
                "near",
                "definitive",
                "imported",
                "origin",
                "window_end",
            ],
            descending=[True, True, True, False, True, True, True, True],
            nulls_last=True,
        )

    def pick(
        self,
        measure: str,
        phase: str,
        academic_year: int,
        window: str = "year",
        *,
        groups: Sequence[str] = ("Total",),
        where: Where = ENGLAND,
        exact_year: bool = False,
    ) -> Benchmark | None:
        """The figure a window of `academic_year` of `phase` pupils (of `groups`, the names DfE
        gives the group) is compared with, by the rule above; None when none is held."""
        key = (measure, phase, academic_year, window, tuple(groups), where, exact_year)
        if key in self._picks:
            return self._picks[key]
        found = self.candidates(
            measure,
            phase,
            academic_year,
            window,
            groups=groups,
            where=where,
            exact_year=exact_year,
        )
        picked = None
        if not found.is_empty():
            best = found.row(0, named=True)
            picked = Benchmark(
                value=best["value"],
                measure=measure,
                phase=phase,
                academic_year=best["academic_year"],
                requested_year=academic_year,
                window=best["window"],
                window_label=best["window_label"],
                window_start=best["window_start"],
                window_end=best["window_end"],
                data_kind=best["data_kind"],
                source_file=best["source_file"],
                characteristic=best["characteristic"],
                place=where.name
                if where.level == NATIONAL
                else (best["la_name"] or best["region_name"] or where.name),
                figure_phase=best["phase"],
                source_note=best["source_note"],
                origin=best["origin"],
                geographic_level=where.level,
            )
        self._picks[key] = picked
        return picked


@cache
def built_in_figures() -> HeldFigures:
    """The figures of the built-in files alone (one object per process)."""
    return HeldFigures()
