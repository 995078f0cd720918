"""The coordinator's pages through AppTest: who needs action, recording interventions, impact and
the risk model card, each against what the engine computes."""

from __future__ import annotations

import shutil
from datetime import date

import polars as pl
import pytest

from analytics.pipelines.windows import Window
from analytics.reports.coordinator.impact import intervention_impact
from analytics.reports.coordinator.interventions import pupils_on_roll
from analytics.reports.coordinator.risk import POINTS, active_model
from analytics.reports.coordinator.targets import coordinator_inputs, target_lists
from analytics.store import Database, read
from analytics.store import interventions as store
from analytics.synthetic import DEMO_TODAY
from pages.ui.access import SIGNED_IN

TARGETS = "pages/targets.py"
INTERVENTIONS = "pages/interventions.py"
DEMO_YTD = Window(date(2026, 8, 1), DEMO_TODAY)


@pytest.fixture(scope="module")
def demo_inputs(demo_db):
    return coordinator_inputs(demo_db)


@pytest.fixture
def demo_copy(demo_db, tmp_path) -> Database:
    """A copy of the demo trust that a test may write to."""
    copy = Database(tmp_path / "demo.duckdb")
    shutil.copy(demo_db.path, copy.path)
    return copy


def table_with(app, *columns: str) -> pl.DataFrame:
    """The first table on the page holding these columns."""
    return next(
        pl.from_pandas(df.value) for df in app.dataframe if set(columns) <= set(df.value.columns)
    )


def signed_in(app) -> str:
    """The account name the app is signed in with (what the log records as `recorded_by`)."""
    return app.session_state[SIGNED_IN]


def button(app, label: str):
    return next(b for b in app.button if b.label == label)


def counts(app) -> dict[str, int]:
    """Each list's count of pupils as the list selector says it: `Title (N, M new)`."""
    found = {}
    for label in app.selectbox(key="targets_list").options:
        title, figures = label[:-1].rsplit(" (", 1)
        found[title] = int(figures.split(", ")[0].replace(",", ""))
    return found


@pytest.mark.slow
def test_targets_shows_each_list_with_the_engines_counts(open_app, demo_db, demo_inputs):
    app = open_app(demo_db).switch_page(TARGETS).run()
    assert not app.exception
    lists = target_lists(demo_inputs, DEMO_YTD)
    assert any("risk from the model" in c.value for c in app.caption)
    for target in lists.lists:
        app.selectbox(key="targets_list").set_value(target.key).run()
        assert not app.exception
        pupils = target.rows["enrolment_id"].n_unique()
        sessions = f" ({target.rows.height:,} sessions)" if target.rows.height != pupils else ""
        assert app.subheader[0].value == f"{target.title}: {pupils:,} pupils{sessions}"
        shown = pl.from_pandas(app.dataframe[0].value)
        assert shown.height == target.rows.height  # the headline count is the list's length
        assert shown["name"].to_list() == target.rows["name"].to_list()
        assert "upn" not in shown.columns  # in the downloads; the name is enough on screen
    assert app.query_params["list"] == "most_improved"
    penalty = lists["penalty"].rows
    app.selectbox(key="targets_list").set_value("penalty").run()
    assert pl.from_pandas(app.dataframe[0].value)["reason"][0].startswith("threshold met on")
    assert penalty.height


@pytest.mark.slow
def test_who_is_new_on_each_list_since_last_week(open_app, demo_db, demo_inputs):
    app = open_app(demo_db).switch_page(TARGETS).run()
    now = target_lists(demo_inputs, DEMO_YTD)
    before = target_lists(demo_inputs, Window(DEMO_YTD.start, date(2026, 11, 13)))
    app.selectbox(key="targets_list").set_value("persistent").run()
    shown = pl.from_pandas(app.dataframe[0].value)
    earlier = set(before["persistent"].rows["enrolment_id"])
    expected = ["" if e in earlier else "New" for e in now["persistent"].rows["enrolment_id"]]
    assert shown["new_since_earlier"].to_list() == expected and "New" in expected
    label = app.selectbox(key="targets_list").format_func("persistent")
    assert (
        label
        == f"Persistent absence ({now['persistent'].rows.height:,}, {expected.count('New'):,} new)"
    )
    assert any("not on this list on Fri 13 Nov 2026" in c.value for c in app.caption)


@pytest.mark.slow
def test_the_persistent_list_says_how_many_have_left_since(open_app, demo_db, demo_inputs):
    """611 here, 614 on the Overview: the Overview counts pupils on roll at any time in the window."""
    from analytics.reports.analysis.overview import headline
    from analytics.reports.inputs.register import load_register

    app = open_app(demo_db).switch_page(TARGETS).run()
    app.selectbox(key="targets_list").set_value("persistent").run()
    on_list = target_lists(demo_inputs, DEMO_YTD)["persistent"].rows.height
    overview = headline(load_register(demo_db, None, DEMO_YTD), DEMO_YTD)["persistent_absentees"]
    assert overview > on_list
    note = next(c.value for c in app.caption if "Overview also counts" in c.value)
    assert f"the {overview - on_list:,} persistently absent pupils who have left since" in note
    assert f"{overview:,} in the window" in note


@pytest.mark.slow
def test_targets_for_one_school_year_group_and_form(open_app, demo_db, demo_inputs):
    urn = 990135
    app = open_app(demo_db, school=str(urn))
    app.switch_page(TARGETS).run()
    app.sidebar.multiselect(key="filter_years").set_value(["9"]).run()
    form = app.sidebar.multiselect(key="targets_forms").options[0]
    app.sidebar.multiselect(key="targets_forms").set_value([form]).run()
    assert not app.exception
    lists = target_lists(demo_inputs, DEMO_YTD, urns=(urn,), year_groups=("9",), forms=(form,))
    assert counts(app) == {t.title: t.rows["enrolment_id"].n_unique() for t in lists.lists}
    persistent = lists["persistent"].rows
    assert persistent.height and set(persistent["form"]) == {form}
    assert app.query_params["forms"] == form


@pytest.mark.slow
def test_a_targets_list_goes_to_the_interventions_page_with_its_pupils(
    open_app, demo_db, demo_inputs
):
    app = open_app(demo_db).switch_page(TARGETS).run()
    app.selectbox(key="targets_list").set_value("penalty").run()
    app.button(key="targets_act_penalty").click().run()
    assert not app.exception
    expected = (
        target_lists(demo_inputs, DEMO_YTD)["penalty"]
        .rows["enrolment_id"]
        .unique(maintain_order=True)
        .to_list()
    )
    # Hundreds of pupils are a count and the list's name, not a wall of chips.
    assert app.session_state["record_from_list"] == ("Penalty-notice threshold", expected)
    assert f"{len(expected):,} pupils** from *Penalty-notice threshold*" in app.info[0].value
    assert "record_pupils" not in [m.key for m in app.multiselect]  # until asked for:
    app.switch_page(INTERVENTIONS).run()  # (AppTest's next run would go back to Who needs action)
    app.button(key="record_choose_instead").click().run()
    assert app.multiselect(key="record_pupils").value == []


@pytest.mark.slow
def test_recording_a_home_visit_for_two_pupils(open_app, demo_copy, demo_inputs):
    before = store.interventions(demo_copy).height
    app = open_app(demo_copy).switch_page(INTERVENTIONS).run()
    on_roll = pupils_on_roll(demo_inputs, DEMO_TODAY)
    ids = on_roll["enrolment_id"].to_list()[:2]
    picker = app.multiselect(key="record_pupils")
    assert picker.options[:2] == on_roll["label"].to_list()[:2]
    # Typing a name shared by two pupils must not offer "Select 2 matches" (both at once).
    assert picker.proto.select_all == 0
    picker.set_value(ids).run()
    app.selectbox(key="record_type").set_value("Home visit")
    app.text_input(key="record_owner").set_value("Mrs Pennington")
    app.selectbox(key="record_outcome").set_value("Spoke to parent or carer")
    app.text_area(key="record_notes").set_value("Welfare check and a morning routine agreed")
    button(app, "Record").click().run()
    assert not app.exception
    today = date.today()  # an action is recorded on the day it happens, not the last register day
    assert f"Recorded home visit on {today:%d/%m/%Y} for 2 pupils" in app.success[0].value
    assert app.multiselect(key="record_pupils").value == []  # cleared: a second click adds nothing
    log = store.interventions(demo_copy)
    assert log.height == before + 2
    new = log.sort("intervention_id").tail(2)
    assert new["type"].to_list() == ["Home visit"] * 2 and new["batch_id"].n_unique() == 1
    assert set(new["enrolment_id"]) == set(ids) and set(new["recorded_by"]) == {signed_in(app)}
    # The chronology tab shows the first pupil's new entry.
    assert app.selectbox(key="chronology_pupil").value == ids[0]
    timeline = [
        m.value for m in app.markdown if m.value.startswith(f"**{today:%d/%m/%Y} · Home visit**")
    ]
    assert (
        timeline
        and "outcome: Spoke to parent or carer" in timeline[0]
        and f"recorded by {signed_in(app)}" in timeline[0].replace("\\", "")
    )
    assert "Welfare check and a morning routine agreed" in timeline[0]


@pytest.mark.slow
def test_the_chronology_opens_on_the_pupil_with_the_latest_action(open_app, demo_db, demo_inputs):
    app = open_app(demo_db).switch_page(INTERVENTIONS).run()
    on_roll = set(pupils_on_roll(demo_inputs, DEMO_TODAY)["enrolment_id"])
    log = demo_inputs.interventions.filter(pl.col("enrolment_id").is_in(list(on_roll)))
    latest = log.sort("date", "intervention_id", descending=True)["enrolment_id"][0]
    assert app.selectbox(key="chronology_pupil").value == latest
    assert not any(m.value == "No actions recorded yet." for m in app.markdown)


@pytest.mark.slow
def test_recording_without_pupils_is_refused(open_app, demo_copy):
    before = store.intervention_versions(demo_copy).height
    app = open_app(demo_copy).switch_page(INTERVENTIONS).run()
    button(app, "Record").click().run()
    assert "Choose at least one pupil" in app.error[0].value
    assert store.intervention_versions(demo_copy).height == before


@pytest.mark.slow
def test_the_demo_visitor_may_look_but_not_record(open_app, demo_copy):
    app = open_app(demo_copy, as_role=None, demo=True).switch_page(INTERVENTIONS).run()
    assert not app.exception
    assert any("read-only" in c.value for c in app.caption)
    assert all(
        b.disabled for b in app.button if b.label in {"Record", "Add the type", "Record the review"}
    )


@pytest.mark.slow
def test_reviews_due_and_recording_a_review(open_app, demo_copy):
    app = open_app(demo_copy).switch_page(INTERVENTIONS).run()
    due = table_with(app, "next_review", "status")
    assert due.height > 0 and due["status"].str.contains("overdue|due").all()
    chosen = app.selectbox(key="review_pick").value
    button(app, "Record the review").click().run()
    assert not app.exception and "recorded" in app.success[0].value
    history = store.intervention_versions(demo_copy, intervention_ids=[chosen])
    assert (
        history["change_reason"].to_list()[-1] == "Review held"
        and history["next_review"].to_list()[-1] is None
    )


@pytest.mark.slow
def test_impact_counts_the_actions_of_the_window_unless_asked_for_every_one(
    open_app, demo_db, demo_inputs
):
    app = open_app(demo_db).switch_page("pages/impact.py").run()
    assert not app.exception
    window = Window.year_to_date(DEMO_TODAY)
    in_window = intervention_impact(demo_inputs, window, weeks=6)
    assert f"actions dated 01 Aug 2026 to 20 Nov 2026: {in_window.actions.height:,}" in (
        app.caption[0].value
    )
    app.sidebar.toggle(key="impact_every_action").set_value(True).run()
    expected = intervention_impact(demo_inputs, Window(date(1900, 1, 1), DEMO_TODAY), weeks=6)
    assert f"actions dated up to 20 Nov 2026: {expected.actions.height:,}" in app.caption[0].value
    assert expected.actions.height > in_window.actions.height
    table = table_with(app, "measured", "effect_low")
    assert table["type"].to_list() == expected.summary["type"].to_list()
    assert table["measured"].to_list() == expected.summary["measured"].to_list()
    types = expected.summary["type"].to_list()
    sentences = [
        m.value for m in app.markdown if any(m.value.startswith(f"- {t}: ") for t in types)
    ]
    assert len(sentences) == len(types)
    assert all("95% interval" in s for s in sentences)


@pytest.mark.slow
def test_the_model_card_compares_the_model_with_the_rule_at_each_point(open_app, demo_db):
    app = open_app(demo_db).switch_page("pages/risk_model.py").run()
    assert not app.exception
    model = active_model(demo_db)
    assert f"Model {model.model_id}, trained" in app.success[0].value
    lines = [m.value for m in app.markdown if m.value.startswith("- ") and "90% rule" in m.value]
    assert [line.split(":")[0][2:] for line in lines] == [label for label, _, _ in POINTS]
    points = table_with(app, "model_found", "rule_found")
    assert points.height == len(POINTS)
    cohorts = table_with(app, "cohort", "model_missed")
    assert {"Disadvantaged", "SEN", "Sex", "Ethnic group"} == set(cohorts["cohort"])


def test_with_too_little_history_the_pages_say_rules_are_used(open_app, db, load):
    from tests.fixtures.ingest.builders import URN, pupils_csv, upns

    load(
        "pupils",
        pupils_csv(upns(2), admission_date="2025-09-01"),
        school_urn=URN,
        school_name="Oakfield",
    )
    load(
        "marks",
        "upn,date,session,code\n"
        + "".join(
            f"{u},2025-09-0{d},AM,{'N' if d == 5 else '/'}\n"
            for u in upns(2)
            for d in (1, 2, 3, 4, 5)
        ),
        school_urn=URN,
    )
    app = open_app(db).switch_page("pages/risk_model.py").run()
    assert not app.exception
    assert "Transparent rules, not a model" in app.warning[0].value
    button(app, "Retrain now").click().run()
    assert "Trained: rules" in app.success[0].value
    assert read.schools(db).height == 1 and store.risk_model_runs(db)["kind"].to_list() == ["rules"]
    targets = open_app(db).switch_page(TARGETS).run()
    assert not targets.exception
    assert "transparent rules" in targets.info[0].value
    assert counts(targets)["First-day calls"] == 2  # both pupils coded N on the last register day
