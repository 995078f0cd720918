"""The Rewards page through AppTest: the counts and lists the engine computes for one school,
by form and by year group."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from analytics.pipelines.windows import Window
from analytics.reports.coordinator.rewards import rewards
from analytics.synthetic import DEMO_TODAY

REWARDS = "pages/rewards.py"
URN = 990114
DEMO_YTD = Window(date(2026, 8, 1), DEMO_TODAY)


@pytest.mark.slow
def test_rewards_for_a_school_by_form_then_by_year(open_app, demo_db):
    app = open_app(demo_db, school=str(URN)).switch_page(REWARDS).run()
    assert not app.exception
    expected = rewards(demo_db, DEMO_YTD, [URN])
    assert any("most improved against" in c.value for c in app.caption)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics == {
        "Full attendance": f"{expected.full.height:,}",
        "Most improved": f"{expected.improved.height:,}",
    }
    full = pl.from_pandas(app.dataframe[0].value)
    assert full["upn"].to_list() == expected.full["upn"].to_list()
    app.sidebar.selectbox(key="rewards_by").set_value("year").run()
    assert not app.exception
    improved = pl.from_pandas(app.dataframe[1].value)
    # At most the top 3 of each year group, ties all in; places start at 1 in every year group.
    assert improved.group_by("year_group").agg(pl.col("place").min())["place"].to_list() == [1] * (
        improved["year_group"].n_unique()
    )
