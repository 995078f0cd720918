"""The attendance team's morning through AppTest: the morning import on the Calling list page,
the list (pupils, not sessions), outcomes recorded in one click into the chronology, done and
left; the Returns page against the engine; contacts on the Import page; and who may see them."""

from __future__ import annotations

import shutil
from datetime import date

import polars as pl
import pytest

from analytics.reports.coordinator.calls import calling_list
from analytics.reports.returns import return_list
from analytics.domain.returns import RETURNS
from analytics.store import Database, audit, read
from analytics.store import contacts as contact_store
from analytics.store import interventions as intervention_store
from analytics.synthetic import DEMO_TODAY
from tests.fixtures.ingest.builders import upn
from tests.fixtures.morning import DAY, TO_CALL, URN, build_morning_school, morning_file

CALLS = "pages/calls.py"
RETURNS_PAGE = "pages/returns.py"
IMPORT = "pages/import_data.py"


@pytest.fixture
def school(db, load):
    build_morning_school(load)
    return db


def metrics(app) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def button(app, key: str):
    return app.button(key=key)


def test_from_the_morning_import_to_a_ticked_off_calling_list(open_app, school):
    app = open_app(school, as_role="attendance_staff").switch_page(CALLS).run()
    assert not app.exception
    # Before the import the list is for the day before, when nobody was missing.
    assert metrics(app)["Pupils to call"] == "0"
    app.file_uploader(key="morning_file").set_value(("sims.csv", morning_file(), "text/csv"))
    app.run()
    button(app, "morning_run").click().run()
    assert not app.exception
    assert "sims.csv: 7 rows read; 7 new" in app.success[0].value
    # The list moved on to the day just imported: one row per pupil.
    assert app.sidebar.date_input(key="calls_day").value == DAY
    assert metrics(app) == {"Pupils to call": "4", "Done": "0", "Left": "4", "Urgent": "1"}
    table = pl.from_pandas(app.dataframe[0].value)
    assert (
        dict(zip(table["name"].str.split(",").list.first(), table["codes"], strict=True)) == TO_CALL
    )
    assert table["name"][0] == "Dee, Pat"  # looked after: urgent, first

    # One click: the pupil being called is the first left; "Reached" records the call.
    first = app.selectbox(key="calls_pupil").value
    button(app, "calls_outcome_reached").click().run()
    assert not app.exception
    assert metrics(app)["Done"] == "1" and metrics(app)["Left"] == "3"
    log = intervention_store.interventions(school, enrolment_ids=[first])
    assert log.select("type", "date", "outcome").rows() == [
        ("Phone call", DAY, "Spoke to parent or carer")
    ]
    assert log["recorded_by"][0] == app.session_state["rollcall_signed_in"]
    # The picker moved on to the next pupil left to call; a reason given, in one click.
    second = app.selectbox(key="calls_pupil").value
    assert second != first
    button(app, "calls_outcome_illness").click().run()
    assert intervention_store.interventions(school, enrolment_ids=[second])[
        "outcome"
    ].to_list() == ["Reason given: illness (suggests code I)"]
    assert metrics(app)["Left"] == "2"
    # Done pupils leave the "left to call" view and show under "Done".
    app.radio(key="calls_show").set_value("done").run()
    assert pl.from_pandas(app.dataframe[0].value).height == 2
    engine = calling_list(school, DAY)
    assert (engine.done, engine.left) == (2, 2)


def test_the_contact_card_shows_the_numbers_to_ring(open_app, school, load):
    load("marks", morning_file().decode(), file_name="sims.csv", school_urn=URN, today=DAY)
    app = open_app(school, as_role="attendance_staff").switch_page(CALLS).run()
    ames = read.enrolments(school).filter(pl.col("surname") == "Ames")["enrolment_id"][0]
    app.selectbox(key="calls_pupil").set_value(ames).run()
    text = " ".join(m.value for m in app.markdown)
    assert "Jane Ames" in text and "tel:01614960000" in text and "tel:07700900456" in text


def test_the_demo_visitor_sees_the_list_but_cannot_record_or_import(open_app, demo_db):
    app = open_app(demo_db, demo=True).switch_page(CALLS).run()
    assert not app.exception
    engine = calling_list(demo_db, DEMO_TODAY)
    assert metrics(app)["Pupils to call"] == f"{engine.pupils:,}"
    assert metrics(app)["Urgent"] == f"{engine.urgent:,}"
    assert button(app, "calls_outcome_reached").disabled
    assert not [f for f in app.get("file_uploader") if f.key == "morning_file"]


def test_governors_cannot_open_the_calling_list_or_the_returns(open_app, school):
    app = open_app(school, as_role="governor", schools=[URN])
    for page in (CALLS, RETURNS_PAGE):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(page)


def test_the_returns_page_lists_each_return_as_the_engine_does(open_app, demo_db, tmp_path):
    copy = Database(tmp_path / "demo.duckdb")
    shutil.copy(demo_db.path, copy.path)
    app = open_app(copy, window="custom", **{"from": "2026-09-01", "to": "2026-11-20"})
    app.switch_page(RETURNS_PAGE).run()
    assert not app.exception
    expected = [
        return_list(copy, r.kind, date(2026, 9, 1), date(2026, 11, 20)).rows.height for r in RETURNS
    ]
    assert [t.label for t in app.tabs] == [
        f"{r.title} ({n:,})" for r, n in zip(RETURNS, expected, strict=True)
    ]
    shown = [pl.from_pandas(d.value).height for d in app.dataframe]
    assert shown == [n for n in expected if n]
    assert "view" in audit.read_log(copy, actions=("view",))["action"].to_list()


def test_contacts_are_imported_on_the_import_page(open_app, school):
    app = open_app(school, as_role="data_manager").switch_page(IMPORT).run()
    app.selectbox(key="import_kind").set_value("contacts").run()
    data = (
        "UPN,Contact Name,Relationship,Priority,Telephone\n"
        f"{upn(1)},Ben Bell,Father,1,0161 496 0002\n"
    ).encode()
    app.file_uploader(key="import_file").set_value(("contacts.csv", data, "text/csv"))
    app.run()
    app.button(key="import_run").click().run()
    assert not app.exception
    assert "contacts.csv: 1 row read; 1 new" in app.success[0].value
    assert "Ben Bell" in contact_store.contacts(school)["contact_name"].to_list()


def test_a_data_manager_saves_the_schools_headings_once(open_app, school):
    app = open_app(school, as_role="data_manager").switch_page(IMPORT).run()
    app.selectbox(key="import_kind").set_value("marks").run()
    odd = f"Ref,When,Half,Reg\n{upn(0)},{DAY},AM,N\n".encode()
    app.file_uploader(key="import_file").set_value(("odd.csv", odd, "text/csv"))
    app.run()
    for column, heading in (("upn", "Ref"), ("date", "When"), ("session", "Half"), ("code", "Reg")):
        app.selectbox(key=f"mapping_marks_{column}").set_value(heading)
    app.button(
        key="FormSubmitter:mapping_form_marks_100001-Save these headings for the school"
    ).click().run()
    assert not app.exception
    assert "Saved" in app.success[0].value
    app.button(key="import_run").click().run()
    assert "odd.csv: 1 row read; 1 new" in app.success[0].value


GUARDED = """
from datetime import date
import streamlit as st
from pages.ui import calls, returns
from pages.ui.context import cache_key, database
key = cache_key(database())
{call}
st.write("reached the data")
"""


@pytest.mark.parametrize(
    ("role", "call", "message"),
    [
        ("governor", "calls.calling_list(*key, ({urn},), date(2025, 11, 20))", "governor cannot"),
        (
            "governor",
            "returns.returns(*key, ({urn},), 'deletions', date(2025, 9, 1), date(2025, 11, 20), date(2025, 11, 20))",
            "governor cannot",
        ),
        (
            "data_manager",
            "calls.calling_list(*key, ({urn},), date(2025, 11, 20))",
            "data manager cannot",
        ),
        (
            "attendance_staff",
            "returns.returns(*key, (100002,), 'new-pupils', date(2025, 9, 1), date(2025, 11, 20), date(2025, 11, 20))",
            "does not cover school 100002",
        ),
    ],
)
def test_contacts_and_returns_are_only_for_roles_that_see_pupils(
    account, school, monkeypatch, role, call, message
):
    from streamlit.testing.v1 import AppTest

    from pages.ui.access import SIGNED_IN

    monkeypatch.setenv("ROLLCALL_DB", str(school.path))
    app = AppTest.from_string(GUARDED.replace("{call}", call.replace("{urn}", str(URN))))
    app.session_state[SIGNED_IN] = account(role, [URN])
    app.run()
    assert not app.exception
    assert message in app.error[0].value
    assert "reached the data" not in [m.value for m in app.markdown]
