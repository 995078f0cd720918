"""The analysis pages read only their scope and window from the store's aggregates, and every
figure is what the same figures from the raw marks give (the register is the reference)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from polars.testing import assert_frame_equal

from analytics.pipelines.windows import Window
from analytics.reports.analysis import behaviour, cohorts
from analytics.reports.analysis import patterns as pattern_report
from analytics.reports.analysis.pupils import enrolment_table as table_from
from analytics.reports.inputs.calendar import school_calendar
from analytics.reports.inputs.records import load_behaviour
from analytics.reports.inputs.register import load_register
from analytics.reports.inputs.sessions import absence_spells
from analytics.reports.inputs.totals import load_totals
from analytics.store import read
from tests.fixtures import reference


def scopes(demo_db):
    """(schools, window, year groups): the whole trust this year, one school's half-term starting
    mid-week, two year groups over a window running across the summer holiday."""
    _, last = read.mark_date_range(demo_db)
    year = Window.year_to_date(last)
    urn = read.schools(demo_db)["urn"][0]
    return [
        (None, year, ()),
        ((urn,), Window(year.start + timedelta(days=36), year.start + timedelta(days=80)), ()),
        (
            None,
            Window(year.start - timedelta(days=60), year.start + timedelta(days=30)),
            ("3", "9"),
        ),
    ]


@pytest.mark.slow
def test_every_analysis_figure_from_the_aggregates_equals_the_raw_marks(demo_db):
    for urns, window, groups in scopes(demo_db):
        register = load_register(demo_db, urns).in_year_groups(window, groups)
        records = load_behaviour(demo_db, urns)
        records = records.for_enrolments(register.enrolments["enrolment_id"])
        expected = reference.enrolment_table(register, window, records)

        totals = load_totals(demo_db, urns, window, groups)
        spells = absence_spells(demo_db, urns, window, groups)
        windowed = load_behaviour(demo_db, urns, window).for_enrolments(
            totals.enrolments["enrolment_id"]
        )
        found = table_from(totals, window, spells, windowed)
        assert_frame_equal(found, expected)
        assert found.height > 50 and found["longest_absence_spell"].max() > 1

        calendar = school_calendar(demo_db, urns)
        stored = pattern_report.patterns(
            pattern_report.pattern_sources(demo_db, urns, window, groups), calendar
        )
        raw = reference.patterns(register, window, calendar)
        for name in ("weekday", "lateness_weekly", "minutes_late", "reasons", "term_edges"):
            assert_frame_equal(getattr(stored, name), getattr(raw, name), check_column_order=False)
        assert stored.spell_lengths.equals(raw.spell_lengths)
        assert (stored.median_minutes, stored.pupils_counted, stored.pupils_with_long_spells) == (
            raw.median_minutes,
            raw.pupils_counted,
            raw.pupils_with_long_spells,
        )

        trend = cohorts.cohort_trend(totals.weeks.lazy(), found, "disadvantaged", "Disadvantaged")
        assert "Disadvantaged" in trend["series"].to_list()
        assert_frame_equal(
            trend,
            reference.cohort_trend(register, window, expected, "disadvantaged", "Disadvantaged"),
        )
        figures = behaviour.behaviour_figures(totals.weeks.lazy(), windowed, window, found, "sen")
        raw_figures = reference.behaviour_figures(register, records, window, expected, "sen")
        assert_frame_equal(figures.weekly, raw_figures.weekly)
        assert figures.weekly["pupils"].sum() > 0
        assert_frame_equal(figures.by_group, raw_figures.by_group)
        assert_frame_equal(figures.by_reason, raw_figures.by_reason)
