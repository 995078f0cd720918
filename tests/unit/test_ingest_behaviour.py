"""Behaviour incidents and exclusions: spellings, checks, and incident keys stable across exports."""

from __future__ import annotations

from datetime import date

import pytest

from analytics.ingest import ImportRefused
from analytics.ingest.behaviour import parse_behaviour, parse_exclusions
from analytics.store import read
from tests.conftest import TEST_TODAY
from tests.fixtures.ingest.builders import URN, pupils_csv, upn

U0, U1 = upn(1), upn(2)
BEHAVIOUR_HEADER = "upn,date,time,type,category,points,severity,location,subject,staff,action,notes"
EXCLUSIONS_HEADER = "upn,start_date,end_date,category,sessions,reason_1,reason_2,reason_3"


def behaviour(*rows: str) -> str:
    return "\n".join([BEHAVIOUR_HEADER, *rows]) + "\n"


def exclusions(*rows: str) -> str:
    return "\n".join([EXCLUSIONS_HEADER, *rows]) + "\n"


def parse_b(text: str):
    return parse_behaviour("behaviour.csv", text.encode(), school_urn=URN, today=TEST_TODAY)


def parse_e(text: str):
    return parse_exclusions("exclusions.csv", text.encode(), today=TEST_TODAY)


def refused(parse, text: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ImportRefused) as caught:
        parse(text)
    return [(p.row, p.field, p.message) for p in caught.value.problems]


@pytest.fixture
def school(load):
    load("pupils", pupils_csv([U0, U1]), school_urn=URN)
    return load


def incidents(db) -> list[tuple]:
    return (
        read.behaviour_incidents(db)
        .sort("date", "time", "notes")
        .select("date", "time", "type", "category", "points", "notes")
        .rows()
    )


# --- behaviour ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("positive", "positive"),
        ("Positive", "positive"),
        ("+", "positive"),
        ("POS", "positive"),
        ("negative", "negative"),
        ("NEGATIVE", "negative"),
        ("-", "negative"),
        ("neg", "negative"),
    ],
)
def test_type_spellings(raw: str, expected: str) -> None:
    batch = parse_b(behaviour(f"{U0},2025-09-03,,{raw},Kindness,,,,,,,"))
    assert batch.behaviour["type"].to_list() == [expected]


def test_a_bad_type_is_refused() -> None:
    assert refused(parse_b, behaviour(f"{U0},2025-09-03,,neutral,Kindness,,,,,,,")) == [
        (2, "type", "the value is not one of positive, negative")
    ]


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("09:15", "09:15"),
        ("9:15", "09:15"),
        ("09:15:30", "09:15"),
        ("9:05:33", "09:05"),
        ("23:59", "23:59"),
        ("0:00", "00:00"),
    ],
)
def test_times_are_stored_as_hh_mm(raw: str, stored: str) -> None:
    batch = parse_b(behaviour(f"{U0},2025-09-03,{raw},+,Kindness,,,,,,,"))
    assert batch.behaviour["time"].to_list() == [stored]


@pytest.mark.parametrize("raw", ["25:00", "12:60", "9.15", "noon", "0915", "12:3"])
def test_a_bad_time_is_refused(raw: str) -> None:
    assert refused(parse_b, behaviour(f"{U0},2025-09-03,{raw},+,Kindness,,,,,,,")) == [
        (2, "time", "is not a time of day (write HH:MM)")
    ]


def test_all_columns_are_read() -> None:
    batch = parse_b(
        behaviour(
            f'{U0},03/09/2025,10:30,-,Disruption,-2,3,Room 4,Maths,Mr Teacher,Detention,"Talked, twice"'
        )
    )
    row = batch.behaviour.drop("_row", "incident_key").row(0, named=True)
    assert row == {
        "upn": U0,
        "date": date(2025, 9, 3),
        "time": "10:30",
        "type": "negative",
        "category": "Disruption",
        "points": -2,
        "severity": 3,
        "location": "Room 4",
        "subject": "Maths",
        "staff": "Mr Teacher",
        "action": "Detention",
        "notes": "Talked, twice",
    }


def test_behaviour_checks() -> None:
    problems = refused(
        parse_b,
        behaviour(
            f"{U0},2026-11-21,,+,Kindness,,,,,,,",
            f"{U0},2025-09-03,,+,,,,,,,,",
            f"{U0},2025-09-03,,+,Kindness,1001,11,,,,,",
        ),
    )
    assert problems == [
        (2, "date", "'2026-11-21' is after 2026-11-20"),
        (3, "category", "is empty"),
        (4, "points", "'1001' is above 1000"),
        (4, "severity", "'11' is above 10"),
    ]


def test_incident_keys_are_stable_and_distinguish_repeats() -> None:
    rows = [
        f"{U0},2025-09-03,09:15,+,Kindness,1,,,,,,first",
        f"{U0},2025-09-03,09:15,+,Kindness,1,,,,,,second",
    ]
    keys = parse_b(behaviour(*rows)).behaviour["incident_key"].to_list()
    assert len(set(keys)) == 2
    assert parse_b(behaviour(*rows)).behaviour["incident_key"].to_list() == keys
    # Another school's identical incident is another incident.
    other = parse_behaviour(
        "b.csv", behaviour(*rows).encode(), school_urn=URN + 1, today=TEST_TODAY
    )
    assert set(other.behaviour["incident_key"]).isdisjoint(keys)


def test_a_cumulative_export_imported_again_later_adds_only_new_incidents(db, school) -> None:
    september = [
        f"{U0},2025-09-03,09:15,+,Kindness,1,,,,,,Helped",
        f"{U1},2025-09-04,9:05,-,Disruption,-1,,,,,,",
    ]
    school("behaviour", behaviour(*september), file_name="sept.csv")
    # The October export repeats September (with the time written differently) and adds one.
    october = [
        september[0],
        september[1].replace("9:05", "09:05:00"),
        f"{U0},2025-10-01,,+,Kindness,1,,,,,,",
    ]
    result = school("behaviour", behaviour(*october), file_name="oct.csv")
    assert (result.counts.new, result.counts.changed, result.counts.unchanged) == (1, 0, 2)
    assert len(incidents(db)) == 3


def test_an_edited_note_updates_the_incident_in_place(db, school) -> None:
    school(
        "behaviour", behaviour(f"{U0},2025-09-03,09:15,+,Kindness,1,,,,,,Helped"), file_name="a.csv"
    )
    result = school(
        "behaviour",
        behaviour(f"{U0},2025-09-03,09:15,+,Kindness,2,,,,,,Helped a friend"),
        file_name="b.csv",
    )
    assert (result.counts.new, result.counts.changed) == (0, 1)
    assert incidents(db) == [
        (date(2025, 9, 3), "09:15", "positive", "Kindness", 2, "Helped a friend")
    ]


def test_behaviour_for_an_unknown_pupil_is_refused(school) -> None:
    with pytest.raises(ImportRefused) as caught:
        school("behaviour", behaviour(f"{upn(50)},2025-09-03,,+,Kindness,,,,,,,"))
    assert [(p.row, p.field) for p in caught.value.problems] == [(2, "upn")]


# --- exclusions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("suspension", "suspension"),
        ("Suspension", "suspension"),
        ("permanent", "permanent"),
        ("PERMANENT", "permanent"),
    ],
)
def test_exclusion_categories_in_any_case(raw: str, expected: str) -> None:
    batch = parse_e(exclusions(f"{U0},2025-09-03,,{raw},2,,,"))
    assert batch.exclusions["category"].to_list() == [expected]


@pytest.mark.parametrize("raw", ["fixed", "Fixed Term", "fixed-period", "perm", "exclusion"])
def test_a_category_other_than_suspension_or_permanent_is_refused(raw: str) -> None:
    assert refused(parse_e, exclusions(f"{U0},2025-09-03,,{raw},2,,,")) == [
        (
            2,
            "category",
            "the value is not one of suspension, permanent "
            "(a fixed-period exclusion is a suspension)",
        )
    ]


def test_sessions_must_fit_the_school_days_from_start_to_end() -> None:
    # Mon 1 to Tue 2 Dec 2025 hold 4 sessions; Fri 5 to Mon 8 Sep 2025, 2 school days, 4 too.
    assert parse_e(exclusions(f"{U0},2025-12-01,2025-12-02,suspension,4,,,")).rows_read == 1
    assert parse_e(exclusions(f"{U0},2025-09-05,2025-09-08,suspension,4,,,")).rows_read == 1
    assert refused(
        parse_e,
        exclusions(
            f"{U0},2025-12-01,2025-12-02,suspension,20,,,",
            f"{U1},2025-09-05,2025-09-08,suspension,5,,,",
            f"{U1},2025-09-12,2025-09-12,permanent,3,,,",
        ),
    ) == [
        (
            2,
            "sessions",
            "20 sessions do not fit 01 Dec 2025 to 02 Dec 2025 (2 school days, 4 sessions)",
        ),
        (
            3,
            "sessions",
            "5 sessions do not fit 05 Sep 2025 to 08 Sep 2025 (2 school days, 4 sessions)",
        ),
        (
            4,
            "sessions",
            "3 sessions do not fit 12 Sep 2025 to 12 Sep 2025 (1 school day, 2 sessions)",
        ),
    ]


def test_a_suspension_starting_at_a_weekend_is_refused() -> None:
    assert refused(parse_e, exclusions(f"{U0},2025-09-06,2025-09-08,suspension,2,,,")) == [
        (
            2,
            "start_date",
            "06 Sep 2025 is a Saturday or Sunday: a suspension starts on a school day",
        )
    ]


def test_exclusion_reasons_are_census_codes_in_any_case() -> None:
    batch = parse_e(exclusions(f"{U0},2025-09-03,2025-09-04,suspension,4,db,VA,pd"))
    assert batch.exclusions.select(
        "reason_1", "reason_2", "reason_3", "sessions", "end_date"
    ).rows() == [("DB", "VA", "PD", 4, date(2025, 9, 4))]


def test_exclusion_checks() -> None:
    problems = refused(
        parse_e,
        exclusions(
            f"{U0},2025-09-03,2025-09-02,suspension,2,XX,,",
            f"{U0},2025-09-05,,lunchtime,1,,,",
            f"{U0},2025-09-08,,suspension,1000,,,",
            f"{U0},2025-09-08,,Suspension,2,,,",
            f"{U0},2026-12-01,,suspension,2,,,",
        ),
    )
    assert problems == [
        (2, "end_date", "is before the start date"),
        (2, "reason_1", "'XX' is not one of the census reason codes (such as DB or VA)"),
        (
            3,
            "category",
            "the value is not one of suspension, permanent (a fixed-period exclusion is a suspension)",
        ),
        (4, "sessions", "'1000' is above 999"),
        (5, "category", "repeats the pupil, start date and category of row 4"),
        (6, "start_date", "'2026-12-01' is after 2026-11-20"),
    ]


def test_a_later_exclusions_export_updates_in_place(db, school) -> None:
    school("exclusions", exclusions(f"{U0},2025-09-03,,suspension,2,DB,,"), file_name="a.csv")
    result = school(
        "exclusions",
        exclusions(
            f"{U0},2025-09-03,2025-09-05,Suspension,6,DB,VA,", f"{U1},2025-10-01,,permanent,0,PA,,"
        ),
        file_name="b.csv",
    )
    assert (result.counts.new, result.counts.changed, result.counts.unchanged) == (1, 1, 0)
    stored = (
        read.exclusions(db)
        .select("start_date", "end_date", "category", "sessions", "reason_1", "reason_2")
        .rows()
    )
    assert stored == [
        (date(2025, 9, 3), date(2025, 9, 5), "suspension", 6, "DB", "VA"),
        (date(2025, 10, 1), None, "permanent", 0, "PA", None),
    ]
