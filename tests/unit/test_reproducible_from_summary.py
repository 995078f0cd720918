"""Every figure on the way from the Cohorts page to a pupil can be reproduced from
`rollcall export summary` for the same window: the pupil list's rows are the export's rows, and
every cohort, year-group and form figure is a sum over the export's rows of its pupils."""

from __future__ import annotations

import csv
from datetime import date

import polars as pl
import pytest

from analytics.cli import main
from analytics.pipelines.groups import CHARACTERISTICS, group_column
from analytics.pipelines.windows import Window
from analytics.reports.analysis.cohorts import ALL_PUPILS, cohort_table
from analytics.reports.analysis.pupils import measures_by, pupil_list
from analytics.reports.inputs.records import load_behaviour
from analytics.reports.inputs.register import load_register
from analytics.store import read
from tests.fixtures.reference import enrolment_table

pytestmark = pytest.mark.slow

WINDOWS = [
    Window(date(2025, 9, 1), date(2026, 7, 31), "2025/26"),
    Window(date(2026, 8, 1), date(2026, 11, 20), "2026/27 to date"),
]
COUNTS = (
    "possible",
    "attended",
    "present",
    "aea",
    "authorised",
    "unauthorised",
    "late_before_close",
    "late_after_close",
)


def export_summary(db, tmp_path, urn: int, window: Window) -> pl.DataFrame:
    out = tmp_path / f"summary-{urn}-{window.start}.csv"
    args = [
        "--db",
        str(db.path),
        "export",
        "summary",
        "--from",
        window.start.isoformat(),
        "--to",
        window.end.isoformat(),
        "--out",
        str(out),
        "--school",
        str(urn),
    ]
    assert main(args) == 0
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    frame = pl.DataFrame(rows).with_columns(
        pl.col("school_urn").cast(pl.Int32),
        *(pl.col(f"sessions_{c}").cast(pl.Int64) for c in COUNTS),
        (pl.col("persistent_absence") == "true").alias("persistent_absence"),
        (pl.col("severe_absence") == "true").alias("severe_absence"),
    )
    return frame


def rate(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator * 100 / denominator


@pytest.fixture(scope="module")
def cases(demo_db, tmp_path_factory):
    """(school, window, summary export, enrolment table) for each demo school and window."""
    tmp = tmp_path_factory.mktemp("summary")
    found = []
    for urn in read.schools(demo_db)["urn"].to_list():
        register = load_register(demo_db, (urn,))
        records = load_behaviour(demo_db, (urn,))
        for window in WINDOWS:
            found.append(
                (
                    urn,
                    window,
                    export_summary(demo_db, tmp, urn, window),
                    enrolment_table(register, window, records),
                )
            )
    return found


def test_the_pupil_list_is_the_summary_export(cases):
    for urn, window, summary, enrolments in cases:
        listed = pupil_list(enrolments)
        assert listed.height == summary.height, (urn, window)
        joined = listed.join(summary, on=["school_urn", "upn"], how="inner", validate="1:1")
        assert joined.height == summary.height
        for count in (c for c in COUNTS if c in listed.columns):
            assert (joined[count] == joined[f"sessions_{count}"]).all(), (urn, window, count)
        assert (
            joined["absent"] == joined["sessions_authorised"] + joined["sessions_unauthorised"]
        ).all()
        assert (joined["persistent_absence"] == joined["persistent_absence_right"]).all()
        assert (joined["severe_absence"] == joined["severe_absence_right"]).all()


def group_sums(summary: pl.DataFrame, enrolments: pl.DataFrame, key: str) -> dict[str, dict]:
    """Each group's figures, summed from the export's rows of its pupils."""
    column = group_column(key)
    membership = enrolments.select("school_urn", "upn", pl.col(column).alias("group"))
    sums = (
        summary.join(membership, on=["school_urn", "upn"], how="inner", validate="1:1")
        .group_by("group")
        .agg(
            pl.len().alias("pupils"),
            (pl.col("sessions_possible") > 0).sum().alias("pupils_counted"),
            *(pl.col(f"sessions_{c}").sum().alias(c) for c in COUNTS),
            pl.col("persistent_absence").sum().alias("persistent_absentees"),
            pl.col("severe_absence").sum().alias("severe_absentees"),
        )
    )
    return {row["group"]: row for row in sums.iter_rows(named=True)}


def assert_same(shown: dict, summed: dict, where) -> None:
    for count in (
        "pupils",
        "pupils_counted",
        "possible",
        "attended",
        "persistent_absentees",
        "severe_absentees",
    ):
        assert shown[count] == summed[count], (where, count)
    assert shown["attendance_rate"] == pytest.approx(
        rate(summed["attended"], summed["possible"])
    ), where
    assert shown["persistent_absence_rate"] == pytest.approx(
        rate(summed["persistent_absentees"], summed["pupils_counted"])
    ), where
    assert shown["severe_absence_rate"] == pytest.approx(
        rate(summed["severe_absentees"], summed["pupils_counted"])
    ), where


@pytest.mark.parametrize("key", list(CHARACTERISTICS))
def test_every_cohort_table_is_a_sum_over_the_export(cases, key):
    for urn, window, summary, enrolments in cases:
        sums = group_sums(summary, enrolments, key)
        table = cohort_table(
            enrolments, key, "persistent_absence_rate", window.academic_year_start, "year", 10
        )
        whole = table.filter(pl.col("group") == ALL_PUPILS).row(0, named=True)
        assert whole["pupils"] == summary.height
        assert whole["possible"] == summary["sessions_possible"].sum()
        for row in table.filter(pl.col("group") != ALL_PUPILS).iter_rows(named=True):
            assert_same(row, sums[row["group"]], (urn, window.label, key, row["group"]))
        assert set(sums) == set(table["group"]) - {ALL_PUPILS}


def test_year_group_and_form_tables_are_sums_over_the_export(cases):
    for urn, window, summary, enrolments in cases:
        for key in ("year_group", "form"):
            sums = group_sums(summary, enrolments, key)
            for row in measures_by(enrolments, key).iter_rows(named=True):
                assert_same(row, sums[row["group"]], (urn, window.label, key, row["group"]))


def test_crossed_groups_are_sums_over_the_export(cases):
    _, window, summary, enrolments = cases[-1]
    crossed = cohort_table(
        enrolments,
        "disadvantaged",
        "attendance_rate",
        window.academic_year_start,
        "year",
        10,
        cross="sen",
    )
    both = enrolments.with_columns(
        pl.format("{}|{}", "group_disadvantaged", "group_sen").alias("group_both")
    )
    membership = both.select("school_urn", "upn", "group_both")
    summed = (
        summary.join(membership, on=["school_urn", "upn"])
        .group_by("group_both")
        .agg(pl.col("sessions_possible").sum(), pl.col("sessions_attended").sum(), pl.len())
    )
    expected = {row["group_both"]: row for row in summed.iter_rows(named=True)}
    for row in crossed.filter(pl.col("group") != ALL_PUPILS).iter_rows(named=True):
        found = expected[f"{row['group']}|{row['cross_group']}"]
        assert (row["pupils"], row["possible"], row["attended"]) == (
            found["len"],
            found["sessions_possible"],
            found["sessions_attended"],
        )
