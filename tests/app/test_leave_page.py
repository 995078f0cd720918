"""The Leave of absence page through AppTest: a request recorded with its decision, the register
checked against it, the decision letter recorded in the chronology, and the data manager seeing
the check without recording anything."""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from analytics.reports.coordinator.interventions import pupils_on_roll
from analytics.reports.coordinator.targets import coordinator_inputs
from analytics.store import Database
from analytics.store import interventions as intervention_store
from analytics.store import stages as stage_store
from analytics.synthetic import DEMO_TODAY

LEAVE = "pages/leave.py"
URN = 990114


@pytest.fixture
def demo_copy(demo_db, tmp_path) -> Database:
    copy = Database(tmp_path / "demo.duckdb")
    shutil.copy(demo_db.path, copy.path)
    return copy


@pytest.mark.slow
def test_recording_a_request_checks_the_register_and_writes_the_letter(open_app, demo_copy):
    app = open_app(demo_copy, school=str(URN)).switch_page(LEAVE).run()
    assert not app.exception
    pupil = pupils_on_roll(coordinator_inputs(demo_copy), DEMO_TODAY, (URN,))["enrolment_id"][0]
    app.selectbox(key="leave_pupil").set_value(pupil)
    app.date_input(key="leave_first").set_value(DEMO_TODAY)
    app.date_input(key="leave_last").set_value(DEMO_TODAY)
    app.text_input(key="leave_reason").set_value("a family funeral abroad")
    app.selectbox(key="leave_decision").set_value("agreed")
    app.text_input(key="leave_decided_by").set_value("Mrs Head")
    next(b for b in app.button if b.label == "Record").click().run()
    assert not app.exception
    requests = stage_store.leave_requests(demo_copy, [URN])
    assert requests.height == 1 and requests["decision"][0] == "agreed"
    # Whatever the pupil's two sessions that day were coded, anything but C or C1 is listed.
    enrolment = requests["enrolment_id"][0]
    from analytics.store import read

    codes = read.counted_sessions(
        demo_copy, [URN], DEMO_TODAY, DEMO_TODAY, enrolment_ids=[enrolment]
    )
    wrong = codes.filter(~pl.col("code").is_in(["C", "C1"]) & (pl.col("possible") == 1)).height
    shown = pl.from_pandas(app.dataframe[0].value) if wrong else None
    assert wrong == 0 or shown["expected"].to_list() == ["C or C1"] * wrong
    app.button(key="leave_letter").click().run()
    assert not app.exception
    assert "recorded in the pupil's chronology" in app.success[0].value
    log = intervention_store.interventions(demo_copy, [URN], [enrolment])
    assert (
        log.filter(pl.col("notes").str.starts_with("Leave decision letter (leave agreed)")).height
        == 1
    )


@pytest.mark.slow
def test_the_data_manager_sees_the_check_but_records_nothing(open_app, demo_copy):
    app = open_app(demo_copy, as_role="data_manager", school=str(URN)).switch_page(LEAVE).run()
    assert not app.exception
    assert any("recorded by the attendance team" in c.value for c in app.caption)
    assert not any(b.label == "Record" for b in app.button)
