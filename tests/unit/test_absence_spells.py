"""Spells of consecutive absence at their boundaries: one session, a spell broken by one attended
session, across a weekend, across sessions that are not possible, and the length bands."""

from datetime import date

import polars as pl
import pytest

from analytics.pipelines.absence_spells import (
    LONG_SPELL_SESSIONS,
    SPELL_LENGTHS,
    absence_spells,
    spell_length_distribution,
    spell_length_label,
    spells_per_enrolment,
)
from analytics.pipelines.sessions import counted_sessions
from analytics.pipelines.windows import Window
from tests.unit import frames

YEAR = Window(date(2025, 9, 1), date(2026, 7, 31))


def spells(*codes: str | list[str]) -> pl.DataFrame:
    enrolments = frames.enrolments(*({} for _ in codes))
    marks = frames.all_marks(*(frames.marks(i, c) for i, c in enumerate(codes, start=1)))
    return absence_spells(counted_sessions(marks, frames.codes(), enrolments, YEAR)).collect()


def test_no_absence_no_spell():
    assert spells("/\\/\\L/").is_empty()


def test_one_session_is_a_spell_of_one():
    shown = spells("/\\I\\")
    assert shown.select("first_date", "first_session", "last_date", "last_session", "sessions").row(
        0
    ) == (
        date(2025, 9, 2),
        "AM",
        date(2025, 9, 2),
        "AM",
        1,
    )


def test_one_attended_session_ends_a_spell():
    shown = spells(["I", "I", "L", "O", "O", "O"])
    assert shown["sessions"].to_list() == [2, 3]
    assert shown["unauthorised"].to_list() == [0, 3]


def test_approved_educational_activity_ends_a_spell_too():
    assert spells(["I", "V", "I"])["sessions"].to_list() == [1, 1]


def test_sessions_that_are_not_possible_neither_break_nor_extend_a_spell():
    shown = spells(["I", "X", "#", "I", "/"])
    assert shown["sessions"].to_list() == [2]


def test_a_spell_runs_over_the_weekend():
    # 1 Sep 2025 is a Monday: ten sessions fill the week, the eleventh is the next Monday AM.
    shown = spells(["/"] * 8 + ["I"] * 4 + ["/"])
    assert shown.select("first_date", "last_date", "sessions").row(0) == (
        date(2025, 9, 5),
        date(2025, 9, 8),
        4,
    )


def test_main_code_is_the_most_used_and_the_earliest_on_a_tie():
    assert spells(["O", "I", "I", "O", "M"])["main_code"].to_list() == ["O"]
    assert spells(["M", "I", "I", "O"])["main_code"].to_list() == ["I"]


def test_each_enrolment_has_its_own_spells():
    shown = spells(["I", "I"], ["/", "O"])
    assert shown.select("enrolment_id", "sessions").rows() == [(1, 2), (2, 1)]


@pytest.mark.parametrize(
    ("sessions", "label"),
    [
        (1, "1 session"),
        (2, "2 to 3 sessions"),
        (3, "2 to 3 sessions"),
        (4, "4 to 9 sessions"),
        (9, "4 to 9 sessions"),
        (10, SPELL_LENGTHS[3][0]),
        (19, SPELL_LENGTHS[3][0]),
        (20, SPELL_LENGTHS[4][0]),
        (200, SPELL_LENGTHS[4][0]),
    ],
)
def test_length_bands(sessions, label):
    assert pl.DataFrame({"sessions": [sessions]}).select(spell_length_label()).item() == label


def test_distribution_and_per_enrolment_summary():
    found = spells(["I"] * LONG_SPELL_SESSIONS + ["/", "I"], ["/", "O", "O"]).lazy()
    shown = spell_length_distribution(found).collect()
    assert shown["length"].to_list() == [label for label, _, _ in SPELL_LENGTHS]
    assert dict(zip(shown["length"], shown["spells"], strict=True)) == {
        "1 session": 1,
        "2 to 3 sessions": 1,
        "4 to 9 sessions": 0,
        SPELL_LENGTHS[3][0]: 1,
        SPELL_LENGTHS[4][0]: 0,
    }
    assert shown["sessions"].sum() == LONG_SPELL_SESSIONS + 1 + 2
    summary = spells_per_enrolment(found).collect().sort("enrolment_id")
    assert summary.rows() == [(1, 2, LONG_SPELL_SESSIONS, 1), (2, 1, 2, 0)]
