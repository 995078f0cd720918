"""Returns to the local authority, each exact against hand-built pupils at its boundaries:
continuous absence (rules.md section 10, read day by day), new pupils, deletions from roll and
part-time timetables; and `rollcall export returns`."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import polars as pl
import pytest

from analytics.cli import main
from analytics.domain.interventions import BUILT_IN_LABELS, check_entry
from analytics.domain.returns import COLUMNS
from analytics.pipelines.continuous_absence import continuous_absence
from analytics.reports.returns import return_list
from analytics.store import audit, read
from analytics.store import interventions as intervention_store
from tests.fixtures.ingest.builders import OTHER_URN, URN, upn

AS_OF = date(2025, 10, 20)
HOLIDAY = [date(2025, 9, 22) + timedelta(days=n) for n in range(5)]
#: The school days: weekdays from 1 September to 17 October 2025, less a holiday week.
DAYS = [
    d
    for d in (date(2025, 9, 1) + timedelta(days=n) for n in range(47))
    if d.weekday() < 5 and d not in HOLIDAY
]
PRESENT = ("/", "\\")
TERM = (DAYS[0], DAYS[-1])


def away(code: str) -> tuple[str, str]:
    return (code, code)


#: Each pupil's register: school day index -> (AM, PM); absent from the dict: present. `None`
#: for a session: no mark.
PATTERNS: dict[str, dict[int, tuple[str | None, str | None]]] = {
    "ten": {d: away("N") for d in range(10)},
    "nine": {d: away("O") for d in range(9)},
    "half_day_present": {
        **{d: away("G") for d in range(5)},
        5: ("G", "\\"),
        **{d: away("G") for d in range(6, 11)},
    },
    "half_day_authorised": {
        **{d: away("U") for d in range(5)},
        5: ("U", "I"),
        **{d: away("U") for d in range(6, 11)},
    },
    "half_day_not_possible": {**{d: away("N") for d in range(9)}, 9: ("N", "Y1")},
    "half_day_no_mark": {**{d: away("N") for d in range(9)}, 9: ("N", None)},
    "over_the_holiday": {d: away("N") for d in range(10, 20)},
    "dual_registered_day": {
        **{d: away("O") for d in range(5)},
        5: away("D"),
        **{d: away("O") for d in range(6, 11)},
    },
    "day_with_no_mark": {
        **{d: away("N") for d in range(5)},
        5: (None, None),
        **{d: away("N") for d in range(6, 11)},
    },
    "educational_activity": {
        **{d: away("N") for d in range(5)},
        5: away("B"),
        **{d: away("N") for d in range(6, 11)},
    },
    "reception_age_four": {d: away("N") for d in range(10)},
    "sixteen": {d: away("N") for d in range(10)},
    "illness_then_unauthorised": {
        **{d: away("I") for d in range(5)},
        **{d: away("N") for d in range(5, 15)},
    },
    "long": {d: away("G") for d in range(15)},
}
PUPILS = {name: upn(n) for n, name in enumerate(["everyone", *PATTERNS])}
BORN = {"reception_age_four": ("2021-01-01", "R"), "sixteen": ("2009-05-01", "11")}


@pytest.fixture
def school(db, load):
    rows = ["upn,forename,surname,date_of_birth,year_group,admission_date,address,postcode"]
    for name, pupil in PUPILS.items():
        born, year = BORN.get(name, ("2015-03-12", "5"))
        rows.append(f"{pupil},{name},Pupil,{born},{year},2023-09-01,1 High St,M1 1AE")
    load("pupils", "\n".join(rows) + "\n", school_urn=URN, as_of=AS_OF)
    marks = ["upn,date,session,code"]
    for name, pupil in PUPILS.items():
        pattern = PATTERNS.get(name, {})
        for index, day in enumerate(DAYS):
            for session, code in zip(("AM", "PM"), pattern.get(index, PRESENT), strict=True):
                if code is not None:
                    marks.append(f"{pupil},{day},{session},{code}")
    load("marks", "\n".join(marks) + "\n", school_urn=URN)
    return db


def runs(db, start: date = TERM[0], end: date = TERM[1]) -> dict[str, tuple]:
    rows = return_list(db, "continuous-absence", start, end).rows
    assert rows.columns == list(COLUMNS["continuous-absence"])
    return {
        r["forename"]: (r["first_day"], r["last_day"], r["school_days"], r["sessions"])
        for r in rows.iter_rows(named=True)
    }


def test_continuous_absence_reads_the_rule_day_by_day(school):
    assert runs(school) == {
        "ten": (DAYS[0], DAYS[9], 10, 20),
        # A half day whose other session was not possible, or not marked, counts.
        "half_day_not_possible": (DAYS[0], DAYS[9], 10, 19),
        "half_day_no_mark": (DAYS[0], DAYS[9], 10, 19),
        # Holidays, a day at the other school and a day with no mark neither count nor break.
        "over_the_holiday": (DAYS[10], DAYS[19], 10, 20),
        "dual_registered_day": (DAYS[0], DAYS[10], 10, 20),
        "day_with_no_mark": (DAYS[0], DAYS[10], 10, 20),
        # Authorised absence before the run is no part of it.
        "illness_then_unauthorised": (DAYS[5], DAYS[14], 10, 20),
        "long": (DAYS[0], DAYS[14], 15, 30),
    }  # not "nine", the half days present or authorised, nor the day at an educational activity


def test_only_pupils_of_compulsory_school_age_are_returned(school):
    names = set(runs(school))
    assert "reception_age_four" not in names  # 4 on 31 August 2025
    # 16 on 31 August 2025 is past compulsory school age too.
    assert "sixteen" not in names


def test_a_run_is_returned_when_it_reaches_into_the_period_from_its_first_day(school):
    # From the run's last day: listed, counted from its true start.
    assert runs(school, DAYS[9], TERM[1])["ten"] == (DAYS[0], DAYS[9], 10, 20)
    assert "ten" not in runs(school, DAYS[10], TERM[1])
    # A period ending inside a run cuts it there: the long run's first 12 days.
    assert runs(school, TERM[0], DAYS[11])["long"] == (DAYS[0], DAYS[11], 12, 24)
    assert "long" not in runs(school, TERM[0], DAYS[8])  # nine days so far


def test_a_run_still_going_at_the_periods_end_is_ongoing(school):
    rows = return_list(school, "continuous-absence", TERM[0], DAYS[11]).rows
    ongoing = dict(zip(rows["forename"], rows["ongoing"], strict=True))
    assert ongoing["long"] is True and ongoing["ten"] is False


def test_the_cause_if_known_gives_the_codes_and_the_latest_action(school):
    enrolment = read.enrolments(school).filter(pl.col("forename") == "long")["enrolment_id"][0]
    intervention_store.record_interventions(
        school,
        [
            check_entry(
                enrolment,
                "Home visit",
                DAYS[3],
                known_types=BUILT_IN_LABELS,
                today=AS_OF,
                outcome="Not at home",
            )
        ],
        recorded_by="x",
    )
    rows = return_list(school, "continuous-absence", *TERM).rows
    cause = dict(zip(rows["forename"], rows["cause_if_known"], strict=True))
    assert cause["long"] == (
        "holiday not authorised by the school (G 30 sessions); "
        "latest action: home visit on 04/09/2025 (Not at home)"
    )
    assert cause["ten"] == "reason not yet established (N 20 sessions)"


def test_the_day_by_day_rule_on_its_own():
    def session(pupil, day, code, session="AM", unauthorised=1, possible=1):
        return (pupil, day, session, code, possible, unauthorised)

    days = [date(2025, 9, 1) + timedelta(days=n) for n in range(14) if (n % 7) < 5]
    rows = [session(1, d, "N", s) for d in days for s in ("AM", "PM")]
    rows[7] = session(1, days[3], "L", "PM", unauthorised=0)  # late, present: breaks on day 4
    frame = pl.LazyFrame(
        rows,
        schema=["enrolment_id", "date", "session", "code", "possible", "unauthorised"],
        orient="row",
    )
    assert continuous_absence(frame).collect().is_empty()  # 3 and 6 days
    found = continuous_absence(frame, least=6).collect()
    assert found.select("first_day", "last_day", "school_days", "sessions").rows() == [
        (days[4], days[9], 6, 12)
    ]


# --- new pupils and deletions ---------------------------------------------------------------------

FIRST_DAY = date(2025, 9, 3)  # school B's first school day of 2025/26
LAST_DAY = date(2025, 7, 22)  # and its last of 2024/25


@pytest.fixture
def roll(db, load):
    """School B (Reception to Year 6) with admissions and leavers around the start of 2025/26."""
    header = "upn,forename,surname,date_of_birth,year_group,admission_date,leaving_date,address,leaving_reason"
    pupils = {
        "reception_first_day": ("R", "2025-09-03", ""),
        "reception_before_term": ("R", "2025-08-01", ""),
        "reception_day_after": ("R", "2025-09-04", ""),
        "year3_first_day": ("3", "2025-09-03", ""),
        "year2_period_end": ("2", "2025-10-17", ""),
        "year2_after_period": ("2", "2025-10-18", ""),
        "year6_last_day": ("6", "2019-09-02", "2025-07-22"),
        "year6_after_last_day": ("6", "2019-09-02", "2025-07-31"),
        "year6_before_last_day": ("6", "2019-09-02", "2025-07-21"),
        "year5_last_day": ("5", "2020-09-01", "2025-07-22"),
        "readmitted": ("4", "2021-09-01", "2025-09-12"),
    }
    rows = [header]
    for n, (name, (year, admitted, left)) in enumerate(pupils.items()):
        address = "" if name == "year5_last_day" else "2 Low Rd"
        reason = "Moved away" if left and name != "year5_last_day" else ""
        born = {"R": "2021-01-01", "2": "2018-01-01", "3": "2017-01-01", "4": "2016-01-01"}.get(
            year, "2014-01-01"
        )
        rows.append(
            f"{upn(100 + n)},{name},Pupil,{born},{year},{admitted},{left},{address},{reason}"
        )
    load("pupils", "\n".join(rows) + "\n", school_urn=OTHER_URN, as_of=AS_OF)
    # The readmission: a later file with an admission after the pupil's leaving date.
    readmitted = upn(100 + list(pupils).index("readmitted"))
    load(
        "pupils",
        f"upn,forename,surname,date_of_birth,year_group,admission_date\n{readmitted},readmitted,Pupil,2016-01-01,4,2025-10-01\n",
        file_name="readmission.csv",
        school_urn=OTHER_URN,
        as_of=AS_OF,
    )
    marks = ["upn,date,session,code"]
    for name, (_, admitted, left) in pupils.items():
        pupil = upn(100 + list(pupils).index(name))
        for day in (date(2025, 7, 21), LAST_DAY, FIRST_DAY, date(2025, 9, 4), date(2025, 10, 17)):
            on_roll = date.fromisoformat(admitted) <= day and (
                not left or day <= date.fromisoformat(left)
            )
            if on_roll:
                marks.append(f"{pupil},{day},AM,/")
    load("marks", "\n".join(marks) + "\n", school_urn=OTHER_URN)
    contacts = (
        "upn,contact_name,relationship,priority,phone,mobile,address,postcode,lives_with_pupil\n"
        f"{upn(100 + 7)},Jane Doe,Mother,1,0161 496 0000,,,,Y\n"
        f"{upn(100 + 7)},John Doe,Father,2,0161 496 0001,,9 Far Lane,M2 2AB,N\n"
        f"{upn(100 + 8)},Ann Roe,Mother,1,,07700 900123,,,Y\n"
        f"{upn(100 + 8)},Bob Roe,Father,2,0161 496 0002,,3 Near St,M3 3CD,Y\n"
    )
    load("contacts", contacts, school_urn=OTHER_URN)
    return db


PERIOD = (date(2025, 7, 1), date(2025, 10, 17))


def test_new_pupils_leave_out_the_most_junior_year_group_starting_on_the_first_day(roll):
    rows = return_list(roll, "new-pupils", *PERIOD, [OTHER_URN]).rows
    assert rows.select(
        "forename", "year_group", "admission_date", "readmission", "return_due"
    ).rows() == [
        ("year3_first_day", "3", FIRST_DAY, False, date(2025, 9, 8)),
        ("reception_day_after", "R", date(2025, 9, 4), False, date(2025, 9, 9)),
        ("readmitted", "4", date(2025, 10, 1), True, date(2025, 10, 6)),
        ("year2_period_end", "2", date(2025, 10, 17), False, date(2025, 10, 22)),
    ]
    missing = dict(zip(rows["forename"], rows["missing"], strict=True))
    assert missing["year3_first_day"] == "postcode; a contact with a phone number"


def test_deletions_leave_out_the_top_year_group_leaving_at_the_end_of_the_year(roll):
    rows = return_list(roll, "deletions", *PERIOD, [OTHER_URN]).rows
    assert rows.select("forename", "year_group", "leaving_date", "return_due").rows() == [
        ("year6_before_last_day", "6", date(2025, 7, 21), date(2025, 7, 21)),
        ("year5_last_day", "5", LAST_DAY, LAST_DAY),
        ("readmitted", "4", date(2025, 9, 12), date(2025, 9, 12)),
    ]


def test_deletions_give_the_parents_the_pupil_lives_with_and_call_out_blank_fields(roll):
    rows = {
        r["forename"]: r
        for r in return_list(roll, "deletions", *PERIOD, [OTHER_URN]).rows.iter_rows(named=True)
    }
    # Both parents live with the pupil: Ann Roe's address is the pupil's (the contacts file gives
    # none), Bob Roe's his own; each has a number.
    one = rows["year6_before_last_day"]
    assert (one["parents"], one["parent_address"], one["emergency_phone"], one["missing"]) == (
        "Ann Roe (Mother); Bob Roe (Father)",
        "2 Low Rd; 3 Near St, M3 3CD",
        "Ann Roe 07700 900123; Bob Roe 0161 496 0002",
        "",
    )
    five = rows["year5_last_day"]
    assert five["missing"] == "address; parent the pupil lives with; ground of deletion"
    assert rows["readmitted"]["ground_of_deletion"] == "Moved away"


def test_deletions_in_a_period_of_one_leaving_and_never_a_completed_final_year(roll):
    rows = return_list(roll, "deletions", date(2025, 7, 22), date(2025, 7, 31), [OTHER_URN]).rows
    assert rows["forename"].to_list() == ["year5_last_day"]
    everyone = return_list(roll, "deletions", date(2019, 1, 1), date(2025, 12, 31)).rows
    assert "year6_after_last_day" not in everyone["forename"].to_list()


# --- part-time timetables ------------------------------------------------------------------------


@pytest.fixture
def part_time(db, load):
    names = ["overdue", "own_type", "no_plan", "none_c2", "plan_after"]
    rows = ["upn,forename,surname,date_of_birth,year_group,admission_date"]
    rows += [f"{upn(200 + n)},{name},Pupil,2012-01-01,8,2023-09-01" for n, name in enumerate(names)]
    load("pupils", "\n".join(rows) + "\n", school_urn=URN, as_of=AS_OF)
    marks = ["upn,date,session,code"]
    for n, name in enumerate(names):
        for day in DAYS[:10]:
            marks.append(f"{upn(200 + n)},{day},AM,/")
            c2 = name != "none_c2" and day in (DAYS[2], DAYS[3], DAYS[7])
            marks.append(f"{upn(200 + n)},{day},PM,{'C2' if c2 else chr(92)}")
    load("marks", "\n".join(marks) + "\n", school_urn=URN)
    intervention_store.add_intervention_type(db, URN, "Part-time timetable", added_by="x")
    ids = dict(read.enrolments(db).select("forename", "enrolment_id").iter_rows())
    known = (*BUILT_IN_LABELS, "Part-time timetable")

    def plan(name, kind, day, review, notes=None):
        return check_entry(
            ids[name], kind, day, known_types=known, today=AS_OF, next_review=review, notes=notes
        )

    intervention_store.record_interventions(
        db,
        [
            plan("overdue", "Attendance action plan", DAYS[1], DAYS[8], "Mornings only, 4 weeks"),
            plan("own_type", "Part-time timetable", DAYS[2], date(2025, 11, 3)),
            plan("own_type", "Phone call", DAYS[9], None),
            plan("plan_after", "Attendance action plan", DAYS[10], DAYS[12]),
        ],
        recorded_by="x",
    )
    return db


def test_part_time_lists_c2_pupils_past_their_review_first(part_time):
    rows = return_list(part_time, "part-time", DAYS[0], DAYS[9], [URN]).rows
    assert rows.select(
        "forename",
        "first_c2_day",
        "latest_c2_day",
        "c2_sessions",
        "plan",
        "review_date",
        "review_overdue",
    ).rows() == [
        ("overdue", DAYS[2], DAYS[7], 3, "Attendance action plan", DAYS[8], True),
        ("no_plan", DAYS[2], DAYS[7], 3, None, None, False),
        ("plan_after", DAYS[2], DAYS[7], 3, None, None, False),
        ("own_type", DAYS[2], DAYS[7], 3, "Part-time timetable", date(2025, 11, 3), False),
    ]
    assert rows["plan_notes"][0] == "Mornings only, 4 weeks"


def test_a_review_on_the_periods_last_day_is_not_yet_overdue(part_time):
    rows = return_list(part_time, "part-time", DAYS[0], DAYS[8], [URN]).rows
    assert dict(zip(rows["forename"], rows["review_overdue"], strict=True))["overdue"] is False


# --- the command line ------------------------------------------------------------------------------


def test_rollcall_export_returns_writes_the_csv_and_records_the_export(school, tmp_path, capsys):
    out = tmp_path / "ca.csv"
    args = ["--db", str(school.path), "export", "returns", "--kind", "continuous-absence"]
    period = ["--from", TERM[0].isoformat(), "--to", TERM[1].isoformat(), "--out", str(out)]
    assert main([*args, *period, "--school", str(URN)]) == 0
    header = out.read_text().splitlines()[0]
    assert header.startswith(
        "school_urn,upn,surname,forename,date_of_birth,year_group,first_day,last_day,school_days,cause_if_known"
    )
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert {r["forename"] for r in rows} == set(runs(school))
    assert "8 rows" in capsys.readouterr().out
    exports = audit.read_log(school, actions=("export",))
    assert exports["target"][0] == "continuous-absence return CSV: ca.csv"
    assert main([*args, "--from", "2025-10-01", "--to", "2025-09-01", "--out", str(out)]) == 2
