"""The marks importer's fast path (each column's distinct values checked once) gives exactly what
the row-by-row checks give, and steps aside whenever a file has anything to report."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from analytics.ingest import ImportRefused
from analytics.ingest import marks as marks_module
from analytics.ingest.marks import parse_marks
from tests.conftest import TEST_TODAY
from tests.fixtures.ingest.builders import upns

PUPILS = upns(4)
MONDAY = date(2025, 9, 1)


def parse(data: bytes, *, fast: bool, monkeypatch: pytest.MonkeyPatch):
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(marks_module, "_clean_marks", lambda *args: None)
        try:
            return parse_marks("marks.csv", data, today=TEST_TODAY)
        except ImportRefused as refused:
            return refused.message()


def assert_same(data: bytes, monkeypatch: pytest.MonkeyPatch) -> object:
    fast, slow = parse(data, fast=True, monkeypatch=monkeypatch), parse(data, fast=False, monkeypatch=monkeypatch)
    if isinstance(slow, str):
        assert fast == slow
    else:
        assert_frame_equal(fast.marks, slow.marks)
        assert (fast.rows_read, fast.skipped, fast.notes, fast.has_minutes_late) == (
            slow.rows_read, slow.skipped, slow.notes, slow.has_minutes_late,
        )
    return slow


def test_a_clean_file_takes_the_fast_path_and_gives_the_same_batch(monkeypatch):
    rows = [f"{u},{MONDAY + timedelta(days=d)},{s},{c},{m}" for u in PUPILS for d in range(5)
            for s, c, m in (("AM", "L", "7"), ("PM", "\\", ""))]
    data = ("upn,date,session,code,minutes_late\n" + "\n".join(rows) + "\n").encode()
    calls = []
    original = marks_module._clean_marks
    monkeypatch.setattr(marks_module, "_clean_marks", lambda *a: calls.append(original(*a)) or calls[-1])
    batch = parse_marks("marks.csv", data, today=TEST_TODAY)
    assert calls and calls[0] is not None  # the fast path answered
    monkeypatch.undo()
    assert batch.marks.height == 40
    assert_same(data, monkeypatch)


UPN_SPELLINGS = st.sampled_from([PUPILS[0], PUPILS[1], PUPILS[2].lower(), f" {PUPILS[3]} ", "X123", ""])
DATES = st.sampled_from(["2025-09-01", "02/09/2025", "2025-09-03 00:00", "2025-09-06", "2027-01-04", "2025-09-31", "", "45903"])
SESSIONS = st.sampled_from(["AM", "pm", "Pm", "XX", ""])
CODES = st.sampled_from(["/", "\\", "l", "N", "I", "C1", "F", "J", "ZZ", "", "Y3"])
MINUTES = st.sampled_from(["", "5", "5.0", "-1", "601", "x", "0"])


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rows=st.lists(st.tuples(UPN_SPELLINGS, DATES, SESSIONS, CODES, MINUTES), min_size=1, max_size=12),
    with_minutes=st.booleans(),
)
def test_any_file_gives_the_same_result_either_way(rows, with_minutes, monkeypatch):
    header = "upn,date,session,code" + (",minutes_late" if with_minutes else "")
    lines = [",".join(row if with_minutes else row[:4]) for row in rows]
    assert_same(("\n".join([header, *lines]) + "\n").encode(), monkeypatch)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    cells=st.lists(
        st.tuples(st.sampled_from(PUPILS), st.integers(min_value=0, max_value=13), st.sampled_from(["AM", "PM"]),
                  st.sampled_from(["/", "\\", "L", "N", "I", "M", "U", "X", "#", "C2"])),
        min_size=1, max_size=40,
    )
)
def test_clean_looking_files_with_repeats_give_the_same_result(cells, monkeypatch):
    """Weekends, repeated sessions (the same or a different code) and valid files alike."""
    lines = [f"{u},{MONDAY + timedelta(days=d)},{s},{c}" for u, d, s, c in cells]
    assert_same(("upn,date,session,code\n" + "\n".join(lines) + "\n").encode(), monkeypatch)
