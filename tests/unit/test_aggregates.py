"""The store's weekly totals equal the raw marks: after imports, corrections, readmissions and
corrected admission dates, for whole and partial weeks, and after the code table changes."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from analytics.domain.yeargroups import n1_year
from analytics.pipelines.absence_spells import absence_spells
from analytics.pipelines.calendar import school_days
from analytics.pipelines.sessions import classify_marks
from analytics.pipelines.windows import Window
from analytics.reports.analysis import overview
from analytics.reports.inputs.calendar import school_calendar
from analytics.reports.comparisons.periods import compulsory_age_measures
from analytics.reports.inputs.register import load_register
from analytics.reports.exports.summary import summary_table
from analytics.reports.inputs.totals import load_totals
from analytics.store import Database, aggregates, read
from tests.conftest import AGREE, TEST_TODAY
from tests.fixtures.ingest.builders import URN, marks_csv, upn

U0, U1, U2 = upn(1), upn(2), upn(3)
PUPILS_HEADER = "upn,forename,surname,date_of_birth,year_group,admission_date,leaving_date\n"
MONDAY = date(2025, 9, 1)


def pupils(rows: list[tuple[str, str, str]]) -> str:
    return PUPILS_HEADER + "".join(
        f"{u},Fore{i},Sur{i},2015-03-12,5,{admitted},{left}\n"
        for i, (u, admitted, left) in enumerate(rows)
    )


def weekdays(first: date, count: int) -> list[date]:
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def differences(db: Database) -> dict[str, int]:
    with db.connect() as con:
        return aggregates.differences(con)


def assert_same_figures(db: Database, window: Window, urns=None) -> None:
    """The Overview figures and the per-enrolment summary agree between the two paths."""
    register = load_register(db, urns, window)
    fast = overview.overview_figures(db, urns, window)
    assert fast.headline == overview.headline(register, window)
    assert_frame_equal(fast.weekly, overview.weekly(register, window))
    assert_frame_equal(fast.by_school, overview.by_school(register, window))
    totals = load_totals(db, urns, window)
    raw = register.enrolment_measures(window).sort("enrolment_id").collect()
    assert_frame_equal(totals.enrolment_measures().sort("enrolment_id").collect(), raw)
    assert not summary_table(register, window).is_empty() or raw.is_empty()
    sessions = register.sessions(window)
    assert_frame_equal(
        aggregates.window_spells(db, urns, window.start, window.end),
        absence_spells(sessions).collect(),
    )
    counted = (
        sessions.group_by("school_urn", "date", "session", "code")
        .agg(pl.len().cast(pl.Int64).alias("marks"))
        .sort(pl.all())
        .collect()
    )
    assert_frame_equal(
        aggregates.window_session_counts(db, urns, window.start, window.end), counted
    )


WINDOWS = [
    Window(MONDAY, date(2025, 10, 31)),  # whole weeks and a partial last week (ends Friday)
    Window(date(2025, 9, 3), date(2025, 9, 17)),  # starts and ends mid-week
    Window(date(2025, 9, 9), date(2025, 9, 10)),  # inside one week
    Window(date(2025, 9, 8), date(2025, 9, 14)),  # exactly one whole week
    Window(date(2025, 9, 6), date(2025, 9, 7)),  # a weekend only
    Window.academic_year(2025),
]


@pytest.fixture
def school(load):
    load(
        "pupils",
        pupils([(U0, "2025-09-01", ""), (U1, "2025-09-01", ""), (U2, "2025-09-10", "2025-09-24")]),
        school_urn=URN,
    )
    return load


def test_totals_follow_imports_and_corrections(db, school):
    days = weekdays(MONDAY, 20)
    rows = [
        (u, d, s, "/" if (i + j) % 5 else "N")
        for i, u in enumerate((U0, U1, U2))
        for j, d in enumerate(days)
        for s in ("AM", "PM")
    ]
    school("marks", marks_csv(rows), school_urn=URN)
    assert differences(db) == AGREE
    # Corrections: N becomes I, an L with minutes late, a not-possible code, a new session.
    corrections = [
        (U0, days[3], "AM", "I"),
        (U1, days[7], "PM", "L"),
        (U1, days[8], "AM", "X"),
        (U2, days[9], "PM", "U"),
    ]
    school("marks", marks_csv(corrections), school_urn=URN, file_name="corrections.csv")
    assert differences(db) == AGREE
    for window in WINDOWS:
        assert_same_figures(db, window)


def test_totals_follow_a_readmission_and_a_corrected_admission(db, school):
    days = weekdays(MONDAY, 30)
    rows = [
        (u, d, s, "/" if j % 4 else "O")
        for u in (U0, U2)
        for j, d in enumerate(days)
        for s in ("AM", "PM")
    ]
    school("marks", marks_csv(rows), school_urn=URN)
    before = load_totals(db, None, WINDOWS[0]).enrolment_measures().collect()
    # U2 left on 24 Sep (marks after it do not count) and comes back on 6 Oct: a second spell.
    school("pupils", pupils([(U2, "2025-10-06", "")]), school_urn=URN, file_name="readmitted.csv")
    assert differences(db) == AGREE
    after = load_totals(db, None, WINDOWS[0]).enrolment_measures().collect()
    assert after["possible"].sum() > before["possible"].sum()
    # U0's admission date is corrected to a Wednesday: the first two days no longer count.
    school("pupils", pupils([(U0, "2025-09-03", "")]), school_urn=URN, file_name="corrected.csv")
    assert differences(db) == AGREE
    # U0 leaves mid-week.
    school(
        "pupils", pupils([(U0, "2025-09-03", "2025-10-08")]), school_urn=URN, file_name="left.csv"
    )
    assert differences(db) == AGREE
    for window in WINDOWS:
        assert_same_figures(db, window)


def test_a_file_of_new_days_goes_in_whole_and_the_next_week_is_recounted(db, school):
    first = [(U0, d, s, "/") for d in weekdays(MONDAY, 3) for s in ("AM", "PM")]  # Mon-Wed
    rest = [(U0, d, s, "I") for d in weekdays(date(2025, 9, 4), 2) for s in ("AM", "PM")]  # Thu-Fri
    school("marks", marks_csv(first), school_urn=URN)
    result = school("marks", marks_csv(rest), school_urn=URN, file_name="rest.csv")
    assert (result.counts.new, result.counts.changed) == (4, 0)
    assert differences(db) == AGREE
    week = load_totals(db, None, Window(MONDAY, date(2025, 9, 7))).weeks
    assert week.select("sessions", "possible", "attended", "authorised").row(0) == (10, 10, 6, 4)


def test_a_file_of_new_days_that_starts_mid_week_adds_to_that_weeks_totals(db, school):
    first = [(U0, d, s, "/") for d in weekdays(MONDAY, 3) for s in ("AM", "PM")]  # Mon-Wed
    later = [
        (U0, d, s, "O") for d in weekdays(date(2025, 9, 4), 12) for s in ("AM", "PM")
    ]  # Thu to the Fri 2 weeks on
    school("marks", marks_csv(first), school_urn=URN)
    school("marks", marks_csv(later), school_urn=URN, file_name="later.csv")
    assert differences(db) == AGREE
    weeks = load_totals(db, None, Window(MONDAY, date(2025, 9, 21))).weeks.sort("week_start")
    assert weeks.select("sessions", "attended", "unauthorised").rows() == [
        (10, 6, 4),
        (10, 0, 10),
        (10, 0, 10),
    ]


def test_spells_follow_new_days_corrections_and_a_readmission(db, school):
    days = weekdays(MONDAY, 30)
    absent_from_day_3 = [
        (u, d, s, "I" if 3 <= j < 12 else "/")
        for u in (U0, U1)
        for j, d in enumerate(days[:15])
        for s in ("AM", "PM")
    ]
    school("marks", marks_csv(absent_from_day_3), school_urn=URN)
    # The next file starts absent: the spell open at its end (U1) runs on; U0's was ended.
    more = [(U1, d, s, "O") for d in days[15:18] for s in ("AM", "PM")]
    more += [(U0, d, s, "/") for d in days[15:18] for s in ("AM", "PM")]
    school("marks", marks_csv(more), school_urn=URN, file_name="more.csv")
    assert differences(db) == AGREE
    # An attended session in the middle of a spell corrected to absence joins two spells, and
    # an absence corrected to attendance splits one.
    school(
        "marks",
        marks_csv([(U1, days[12], "AM", "M"), (U1, days[12], "PM", "M"), (U0, days[6], "AM", "/")]),
        school_urn=URN,
        file_name="corrections.csv",
    )
    assert differences(db) == AGREE
    school(
        "pupils", pupils([(U1, "2025-09-01", "2025-09-12")]), school_urn=URN, file_name="left.csv"
    )
    assert differences(db) == AGREE
    school("pupils", pupils([(U1, "2025-09-22", "")]), school_urn=URN, file_name="back.csv")
    assert differences(db) == AGREE
    for window in WINDOWS:
        assert_same_figures(db, window)


def test_session_counts_follow_a_corrected_year_group(db, school):
    rows = [(u, d, s, "/") for u in (U0, U1) for d in weekdays(MONDAY, 5) for s in ("AM", "PM")]
    school("marks", marks_csv(rows), school_urn=URN)
    corrected = PUPILS_HEADER.replace(",year_group,", ",year_group,") + (
        f"{U0},Fore0,Sur0,2015-03-12,6,2025-09-01,\n"
    )
    school("pupils", corrected, school_urn=URN, file_name="year6.csv")
    assert differences(db) == AGREE
    this_year = Window.year_to_date(TEST_TODAY).academic_year_start  # the file's year groups
    for year_group, marks in (("6", 10), ("5", 10)):  # U0 in Year 6 now, U1 still in Year 5
        cohort = [n1_year(year_group, this_year)]
        counts = aggregates.window_session_counts(db, None, MONDAY, date(2025, 9, 5), cohort)
        assert counts["marks"].sum() == marks


def test_totals_are_recounted_when_the_code_table_changes(db, school):
    rows = [(U0, d, s, "M") for d in weekdays(MONDAY, 5) for s in ("AM", "PM")]
    school("marks", marks_csv(rows), school_urn=URN)
    with db.transaction() as con:  # as if an older Rollcall had counted M differently
        con.execute("UPDATE attendance_codes SET category = 'unauthorised' WHERE code = 'M'")
        aggregates.rebuild(con)
    assert load_totals(db, None, WINDOWS[3].shifted(-7)).weeks["unauthorised"].sum() == 10
    reopened = Database(db.path)
    reopened.migrate()  # refreshes the code table, and with it the totals
    assert differences(reopened) == AGREE
    assert load_totals(reopened, None, WINDOWS[3].shifted(-7)).weeks["authorised"].sum() == 10


def test_the_demo_trusts_totals_equal_its_marks(demo_db):
    assert differences(demo_db) == AGREE


def test_the_sessions_dfe_leaves_out_are_the_same_from_the_totals_and_the_marks(demo_db):
    """A whole academic year reaches into the second half of summer, where DfE leaves out the
    sessions of pupils aged 15: both paths leave out the same ones, and the compulsory-age
    figures set beside national ones are the same."""
    _, last = read.mark_date_range(demo_db)
    window = Window.academic_year(Window.year_to_date(last).academic_year_start - 1)
    register = load_register(demo_db, None, window)
    raw = register.enrolment_measures(window).sort("enrolment_id").collect()
    totals = load_totals(demo_db, None, window).enrolment_measures().sort("enrolment_id").collect()
    assert_frame_equal(totals, raw)
    assert (
        raw["dfe_dropped_possible"].sum() > 0
    )  # the demo's Year 11s have marks after the half-term
    assert_frame_equal(
        compulsory_age_measures(totals.lazy()).collect(),
        compulsory_age_measures(raw.lazy()).collect(),
    )
    dropped_pupils = raw.filter(pl.col("dfe_dropped_possible") > 0)
    assert dropped_pupils["age_31_august"].unique().to_list() == [15]


@pytest.mark.parametrize("urns", [None, (990114,)])
def test_the_calendar_from_pooled_day_codes_is_the_calendar_of_the_marks(demo_db, urns):
    with demo_db.connect() as con:
        marks = con.execute("SELECT school_urn, date, code::VARCHAR AS code FROM marks").pl()
    if urns:
        marks = marks.filter(pl.col("school_urn").is_in(list(urns)))
    from_marks = (
        school_days(classify_marks(marks.lazy(), read.codes(demo_db).lazy()))
        .select("date")
        .unique()
        .sort("date")
    )
    assert school_calendar(demo_db, urns).days.equals(from_marks.collect())


CODES = st.sampled_from(
    ["/", "\\", "L", "I", "M", "N", "O", "U", "G", "X", "#", "V", "E", "C1", "Q"]
)
SPELL_DAYS = st.integers(min_value=0, max_value=40)


@st.composite
def histories(draw) -> list[tuple[str, str]]:
    """A school's imports in order: pupils files (admissions, leavings, readmissions) and marks
    files (new days and corrections) for three pupils over eight weeks from 1 Sep 2025."""
    days = weekdays(MONDAY, 40)
    steps = []
    for _ in range(draw(st.integers(min_value=2, max_value=5))):
        if draw(st.booleans()):
            rows = []
            for u in draw(
                st.lists(st.sampled_from([U0, U1, U2]), min_size=1, max_size=3, unique=True)
            ):
                admitted = days[draw(SPELL_DAYS) // 2]
                left = draw(st.one_of(st.none(), st.sampled_from(days)))
                left = "" if left is None or left < admitted else left.isoformat()
                rows.append((u, admitted.isoformat(), left))
            steps.append(("pupils", pupils(rows)))
        else:
            chosen = draw(
                st.lists(
                    st.tuples(
                        st.sampled_from([U0, U1, U2]),
                        st.sampled_from(days),
                        st.sampled_from(["AM", "PM"]),
                    ),
                    min_size=1,
                    max_size=60,
                    unique=True,
                )
            )
            steps.append(("marks", marks_csv([(u, d, s, draw(CODES)) for u, d, s in chosen])))
    return steps


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    history=histories(),
    start=st.integers(min_value=0, max_value=50),
    length=st.integers(min_value=0, max_value=40),
)
def test_any_history_keeps_totals_equal_to_the_raw_marks(tmp_path_factory, history, start, length):
    db = Database(tmp_path_factory.mktemp("history") / "rollcall.duckdb")
    from analytics.ingest import ImportRefused, import_bytes

    import_bytes(
        db,
        "pupils",
        "first.csv",
        pupils([(u, "2025-09-01", "") for u in (U0, U1, U2)]).encode(),
        school_urn=URN,
        today=TEST_TODAY,
        as_of=TEST_TODAY,
    )
    for number, (kind, text) in enumerate(history):
        try:
            import_bytes(
                db,
                kind,
                f"{number}.csv",
                text.encode(),
                school_urn=URN,
                today=TEST_TODAY,
                as_of=TEST_TODAY,
            )
        except ImportRefused:
            pass  # a refused file changes nothing
    assert differences(db) == AGREE
    first = MONDAY - timedelta(days=3) + timedelta(days=start)
    assert_same_figures(db, Window(first, first + timedelta(days=length)))
