"""Penalty notices as the framework counts them: the parent each was issued to and its outcome
kept (every version), withdrawn ones not counted, at most two per parent per child in a rolling
three years; and the two columns they add to the targets list and export."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from analytics.domain.interventions import (
    BUILT_IN_LABELS,
    PENALTY_NOTICE_ISSUED,
    InterventionRefused,
    check_entry,
)
from analytics.pipelines.penalty_notices import FIRST, NONE, SECOND, notices_counted
from analytics.reports.coordinator.interventions import amendments
from analytics.reports.coordinator.targets import (
    TARGETS_EXPORT_COLUMNS,
    coordinator_inputs,
    targets_export,
)
from analytics.store import interventions as store
from analytics.store import read
from tests.fixtures.ingest.builders import URN, marks_csv, pupils_csv, upns

A, B, C = upns(3)


def log(*notices: tuple) -> pl.LazyFrame:
    """An intervention log of (enrolment_id, date, issued_to, outcome[, type]) rows."""
    rows = [
        {
            "enrolment_id": n[0],
            "date": n[1],
            "issued_to": n[2],
            "outcome": n[3],
            "type": n[4] if len(n) > 4 else PENALTY_NOTICE_ISSUED,
        }
        for n in notices
    ]
    schema = {
        "enrolment_id": pl.Int32,
        "date": pl.Date,
        "issued_to": pl.String,
        "outcome": pl.String,
        "type": pl.String,
    }
    return pl.LazyFrame(rows, schema=schema)


def counted(frame: pl.LazyFrame, as_of: date) -> dict[int, tuple[int, str]]:
    result = notices_counted(frame, as_of).collect()
    return {
        r["enrolment_id"]: (r["notices_last_3_years"], r["next_notice"])
        for r in result.iter_rows(named=True)
    }


def test_a_notice_counts_for_three_years_less_a_day() -> None:
    frame = log((1, date(2023, 12, 1), "Jane Doe", "Paid within 21 days"))
    assert counted(frame, date(2023, 11, 30)) == {}  # not yet issued
    assert counted(frame, date(2023, 12, 1)) == {1: (1, SECOND)}
    assert counted(frame, date(2026, 11, 30)) == {1: (1, SECOND)}
    assert counted(frame, date(2026, 12, 1)) == {}


def test_a_notice_of_29_february_counts_until_28_february_three_years_on() -> None:
    frame = log((1, date(2024, 2, 29), "Jane Doe", None))
    assert counted(frame, date(2027, 2, 27)) == {1: (1, SECOND)}
    assert counted(frame, date(2027, 2, 28)) == {}


def test_withdrawn_notices_do_not_count_and_other_actions_are_not_notices() -> None:
    frame = log(
        (1, date(2025, 1, 6), "Jane Doe", "withdrawn"),
        (1, date(2025, 3, 6), "Jane Doe", "Withdrawn"),
        (1, date(2025, 4, 6), "Jane Doe", None, "Penalty notice considered"),
        (2, date(2025, 4, 6), "Jane Doe", "Unpaid"),
    )
    assert counted(frame, date(2026, 1, 1)) == {2: (1, SECOND)}


def test_two_notices_to_one_parent_for_one_child_then_other_action() -> None:
    frame = log(
        (1, date(2024, 1, 8), "Jane Doe", "Paid within 28 days"),
        (1, date(2025, 1, 8), " jane doe ", "Unpaid"),  # the same parent, written differently
        (2, date(2025, 1, 8), "Jane Doe", "Paid within 21 days"),  # her other child
    )
    assert counted(frame, date(2025, 6, 1)) == {1: (2, NONE), 2: (1, SECOND)}


def test_the_next_notice_is_for_the_parent_with_the_most_and_the_count_is_every_parents() -> None:
    frame = log(
        (1, date(2025, 1, 8), "Jane Doe", "Paid within 21 days"),
        (1, date(2025, 2, 8), "John Doe", "Paid within 21 days"),
    )
    assert counted(frame, date(2025, 6, 1)) == {1: (2, SECOND)}
    # Notices recorded without a parent count as one parent's.
    frame = log((1, date(2025, 1, 8), None, "Unpaid"), (1, date(2025, 2, 8), None, None))
    assert counted(frame, date(2025, 6, 1)) == {1: (2, NONE)}


def test_a_notice_names_its_parent_and_its_outcome_is_one_of_four_or_blank() -> None:
    notice = lambda **f: check_entry(  # noqa: E731
        1,
        PENALTY_NOTICE_ISSUED,
        date(2025, 1, 8),
        known_types=BUILT_IN_LABELS,
        today=date(2025, 1, 9),
        **f,
    )
    with pytest.raises(InterventionRefused, match="issued to is required"):
        notice()
    assert notice(issued_to=" Jane Doe ").issued_to == "Jane Doe"
    assert (
        notice(issued_to="Jane Doe", outcome="paid WITHIN 21 days").outcome == "Paid within 21 days"
    )
    with pytest.raises(InterventionRefused, match="outcome of a penalty notice is one of"):
        notice(issued_to="Jane Doe", outcome="Issued")
    with pytest.raises(InterventionRefused, match="issued to is only for a penalty notice"):
        check_entry(
            1,
            "Phone call",
            date(2025, 1, 8),
            known_types=BUILT_IN_LABELS,
            today=date(2025, 1, 9),
            issued_to="Jane",
        )


# --- through the store ---------------------------------------------------------------------------

AS_OF = date(2026, 11, 20)


@pytest.fixture
def school(db, load):
    load("pupils", pupils_csv([A, B, C], admission_date="2022-09-01"), school_urn=URN)
    load("marks", marks_csv([(u, "2026-11-20", "AM", "/") for u in (A, B, C)]), school_urn=URN)
    return dict(read.enrolments(db).select("upn", "enrolment_id").iter_rows())


def notice(enrolment_id: int, day: date, parent: str, outcome: str | None = None):
    return check_entry(
        enrolment_id,
        PENALTY_NOTICE_ISSUED,
        day,
        known_types=BUILT_IN_LABELS,
        today=AS_OF,
        issued_to=parent,
        outcome=outcome,
    )


def test_the_parent_and_outcome_are_kept_in_every_version(db, school) -> None:
    [first] = store.record_interventions(
        db, [notice(school[A], date(2026, 10, 1), "Jane Doe")], recorded_by="x"
    )
    store.edit_intervention(
        db,
        first,
        notice(school[A], date(2026, 10, 1), "Jane Doe", "Paid within 28 days"),
        recorded_by="y",
        reason="paid",
    )
    versions = store.intervention_versions(db, intervention_ids=[first])
    assert versions.select("version", "issued_to", "outcome").rows() == [
        (1, "Jane Doe", None),
        (2, "Jane Doe", "Paid within 28 days"),
    ]
    assert store.interventions(db)["issued_to"].to_list() == ["Jane Doe"]
    store.edit_intervention(
        db,
        first,
        notice(school[A], date(2026, 10, 1), "John Doe", "Paid within 28 days"),
        recorded_by="y",
        reason="wrong parent",
    )
    change = amendments(store.intervention_versions(db, intervention_ids=[first]))["change"][-1]
    assert "issued to from Jane Doe to John Doe" in change


def test_the_targets_export_ends_with_the_notices_columns(db, school) -> None:
    assert TARGETS_EXPORT_COLUMNS[-2:] == ("notices_last_3_years", "next_notice")
    store.record_interventions(
        db,
        [
            notice(school[A], date(2024, 1, 8), "Jane Doe", "Unpaid"),
            notice(school[A], date(2026, 1, 8), "Jane Doe"),
            notice(school[B], date(2026, 1, 8), "Sam Roe", "Withdrawn"),
            notice(school[C], date(2023, 11, 20), "Ann Poe", "Unpaid"),  # three years ago today
        ],
        recorded_by="x",
    )
    table = targets_export(coordinator_inputs(db), AS_OF, (URN,))
    assert table.columns == list(TARGETS_EXPORT_COLUMNS)
    rows = {
        r["upn"]: (r["notices_last_3_years"], r["next_notice"]) for r in table.iter_rows(named=True)
    }
    assert rows == {A: (2, NONE), B: (0, FIRST), C: (0, FIRST)}
