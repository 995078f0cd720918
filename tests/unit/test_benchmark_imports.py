"""`rollcall import benchmarks`: DfE's published CSVs read by their columns (on the real files
Rollcall ships, and on the shared data folder's when it is at hand), checked, kept whole or not
at all, and used from then on; the LA and region of a LAESTAB; `rollcall school set`."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import polars as pl
import pytest

from analytics.cli import main
from analytics.reports.comparisons.held import ENGLAND
from analytics.reports.comparisons.national import BENCHMARKS_DIR, SOURCES
from analytics.reports.comparisons.places import checked_laestab, place_of, scope_place
from analytics.reports.comparisons.published import (
    SHAPES,
    BenchmarkRefused,
    import_published,
    read_published,
)
from analytics.reports.comparisons.scope import comparators, held_figures
from analytics.store import audit, benchmarks
from analytics.store import read as store_read
from analytics.settings import PROJECT_ROOT

SHARED = PROJECT_ROOT.parent / "shared" / "data"
FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "benchmarks"

#: What each built-in file is read as, when imported as DfE serves it.
SHIPPED = {
    "dfe_attendance_ytd_2022-23_nat_reg_la.csv": "attendance",
    "dfe_attendance_ytd_2023-24_nat_reg_la.csv": "attendance",
    "dfe_attendance_ytd_2023-24_to_12jan2024_nat_reg_la.csv": "attendance",
    "dfe_attendance_ytd_2024-25_nat_reg_la.csv": "attendance",
    "dfe_attendance_ytd_2025-26_to_week26_nat_reg_la.csv": "attendance",
    "dfe_attendance_term_2024-25_autumn_nat_reg_la.csv": "attendance",
    "dfe_attendance_term_2024-25_spring_nat_reg_la.csv": "attendance",
    "dfe_attendance_term_2024-25_summer_nat_reg_la.csv": "attendance",
    "dfe_attendance_weekly_autumn2024_nat_reg_la.csv": "attendance",
    "dfe_absence_national_by_characteristic_2012-13_to_2016-17.csv": "absence_characteristics",
    "dfe_absence_bands_5pct_by_fsm_sen_sex_year_2016-17_to_2022-23_NATIONAL_extract.csv": "bands",
    "dfe_absence_2term_by_sen_provision_2022-23_nat_reg_la.csv": "sen_provision",
    "dfe_exclusions_national_by_characteristic_2011-12_to_2016-17.csv": "exclusions",
    "dfe_exclusions_national_summary_2006-07_to_2016-17.csv": "exclusions",
}


def built_in(name: str) -> pl.DataFrame:
    from analytics.reports.comparisons.national import benchmarks as shipped

    return shipped().filter(pl.col("source_file") == name)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_shipped_dfe_file_reads_as_its_shape_with_the_built_in_figures(name: str) -> None:
    """Imported as DfE serves it, a file gives the figures the built-in reader gives (the
    built-in files' windows are dated by hand; an imported file's are not)."""
    published = read_published(name, (BENCHMARKS_DIR / name).read_bytes())
    assert published.shape.kind == SHIPPED[name]
    keys = ["academic_year", "window", "geographic_level", "la_name", "phase", "characteristic"]
    keys += ["measure", "value"]
    imported = published.figures.select(keys).sort(keys)
    if name not in {source.file_name for source in SOURCES}:  # shipped, but no page reads it
        assert imported.height == 5_517 and imported["characteristic"].n_unique() > 50
        return
    shipped = built_in(name).select(keys).sort(keys)
    if name == "dfe_attendance_ytd_2023-24_to_12jan2024_nat_reg_la.csv":
        shipped = shipped.with_columns(pl.lit("year").alias("window"))  # its source says "to date"
    assert imported.equals(shipped)


@pytest.mark.skipif(not SHARED.exists(), reason="the shared data folder is not at hand")
@pytest.mark.parametrize(
    ("name", "kind", "levels"),
    [
        (
            "dfe_absence_bands_5pct_by_fsm_sen_sex_year_2016-17_to_2022-23_nat_reg_la.zip",
            "bands",
            3,
        ),
        (
            "dfe_absence_2term_by_sen_provision_2016-17_to_2022-23_nat_reg_la.csv",
            "sen_provision",
            3,
        ),
        ("dfe_exclusions_nat_reg_la_2006-07_to_2016-17.csv", "exclusions", 2),
        ("dfe_attendance_ytd_2024-25_nat_reg_la.csv", "attendance", 3),
    ],
)
def test_the_shared_data_files_read_whole(name: str, kind: str, levels: int) -> None:
    published = read_published(name, (SHARED / name).read_bytes())
    assert published.shape.kind == kind
    assert published.figures["geographic_level"].n_unique() == levels
    if kind == "bands":  # the zip of the headerless dashboard file: every region and LA
        assert published.rows_read == 211_553
        national = published.figures.filter(
            (pl.col("geographic_level") == "National")
            & (pl.col("academic_year") == 2022)
            & (pl.col("phase") == "Total")
            & (pl.col("characteristic") == "Total")
            & (pl.col("measure") == "persistent_absence_rate")
        )
        assert round(national["value"].item(), 1) == 21.2


@pytest.mark.skipif(not SHARED.exists(), reason="the shared data folder is not at hand")
@pytest.mark.parametrize(
    "name",
    [
        "dfe_pa_counts_2023-24_to_12jan2024_nat_reg_la.csv",
        "thirdparty_d2i_la_by_sen_absence_exclusions_attendance_rates_2018-19_to_2025-26.csv.gz",
    ],
)
def test_files_of_no_known_shape_are_refused_with_the_columns_expected(name: str) -> None:
    data = (SHARED / name).read_bytes()
    data = gzip.decompress(data) if name.endswith(".gz") else data
    with pytest.raises(BenchmarkRefused) as refused:
        read_published(name, data)
    message = str(refused.value)
    assert message.startswith(f"{name}: not a published file Rollcall reads")
    for shape in SHAPES:
        assert shape.describe() in message
    assert "sess_overall_percent" in message and "pct50plus_OARate" in message


def attendance_file(value: str = "94.5", time_period: str = "202627") -> bytes:
    """A national attendance file of the published shape, for one phase."""
    header = (
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,new_la_code,la_name,old_la_code,education_phase,possible_sessions,"
        "attendance_perc,overall_absence_perc,pa_perc"
    )
    rows = [
        f"{time_period},Academic year,National,E92000001,England,,,,,,Primary,1000,{value},5.5,15.25",
        f"{time_period},Academic year,Local authority,E92000001,England,E12000002,North West,"
        f"E08000003,Manchester,352,Primary,100,93.0,7.0,c",
    ]
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (attendance_file(value="9x.5"), "row 2, field 'attendance_perc': '9x.5' is not a number"),
        (
            attendance_file(time_period="2026/27"),
            "row 2, field 'time_period': '2026/27' is not an academic year",
        ),
        (b"a,b\n1,2\n", "not a published file Rollcall reads (its columns: a, b)"),
        (
            attendance_file().replace(b"Primary", b"Nursery"),
            "no row holds a figure Rollcall compares with",
        ),
    ],
)
def test_a_bad_file_is_refused_at_its_row_and_field_and_nothing_is_kept(db, load, data, message):
    load(
        "pupils",
        "upn,forename,surname,date_of_birth,year_group,admission_date\n",
        school_urn=100001,
    )
    with pytest.raises(BenchmarkRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_published(db, "attendance.csv", data, actor="test")
    assert benchmarks.files(db).is_empty()


def test_an_imported_file_is_kept_once_and_its_newer_figures_are_used(db, load):
    load(
        "pupils",
        "upn,forename,surname,date_of_birth,year_group,admission_date\n",
        school_urn=100001,
    )
    before = held_figures(db).pick("attendance_rate", "Primary", 2026, "year")
    assert before.academic_year == 2025  # the newest built in: 2025/26 to week 26
    first = import_published(db, "ees_ytd_2026-27.csv", attendance_file(), actor="ann")
    again = import_published(db, "ees_ytd_2026-27.csv", attendance_file(), actor="ann")
    assert first.new and not again.new and "nothing changed" in again.summary()
    assert benchmarks.files(db).height == 1
    figures = held_figures(db)
    after = figures.pick("attendance_rate", "Primary", 2026, "year")
    assert (after.value, after.academic_year, after.source_file) == (
        94.5,
        2026,
        "ees_ytd_2026-27.csv",
    )
    assert after.origin.startswith("imported ") and "imported " in after.label
    # The LA row is used for the LA; its `c` left no figure for persistent absence.
    place = place_of("3524001", figures)
    la = figures.pick("attendance_rate", "Primary", 2026, "year", where=place.local_authority)
    assert (la.value, la.place) == (93.0, "Manchester")
    assert (
        figures.pick(
            "persistent_absence_rate", "Primary", 2026, "year", where=place.local_authority
        ).academic_year
        == 2025
    )
    # A figure of the same year and window as a built-in one: the imported one is chosen.
    same = attendance_file(value="91.0", time_period="202526")
    import_published(db, "ees_ytd_2025-26_final.csv", same, actor="ann")
    assert held_figures(db).pick("attendance_rate", "Primary", 2025, "year").value == 91.0
    actions = audit.read_log(db, actions=("import",))
    assert actions["target"].str.contains("published figures").sum() == 3


def test_a_zip_must_hold_one_csv(db):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.csv", attendance_file())
        archive.writestr("b.csv", attendance_file())
    with pytest.raises(BenchmarkRefused, match="exactly one CSV"):
        read_published("two.zip", buffer.getvalue())


# ---- the LA and region of a LAESTAB -----------------------------------------------------------


def test_a_laestab_gives_its_la_codes_and_region_from_the_published_files() -> None:
    figures = held_figures_built_in()
    manchester = place_of("352 4001", figures)
    assert (manchester.la_number, manchester.la_name, manchester.la_codes) == (
        "352",
        "Manchester",
        ("E08000003",),
    )
    assert (manchester.region_name, manchester.region_code) == ("North West", "E12000002")
    # North Yorkshire became a unitary authority with a new code: both are its codes.
    north_yorkshire = place_of("8154000", figures)
    assert set(north_yorkshire.la_codes) >= {"E06000065"}
    assert place_of("9994000", figures) is None
    with pytest.raises(ValueError, match="seven digits"):
        checked_laestab("35240")


def held_figures_built_in():
    from analytics.reports.comparisons.held import built_in_figures

    return built_in_figures()


def test_la_and_regional_group_figures_come_from_the_same_files() -> None:
    figures = held_figures_built_in()
    manchester = place_of("3524001", figures)
    # Absence of pupils with SEN support: the SEN-provision file names LAs by their new code only.
    la = figures.pick(
        "absence_rate",
        "Primary",
        2025,
        "autumn",
        groups=("SEN support", "SEN provision: SEN support"),
        where=manchester.local_authority,
    )
    assert (la.academic_year, la.window, la.place, la.figure_phase) == (
        2022,
        "autumn_spring",
        "Manchester",
        "Total",
    )
    region = figures.pick(
        "persistent_absence_rate",
        "Primary",
        2025,
        "year",
        groups=("FSM: Eligible",),
        where=manchester.region,
    )
    assert (region.academic_year, region.place, region.figure_phase) == (
        2022,
        "North West",
        "Primary",
    )
    national = figures.pick(
        "persistent_absence_rate", "Primary", 2025, "year", groups=("FSM: Eligible",), where=ENGLAND
    )
    assert national.value != region.value


def test_the_scope_has_an_la_only_when_every_school_has_one_and_they_share_it() -> None:
    figures = held_figures_built_in()
    schools = pl.DataFrame({"urn": [1, 2], "laestab": ["3524001", None]})
    assert scope_place(schools, figures)[1].startswith("no LAESTAB recorded for school 2")
    two = schools.with_columns(pl.Series("laestab", ["3524001", "3544002"]))
    assert scope_place(two, figures) == (
        None,
        "the schools shown are in different local authorities",
    )
    same = schools.with_columns(pl.Series("laestab", ["3524001", "3524002"]))
    assert scope_place(same, figures)[0].la_name == "Manchester"


# ---- the command line ------------------------------------------------------------------------


def test_rollcall_school_set_and_import_benchmarks(db, load, capsys, tmp_path: Path) -> None:
    load(
        "pupils",
        "upn,forename,surname,date_of_birth,year_group,admission_date\n",
        school_urn=100001,
    )
    assert main(["--db", str(db.path), "school", "set", "100001", "--laestab", "3524001"]) == 0
    assert "Manchester (LA 352), North West" in capsys.readouterr().out
    assert store_read.schools(db)["laestab"].to_list() == ["3524001"]
    assert comparators(db, (100001,)).place.la_name == "Manchester"
    assert main(["--db", str(db.path), "school", "set", "100001", "--laestab", "9990001"]) == 2
    assert "no published figures" in capsys.readouterr().err
    assert store_read.schools(db)["laestab"].to_list() == ["3524001"]
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(attendance_file())
    bad.write_bytes(b"a,b\n1,2\n")
    code = main(["--db", str(db.path), "import", "benchmarks", str(good), str(bad), str(good)])
    out, err = capsys.readouterr()
    assert code == 2 and "good.csv: Attendance year to date" in out
    assert "bad.csv: not a published file" in err and "Nothing was imported from" in err
    assert benchmarks.files(db)["file_name"].to_list() == ["good.csv"]
    assert "school" in audit.read_log(db)["action"].to_list()


def test_the_built_in_sources_are_the_files_the_readers_know() -> None:
    assert {s.reader for s in SOURCES} <= {
        "attendance",
        "fortnightly_pa",
        "census",
        "sen_provision",
        "bands",
        "band_counts",
        "exclusions",
        "published_text",
    }
    assert FIXTURES.exists()
