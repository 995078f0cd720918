"""The newest-figure rule, checked on every comparison the product makes: every headline measure
and every group the export, the Cohorts tables and the Behaviour page compare, for England, the
region and the LA, over term and year windows; the governors' figures; the trends. Each chosen
figure is checked against the whole table of figures held, by a rule written out here
independently of `held.HeldFigures`."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from analytics.domain.calendar import academic_year_label
from analytics.pipelines.groups import CHARACTERISTICS
from analytics.pipelines.windows import Window
from analytics.reports.analysis import cohorts as cohort_report
from analytics.reports.analysis.behaviour import exclusion_rates
from tests.fixtures.reference import enrolment_table
from analytics.reports.comparisons.export import ALL_PUPILS, comparison_table
from analytics.reports.comparisons.figures import group_key, group_key_expr
from analytics.reports.comparisons.groups import NATIONAL_GROUPS
from analytics.reports.comparisons.held import PHASE_YEARS
from analytics.reports.comparisons.periods import term_of
from analytics.reports.comparisons.scope import comparators
from analytics.reports.comparisons.trends import trend
from analytics.reports.governors.report import term_figures
from analytics.reports.inputs.records import load_behaviour
from analytics.reports.inputs.register import load_register
from analytics.store import benchmarks
from tests.fixtures.small_school import NOW, URN, build_small_school

#: Published windows comparable with a window of each kind, written out for the check.
COMPARABLE = {
    "autumn": {"autumn", "autumn_spring", "year"},
    "spring": {"spring", "autumn_spring", "year"},
    "summer": {"summer", "year", "autumn_spring"},
    "year": {"year", "autumn_spring"},
}
WINDOWS = (
    NOW,  # two weeks of autumn 2025/26: compared with autumn figures or newer whole years
    Window(date(2025, 8, 1), date(2026, 7, 31)),  # the whole of 2025/26
    Window(date(2024, 8, 1), date(2025, 7, 31)),  # 2024/25: nothing later than that year
)


@pytest.fixture
def school(db, load):
    """The small secondary school, in Manchester (North West)."""
    build_small_school(db, load)
    benchmarks.set_school_laestab(db, URN, "3524001", actor="test")
    return db


def held_for(frame: pl.DataFrame, place: str, compare) -> pl.DataFrame:
    """The figures held for `place` (`national`, `region`, `la`), by the columns DfE gives."""
    if place == "national":
        return frame.filter(pl.col("geographic_level") == "National")
    if place == "region":
        return frame.filter(
            (pl.col("geographic_level") == "Regional")
            & (pl.col("region_name") == compare.place.region_name)
        )
    codes = [compare.place.la_number, *compare.place.la_codes]
    return frame.filter(
        (pl.col("geographic_level") == "Local authority")
        & (pl.col("old_la_code").is_in(codes) | pl.col("new_la_code").is_in(codes))
    )


def check(
    frame: pl.DataFrame,
    compare,
    place: str,
    measure: str,
    names: tuple[str, ...],
    phase: str,
    year: int,
    kind: str,
    value: float | None,
    years: str,
    figure_phase: str,
    older: bool,
    exact_year: bool = False,
) -> None:
    """The chosen figure is the newest held for the phase (or for all schools, when that is more
    than PHASE_YEARS newer), and is marked older exactly when over a year older than the window."""
    published = "absence_rate" if measure == "attendance_rate" and names != ("Total",) else measure
    keys = {group_key(name) for name in names}
    candidates = held_for(frame, place, compare).filter(
        (pl.col("measure") == published)
        & group_key_expr("characteristic").is_in(keys)
        & pl.col("window").is_in(COMPARABLE[kind])
        & ((pl.col("academic_year") == year) if exact_year else (pl.col("academic_year") <= year))
    )
    own = candidates.filter(pl.col("phase") == phase)["academic_year"].max()
    total = candidates.filter(pl.col("phase") == "Total")["academic_year"].max()
    where = f"{place} {measure} {names[0]} {phase} {academic_year_label(year)} {kind}"
    if own is None and total is None:
        assert value is None, f"{where}: a figure where none is held"
        return
    assert value is not None, f"{where}: none chosen, but figures are held"
    chosen = int(years[:4])
    if own is not None and (total is None or total <= own + PHASE_YEARS):
        assert (chosen, figure_phase) == (own, phase), f"{where}: {years}, newest held {own}"
    else:
        assert (chosen, figure_phase) == (total, "Total"), f"{where}: {years}, newest held {total}"
    assert older == (year - chosen > 1), f"{where}: marked older {older}"


def test_every_exported_comparison_uses_the_newest_figure_held(school) -> None:
    compare = comparators(school, (URN,))
    frame = compare.figures.frame
    walked = 0
    for window in WINDOWS:
        table = comparison_table(school, URN, window, compare)
        year, kind = window.academic_year_start, term_of(window)
        for row in table.iter_rows(named=True):
            names = (
                ("Total",)
                if row["group"] == ALL_PUPILS
                else NATIONAL_GROUPS[(row["characteristic"], row["group"])]
            )
            for place in ("national", "region", "la"):
                check(
                    frame,
                    compare,
                    place,
                    row["measure"],
                    names,
                    "Secondary",
                    year,
                    kind,
                    row[f"{place}_value"],
                    row[f"{place}_year"],
                    row[f"{place}_figure_phase"],
                    row[f"{place}_older"],
                )
                walked += 1
    # Every headline measure and every published group the school has, three places, three windows.
    groups = {(r["characteristic"], r["group"]) for r in table.iter_rows(named=True)}
    assert {("fsm", "FSM eligible"), ("sen", "SEN support"), ("sex", "Female")} <= groups
    assert walked == 3 * sum(comparison_table(school, URN, w, compare).height for w in WINDOWS)
    assert walked > 600


def test_every_cohort_table_and_exclusion_rate_uses_the_newest_figure_held(school) -> None:
    compare = comparators(school, (URN,))
    frame = compare.figures.frame
    enrolments = enrolment_table(load_register(school, (URN,)), NOW, load_behaviour(school, (URN,)))
    year, kind = NOW.academic_year_start, term_of(NOW)
    for key in CHARACTERISTICS:
        for measure in cohort_report.GAP_MEASURE_LABELS:
            table = cohort_report.cohort_table(
                enrolments, key, measure, year, kind, 1, None, compare
            )
            for row in table.iter_rows(named=True):
                if row["group"] == cohort_report.ALL_PUPILS:
                    names = ("Total",)
                else:
                    names = NATIONAL_GROUPS.get((key, row["group"]))
                    if names is None:
                        assert row["national"] is None
                        continue
                for place in ("national", "region", "la"):
                    check(
                        frame,
                        compare,
                        place,
                        measure,
                        names,
                        "Secondary",
                        year,
                        kind,
                        row[place],
                        row[f"{place}_year"],
                        row[f"{place}_figure_phase"],
                        row[f"{place}_older"],
                    )
    rates = exclusion_rates(enrolments, year, compare)
    for row in rates.iter_rows(named=True):
        check(
            frame,
            compare,
            "national",
            row["measure"],
            ("Total",),
            "Secondary",
            year,
            "year",
            row["national"],
            row["national_year"],
            row["national_figure_phase"],
            row["national_older"],
        )
    # The exclusion figures held are years old: the page says so.
    assert rates["national_older"].all()


def test_the_governors_figures_and_the_trend_use_the_newest_figure_held(school) -> None:
    compare = comparators(school, (URN,))
    frame = compare.figures.frame
    figures = term_figures(school, URN, 2025, "Autumn term")
    for place, found in (
        ("national", figures.national),
        ("region", figures.region),
        ("la", figures.la),
    ):
        assert set(found) == {
            "attendance_rate",
            "absence_rate",
            "authorised_rate",
            "unauthorised_rate",
            "persistent_absence_rate",
            "severe_absence_rate",
        }
        for measure, benchmark in found.items():
            check(
                frame,
                compare,
                place,
                measure,
                ("Total",),
                "Secondary",
                2025,
                "autumn",
                None if benchmark is None else benchmark.value,
                "" if benchmark is None else benchmark.year_label,
                "" if benchmark is None else benchmark.figure_phase,
                False if benchmark is None else benchmark.older,
            )
    rows = trend(school, (URN,), NOW, compare=compare).table
    assert rows["academic_year"].unique().sort().to_list() == [2023, 2024, 2025]
    for row in rows.iter_rows(named=True):
        if not row["school_pupils"]:  # no pupils that year: nothing to compare
            assert row["national"] is None
            continue
        for place in ("national", "region", "la"):
            check(
                frame,
                compare,
                place,
                row["measure"],
                ("Total",),
                "Secondary",
                row["academic_year"],
                "year",
                row[place],
                row[f"{place}_year"],
                row[f"{place}_figure_phase"],
                row[f"{place}_older"],
                exact_year=True,
            )
