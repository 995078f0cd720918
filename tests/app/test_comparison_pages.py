"""The published figures on the pages, through AppTest on a copy of the demo trust: the region and
LA beside national once a school's LAESTAB is known, each figure with its year, three years,
similar schools, and the Import page's LAESTAB and published-file actions."""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from analytics.reports.comparisons.published import import_published
from analytics.settings import PROJECT_ROOT
from analytics.store import Database, benchmarks, read

pytestmark = pytest.mark.slow
PRIMARY = 990114
FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "benchmarks"


@pytest.fixture
def demo_copy(demo_db, tmp_path) -> Database:
    """The demo trust, its first primary school in Manchester (LAESTAB 3524001)."""
    copy = Database(tmp_path / "demo.duckdb")
    shutil.copy(demo_db.path, copy.path)
    benchmarks.set_school_laestab(copy, PRIMARY, "3524001", actor="test")
    return copy


def frame(app, name: str) -> pl.DataFrame:
    return pl.from_pandas(next(d for d in app.dataframe if d.proto.alt.startswith(name)).value)


def test_the_overview_shows_the_region_and_la_beside_national(open_app, demo_copy):
    app = open_app(demo_copy, school=str(PRIMARY))
    assert not app.exception
    shown = frame(app, "Headline comparison")
    # On screen the columns that fit at 1440 px: national with its year, and the LA's figure.
    assert {"national", "national_year", "la", "gap_to_la"} <= set(shown.columns)
    assert shown["la"].null_count() == 0
    assert shown["national_year"].to_list()[0] == "2025/26"
    assert any("Manchester (LA 352), North West" in c.value for c in app.caption)
    # The region's figure is said beside England's and the LA's for each headline measure.
    said = [m.value for m in app.markdown if m.value.startswith("**Attendance")]
    assert said and "North West " in said[0] and "Manchester " in said[0]
    # Severe absence is published for whole years to 2022/23 only: older than the window.
    severe = shown.filter(pl.col("label") == "Severe absence").row(0, named=True)
    assert severe["national_year"] == "2022/23"
    assert any("more than one academic year older" in c.value for c in app.caption)
    trend = frame(app, "Three years")
    assert trend["year"].unique().len() == 3 and trend["la"].null_count() >= 4
    # No school-level file yet: the page says where to get one.
    assert any("Absence by school level" in info.value for info in app.info)


def test_without_a_laestab_the_overview_says_why_there_is_no_la(open_app, demo_copy):
    app = open_app(demo_copy)  # the whole trust: two schools have no LAESTAB
    assert not app.exception
    shown = frame(app, "Headline comparison")
    assert "la" not in shown.columns
    assert any(
        "No local authority or regional figures: no LAESTAB recorded" in c.value
        for c in app.caption
    )


def test_similar_schools_once_the_school_level_files_are_imported(open_app, demo_copy):
    for name in (
        "synthetic_absence_by_school_2024-25.csv",
        "synthetic_spc_school_level_2024-25.csv",
        "synthetic_sen_school_level_2024-25.csv",
    ):
        import_published(demo_copy, name, (FIXTURES / name).read_bytes(), actor="test")
    app = open_app(demo_copy, school=str(PRIMARY))
    assert not app.exception
    similar = frame(app, "Similar schools")
    assert similar.height == 21 and similar["this_school"].to_list()[0]
    assert any("ranked" in m.value and "of 21 on overall absence" in m.value for m in app.markdown)


def test_cohorts_show_the_region_and_la_for_each_group(open_app, demo_copy):
    app = open_app(demo_copy, school=str(PRIMARY))
    app.switch_page("pages/cohorts.py")
    query = {"school": str(PRIMARY), "characteristic": "sen", "measure": "absence_rate"}
    app.query_params.update(query)
    app = app.run()
    assert not app.exception
    shown = frame(app, "Cohorts by")
    # On screen the LA beside national with the year of its figure; the region is in the download.
    assert {"la", "gap_to_la", "la_year"} <= set(shown.columns)
    support = shown.filter(pl.col("group") == "SEN support").row(0, named=True)
    # DfE's SEN-provision file gives each LA's absence for all phases together (2022/23); the
    # held files have no LA persistent absence for SEN support.
    assert support["la"] is not None and support["la_year"] == "2022/23"


def test_the_import_page_records_a_laestab_and_imports_published_figures(open_app, demo_copy):
    app = open_app(demo_copy, as_role="data_manager").switch_page("pages/import_data.py").run()
    assert not app.exception
    school = 990127
    app.selectbox(key="laestab_school").set_value(school).run()
    app.text_input(key="laestab_value").set_value("3544 002").run()
    app.button(key="laestab_save").click().run()
    assert "Rochdale (LA 354), North West" in app.success[0].value
    laestabs = dict(read.schools(demo_copy).select("urn", "laestab").iter_rows())
    assert laestabs[school] == "3544002"
    app.text_input(key="laestab_value").set_value("12").run()
    app.button(key="laestab_save").click().run()
    assert "is not a LAESTAB" in app.error[0].value
    upload = (FIXTURES / "synthetic_sen_school_level_2024-25.csv").read_bytes()
    app.file_uploader(key="benchmark_files").set_value(
        [("sen.csv", upload, "text/csv"), ("odd.csv", b"a,b\n1,2\n", "text/csv")]
    )
    app.run()
    app.button(key="benchmark_run").click().run()
    assert not app.exception
    assert "sen.csv: Pupils with special educational needs, by school" in app.success[-1].value
    assert "odd.csv was not imported" in app.error[0].value
    assert "not a published file Rollcall reads" in app.code[0].value
    assert benchmarks.files(demo_copy)["file_name"].to_list() == ["sen.csv"]


def test_the_governors_summary_shows_the_la_three_years_and_similar_schools(open_app, demo_copy):
    app = open_app(demo_copy, as_role="governor", schools=[PRIMARY])
    assert not app.exception
    headers = [h.value for h in app.header]
    assert "Against national, regional and local authority figures" in headers
    assert "Three years" in headers and "Similar schools" in headers
    tables = [t.value for t in app.table]
    national = next(t for t in tables if "Local authority, Manchester" in t.columns)
    assert "Region, North West" in national.columns
    assert national.iloc[0]["Local authority, Manchester"].endswith("%")
    assert any("Absence by school level" in m.value for m in app.markdown)  # how to get the files
