"""The Stages page through AppTest: the counts per stage and the pupils in a stage as the engine
computes them, for the trust and for one school and year group, the moves, the procedure in
words, and who may open it."""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from streamlit.testing.v1 import AppTest

from analytics.domain.stages import load_procedure
from analytics.reports.coordinator.stages import stage_report
from analytics.reports.letters.run import stage_letters
from analytics.settings import PROJECT_ROOT
from analytics.store import Database
from analytics.store import interventions as intervention_store
from analytics.store import stages as stage_store
from analytics.synthetic import DEMO_TODAY
from pages.ui.access import SIGNED_IN

STAGES = "pages/stages.py"


def metrics(app) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


@pytest.fixture(scope="module")
def demo_stages(demo_db):
    return stage_report(demo_db, DEMO_TODAY)


@pytest.mark.slow
def test_the_stages_page_shows_the_engines_stages(open_app, demo_db, demo_stages):
    app = open_app(demo_db).switch_page(STAGES).run()
    assert not app.exception
    counts = demo_stages.counts()
    assert metrics(app) == {
        row["stage_name"]: f"{row['pupils']:,}" for row in counts.iter_rows(named=True)
    }
    pupils = pl.from_pandas(app.dataframe[0].value)
    assert pupils.height == demo_stages.current.height
    assert set(pupils["upn"]) == set(demo_stages.current["upn"])
    moves = pl.from_pandas(app.dataframe[1].value)
    assert moves.height > pupils.height
    assert any("stages as of Friday 20 November 2026" in c.value for c in app.caption)
    words = " ".join(m.value for m in app.markdown)
    assert "attendance below 92% over the last 6 school weeks" in words
    assert "still in Stage 3: attendance plan after 8 school weeks" in words


@pytest.mark.slow
def test_one_school_and_year_group(open_app, demo_db):
    urn = 990135
    app = open_app(demo_db, school=str(urn)).switch_page(STAGES).run()
    app.sidebar.multiselect(key="filter_years").set_value(["9"]).run()
    assert not app.exception
    expected = stage_report(demo_db, DEMO_TODAY, (urn,)).current.filter(pl.col("year_group") == "9")
    pupils = pl.from_pandas(app.dataframe[0].value)
    assert sorted(pupils["upn"]) == sorted(expected["upn"])
    assert sum(int(v.replace(",", "")) for v in metrics(app).values()) == expected.height


def test_a_governor_may_not_open_it(open_app, demo_db, account, monkeypatch):
    app = open_app(demo_db, as_role="governor")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page(STAGES)
    # Run on its own, the page's first line refuses the governor.
    monkeypatch.setenv("ROLLCALL_DB", str(demo_db.path))
    direct = AppTest.from_file(str(PROJECT_ROOT / STAGES), default_timeout=60)
    direct.session_state[SIGNED_IN] = account("governor")
    direct.run()
    assert "Your account cannot open this page." in direct.error[0].value
    assert not direct.metric and not direct.dataframe


def test_the_default_procedure_is_what_the_page_reads():
    assert load_procedure().stages[0].name == "Stage 1: concern"


@pytest.fixture
def demo_copy(demo_db, tmp_path) -> Database:
    """A copy of the demo trust that a test may write to."""
    copy = Database(tmp_path / "demo.duckdb")
    shutil.copy(demo_db.path, copy.path)
    return copy


@pytest.mark.slow
def test_letters_preview_one_then_make_all_and_record_them(open_app, demo_copy):
    urn = 990114
    app = open_app(demo_copy, school=str(urn)).switch_page(STAGES).run()
    assert not app.exception
    expected = stage_letters(demo_copy, stage_report(demo_copy, DEMO_TODAY, (urn,)), "concern", urn)
    assert expected.letters
    assert any(
        f"{len(expected.letters):,} letters for {expected.pupils:,} pupils" in c.value
        for c in app.caption
    )
    preview = " ".join(m.value for m in app.markdown)
    assert expected.letters[0].body.split("\n")[0] in preview  # "Dear Parent or Carer,"
    app.button(key="letters_make").click().run()
    assert not app.exception
    assert "entries recorded in the pupils' chronologies" in app.success[0].value
    log = intervention_store.interventions(demo_copy, [urn])
    recorded = log.filter(pl.col("notes").str.starts_with("Stage letter concern"))
    assert recorded.height == expected.pupils
    assert stage_store.documents_of(demo_copy, recorded["intervention_id"].to_list()).height == (
        expected.pupils
    )
    # Made once: the stage's pupils now all had its letter.
    assert any("0 letters for 0 pupils" in c.value for c in app.caption)
    # The chronology of a pupil who had one lists it, with the letter as printed.
    pupil = recorded["enrolment_id"][0]
    app.switch_page("pages/interventions.py").run()
    app.selectbox(key="chronology_pupil").set_value(pupil).run()
    assert not app.exception
    timeline = [m.value for m in app.markdown if "· Letter**" in m.value]
    assert timeline and "Stage letter concern" in timeline[0].replace("\\", "")
    assert any(m.value.startswith("**Letters sent** (1)") for m in app.markdown)


@pytest.mark.slow
def test_a_schools_copy_of_a_template_is_saved_and_used(open_app, demo_copy):
    urn = 990114
    app = open_app(demo_copy, school=str(urn)).switch_page(STAGES).run()
    app.text_area(key="letters_template_concern").set_value(
        "Dear {{ parent.name }},\n\nA note from {{ school.name }} about {{ pupil.forename }}."
    ).run()
    app.button(key="letters_save").click().run()
    assert not app.exception
    assert app.success[0].value.startswith("Saved")
    assert stage_store.school_templates(demo_copy, urn)["concern"].startswith("Dear {{ parent.name")
    assert any("A note from Oakfield" in m.value for m in app.markdown)
    # A template that cannot be read is refused with its line.
    app.text_area(key="letters_template_concern").set_value("{% for p in pupils %}").run()
    app.button(key="letters_save").click().run()
    assert "Not saved: template 'concern'" in app.error[0].value


@pytest.mark.slow
def test_impact_by_stage_compares_pupils_who_entered_each_stage(open_app, demo_db):
    from datetime import date

    from analytics.pipelines.windows import Window
    from analytics.reports.coordinator.impact import stage_impact
    from analytics.reports.coordinator.stages import moves_over
    from analytics.reports.coordinator.targets import coordinator_inputs

    app = open_app(demo_db).switch_page("pages/impact.py").run()
    app.sidebar.radio(key="impact_by").set_value("entered a stage").run()
    app.sidebar.toggle(key="impact_every_action").set_value(True).run()  # since the first day
    assert not app.exception
    inputs = coordinator_inputs(demo_db)
    first = inputs.days["date"].min()
    procedure = load_procedure()
    moves = moves_over(demo_db, first, DEMO_TODAY, None, procedure)
    expected = stage_impact(
        inputs,
        moves,
        {s.number: s.name for s in procedure.stages},
        Window(first, DEMO_TODAY),
        weeks=6,
    )
    table = next(
        pl.from_pandas(df.value) for df in app.dataframe if "effect_low" in df.value.columns
    )
    assert table["type"].to_list() == [s.name for s in procedure.stages]
    assert table["measured"].to_list() == expected.summary["measured"].to_list()
    assert any("entries to a stage dated up to 20 Nov 2026" in c.value for c in app.caption)
    assert date(2026, 11, 20) == DEMO_TODAY
