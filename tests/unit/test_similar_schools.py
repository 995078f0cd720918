"""Similar schools from DfE's school-level files, on small synthetic files of the published shape
(no school-level file is at hand: see tests/fixtures/benchmarks/README.md), and the comparison
export's header."""

from __future__ import annotations

import csv
import math

import polars as pl
import pytest

from analytics.cli import main
from analytics.reports.comparisons.export import COMPARISON_HEADER
from analytics.reports.comparisons.published import import_published, read_published
from analytics.reports.comparisons.similar import HOW_TO_GET, SIMILAR, similar_schools
from analytics.settings import PROJECT_ROOT
from analytics.store import benchmarks
from tests.fixtures.small_school import URN, build_small_school

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "benchmarks"
ABSENCE = FIXTURES / "synthetic_absence_by_school_2024-25.csv"
FSM = FIXTURES / "synthetic_spc_school_level_2024-25.csv"
SEN = FIXTURES / "synthetic_sen_school_level_2024-25.csv"
THIS = 100105  # a synthetic primary school of the files


def imported(db, *paths) -> None:
    for path in paths:
        import_published(db, path.name, path.read_bytes(), actor="test")


@pytest.fixture
def school(db, load):
    return build_small_school(db, load)


def test_the_school_level_files_are_read_by_their_columns() -> None:
    absence = read_published(ABSENCE.name, ABSENCE.read_bytes())
    assert absence.shape.kind == "school_absence" and absence.figures.is_empty()
    schools = absence.schools
    assert set(schools["measure"]) == {
        "enrolments",
        "absence_rate",
        "persistent_absence_rate",
        "severe_absence_rate",
    }
    assert 100199 not in schools["urn"].to_list()  # its figures are all `c`
    assert set(schools["phase"]) == {"Primary", "Secondary"}
    fsm = read_published(FSM.name, FSM.read_bytes())
    assert fsm.shape.kind == "school_fsm" and set(fsm.schools["measure"]) == {
        "fsm_percent",
        "pupils",
    }
    sen = read_published(SEN.name, SEN.read_bytes())
    shares = sen.schools.filter(pl.col("urn") == THIS).pivot(
        on="measure", index="urn", values="value"
    )
    with open(SEN, newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["URN"] == str(THIS))
    pupils, support, plans = (int(row[c]) for c in ("Total pupils", "SEN support", "EHC plan"))
    assert shares["sen_percent"].item() == pytest.approx((support + plans) * 100 / pupils)
    assert shares["ehc_plan_percent"].item() == pytest.approx(plans * 100 / pupils)


def test_without_the_files_the_page_says_how_to_get_them(school) -> None:
    found = similar_schools(school, THIS)
    assert not found.found and HOW_TO_GET in found.reason
    assert "Absence by school level" in HOW_TO_GET and "explore-education-statistics" in HOW_TO_GET
    imported(school, ABSENCE)
    assert (
        "free school meals and special educational needs is not held"
        in similar_schools(school, THIS).reason
    )
    imported(school, FSM, SEN)
    assert "not in the absence-by-school file" in similar_schools(school, URN).reason


def expected_neighbours(urn: int) -> tuple[list[int], int, int]:
    """The similar schools and ranks worked out here from the CSVs, by the stated method."""
    with open(ABSENCE, newline="") as handle:
        absence = {
            int(r["school_urn"]): r for r in csv.DictReader(handle) if r["enrolments"] != "c"
        }
    with open(FSM, newline="") as handle:
        fsm = {
            int(r["urn"]): float(r["% of pupils known to be eligible for free school meals"])
            for r in csv.DictReader(handle)
        }
    with open(SEN, newline="") as handle:
        sen = {
            int(r["URN"]): (int(r["SEN support"]) + int(r["EHC plan"]))
            * 100
            / int(r["Total pupils"])
            for r in csv.DictReader(handle)
        }
    phase = absence[urn]["education_phase"]
    schools = [
        u for u, r in absence.items() if r["education_phase"] == phase and u in fsm and u in sen
    ]

    def standard(values: dict[int, float]) -> dict[int, float]:
        mean = sum(values.values()) / len(values)
        spread = math.sqrt(sum((v - mean) ** 2 for v in values.values()) / (len(values) - 1))
        return {u: (v - mean) / spread for u, v in values.items()}

    z = [
        standard({u: fsm[u] for u in schools}),
        standard({u: sen[u] for u in schools}),
        standard({u: math.log(int(absence[u]["enrolments"])) for u in schools}),
    ]
    distance = {u: math.sqrt(sum((zs[u] - zs[urn]) ** 2 for zs in z)) for u in schools if u != urn}
    nearest = sorted(distance, key=lambda u: (distance[u], u))[:SIMILAR]
    group = [urn, *nearest]

    def rank(column: str) -> int:
        mine = float(absence[urn][column])
        return 1 + sum(float(absence[u][column]) < mine for u in group)

    return nearest, rank("sess_overall_percent"), rank("enrolments_pa_10_exact_percent")


def test_the_twenty_most_alike_of_the_same_phase_and_the_schools_rank(school) -> None:
    imported(school, ABSENCE, FSM, SEN)
    found = similar_schools(school, THIS)
    assert found.found and found.phase == "Primary" and found.academic_year == 2024
    table = found.table
    assert (
        table.height == SIMILAR + 1 and table["this_school"].to_list() == [True] + [False] * SIMILAR
    )
    nearest, absence_rank, persistent_rank = expected_neighbours(THIS)
    assert table["urn"].to_list()[1:] == nearest
    assert (found.this["absence_rank"], found.this["persistent_rank"]) == (
        absence_rank,
        persistent_rank,
    )
    assert table["distance"].to_list()[1:] == sorted(table["distance"].to_list()[1:])
    assert set(table["urn"]) <= set(range(100100, 100140)) | {990114, 990127}  # primaries only
    assert f"ranked {absence_rank} of 21 on overall absence" in found.describe()
    # Importing the files again changes nothing.
    imported(school, ABSENCE, FSM, SEN)
    assert benchmarks.files(school).height == 3
    assert similar_schools(school, THIS).table.equals(table)


def test_the_comparison_export_header(school, tmp_path, capsys) -> None:
    out = tmp_path / "comparison.csv"
    code = main(
        [
            "--db",
            str(school.path),
            "export",
            "comparison",
            "--school",
            str(URN),
            "--from",
            "2025-09-01",
            "--to",
            "2025-09-12",
            "--out",
            str(out),
        ]
    )
    assert code == 0 and "measures and groups" in capsys.readouterr().out
    header = out.read_text("utf-8").splitlines()[0]
    assert header.startswith(
        "measure,group,school_value,school_pupils,national_value,national_year,national_period,"
        "la_value,la_year,region_value,region_year"
    )
    assert header.split(",")[: len(COMPARISON_HEADER)] == list(COMPARISON_HEADER)
    rows = pl.read_csv(out)
    assert rows.filter(pl.col("group") == "All pupils").height == 8
    assert rows.filter(pl.col("group") == "FSM eligible")["measure"].to_list() == [
        "attendance_rate",
        "absence_rate",
        "persistent_absence_rate",
        "severe_absence_rate",
        "authorised_rate",
        "unauthorised_rate",
    ]
    assert rows["la_value"].null_count() == rows.height  # no LAESTAB recorded
