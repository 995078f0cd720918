"""The demo trust: its shape, and figures near the national ones, read back through the engine.

The demo database is built once per session (`demo_db` in conftest); these tests only read it.
Bands are wide enough for another seed yet narrow enough that a broken generator fails them.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from analytics.domain.calendar import (
    academic_year_of,
    age_on,
    early_may_bank_holiday,
    easter_sunday,
    spring_bank_holiday,
)
from analytics.domain.exclusions import REASONS
from analytics.domain.upn import upn_problem
from analytics.pipelines.calendar import school_days
from analytics.pipelines.measures import group_measures
from analytics.pipelines.windows import Window
from analytics.reports.inputs.register import Register, load_register
from analytics.store import Database, read
from analytics.synthetic import DEMO_TODAY, build
from analytics.synthetic.calendar import _PLANNED_CLOSURE, school_calendar, term_dates
from analytics.synthetic.exports import import_plan, marks_frame
from analytics.synthetic.rolls import simulate_rolls
from analytics.synthetic.schools import SCHOOLS
from analytics.synthetic.trust import DemoTrust, generate_trust

pytestmark = pytest.mark.slow

FULL_YEARS = (2023, 2024, 2025)
#: (low, high) bands per phase for a complete academic year, around rules.md section 9.
BANDS = {
    "primary": {
        "absence_rate": (4.2, 6.5),
        "persistent_absence_rate": (9.0, 19.0),
        "severe_absence_rate": (0.2, 2.5),
    },
    "secondary": {
        "absence_rate": (7.5, 10.0),
        "persistent_absence_rate": (19.0, 29.0),
        "severe_absence_rate": (1.0, 4.5),
    },
}


@pytest.fixture(scope="module")
def register(demo_db: Database) -> Register:
    return load_register(demo_db)


@pytest.fixture(scope="module")
def phases(register: Register) -> pl.LazyFrame:
    return register.schools.select(pl.col("urn").alias("school_urn"), "phase").lazy()


@pytest.fixture(scope="module")
def year_measures(register: Register, phases: pl.LazyFrame) -> dict[int, pl.DataFrame]:
    """Per-enrolment measures with the school's phase, for each complete academic year."""
    return {
        year: register.enrolment_measures(Window.academic_year(year))
        .join(phases, on="school_urn")
        .collect()
        for year in FULL_YEARS
    }


@pytest.fixture(scope="module")
def sessions_2024(register: Register, phases: pl.LazyFrame) -> pl.DataFrame:
    """Counted sessions of 2024/25 with their school's phase."""
    return register.sessions(Window.academic_year(2024)).join(phases, on="school_urn").collect()


def by(frame: pl.DataFrame, *columns: str) -> dict:
    """Group measures keyed by the grouping values (a single value when one column)."""
    grouped = group_measures(frame.lazy(), list(columns)).collect()
    key = (
        (lambda row: row[columns[0]])
        if len(columns) == 1
        else (lambda row: tuple(row[c] for c in columns))
    )
    return {key(row): row for row in grouped.iter_rows(named=True)}


# ---------------------------------------------------------------------------------------------
# Shape of the trust
# ---------------------------------------------------------------------------------------------


def test_the_trust_has_primaries_and_a_secondary_with_about_2500_pupils(register: Register) -> None:
    schools = register.schools
    assert schools.height >= 3
    assert set(schools["phase"]) == {"primary", "secondary"}
    assert all(100000 <= urn <= 999999 for urn in schools["urn"])
    assert all(name.endswith(("School", "Academy")) for name in schools["name"])

    on_roll = register.enrolments.filter(
        (pl.col("admission_date") <= DEMO_TODAY)
        & (pl.col("leaving_date").is_null() | (pl.col("leaving_date") >= DEMO_TODAY))
    )
    assert 2200 <= on_roll["upn"].n_unique() <= 2800
    sizes = dict(on_roll.group_by("school_urn").len().iter_rows())
    phase = dict(schools.select("urn", "phase").iter_rows())
    secondary = [size for urn, size in sizes.items() if phase[urn] == "secondary"]
    primary = sorted(size for urn, size in sizes.items() if phase[urn] == "primary")
    assert 1450 <= secondary[0] <= 1850
    assert 180 <= primary[0] <= 340 and 360 <= primary[-1] <= 470


def test_marks_cover_three_complete_years_and_this_autumn_up_to_demo_today(
    register: Register,
) -> None:
    assert DEMO_TODAY.weekday() == 4
    marks = register.marks
    assert marks["date"].max() == DEMO_TODAY
    assert date(2023, 9, 1) <= marks["date"].min() <= date(2023, 9, 8)
    years = marks.select(
        (pl.col("date").dt.year() - (pl.col("date").dt.month() < 8).cast(pl.Int32)).unique()
    )
    assert sorted(years.to_series()) == [2023, 2024, 2025, 2026]
    # Today's registers are there for every school.
    assert (
        marks.filter(pl.col("date") == DEMO_TODAY)["school_urn"].n_unique()
        == register.schools.height
    )


def test_each_school_has_about_190_days_a_year_and_no_marks_on_inset_days(
    register: Register,
) -> None:
    for year in FULL_YEARS:
        days = school_days(register.sessions(Window.academic_year(year))).collect()
        per_school = dict(days.group_by("school_urn").len().iter_rows())
        assert len(per_school) == register.schools.height
        assert all(188 <= count <= 190 for count in per_school.values()), (year, per_school)
    marked = set(register.marks.select("school_urn", "date").unique().iter_rows())
    for school in SCHOOLS:
        for year in FULL_YEARS:
            terms = term_dates(year)
            open_days = {d for term in terms for d in term.open_days()}
            register_days = {
                d for urn, d in marked if urn == school.urn and academic_year_of(d) == year
            }
            inset = open_days - register_days
            assert len(inset) == 5, (school.name, year, sorted(inset))
            assert register_days <= open_days  # nothing in the holidays or on bank holidays


def test_holidays_follow_an_english_school_calendar() -> None:
    for year in FULL_YEARS:
        autumn, spring, summer = term_dates(year)
        assert autumn.first.month == 9 and autumn.first.day <= 5
        assert date(year, 12, 17) <= autumn.last <= date(year, 12, 20)
        assert len(autumn.closed) == 5 and min(autumn.closed).month == 10  # October half-term
        assert spring.first.month == 1 and spring.first.day <= 7
        assert len(spring.closed) == 5 and min(spring.closed).month == 2  # February half-term
        easter = easter_sunday(year + 1)
        assert (
            spring.last < easter - timedelta(days=2) < easter + timedelta(days=1) < summer.first
        )  # Easter off
        assert (summer.first - spring.last).days >= 14
        assert spring_bank_holiday(year + 1) in summer.closed
        assert early_may_bank_holiday(year + 1) in summer.closed
        assert date(year + 1, 7, 15) <= summer.last <= date(year + 1, 7, 24)


def test_a_planned_closure_day_is_coded_hash_for_everyone_in_one_school(register: Register) -> None:
    urn, day = _PLANNED_CLOSURE
    that_day = register.marks.filter((pl.col("school_urn") == urn) & (pl.col("date") == day))
    assert that_day.height > 300
    assert set(that_day["code"]) == {"#"}
    assert register.marks.filter((pl.col("code") == "#") & (pl.col("school_urn") != urn)).is_empty()


def test_pupils_have_valid_upns_names_and_dates_of_birth_that_fit_their_year_groups(
    register: Register,
) -> None:
    enrolments = register.enrolments
    assert all(upn_problem(upn) is None for upn in enrolments["upn"].unique())
    assert (
        enrolments["forename"].str.len_chars().min() >= 2
        and enrolments["surname"].str.len_chars().min() >= 2
    )
    assert (
        enrolments.select(pl.struct("forename", "surname").n_unique()).item()
        > 0.7 * enrolments.height
    )
    ranks = {"R": 0, **{str(n): n for n in range(1, 12)}}
    for row in enrolments.select(
        "date_of_birth", "year_group", "year_group_academic_year"
    ).iter_rows(named=True):
        # Reception children are 4 on 31 August at the start of the year; Year n are n + 4.
        age = age_on(row["date_of_birth"], date(row["year_group_academic_year"], 8, 31))
        assert age == ranks[row["year_group"]] + 4, row
    characteristics = enrolments.unique("upn")
    assert 0.22 <= characteristics["disadvantaged"].mean() <= 0.36
    assert 0.09 <= (characteristics["sen"] == "K").mean() <= 0.18
    assert 0.02 <= (characteristics["sen"] == "E").mean() <= 0.06
    assert characteristics["ethnicity"].n_unique() >= 12


def test_pupils_join_and_leave_during_the_year_and_some_move_between_schools(
    register: Register,
) -> None:
    enrolments = register.enrolments
    admitted = pl.col("admission_date")
    left = pl.col("leaving_date")
    mid_year_joiners = enrolments.filter(
        (admitted > date(2023, 9, 30)) & ~admitted.dt.month().is_in([8, 9])
    )
    mid_year_leavers = enrolments.filter(left.is_not_null() & ~left.dt.month().is_in([6, 7, 8]))
    assert mid_year_joiners.height >= 100 and mid_year_leavers.height >= 80
    # Year 6 leave each July, Year 11 each June; Reception and Year 7 start each September.
    for year in (2024, 2025, 2026):
        leavers = enrolments.filter(left.dt.year() == year, left.dt.month().is_in([6, 7]))
        assert set(leavers["year_group"]) >= {"6", "11"}
        starters = enrolments.filter((admitted.dt.year() == year) & (admitted.dt.month() == 9))
        assert 350 <= starters.height <= 520
    # Some pupils have two enrolments; one or two moved mid-year between the two primaries.
    twice = enrolments.filter(pl.col("upn").is_duplicated()).sort("upn", "admission_date")
    assert twice.height >= 2
    moves = (
        twice.group_by("upn", maintain_order=True)
        .agg(
            left.first().alias("left"),
            admitted.last().alias("joined"),
            pl.col("school_urn").n_unique().alias("schools"),
        )
        .filter(
            (pl.col("schools") == 2) & ((pl.col("joined") - pl.col("left")).dt.total_days() <= 14)
        )
    )
    assert 1 <= moves.height <= 5


# ---------------------------------------------------------------------------------------------
# National-figure targets
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", FULL_YEARS)
def test_headline_rates_per_phase_sit_near_the_national_figures(
    year_measures: dict[int, pl.DataFrame], year: int
) -> None:
    per_phase = by(year_measures[year], "phase")
    for phase, bands in BANDS.items():
        for measure, (low, high) in bands.items():
            assert low <= per_phase[phase][measure] <= high, (
                year,
                phase,
                measure,
                per_phase[phase][measure],
            )
    overall = group_measures(year_measures[year].lazy()).collect().row(0, named=True)
    assert 1.0 <= overall["severe_absence_rate"] <= 3.5
    # Secondary pupils miss more than primary pupils, and more of them are persistently absent.
    assert per_phase["secondary"]["absence_rate"] > 1.3 * per_phase["primary"]["absence_rate"]


@pytest.mark.parametrize("year", FULL_YEARS)
def test_disadvantaged_pupils_miss_about_twice_as_much(
    year_measures: dict[int, pl.DataFrame], year: int
) -> None:
    groups = by(year_measures[year], "phase", "disadvantaged")
    for phase in BANDS:
        ratio = groups[(phase, True)]["absence_rate"] / groups[(phase, False)]["absence_rate"]
        assert 1.5 <= ratio <= 2.9, (year, phase, ratio)
        assert (
            groups[(phase, True)]["persistent_absence_rate"]
            > 2 * groups[(phase, False)]["persistent_absence_rate"]
        )


@pytest.mark.parametrize("year", FULL_YEARS)
def test_pupils_with_sen_miss_more_and_ehc_plans_most(
    year_measures: dict[int, pl.DataFrame], year: int
) -> None:
    groups = by(year_measures[year], "phase", "sen")
    for phase in BANDS:
        none, support, plan = (groups[(phase, sen)]["absence_rate"] for sen in ("N", "K", "E"))
        assert none * 1.1 < support and none * 1.3 < plan, (year, phase, none, support, plan)
    # A school's EHC plan group is small (a few dozen pupils), so compare them across the trust.
    trust = by(year_measures[year], "sen")
    assert trust["N"]["absence_rate"] < trust["K"]["absence_rate"] < trust["E"]["absence_rate"]


@pytest.mark.parametrize("year", FULL_YEARS)
def test_absence_rises_through_secondary(year_measures: dict[int, pl.DataFrame], year: int) -> None:
    secondary = year_measures[year].filter(pl.col("phase") == "secondary")
    rates = {group: row["absence_rate"] for group, row in by(secondary, "year_group").items()}
    assert min(rates, key=rates.get) == "7"
    assert rates["11"] > 1.15 * rates["7"]
    assert max(rates, key=rates.get) in ("10", "11")


def test_mondays_and_fridays_have_more_absence_than_midweek(sessions_2024: pl.DataFrame) -> None:
    weekday = sessions_2024.group_by("phase", pl.col("date").dt.weekday().alias("weekday")).agg(
        (pl.col("absent").sum() / pl.col("possible").sum()).alias("rate")
    )
    for phase in BANDS:
        rates = dict(weekday.filter(pl.col("phase") == phase).select("weekday", "rate").iter_rows())
        midweek = (rates[2] + rates[3] + rates[4]) / 3
        assert rates[1] > 1.03 * midweek and rates[5] > 1.03 * midweek, (phase, rates)


def test_illness_peaks_in_winter(sessions_2024: pl.DataFrame) -> None:
    monthly = sessions_2024.group_by(pl.col("date").dt.month().alias("month")).agg(
        ((pl.col("code") == "I").sum() / pl.col("possible").sum()).alias("illness")
    )
    illness = dict(monthly.iter_rows())
    winter = (illness[12] + illness[1] + illness[2]) / 3
    rest = (illness[9] + illness[10] + illness[5] + illness[6] + illness[7]) / 5
    assert winter > 1.25 * rest, illness


def test_absence_dips_before_holidays_with_unauthorised_holidays_around_them(
    register: Register,
) -> None:
    calendar = school_calendar(SCHOOLS[-1])
    last_days = set(calendar.days[calendar.to_break == 0].astype(object))
    near_break = set(
        calendar.days[(calendar.to_break <= 4) | (calendar.from_break <= 4)].astype(object)
    )
    sessions = (
        register.sessions(Window.academic_year(2024))
        .filter(pl.col("school_urn") == calendar.school.urn)
        .collect()
    )
    by_day = sessions.group_by("date").agg(
        (pl.col("absent").sum() / pl.col("possible").sum()).alias("rate")
    )
    before = by_day.filter(pl.col("date").is_in(list(last_days)))["rate"].mean()
    other = by_day.filter(~pl.col("date").is_in(list(near_break)))["rate"].mean()
    assert before > 1.2 * other
    holidays = sessions.filter(pl.col("code") == "G")
    assert holidays.height > 500
    # Spread evenly, about a third would fall within four school days of a holiday.
    assert holidays["date"].is_in(list(near_break)).mean() > 0.7


def test_lateness_is_recorded_with_minutes(
    register: Register, year_measures: dict[int, pl.DataFrame]
) -> None:
    totals = group_measures(year_measures[2024].lazy()).collect().row(0, named=True)
    assert 2.0 <= totals["late_before_close_rate"] <= 4.0
    assert 0.3 <= totals["late_after_close_rate"] <= 0.8
    minutes = (
        register.marks.filter(pl.col("code").is_in(["L", "U"]))
        .group_by("code")
        .agg(
            pl.col("minutes_late").min().alias("low"),
            pl.col("minutes_late").max().alias("high"),
            pl.col("minutes_late").null_count().alias("missing"),
        )
    )
    limits = {code: (low, high, missing) for code, low, high, missing in minutes.iter_rows()}
    assert limits["L"][0] >= 1 and limits["L"][1] <= 20 and limits["L"][2] == 0
    assert limits["U"][0] >= 20 and limits["U"][1] <= 60 and limits["U"][2] == 0


def test_the_codes_are_a_realistic_mix_valid_for_their_dates(
    register: Register, sessions_2024: pl.DataFrame
) -> None:
    absences = sessions_2024.filter(pl.col("absent") == 1)["code"].value_counts(normalize=True)
    share = dict(absences.iter_rows())
    assert max(share, key=share.get) == "I" and 0.45 <= share["I"] <= 0.65
    for code in ("M", "O", "G", "R", "C", "E", "U", "C2", "J1"):
        assert share.get(code, 0) > 0, code
    assert 0.1 <= share["O"] <= 0.3 and 0.03 <= share["G"] <= 0.12
    codes = set(sessions_2024["code"])
    assert {"K", "V", "P", "W"} <= codes  # approved educational activity
    marks = register.marks
    after = marks.filter(pl.col("date") >= date(2024, 8, 19))
    before = marks.filter(pl.col("date") < date(2024, 8, 19))
    assert set(before["code"]) >= {"H", "J", "B", "C"} and not set(before["code"]) & {
        "C2",
        "J1",
        "K",
    }
    assert set(after["code"]) >= {"C2", "J1", "K", "X", "Y2"} and not set(after["code"]) & {
        "H",
        "J",
        "F",
        "Y",
    }


def test_some_persistent_absentees_build_up_their_absence_over_the_year(register: Register) -> None:
    sessions = register.sessions(Window.academic_year(2024)).collect()
    thirds = sessions.with_columns(
        pl.when(pl.col("date") < date(2024, 12, 1))
        .then(pl.lit("early"))
        .when(pl.col("date") >= date(2025, 4, 1))
        .then(pl.lit("late"))
        .otherwise(pl.lit("middle"))
        .alias("part")
    )
    rates = thirds.group_by("enrolment_id", "part").agg(
        (pl.col("absent").sum() / pl.col("possible").sum()).alias("rate")
    )
    wide = rates.pivot(on="part", index="enrolment_id", values="rate").drop_nulls()
    building = wide.filter((pl.col("late") >= 0.2) & (pl.col("late") > 3 * pl.col("early")))
    assert building.height >= 15


# ---------------------------------------------------------------------------------------------
# Import history, corrections, behaviour and exclusions
# ---------------------------------------------------------------------------------------------


def test_the_import_log_looks_like_a_schools_history(demo_db: Database) -> None:
    imports = read.imports(demo_db).sort("import_id")
    assert 40 <= imports.height <= 100
    assert set(imports["kind"]) == {"pupils", "marks", "behaviour", "exclusions"}
    assert imports.filter(pl.col("kind") == "marks").height >= 30
    firsts = imports.group_by("school_urn").agg(pl.col("kind").first())
    assert set(firsts["kind"]) == {"pupils"}
    assert imports["file_name"].n_unique() == imports.height


def test_n_codes_are_mostly_corrected_by_later_files(demo_db: Database, register: Register) -> None:
    imports = read.imports(demo_db)
    corrections = imports.filter(pl.col("file_name").str.ends_with("_corrections.csv"))
    assert corrections.height >= 30
    assert corrections["changed_rows"].sum() > 20_000
    assert corrections["new_rows"].sum() == 0  # they only explain marks already there
    # The pupils with the most unauthorised absence have a history of N explained later.
    most_absent = (
        register.marks.filter(pl.col("code").is_in(["O", "G"]))
        .group_by("enrolment_id")
        .len()
        .sort("len", "enrolment_id", descending=True)
        .head(20)["enrolment_id"]
    )
    history = pl.concat([read.mark_history(demo_db, e) for e in most_absent])
    assert history.height > 100
    assert set(history["code"]) == {"N"}
    assert set(history["replaced_by_code"]) >= {"O", "G", "I"}
    unexplained = register.marks.filter(pl.col("code") == "N")
    today = unexplained.filter(pl.col("date") == DEMO_TODAY)
    recent = unexplained.filter(
        pl.col("date").is_between(DEMO_TODAY - timedelta(days=21), DEMO_TODAY - timedelta(days=1))
    )
    older = unexplained.filter(pl.col("date") < DEMO_TODAY - timedelta(days=21))
    assert today.height >= 50  # the first-day calling list
    assert 10 <= recent.height <= 400
    assert older.height <= 0.0002 * register.marks.height
    # Recent weeks hold far more unresolved N per day than the years before them.
    assert recent.height / 14 > 10 * older.height / 560


def test_suspended_sessions_are_coded_e(demo_db: Database, register: Register) -> None:
    exclusions = read.exclusions(demo_db)
    suspensions = exclusions.filter(pl.col("category") == "suspension")
    assert suspensions.height >= 100
    e_marks = register.marks.filter(pl.col("code") == "E").select("enrolment_id", "date")
    matched = e_marks.join(
        exclusions.select("enrolment_id", "start_date", "end_date"), on="enrolment_id"
    ).filter(pl.col("date").is_between(pl.col("start_date"), pl.col("end_date")))
    assert matched.height == e_marks.height  # every E is inside an exclusion
    counted = matched.group_by("enrolment_id", "start_date").len()
    joined = exclusions.join(counted, on=["enrolment_id", "start_date"], how="left")
    assert (joined["len"] == joined["sessions"]).all()
    current_reasons = set(REASONS) - {"PD", "OT", "PH"}  # not the legacy ones
    assert set(exclusions["reason_1"]) <= current_reasons
    assert set(exclusions["reason_2"].drop_nulls()) <= current_reasons


def test_permanent_exclusions_end_the_enrolment(demo_db: Database, register: Register) -> None:
    permanent = read.exclusions(demo_db).filter(pl.col("category") == "permanent")
    assert 2 <= permanent.height <= 5
    enrolments = register.enrolments.join(permanent, on=["enrolment_id", "school_urn"])
    assert (enrolments["leaving_date"] == enrolments["end_date"]).all()
    phase = dict(register.schools.select("urn", "phase").iter_rows())
    assert {phase[urn] for urn in permanent["school_urn"]} == {"secondary"}


def test_behaviour_goes_with_absence(
    demo_db: Database, year_measures: dict[int, pl.DataFrame]
) -> None:
    incidents = read.behaviour_incidents(demo_db)
    categories = set(incidents["category"])
    assert {
        "Disruption in lesson",
        "Defiance",
        "Bullying",
        "Excellent work",
        "Helping others",
    } <= categories
    assert incidents.select("time", "points", "severity", "location", "staff").null_count().row(
        0
    ) == (0, 0, 0, 0, 0)
    assert (incidents.filter(pl.col("type") == "negative")["points"] < 0).all()
    year = incidents.filter(pl.col("date").is_between(date(2024, 8, 1), date(2025, 7, 31)))
    negatives = year.filter(pl.col("type") == "negative").group_by("enrolment_id").len()
    measures = (
        year_measures[2024]
        .join(negatives, on="enrolment_id", how="left")
        .with_columns(pl.col("len").fill_null(0))
    )
    per_pupil = dict(measures.group_by("persistent_absence").agg(pl.col("len").mean()).iter_rows())
    assert per_pupil[True] > 1.5 * per_pupil[False]


@pytest.mark.usefixtures("demo_db")
def test_the_build_takes_under_a_minute() -> None:
    # Set by the demo_db fixture's build_demo call in this test session.
    assert build.LAST_BUILD_SECONDS is not None
    assert build.LAST_BUILD_SECONDS < 60


# ---------------------------------------------------------------------------------------------
# Determinism (on a small trust: cheaper than a second build)
# ---------------------------------------------------------------------------------------------


def _fingerprint(trust: DemoTrust) -> list[pl.DataFrame]:
    frames = [trust.enrolments]
    for register in trust.registers:
        frames += [marks_frame(register), register.incidents, register.exclusions]
    return frames


def test_the_same_seed_gives_the_same_trust() -> None:
    first, again = (_fingerprint(generate_trust(11, scale=0.1)) for _ in range(2))
    assert all(a.equals(b) for a, b in zip(first, again, strict=True))
    other = _fingerprint(generate_trust(12, scale=0.1))
    assert not first[0].equals(other[0])
    assert not first[1].equals(other[1])


def test_the_demo_database_holds_the_seeded_pupils(register: Register) -> None:
    rolls = simulate_rolls(2026)
    generated = (
        rolls.frame()
        .join(rolls.people.frame(), on="pupil")
        .select("school_urn", "upn", "admission_date", "leaving_date")
    )
    stored = register.enrolments.select("school_urn", "upn", "admission_date", "leaving_date")
    assert generated.sort("school_urn", "upn").equals(stored.sort("school_urn", "upn"))


def test_the_export_files_follow_the_csv_contracts() -> None:
    plan = import_plan(generate_trust(5, scale=0.1))
    columns = {p.kind: set() for p in plan}
    for planned in plan:
        columns[planned.kind] |= set(planned.frame.columns)
    assert columns["pupils"] == {
        "upn", "forename", "surname", "date_of_birth", "year_group", "admission_date", "sex",
        "form", "leaving_date", "fsm", "fsm6", "looked_after", "sen", "eal", "ethnicity",
        "disadvantaged",
    }  # fmt: skip
    assert columns["marks"] == {"upn", "date", "session", "code", "minutes_late"}
    assert columns["behaviour"] == {
        "upn", "date", "time", "type", "category", "points", "severity", "location", "subject",
        "staff", "action", "notes",
    }  # fmt: skip
    assert columns["exclusions"] == {
        "upn", "start_date", "end_date", "category", "sessions", "reason_1", "reason_2", "reason_3",
    }  # fmt: skip
    first = {p.school.urn: p for p in reversed(plan)}
    assert {p.kind for p in first.values()} == {"pupils"} and all(
        p.first_for_school for p in first.values()
    )
    assert sum(p.first_for_school for p in plan) == len(SCHOOLS)
