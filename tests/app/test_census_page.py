"""The Census checks page in AppTest: the return's totals, the checks and what to fix."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from analytics.reports.exports.census import census_return
from analytics.store import read
from tests.unit.governors_school import URN, Pupil, build

SEPTEMBER = (date(2025, 9, 1), date(2025, 9, 26))


def metrics(app) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def test_the_page_shows_the_return_and_the_error_to_fix(open_app, db, load):
    build(
        load,
        [Pupil(0), Pupil(1)],
        lambda p, d, s: None if p.n == 1 and d == date(2025, 9, 10) else "/",
        terms=(SEPTEMBER,),
    )
    app = open_app(db, year="2025", period="autumn").switch_page("pages/census.py").run()
    assert not app.exception
    report = census_return(db, [URN], "autumn", 2025)
    assert metrics(app) == {
        "Pupils in the return": "2",
        "Sessions possible": f"{report.totals()['sessions_possible']:,}",
        "Authorised absence": "0",
        "Unauthorised absence": "0",
    }
    assert "1 check found errors" in app.error[0].value
    first = app.expander[0]
    assert first.label == "RC-MISSING · Sessions with no mark: 1 pupil (error)"
    shown = pl.from_pandas(app.dataframe[0].value)
    assert shown["upn"].to_list() == [Pupil(1).upn]
    assert "surname" not in shown.columns and "forename" not in shown.columns  # by UPN on screen
    # The autumn period runs to 31 Dec; the register stops in September.
    assert "runs to 31 Dec 2025, but the register stops on" in app.info[0].value
    assert [b.label for b in app.get("download_button")] == [
        "Download the return (CSV)",
        "Download what to fix (CSV)",
    ]
    assert app.query_params["period"] == "autumn"


def test_a_clean_register_passes(open_app, db, load):
    build(load, [Pupil(0)], terms=(SEPTEMBER,))
    app = open_app(db, year="2025").switch_page("pages/census.py").run()
    assert not app.exception
    assert app.success[0].value == "Every check passed."
    assert all(e.label.endswith("passed") for e in app.expander[:-1])


def test_the_page_without_data_says_how_to_get_some(open_app, db):
    app = open_app(db).switch_page("pages/census.py").run()
    assert not app.exception
    assert "Import page" in app.info[0].value


@pytest.mark.slow
def test_the_demo_schools_current_term_and_a_period_still_to_come(open_app, demo_db):
    urn = read.schools(demo_db).filter(pl.col("name").str.starts_with("Brookside"))["urn"][0]
    app = open_app(demo_db, school=str(urn), year="2026").switch_page("pages/census.py").run()
    assert not app.exception
    assert app.radio(key="census_period").value == "autumn"  # the latest period with marks
    totals = census_return(demo_db, [urn], "autumn", 2026).totals()
    assert metrics(app)["Sessions possible"] == f"{totals['sessions_possible']:,}"
    assert app.expander[0].label.startswith("RC-MISSING")  # one class's register not taken
    app.radio(key="census_period").set_value("summer2").run()
    assert not app.exception
    assert "no marks in this period yet" in app.info[0].value
    assert not app.metric
