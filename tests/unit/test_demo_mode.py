"""Demo mode is recognised only in an untouched demo database."""

from __future__ import annotations

import pytest

from analytics.store import read, write
from tests.fixtures.ingest.builders import marks_csv, pupils_csv, upns


def test_a_database_not_built_by_the_demo_is_not_the_demo(db, load):
    load("pupils", pupils_csv(upns(2)), school_urn=100001)
    status = read.demo_status(db)
    assert not status.synthetic and "not built by `rollcall demo`" in status.reason


def test_the_marker_makes_it_the_demo_until_anything_is_imported(db, load):
    load("pupils", pupils_csv(upns(2)), school_urn=100001)
    with db.transaction() as con:
        write.mark_as_demo(con, seed=7, upn_la_prefix="80")
    assert read.demo_status(db).synthetic
    load("marks", marks_csv([(upns(1)[0], "2025-09-01", "AM", "/")]))
    status = read.demo_status(db)
    assert not status.synthetic and "imported" in status.reason


def test_a_pupil_of_a_real_local_authority_ends_demo_mode(db, load):
    load("pupils", pupils_csv(upns(2)), school_urn=100001)  # LA 801
    with db.transaction() as con:
        write.mark_as_demo(con, seed=7, upn_la_prefix="99")
    status = read.demo_status(db)
    assert not status.synthetic and "not the demo's" in status.reason


@pytest.mark.slow
def test_the_demo_trust_is_the_demo(demo_db):
    assert read.demo_status(demo_db).synthetic
