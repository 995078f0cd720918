"""The calling list, exact against a hand-built school: one row per pupil (not per session) with
no mark or `N` for a register taken that day, their contacts by priority, the week's earlier
absences, open actions and urgency flags; outcomes recorded in one click into the chronology;
done and left; the A4 sheet; and `rollcall export calls`."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import polars as pl
import pytest

from analytics.cli import main
from analytics.domain.calls import CALL_OUTCOMES, call_entry
from analytics.domain.interventions import BUILT_IN_LABELS, check_entry
from analytics.reports.coordinator.calls import (
    CALLS_EXPORT_COLUMNS,
    FLAG_LOOKED_AFTER,
    FLAG_SEVERE,
    FLAG_SOCIAL_CARE,
    FLAG_TEN_DAYS,
    FLAG_VULNERABLE,
    calling_list,
    calls_export,
    calls_sheet_pdf,
)
from analytics.store import audit, read
from analytics.store import interventions as intervention_store
from tests.fixtures.ingest.builders import URN, upn

DAY = date(2025, 10, 16)  # a Thursday
MONDAY = DAY - timedelta(days=3)
#: Every school day of the autumn term to the day before.
BEFORE = [
    d
    for d in (date(2025, 9, 1) + timedelta(days=n) for n in range((DAY - date(2025, 9, 1)).days))
    if d.weekday() < 5
]
PUPILS = [
    "in_school",
    "coded_n",
    "no_mark",
    "both_sessions",
    "left_yesterday",
    "looked_after",
    "social_care",
    "vulnerable",
    "ten_days",
    "severe",
    "away_monday",
    "present_pm_only",
]


@pytest.fixture
def school(db, load):
    """The day's AM and PM registers are taken: pupils with no mark or N are to be called."""
    header = "upn,forename,surname,date_of_birth,year_group,admission_date,leaving_date,form,looked_after,social_care,vulnerable"
    rows = [header]
    for n, name in enumerate(PUPILS):
        left = str(DAY - timedelta(days=1)) if name == "left_yesterday" else ""
        flags = [
            "Y" if name == "looked_after" else "N",
            "Y" if name == "social_care" else "",
            "Y" if name == "vulnerable" else "",
        ]
        rows.append(
            f"{upn(n)},{name},Pupil{n:02d},2015-03-12,5,2023-09-01,{left},5A,{','.join(flags)}"
        )
    load("pupils", "\n".join(rows) + "\n", school_urn=URN, as_of=DAY)
    marks = ["upn,date,session,code"]
    for n, name in enumerate(PUPILS):
        for day in BEFORE:
            if name == "left_yesterday" and day >= DAY - timedelta(days=1):
                continue
            for session, present in (("AM", "/"), ("PM", "\\")):
                code = present
                if name == "ten_days" and day >= BEFORE[-9]:
                    code = "O"  # nine school days before the day, and today: ten
                if name == "severe" and day.day % 2 == 0:
                    code = "I"  # about half: severe absence
                if name == "severe" and day >= BEFORE[-12]:
                    code = "I"
                if name == "away_monday" and day == MONDAY and session == "AM":
                    code = "M"
                marks.append(f"{upn(n)},{day},{session},{code}")
        today = {
            "in_school": ("/", "\\"),
            "coded_n": ("N", "\\"),
            "no_mark": (None, "\\"),
            "both_sessions": ("N", None),
            "looked_after": ("N", "N"),
            "social_care": ("N", "N"),
            "vulnerable": ("N", "N"),
            "ten_days": ("O", "N"),
            "severe": ("N", "N"),
            "away_monday": ("N", "\\"),
            "present_pm_only": ("L", "\\"),
        }.get(name)
        for session, code in zip(("AM", "PM"), today or (None, None), strict=True):
            if code is not None:
                marks.append(f"{upn(n)},{DAY},{session},{code}")
    load("marks", "\n".join(marks) + "\n", school_urn=URN, today=DAY)
    contacts = (
        "upn,contact_name,relationship,priority,phone,mobile\n"
        f"{upn(1)},Jane Doe,Mother,1,0161 496 0000,07700 900123\n"
        f"{upn(1)},John Doe,Father,2,,07700 900456\n"
        f"{upn(1)},Gran Doe,Grandmother,3,0161 496 0009,\n"
        f"{upn(2)},Ann Roe,Carer,1,0161 496 0001,\n"
    )
    load("contacts", contacts, school_urn=URN)
    return db


def rows(calls) -> dict[str, dict]:
    return {r["forename"]: r for r in calls.rows.iter_rows(named=True)}


def test_one_row_per_pupil_with_no_mark_or_n_for_the_registers_taken(school):
    calls = calling_list(school, DAY)
    found = {name: (r["sessions"], r["codes"]) for name, r in rows(calls).items()}
    assert found == {
        "coded_n": ("AM", "AM N"),
        "no_mark": ("AM", "AM no mark"),
        "both_sessions": ("AM, PM", "AM N, PM no mark"),
        "looked_after": ("AM, PM", "AM N, PM N"),
        "social_care": ("AM, PM", "AM N, PM N"),
        "vulnerable": ("AM, PM", "AM N, PM N"),
        "ten_days": ("PM", "PM N"),  # O is a reason given, not a first-day call
        "severe": ("AM, PM", "AM N, PM N"),
        "away_monday": ("AM", "AM N"),
    }  # not in school, nor late, nor a pupil who left yesterday; O on its own is not to call
    assert (calls.pupils, calls.done, calls.left) == (9, 0, 9)
    assert calls.registered


def test_before_the_afternoon_register_is_taken_nobody_is_missing_it(school, load):
    before_pm = calling_list(school, DAY)
    assert rows(before_pm)["both_sessions"]["codes"] == "AM N, PM no mark"
    # Another day, with only the morning register taken.
    next_day = DAY + timedelta(days=1)
    load(
        "marks",
        "upn,date,session,code\n" + "".join(f"{upn(n)},{next_day},AM,/\n" for n in (0, 2)),
        file_name="friday.csv",
        school_urn=URN,
        today=next_day,
    )
    friday = rows(calling_list(school, next_day))
    assert {r["sessions"] for r in friday.values()} == {"AM"}
    assert "no_mark" not in friday and "coded_n" in friday


def test_contacts_come_by_priority_with_their_numbers(school):
    found = rows(calling_list(school, DAY))
    jane = found["coded_n"]
    assert (jane["contact_name"], jane["relationship"], jane["phone"], jane["mobile"]) == (
        "Jane Doe",
        "Mother",
        "0161 496 0000",
        "07700 900123",
    )
    assert (
        jane["other_contacts"]
        == "John Doe (Father) 07700 900456; Gran Doe (Grandmother) 0161 496 0009"
    )
    assert (found["no_mark"]["contact_name"], found["no_mark"]["mobile"]) == ("Ann Roe", None)
    assert found["severe"]["contact_name"] is None


def test_urgency_flags_and_urgent_pupils_first(school):
    calls = calling_list(school, DAY)
    flags = {name: r["flags"] for name, r in rows(calls).items() if r["flags"]}
    assert flags == {
        "looked_after": [FLAG_LOOKED_AFTER],
        "social_care": [FLAG_SOCIAL_CARE],
        "vulnerable": [FLAG_VULNERABLE],
        "ten_days": [FLAG_TEN_DAYS],
        "severe": [FLAG_SEVERE],
    }
    assert calls.urgent == 5
    assert calls.rows["flags"].list.len().to_list()[:5] == [1] * 5
    assert calls.rows["flags"].list.len().to_list()[5:] == [0] * 4


def test_nine_days_before_the_day_and_the_day_is_the_tenth(school):
    """A pupil away nine school days (O) and unauthorised again today is on the 10-day list today;
    the day before, with nine days and a reason given (O), they were not to be called at all."""
    assert FLAG_TEN_DAYS in rows(calling_list(school, DAY))["ten_days"]["flags"]
    assert "ten_days" not in rows(calling_list(school, BEFORE[-1]))  # O is not a first-day call


def test_earlier_absences_this_week(school):
    found = rows(calling_list(school, DAY))
    assert found["away_monday"]["absences_earlier_this_week"] == "Mon AM M"
    assert found["ten_days"]["absences_earlier_this_week"] == (
        "Mon AM O, Mon PM O, Tue AM O, Tue PM O, Wed AM O, Wed PM O"
    )
    assert found["coded_n"]["absences_earlier_this_week"] == ""


def test_an_outcome_in_one_click_goes_into_the_chronology_and_ticks_the_pupil_off(school):
    ids = dict(read.enrolments(school).select("forename", "enrolment_id").iter_rows())
    calls = calling_list(school, DAY)
    row = rows(calls)["coded_n"]
    illness = next(o for o in CALL_OUTCOMES if o.suggested_code == "I")
    entry = call_entry(
        ids["coded_n"],
        illness.key,
        DAY,
        known_types=BUILT_IN_LABELS,
        today=DAY,
        caller="coordinator",
        sessions=row["codes"],
    )
    intervention_store.record_interventions(school, [entry], recorded_by="coordinator")
    visit = call_entry(
        ids["no_mark"],
        "home_visit",
        DAY,
        known_types=BUILT_IN_LABELS,
        today=DAY,
        caller="coordinator",
        sessions="AM no mark",
        note="No answer on either number.",
    )
    intervention_store.record_interventions(school, [visit], recorded_by="coordinator")
    after = calling_list(school, DAY)
    assert (after.pupils, after.done, after.left) == (9, 2, 7)
    done = rows(after)["coded_n"]
    assert done["outcome"] == "Phone call: Reason given: illness (suggests code I)"
    assert done["recorded_by"] == "coordinator"
    assert after.rows["done"].to_list()[-2:] == [True, True]  # the pupils left come first
    log = intervention_store.interventions(school, enrolment_ids=[ids["no_mark"]]).row(
        0, named=True
    )
    assert (log["type"], log["outcome"], log["next_review"]) == (
        "Phone call",
        "Home visit needed",
        DAY,
    )
    assert log["notes"] == "First-day call about AM no mark. No answer on either number."
    # The follow-up is an open action on the list.
    assert rows(after)["no_mark"]["open_actions"] == "Phone call (review 16/10/2025)"


def test_open_actions_are_the_ones_with_a_review_still_to_hold(school):
    ids = dict(read.enrolments(school).select("forename", "enrolment_id").iter_rows())
    plan = check_entry(
        ids["severe"],
        "Attendance action plan",
        date(2025, 10, 1),
        known_types=BUILT_IN_LABELS,
        today=DAY,
        next_review=date(2025, 10, 29),
    )
    closed = check_entry(
        ids["severe"], "Letter", date(2025, 10, 2), known_types=BUILT_IN_LABELS, today=DAY
    )
    intervention_store.record_interventions(school, [plan, closed], recorded_by="x")
    found = rows(calling_list(school, DAY))["severe"]
    assert found["open_actions"] == "Attendance action plan (review 29/10/2025)"


def test_a_day_with_no_register_taken_lists_nobody(school):
    calls = calling_list(school, DAY + timedelta(days=3))
    assert (calls.pupils, calls.registered) == (0, False)
    assert calls_sheet_pdf(calls, "Test").startswith(b"%PDF")


def test_the_a4_sheet_and_the_export(school):
    calls = calling_list(school, DAY)
    assert calls_sheet_pdf(calls, "Test Academy").startswith(b"%PDF")
    table = calls_export(calls)
    assert table.columns == list(CALLS_EXPORT_COLUMNS)
    assert table.height == 9 and table["upn"].n_unique() == 9


def test_rollcall_export_calls(school, tmp_path, capsys):
    out = tmp_path / "calls.csv"
    args = ["--db", str(school.path), "export", "calls", "--date", str(DAY), "--out", str(out)]
    assert main([*args, "--school", str(URN)]) == 0
    text = out.read_text()
    assert text.splitlines()[0].startswith(
        "school_urn,upn,surname,forename,year_group,form,sessions,codes,contact_name,relationship,phone"
    )
    exported = {r["forename"]: r for r in csv.DictReader(text.splitlines())}
    assert exported["coded_n"]["phone"] == "0161 496 0000"
    assert exported["both_sessions"]["codes"] == "AM N, PM no mark"
    assert (
        "9 pupils to call on Thu 16 Oct 2025 (0 done, 9 left, 5 urgent)" in capsys.readouterr().out
    )
    log = audit.read_log(school, actions=("export",))
    assert log["target"][0] == "calling list CSV (with contacts): calls.csv"
    assert main([*args, "--school", "999999"]) == 2


def test_the_list_is_read_from_the_days_marks_only(school, monkeypatch):
    """Only the day's marks: `read.marks` is asked for that one day, never the register."""
    asked = []
    real = read.marks

    def spy(db, urns=None, start=None, end=None, enrolment_ids=None):
        asked.append((start, end))
        return real(db, urns, start, end, enrolment_ids)

    monkeypatch.setattr(read, "marks", spy)
    calling_list(school, DAY)
    assert asked == [(DAY, DAY)]


def test_filters_by_year_group_and_form(school):
    assert calling_list(school, DAY, year_groups=("6",)).pupils == 0
    assert calling_list(school, DAY, year_groups=("5",), forms=("5A",)).pupils == 9
    assert calling_list(school, DAY, forms=("5B",)).rows.is_empty()
    assert isinstance(calling_list(school, DAY, (URN,)).rows, pl.DataFrame)
