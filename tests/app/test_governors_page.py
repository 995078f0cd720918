"""The governors' summary page in AppTest: the engine's report, one school and term at a time,
and nothing about a single pupil in the page, its session state or its cached results."""

from __future__ import annotations

import re
from datetime import date, datetime

import polars as pl
import pytest

from analytics.reports.governors.report import governors_summary
from analytics.store import read

#: Column and key names that would mean pupil-level data.
PUPIL_FIELDS = {"upn", "enrolment_id", "forename", "surname", "date_of_birth"}


def primary(demo_db) -> tuple[int, str]:
    return read.schools(demo_db).filter(pl.col("phase") == "primary").row(0)[:2]


def open_governors(open_app, demo_db, **query):
    urn, _ = primary(demo_db)
    app = open_app(
        demo_db,
        **({"school": str(urn), "year": "2025", "window": "term", "part": "Autumn term"} | query),
    )
    return app.switch_page("pages/governors.py").run()


def walk(value, seen=None):
    """Every object reachable from `value` (dataclasses, mappings, sequences, frames)."""
    seen = seen if seen is not None else set()
    if id(value) in seen:
        return
    seen.add(id(value))
    yield value
    if isinstance(value, pl.DataFrame):
        for column in value.iter_columns():
            yield from column.to_list()
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from walk(item, seen)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from walk(item, seen)
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            yield from walk(getattr(value, name), seen)


def pupil_data_in(value, upns: set[str], names: set[str]) -> list[str]:
    """What in `value` names or identifies a pupil."""
    found = []
    for item in walk(value):
        if isinstance(item, pl.DataFrame):
            found += [c for c in item.columns if c in PUPIL_FIELDS]
        elif isinstance(item, str):
            if item in PUPIL_FIELDS or item in upns:
                found.append(item)
            found += [w for w in re.findall(r"[A-Z][a-z]+", item) if w in names]
            found += [u for u in re.findall(r"[A-Z]\d{11}[0-9A-Z]", item) if u in upns]
    return found


@pytest.mark.slow
def test_the_page_shows_the_engines_report_for_a_school_and_term(open_app, demo_db):
    urn, name = primary(demo_db)
    app = open_governors(open_app, demo_db)
    assert not app.exception
    report = governors_summary(demo_db, urn, 2025, "Autumn term")
    assert [h.value for h in app.header][: len(report.sections)] == [
        s.title for s in report.sections
    ]
    shown = pl.from_pandas(app.table[0].value)
    assert shown.equals(report.section("attendance").tables[0].frame)
    assert app.title[0].value == report.title == f"Governors' attendance summary: {name}"
    assert app.caption[0].value == report.subtitle
    assert [b.label for b in app.get("download_button")] == ["Download PDF", "Download HTML"]
    assert app.sidebar.selectbox(key="filter_term").value == "Autumn term"
    # What the attendance team did, and what changed after it (aggregates, suppressed).
    assert "Interventions and their impact" in [h.value for h in app.header]
    actions = report.section("interventions").tables[0].frame
    assert actions["Action"][-1] == "All actions" and any(
        t.value.equals(actions.to_pandas()) for t in app.table
    )


@pytest.mark.slow
def test_only_schools_and_terms_are_offered(open_app, demo_db):
    app = open_governors(open_app, demo_db)
    assert "trust" not in app.sidebar.selectbox(key="filter_school").options
    assert not app.sidebar.radio  # no window kinds: a summary is for a term
    assert not app.sidebar.multiselect  # no year groups
    app.sidebar.selectbox(key="filter_term").set_value("Spring term").run()
    assert not app.exception
    assert "Spring term 2025/26" in app.caption[0].value
    assert app.query_params["part"] == "Spring term"


@pytest.mark.slow
def test_nothing_about_a_single_pupil_reaches_the_page_its_state_or_its_cache(open_app, demo_db):
    from pages.ui import governors

    urn, _ = primary(demo_db)
    app = open_governors(open_app, demo_db)
    enrolments = read.enrolments(demo_db, (urn,))
    upns, names = set(enrolments["upn"]), set(enrolments["forename"]) | set(enrolments["surname"])
    # The session holds the filters' plain values only.
    for key in app.session_state:
        value = app.session_state[key]
        items = value if isinstance(value, (list, tuple)) else [value]
        assert all(isinstance(v, (str, int, bool, date, datetime, type(None))) for v in items), key
    # What the page drew.
    drawn = [
        e.value for e in (*app.title, *app.markdown, *app.caption, *app.header, *app.subheader)
    ]
    drawn += [pl.from_pandas(t.value) for t in app.table]
    assert pupil_data_in(drawn, upns, names) == []
    # What the page's cached calls return.
    from pages.ui.context import cache_key

    arguments = (*cache_key(demo_db), urn, 2025, "Autumn term", 5)
    assert pupil_data_in(governors.summary(*arguments), upns, names) == []
    assert pupil_data_in(governors.html(*arguments), upns, names) == []


def test_the_page_without_data_says_who_imports_it(open_app, db):
    app = open_app(db).switch_page("pages/governors.py").run()
    assert not app.exception
    assert "Import page" in app.info[0].value
