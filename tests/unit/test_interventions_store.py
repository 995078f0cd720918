"""The intervention log keeps evidence: every change adds a version, and entries are checked."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from analytics.domain.interventions import (
    BUILT_IN_LABELS,
    InterventionRefused,
    check_entry,
    settings_types,
)
from analytics.store import interventions as store
from analytics.store import read
from tests.fixtures.ingest.builders import OTHER_URN, URN, pupils_csv, upns

TODAY = date(2026, 11, 20)


@pytest.fixture
def pupils(db, load):
    load("pupils", pupils_csv(upns(2)), school_urn=URN, school_name="Oakfield Primary")
    load(
        "pupils",
        pupils_csv(upns(2, start=2)),
        school_urn=OTHER_URN,
        school_name="Brookside Primary",
    )
    return read.enrolments(db)


def entry(enrolment_id, type="Home visit", day=date(2026, 11, 19), **fields):
    return check_entry(
        enrolment_id, type, day, known_types=(*BUILT_IN_LABELS, "SARM"), today=TODAY, **fields
    )


def test_one_action_for_two_pupils_is_one_batch_with_who_and_when(db, pupils):
    ids = store.record_interventions(
        db,
        [entry(1, owner="Ms Shaw"), entry(2, owner="Ms Shaw")],
        recorded_by="coordinator",
        recorded_at=datetime(2026, 11, 19, 10, 5),
    )
    log = store.interventions(db)
    assert log["intervention_id"].to_list() == ids
    assert log["batch_id"].n_unique() == 1
    assert log["recorded_by"].to_list() == ["coordinator"] * 2
    assert log["first_recorded_at"].to_list() == [datetime(2026, 11, 19, 10, 5)] * 2
    assert log["school_urn"].to_list() == [URN, URN]


def test_an_edit_keeps_the_earlier_version_and_says_who_and_why(db, pupils):
    [first] = store.record_interventions(db, [entry(1, outcome="No answer")], recorded_by="a")
    version = store.edit_intervention(
        db,
        first,
        entry(1, outcome="Spoke to parent or carer"),
        recorded_by="b",
        reason="called back",
    )
    assert version == 2
    current = store.interventions(db).row(0, named=True)
    assert (current["outcome"], current["recorded_by"], current["first_recorded_by"]) == (
        "Spoke to parent or carer",
        "b",
        "a",
    )
    history = store.intervention_versions(db, intervention_ids=[first])
    assert history["outcome"].to_list() == ["No answer", "Spoke to parent or carer"]
    assert history["change_reason"].to_list() == [None, "called back"]


def test_a_deleted_intervention_leaves_the_log_but_not_the_history(db, pupils):
    [first, second] = store.record_interventions(db, [entry(1), entry(2)], recorded_by="a")
    store.delete_intervention(db, second, recorded_by="b", reason="wrong pupil")
    assert store.interventions(db)["intervention_id"].to_list() == [first]
    history = store.intervention_versions(db, enrolment_ids=[2])
    assert history["deleted"].to_list() == [False, True]
    with pytest.raises(InterventionRefused, match="was deleted"):
        store.edit_intervention(db, second, entry(2, outcome="x"), recorded_by="c", reason="undo")


def test_edits_and_deletions_need_a_reason_and_a_change(db, pupils):
    [first] = store.record_interventions(db, [entry(1)], recorded_by="a")
    with pytest.raises(InterventionRefused, match="reason"):
        store.edit_intervention(db, first, entry(1, outcome="x"), recorded_by="b", reason=" ")
    with pytest.raises(InterventionRefused, match="nothing was changed"):
        store.edit_intervention(db, first, entry(1), recorded_by="b", reason="r")
    with pytest.raises(InterventionRefused, match="another pupil"):
        store.edit_intervention(db, first, entry(2, outcome="x"), recorded_by="b", reason="r")
    with pytest.raises(InterventionRefused, match="reason"):
        store.delete_intervention(db, first, recorded_by="b", reason="")
    assert store.intervention_versions(db)["version"].to_list() == [1]


def test_a_batch_with_one_bad_entry_records_nothing(db, pupils):
    with pytest.raises(InterventionRefused, match="entry 2: there is no enrolment 99"):
        store.record_interventions(db, [entry(1), entry(99)], recorded_by="a")
    with pytest.raises(InterventionRefused, match="entry 1: type 'SARM'"):
        store.record_interventions(db, [entry(1, type="SARM")], recorded_by="a")
    with pytest.raises(InterventionRefused, match="recorded by"):
        store.record_interventions(db, [entry(1)], recorded_by="  ")
    assert store.intervention_versions(db).is_empty()


def test_a_school_adds_its_own_type_and_only_that_school_may_use_it(db, pupils):
    store.add_intervention_type(
        db, URN, "SARM", added_by="head", description="School attendance review meeting"
    )
    types = store.types_for_schools(db, [URN, OTHER_URN])
    assert types[URN][-1] == "SARM" and "SARM" not in types[OTHER_URN]
    store.record_interventions(db, [entry(1, type="SARM")], recorded_by="a")
    with pytest.raises(InterventionRefused, match="type 'SARM'"):
        store.record_interventions(db, [entry(3, type="SARM")], recorded_by="a")
    with pytest.raises(InterventionRefused, match="already exists"):
        store.add_intervention_type(db, URN, "sarm", added_by="head")
    with pytest.raises(InterventionRefused, match="already exists"):
        store.add_intervention_type(db, URN, "Home Visit", added_by="head")
    store.retire_intervention_type(db, URN, "SARM", retired_by="head")
    assert "SARM" not in store.types_for_schools(db, [URN])[URN]
    assert store.interventions(db)["type"].to_list() == ["SARM"]  # entries keep their type


def test_types_from_the_setting_are_offered_to_every_school(db, pupils, monkeypatch):
    monkeypatch.setenv("ROLLCALL_INTERVENTION_TYPES", "SARM, Fast-track,,home visit")
    assert [t.label for t in settings_types("SARM, Fast-track,,Home visit")] == [
        "SARM",
        "Fast-track",
    ]
    types = store.types_for_schools(db, [URN, OTHER_URN])
    assert types[URN][-2:] == ("SARM", "Fast-track") == types[OTHER_URN][-2:]
    store.record_interventions(db, [entry(3, type="SARM")], recorded_by="a")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"day": date(2026, 11, 21)}, "date 21/11/2026 is in the future"),
        ({"day": None}, "date is required"),
        ({"type": "Carrier pigeon"}, "type 'Carrier pigeon' is not"),
        ({"type": " "}, "type is required"),
        ({"next_review": date(2026, 11, 18)}, "next review 18/11/2026 is before"),
        ({"owner": "x" * 121}, "owner is longer than 120"),
        ({"notes": "x" * 4001}, "notes are longer than 4000"),
    ],
)
def test_an_entry_is_checked_field_by_field(fields, message):
    with pytest.raises(InterventionRefused, match=message):
        entry(1, **fields)


def test_an_entry_on_today_with_a_review_that_day_is_fine():
    checked = entry(1, day=TODAY, next_review=TODAY, owner="  Ms Shaw ", notes="  ")
    assert (checked.owner, checked.notes, checked.next_review) == ("Ms Shaw", None, TODAY)
