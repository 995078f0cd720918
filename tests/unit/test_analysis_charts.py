"""The analysis charts: each builds a valid Vega-Lite spec, tells its series apart by more than
colour (shapes, dashes, written values, tick marks), and has a sentence saying what it shows,
including when there is nothing to show."""

from __future__ import annotations

import polars as pl
import pytest

from analytics.reports.charts import behaviour as charts_behaviour
from analytics.reports.charts import cohorts as charts_cohorts
from analytics.reports.charts import overview as charts_overview
from analytics.reports.charts import patterns as charts_patterns
from analytics.reports.charts import pupil as charts_pupil

from analytics.reports.inputs.calendar import school_calendar
from analytics.reports.analysis.cohorts import cohort_table
from analytics.reports.analysis.overview import band_comparison

from analytics.reports.analysis.pupil import pupil_profile

from analytics.reports.inputs.records import load_behaviour
from analytics.reports.inputs.register import load_register
from tests.fixtures.ingest.builders import upn
from tests.fixtures.small_school import NOW, URN, build_small_school
from tests.fixtures.reference import behaviour_figures, cohort_trend, enrolment_table, patterns


@pytest.fixture
def built(db, load):
    build_small_school(db, load)
    register, records = load_register(db, (URN,)), load_behaviour(db, (URN,))
    return db, register, records, enrolment_table(register, NOW, records)


def spec(chart) -> dict:
    return chart.to_dict()


def channels(spec_dict: dict) -> set[str]:
    """Every encoding channel used anywhere in a (layered or faceted) spec."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            if "encoding" in node:
                found.update(node["encoding"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec_dict)
    return found


def marks(spec_dict: dict) -> set[str]:
    found = set()

    def walk(node):
        if isinstance(node, dict):
            mark = node.get("mark")
            if mark is not None:
                found.add(mark if isinstance(mark, str) else mark["type"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec_dict)
    return found


def test_cohort_charts(built):
    _, register, _, enrolments = built
    table = cohort_table(enrolments, "fsm", "persistent_absence_rate", 2025, "year", 5)
    gap = spec(charts_cohorts.gap_chart(table, "persistent_absence_rate"))
    assert {"bar", "text", "tick"} <= marks(gap)  # values written, national as a tick
    text = charts_cohorts.describe_gaps(table, "persistent_absence_rate", "Free school meals")
    assert "Furthest from national: FSM eligible" in text and "percentage points" in text
    trend = cohort_trend(register, NOW, enrolments, "fsm", "FSM eligible")
    assert {"shape", "strokeDash"} <= channels(
        spec(charts_cohorts.trend_chart(trend, "FSM eligible"))
    )
    assert "2 school weeks" in charts_cohorts.describe_trend(trend, "FSM eligible")
    assert "No school weeks" in charts_cohorts.describe_trend(trend.clear(), "FSM eligible")
    crossed = cohort_table(enrolments, "fsm", "attendance_rate", 2025, "year", 5, cross="sex")
    cross = spec(charts_cohorts.cross_chart(crossed, "attendance_rate", "FSM", "Sex"))
    assert {"rect", "text"} <= marks(cross)
    assert "highest attendance" in charts_cohorts.describe_cross(
        crossed, "attendance_rate", "FSM", "Sex"
    )
    none = cohort_table(enrolments, "fsm", "attendance_rate", 2025, "year", 1000, cross="sex")
    assert "large enough" in charts_cohorts.describe_cross(none, "attendance_rate", "FSM", "Sex")


def test_band_chart(built):
    _, register, _, _ = built
    bands, _ = band_comparison(register, NOW)
    chart = spec(charts_overview.band_chart(bands))
    assert {"bar", "text", "tick"} <= marks(chart)
    # A label beside the national tick names both figures, so neither is read as the other.
    assert all(t.endswith("%)") and "(national " in t for t in chart_texts(chart))
    text = charts_overview.describe_bands(bands)
    assert text.startswith("Of 24 pupils of compulsory school age") and "(national" in text
    empty = bands.with_columns(pl.lit(0, dtype=pl.Int64).alias("compared_pupils"))
    assert "no absence bands" in charts_overview.describe_bands(empty)


def chart_texts(spec_dict: dict) -> list[str]:
    """The `text` field of every row of every dataset the chart carries."""
    return [
        row["text"]
        for rows in spec_dict.get("datasets", {}).values()
        for row in rows
        if "text" in row
    ]


def test_chart_labels_round_half_up_as_the_tables_do():
    """49 of 400 is 12.25%: tables say 12.3%, and so must the labels drawn on the charts."""
    share = 49 * 100 / 400
    bands = pl.DataFrame(
        {
            "band_label": ["0% to under 5%", "5% to under 10%"],
            "band_from": [0, 5],
            "compared_share": [share, 100 - share],
            "compared_pupils": [49, 351],
            "national_share": [50.0, 50.0],
        }
    )
    assert "12.3% (national 50.0%)" in chart_texts(spec(charts_overview.band_chart(bands)))
    weekday = pl.DataFrame(
        {"weekday_name": ["Monday"], "session": ["AM"], "possible": [400], "absence_rate": [share]}
    )
    assert chart_texts(spec(charts_patterns.weekday_heatmap(weekday))) == ["12.3%"]


def test_pattern_charts(built):
    db, register, _, _ = built
    found = patterns(register, NOW, school_calendar(db, (URN,)))
    assert {"rect", "text"} <= marks(spec(charts_patterns.weekday_heatmap(found.weekday)))
    assert "highest on Monday AM" in charts_patterns.describe_weekday(found.weekday)
    assert {"shape", "strokeDash"} <= channels(
        spec(charts_patterns.lateness_chart(found.lateness_weekly))
    )
    assert "median 7 minutes late" in charts_patterns.describe_lateness(
        found.lateness_weekly, found.median_minutes
    )
    assert "text" in marks(spec(charts_patterns.minutes_chart(found.minutes_late)))
    facet = spec(charts_patterns.reasons_chart(found.reasons))
    assert "facet" in facet  # one titled chart per reason, so colour carries nothing
    assert charts_patterns.describe_reasons(found.reasons).startswith("Absence by reason")
    assert "shape" in channels(spec(charts_patterns.term_edges_chart(found.term_edges)))
    assert "first week" in charts_patterns.describe_term_edges(found.term_edges_overall)
    assert "text" in marks(spec(charts_patterns.spells_chart(found.spell_lengths)))
    assert "1 of 25 pupils" in charts_patterns.describe_spells(
        found.spell_lengths, found.pupils_with_long_spells, found.pupils_counted
    )
    assert (
        charts_patterns.describe_spells(
            found.spell_lengths.with_columns(pl.lit(0).alias("spells")), 0, 0
        )
        == "No spells of absence in this window."
    )


def test_behaviour_charts(built):
    _, register, records, enrolments = built
    figures = behaviour_figures(register, records, NOW, enrolments, "fsm")
    assert "text" in marks(spec(charts_behaviour.group_chart(figures.by_group, "FSM")))
    assert "Most negative incidents (FSM): FSM eligible" in charts_behaviour.describe_groups(
        figures.by_group, "FSM"
    )
    assert {"shape", "strokeDash"} <= channels(spec(charts_behaviour.weekly_chart(figures.weekly)))
    assert "school weeks" in charts_behaviour.describe_weekly(figures.weekly)
    assert "text" in marks(spec(charts_behaviour.reasons_chart(figures.by_reason)))
    assert "1 suspensions of 1 pupils" in charts_behaviour.describe_reasons(
        figures.by_reason, figures.totals
    )
    assert "No suspensions" in charts_behaviour.describe_reasons(
        figures.by_reason.clear(), figures.totals
    )
    scatter = spec(charts_behaviour.attendance_behaviour_chart(figures.pupils))
    assert "shape" in channels(scatter) and "rule" in marks(scatter)
    assert "persistent absentees" in charts_behaviour.describe_attendance_behaviour(
        figures.absentees
    )


def test_pupil_charts(built):
    db, register, records, _ = built
    days = school_calendar(db, (URN,)).days
    enrolment = register.enrolments.filter(pl.col("upn") == upn(2))["enrolment_id"].item()
    profile = pupil_profile(register, records, enrolment, NOW, days)
    calendar = spec(charts_pupil.register_chart(profile.register))
    assert {"rect", "text"} <= marks(calendar)  # every cell shows its code
    assert "2 no mark" in charts_pupil.describe_register(profile.register)
    assert "text" in marks(spec(charts_pupil.codes_chart(profile.codes)))
    assert charts_pupil.describe_codes(profile.codes).startswith("18 counted sessions")
    assert "shape" in channels(spec(charts_pupil.incidents_chart(profile.incidents)))
    assert charts_pupil.describe_incidents(profile.incidents).startswith(
        "1 negative and 0 positive"
    )
    assert (
        charts_pupil.describe_incidents(profile.incidents.clear())
        == "No behaviour incidents in this window."
    )
    assert "persistently absent" in charts_pupil.describe_figures(profile.figures)
    assert charts_pupil.describe_figures(None) == "Not on roll in this window."


def test_minutes_late_labels_are_never_cut():
    """ "minutes not recorded" was cut to "minutes not recor..." by Vega's default label limit."""
    minutes = pl.DataFrame(
        {
            "minutes_band": ["1 to 5 minutes", "minutes not recorded"],
            "late_before_close": [3, 2],
            "late_after_close": [1, 0],
            "sessions": [4, 2],
        }
    )
    chart = spec(charts_patterns.minutes_chart(minutes))
    assert chart["layer"][0]["encoding"]["y"]["axis"]["labelLimit"] >= 300
