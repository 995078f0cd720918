"""The analysis pages through AppTest on the demo trust: what each shows equals the engine, each
drill-down step (cohort or year group, form, pupil list, profile and back) keeps the filters,
and every page says which window and how many enrolments it shows."""

from __future__ import annotations

import polars as pl
import pytest

from analytics.domain.rounding import format_percent, round_half_up
from analytics.pipelines.windows import Window

from analytics.reports.inputs.calendar import school_calendar
from analytics.reports.analysis.cohorts import ALL_PUPILS, cohort_table, widest_gaps
from analytics.reports.comparisons.periods import national_window, same_window_last_year
from analytics.reports.analysis.overview import headline_comparison

from analytics.reports.analysis.pupil import pupil_profile
from analytics.reports.analysis.pupils import measures_by, pupil_list
from analytics.reports.inputs.records import load_behaviour
from analytics.reports.inputs.register import load_register
from analytics.settings import setting
from analytics.store import read
from tests.fixtures.reference import behaviour_figures, enrolment_table, patterns

pytestmark = pytest.mark.slow
PAGES = (
    "pages/cohorts.py",
    "pages/patterns.py",
    "pages/behaviour.py",
    "pages/pupils.py",
    "pages/pupil.py",
)


def ytd(db) -> Window:
    _, last = read.mark_date_range(db)
    return Window.year_to_date(last)


def frame(app, name: str) -> pl.DataFrame:
    """The table whose accessible name starts with `name`, as a Polars frame."""
    return pl.from_pandas(next(d for d in app.dataframe if d.proto.alt.startswith(name)).value)


def open_page(open_app, db, page: str, **query):
    app = open_app(db, **query)
    app.switch_page(page)
    app.query_params.update(query)
    return app.run()


def secondary(db) -> int:
    return read.schools(db).filter(pl.col("phase") == "secondary")["urn"][0]


def points(value: float) -> str:
    rounded = round_half_up(value)
    return (
        "no change (0.0 points)"
        if rounded == 0
        else f"{'+' if rounded > 0 else ''}{rounded} points"
    )


@pytest.mark.parametrize("page", PAGES)
def test_each_page_runs_without_data_and_says_how_to_get_some(open_app, db, page):
    app = open_page(open_app, db, page)
    assert not app.exception
    assert "Import page" in app.info[0].value


@pytest.mark.parametrize("page", PAGES[:4])
def test_each_page_says_its_window_and_enrolments(open_app, demo_db, page):
    app = open_page(open_app, demo_db, page)
    assert not app.exception
    window = ytd(demo_db)
    caption = app.caption[0].value
    assert caption.startswith("Whole trust") and str(window) in caption
    expected = enrolment_table(load_register(demo_db, None), window).height
    assert f"{expected:,} enrolments on roll in the window" in caption


def test_overview_against_last_year_and_national(open_app, demo_db):
    app = open_app(demo_db)
    assert not app.exception
    window = ytd(demo_db)
    last = same_window_last_year(school_calendar(demo_db), "ytd", window)
    register = load_register(demo_db, None)
    expected = headline_comparison(register, window, register, last, national_window("ytd", window))
    deltas = {m.label: m.delta for m in app.metric}
    for row in expected.iter_rows(named=True):
        assert deltas[row["label"]] == points(row["change"])
    shown = frame(app, "Headline comparison")
    assert shown["label"].to_list() == expected["label"].to_list()
    assert shown["national"].to_list() == [float(round_half_up(v)) for v in expected["national"]]
    assert shown["gap_to_national"].to_list() == [
        None if v is None else float(round_half_up(v)) for v in expected["gap_to_national"]
    ]
    assert str(last) in next(c.value for c in app.caption if "same window last year" in c.value)
    bands = frame(app, "Absence bands")
    assert (
        bands.height == 11
        and bands["pupils"].sum()
        == expected.filter(pl.col("measure") == "persistent_absence_rate")["denominator"].item()
    )
    assert frame(app, "Schools").height == read.schools(demo_db).height


def test_cohorts_page_leads_with_the_widest_gap(open_app, demo_db):
    app = open_page(open_app, demo_db, "pages/cohorts.py")
    assert not app.exception
    window = ytd(demo_db)
    enrolments = enrolment_table(
        load_register(demo_db, None), window, load_behaviour(demo_db, None)
    )
    kind = national_window("ytd", window)
    widest = widest_gaps(
        enrolments,
        "persistent_absence_rate",
        window.academic_year_start,
        kind,
        setting("small_group_pupils"),
    )
    top = widest.row(0, named=True)
    assert any(f"Widest gap: {top['group']}" in m.value for m in app.markdown)
    assert frame(app, "Widest gaps")["group"].to_list() == widest.head(10)["group"].to_list()
    # The characteristic and group of the widest gap are chosen, and the trend is of that group.
    assert app.selectbox(key="cohort_characteristic").value == top["characteristic_key"]
    assert app.selectbox(key="cohort_group").value == top["group"]
    expected = cohort_table(
        enrolments,
        top["characteristic_key"],
        "persistent_absence_rate",
        window.academic_year_start,
        kind,
        setting("small_group_pupils"),
    )
    shown = frame(app, "Cohorts by")
    assert shown["group"].to_list() == expected["group"].to_list()
    assert shown["pupils"].to_list() == expected["pupils"].to_list()
    assert shown["compared_pupils"].to_list() == expected["compared_pupils"].to_list()
    # One figure per group on one screen: the table's first figures are the chart's.
    assert shown.columns[:5] == [
        "group",
        "compared_pupils",
        "compared_value",
        "national",
        "gap_to_national",
    ]
    assert shown["gap_to_national"].to_list() == [
        None if v is None else float(round_half_up(v)) for v in expected["gap_to_national"]
    ]
    trend = frame(app, "Weekly attendance of")
    assert set(trend["series"]) == {top["group"], "Rest of the school"}
    link = app.page_link[0]
    assert "characteristic=" + top["characteristic_key"] in link.proto.query_string
    assert app.query_params["characteristic"] == top["characteristic_key"]


def test_cohorts_choices_measure_characteristic_and_crossing(open_app, demo_db):
    urn = secondary(demo_db)
    app = open_page(open_app, demo_db, "pages/cohorts.py", school=str(urn))
    app.selectbox(key="cohort_measure").set_value("attendance_rate").run()
    app.selectbox(key="cohort_characteristic").set_value("year_group").run()
    app.selectbox(key="cohort_cross").set_value("sex").run()
    assert not app.exception
    assert (
        app.query_params["measure"],
        app.query_params["characteristic"],
        app.query_params["cross"],
    ) == ("attendance_rate", "year_group", "sex")
    window = ytd(demo_db)
    enrolments = enrolment_table(
        load_register(demo_db, (urn,)), window, load_behaviour(demo_db, (urn,))
    )
    crossed = cohort_table(
        enrolments,
        "year_group",
        "attendance_rate",
        window.academic_year_start,
        "autumn",
        setting("small_group_pupils"),
        cross="sex",
    )
    shown = frame(app, "Year group by Sex")
    assert (
        shown.select("group", "cross_group", "pupils").rows()
        == crossed.select("group", "cross_group", "pupils").rows()
    )
    assert all(
        a == float(round_half_up(b))
        for a, b in zip(shown["attendance_rate"], crossed["attendance_rate"], strict=True)
    )


def test_drill_down_from_year_groups_to_forms_to_a_pupil(open_app, demo_db):
    urn = secondary(demo_db)
    app = open_page(open_app, demo_db, "pages/pupils.py", school=str(urn))
    assert not app.exception
    window = ytd(demo_db)
    enrolments = enrolment_table(
        load_register(demo_db, (urn,)), window, load_behaviour(demo_db, (urn,))
    )
    years = frame(app, "Year groups")
    expected_years = measures_by(enrolments, "year_group")
    assert years.select("group", "pupils").rows() == expected_years.select("group", "pupils").rows()
    assert years["attendance_rate"].to_list() == [
        float(round_half_up(r)) for r in expected_years["attendance_rate"]
    ]
    # Year group -> its forms.
    app.selectbox(key="drill_year_group").set_value("Year 9").run()
    assert not app.exception and app.query_params["year_group"] == "Year 9"
    assert app.query_params["school"] == str(urn)  # the filters stay
    forms = frame(app, "Forms in")
    nine = enrolments.filter(pl.col("group_year_group") == "Year 9")
    assert forms["pupils"].sum() == nine.height
    form = forms["group"][0]
    # Form -> its pupils, worst attendance first.
    app.selectbox(key="drill_form").set_value(form).run()
    listed = frame(app, "Pupil list")
    expected = pupil_list(enrolments, [("year_group", "Year 9"), ("form", form)])
    assert listed.height == expected.height and set(listed["surname"]) == set(expected["surname"])
    assert listed["unauthorised"].sum() == expected["unauthorised"].sum()
    assert "Year 9 › " + form in app.caption[1].value
    # Sorting by another measure.
    app.selectbox(key="pupils_sort").set_value("negative_incidents").run()
    assert frame(app, "Pupil list")["negative_incidents"].is_sorted(descending=True)
    # Back one level keeps the year group and the filters.
    app.button(key="crumb_1").click().run()
    assert "form" not in app.query_params and app.query_params["year_group"] == "Year 9"
    assert app.query_params["school"] == str(urn)
    # Open a pupil's profile from the list.
    worst = expected.row(0, named=True)
    app.selectbox(key="drill_form").set_value(form).run()
    app.selectbox(key="open_pupil").set_value(worst["enrolment_id"]).run()
    assert not app.exception
    assert app.title[0].value == "Pupil profile"
    assert app.header[0].value == f"{worst['forename']} {worst['surname']}"


def test_from_a_cohort_to_its_forms_and_pupil_list(open_app, demo_db):
    app = open_page(open_app, demo_db, "pages/pupils.py", characteristic="sen", group="EHC plan")
    assert not app.exception
    enrolments = enrolment_table(
        load_register(demo_db, None), ytd(demo_db), load_behaviour(demo_db, None)
    )
    expected = pupil_list(enrolments, [("sen", "EHC plan")])
    listed = frame(app, "Pupil list")
    assert (
        listed.height == expected.height
        and listed["unauthorised"].sum() == expected["unauthorised"].sum()
    )
    assert "SEN provision: EHC plan" in app.caption[1].value
    # The cohort's forms, then one form's pupils with an EHC plan.
    forms = frame(app, "Forms in SEN provision: EHC plan")
    assert forms["pupils"].sum() == expected.height
    form = forms.sort("pupils", descending=True)["group"][0]
    app.selectbox(key="drill_form").set_value(form).run()
    assert (app.query_params["group"], app.query_params["form"]) == ("EHC plan", form)
    narrowed = frame(app, "Pupil list")
    assert narrowed.height == forms.filter(pl.col("group") == form)["pupils"].item()
    app.button(key="crumb_0").click().run()  # back to all year groups
    assert "characteristic" not in app.query_params and "form" not in app.query_params
    assert frame(app, "Year groups").height > 0


def test_pupil_profile_from_the_url(open_app, demo_db):
    urn = secondary(demo_db)
    register = load_register(demo_db, (urn,))
    window = ytd(demo_db)
    enrolment = pupil_list(enrolment_table(register, window, load_behaviour(demo_db, (urn,)))).row(
        0, named=True
    )["enrolment_id"]
    app = open_page(
        open_app,
        demo_db,
        "pages/pupil.py",
        school=str(urn),
        pupil=str(enrolment),
        year_group="Year 9",
    )
    assert not app.exception
    profile = pupil_profile(
        register,
        load_behaviour(demo_db, (urn,)),
        enrolment,
        window,
        school_calendar(demo_db, (urn,)).days,
    )
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Attendance"] == format_percent(profile.figures["attendance_rate"])
    assert metrics["Unauthorised absence"] == format_percent(profile.figures["unauthorised_rate"])
    assert [s.value for s in app.subheader] == [
        "Register",
        "Attendance week by week",
        "Attendance year by year",
        "Codes",
        "Spells of absence",
        "Behaviour",
        "Exclusions",
        "Interventions and contacts",
    ]
    assert frame(app, "Register").height == profile.register.height
    assert frame(app, "Codes")["sessions"].sum() == profile.codes["sessions"].sum()
    years = frame(app, "Attendance by academic year")
    assert years["year"][0] == "2026/27" and years["possible"][0] == profile.figures["possible"]
    # Back to the list the profile came from, with the filters.
    app.button(key="pupil_back").click().run()
    assert app.title[0].value == "Pupils"
    assert app.query_params["year_group"] == "Year 9" and app.query_params["school"] == str(urn)


def test_pupil_profile_without_a_pupil_or_with_an_unknown_one(open_app, demo_db):
    app = open_page(open_app, demo_db, "pages/pupil.py")
    assert not app.exception and app.selectbox(key="find_pupil").value is None
    app = open_page(open_app, demo_db, "pages/pupil.py", pupil="99999999")
    assert "not in the chosen school" in app.warning[0].value


def test_patterns_page_equals_the_engine(open_app, demo_db):
    app = open_page(open_app, demo_db, "pages/patterns.py")
    assert not app.exception
    found = patterns(load_register(demo_db, None), ytd(demo_db), school_calendar(demo_db))
    weekday = frame(app, "Weekday and session")
    assert weekday["possible"].to_list() == found.weekday["possible"].to_list()
    assert (
        frame(app, "Spells of absence")["spells"].to_list()
        == found.spell_lengths["spells"].to_list()
    )
    reasons = frame(app, "Reasons by week")  # one row per week, a column per reason
    assert reasons.height == found.reasons["week_start"].n_unique()
    illness = found.reasons.filter(pl.col("reason") == "Illness").sort("week_start")["rate"]
    assert reasons["Illness"].to_list() == [float(round_half_up(r)) for r in illness]
    # Autumn 2 is still under way on 20 Nov: it has no last week yet.
    edges = frame(app, "First and last weeks")
    assert edges.filter(pl.col("label") == "Autumn 2")["position"].to_list() == [
        "First week",
        "Other weeks",
    ]
    assert any("Autumn 2 (from 02 Nov 2026) is still under way" in c.value for c in app.caption)
    assert frame(app, "Minutes late")["sessions"].sum() == found.minutes_late["sessions"].sum()


def test_behaviour_page_equals_the_engine(open_app, demo_db):
    app = open_page(open_app, demo_db, "pages/behaviour.py")
    assert not app.exception
    window = ytd(demo_db)
    register, records = load_register(demo_db, None), load_behaviour(demo_db, None)
    figures = behaviour_figures(
        register, records, window, enrolment_table(register, window, records), "year_group"
    )
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Negative incidents"] == f"{figures.totals['negative_incidents']:,}"
    assert metrics["Suspensions"] == f"{figures.totals['suspensions']:,}"
    groups = frame(app, "Behaviour by")
    assert (
        groups["group"][0] == ALL_PUPILS
        and groups["negative_incidents"].to_list()
        == figures.by_group["negative_incidents"].to_list()
    )
    app.selectbox(key="behaviour_characteristic").set_value("sen").run()
    assert frame(app, "Behaviour by")["group"].to_list() == [
        ALL_PUPILS,
        "No SEN",
        "SEN support",
        "EHC plan",
    ]
    assert app.query_params["characteristic"] == "sen"
