"""The Stages page through AppTest: the counts per stage and the pupils in a stage as the engine
computes them, for the trust and for one school and year group, the moves, the procedure in
words, and who may open it."""

from __future__ import annotations

import polars as pl
import pytest

from streamlit.testing.v1 import AppTest

from analytics.domain.stages import load_procedure
from analytics.reports.coordinator.stages import stage_report
from analytics.settings import PROJECT_ROOT
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
