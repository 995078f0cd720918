"""Property tests: the engine's invariants hold for any register.

attended + absent = possible; every rate lies in [0, 100]; groups add up to the whole;
the PA and SA flags agree with exact fractions.
"""

from datetime import date
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.domain.codes import all_codes, rule_for
from analytics.pipelines.measures import SESSION_RATES, enrolment_measures, group_measures
from analytics.pipelines.sessions import counted_sessions
from analytics.pipelines.weekly import weekly_measures
from analytics.pipelines.windows import Window
from tests.unit import frames

START = date(2025, 9, 1)
WINDOW = Window(START, date(2026, 7, 31))
CURRENT_CODES = sorted(c for c in all_codes() if rule_for(c, START) is not None)

registers = st.lists(
    st.tuples(st.sampled_from(["F", "M"]), st.lists(st.sampled_from(CURRENT_CODES), max_size=60)),
    min_size=1,
    max_size=8,
)


def run(register):
    enrolments = frames.enrolments(*({"sex": sex} for sex, _ in register))
    marks = [
        frames.marks(number, codes) for number, (_, codes) in enumerate(register, start=1) if codes
    ]
    lazy_marks = frames.all_marks(*marks) if marks else frames.marks(1, []).lazy()
    sessions = counted_sessions(lazy_marks, frames.codes(), enrolments, WINDOW)
    return enrolments, sessions, enrolment_measures(enrolments, sessions)


@settings(max_examples=60, deadline=None)
@given(registers)
def test_attended_plus_absent_is_possible_and_rates_are_percentages(register):
    _, _, per_enrolment = run(register)
    whole = group_measures(per_enrolment)
    for frame in (per_enrolment.collect(), whole.collect()):
        assert (frame["attended"] + frame["absent"] == frame["possible"]).all()
        assert (frame["authorised"] + frame["unauthorised"] == frame["absent"]).all()
        assert (frame["present"] + frame["aea"] == frame["attended"]).all()
        for name, _ in SESSION_RATES:
            values = frame[name].drop_nulls()
            assert ((values >= 0) & (values <= 100)).all(), name


@settings(max_examples=60, deadline=None)
@given(registers)
def test_flags_agree_with_exact_fractions(register):
    _, _, per_enrolment = run(register)
    for row in per_enrolment.collect().iter_rows(named=True):
        share = Fraction(row["absent"], row["possible"]) if row["possible"] else None
        assert row["persistent_absence"] == (share is not None and share >= Fraction(1, 10))
        assert row["severe_absence"] == (share is not None and share >= Fraction(1, 2))


@settings(max_examples=60, deadline=None)
@given(registers)
def test_groups_and_weeks_add_up_to_the_whole(register):
    enrolments, sessions, per_enrolment = run(register)
    whole = group_measures(per_enrolment).collect().row(0, named=True)
    by_sex = group_measures(per_enrolment, ["sex"]).collect()
    weekly = weekly_measures(sessions, enrolments).collect()
    for column in ("possible", "attended", "absent", "late_before_close", "late_after_close"):
        assert by_sex[column].sum() == whole[column]
        assert (weekly[column].sum() or 0) == whole[column]
    for column in ("enrolments", "enrolments_counted", "persistent_absentees", "severe_absentees"):
        assert by_sex[column].sum() == whole[column]
    assert whole["enrolments"] == len(register)
