"""Fuzzing every importer: valid files of each kind, mutated (bytes flipped, cut short, control
characters put in, lines joined, columns swapped, rows repeated or lost, huge fields), are
imported or refused, never crashed on; a refusal changes nothing in the database; and no
message or note ever shows a UPN, a name or a date of birth the file holds.

Bounded to run in well under a minute: twenty examples a kind, on one small database with a
school for each kind (a pupils file goes to a school of its own). The examples of a kind follow
one another, so a mutated file may also meet what an earlier one imported.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from analytics.ingest import KINDS, ImportRefused, import_bytes
from analytics.store import Database
from tests.conftest import TEST_TODAY
from tests.fixtures.ingest.builders import ctf, ctf_pupil, everything, upns

PUPILS = upns(3, start=4_000)
FORENAMES = ("Zebulon", "Quintessa", "Wolfgang")
SURNAMES = ("Xanthopoulos", "Vanderquist", "Oyelaran")
BIRTHS = (date(2015, 6, 7), date(2016, 11, 23), date(2014, 2, 19))
#: Everything in the files that identifies a pupil, in every spelling a message might use.
PRIVATE = tuple(
    itertools.chain(
        PUPILS,
        (u.lower() for u in PUPILS),
        FORENAMES,
        SURNAMES,
        (f"{d:%Y-%m-%d}" for d in BIRTHS),
        (f"{d:%d/%m/%Y}" for d in BIRTHS),
        (f"{d:%d %b %Y}" for d in BIRTHS),
    )
)
DAYS = ("2025-09-01", "2025-09-02", "2025-09-03")


def pupils_file() -> str:
    header = (
        "upn,forename,surname,date_of_birth,year_group,admission_date,sex,form,sen,fsm,ethnicity"
    )
    rows = [
        f"{u},{f},{s},{b:%d/%m/%Y},5,2021-09-01,F,5A,N,Y,WBRI"
        for u, f, s, b in zip(PUPILS, FORENAMES, SURNAMES, BIRTHS, strict=True)
    ]
    return "\n".join([header, *rows]) + "\n"


def valid_file(kind: str, urn: int) -> str:
    """A small valid file of `kind` for the pupils of `pupils_file`, at school `urn`."""
    if kind == "pupils":
        return pupils_file()
    if kind == "marks":
        rows = [
            f"{u},{d},{s},{'L' if s == 'AM' and u == PUPILS[0] else '/'},{5 if s == 'AM' and u == PUPILS[0] else ''}"
            for u in PUPILS
            for d in DAYS
            for s in ("AM", "PM")
        ]
        return "upn,date,session,code,minutes_late\n" + "\n".join(rows) + "\n"
    if kind == "grid":
        columns = [f"{d} {s}" for d in DAYS for s in ("AM", "PM")]
        rows = [",".join([u, *("/\\N/\\I"[: len(columns)])]) for u in PUPILS]
        return "upn," + ",".join(columns) + "\n" + "\n".join(rows) + "\n"
    if kind == "ctf":
        pupils = [
            ctf_pupil(u, "/,\\,N,\\,/,I", forename=f, surname=s, dob=f"{b:%Y-%m-%d}")
            for u, f, s, b in zip(PUPILS, FORENAMES, SURNAMES, BIRTHS, strict=True)
        ]
        return ctf(*pupils, urn=urn)
    if kind == "behaviour":
        rows = [
            f'{u},{d},09:1{n},negative,Disruption,-1,2,Hall,Maths,Mr Smith,Detention,"Shouted, twice"'
            for n, (u, d) in enumerate(zip(PUPILS, DAYS, strict=True))
        ]
        header = "upn,date,time,type,category,points,severity,location,subject,staff,action,notes"
        return header + "\n" + "\n".join(rows) + "\n"
    if kind == "contacts":
        rows = [
            f"{u},{f} Parent,Mother,1,0161 496 000{n},07700 90012{n},p{n}@example.org,Y"
            for n, (u, f) in enumerate(zip(PUPILS, FORENAMES, strict=True))
        ]
        header = "upn,contact_name,relationship,priority,phone,mobile,email,lives_with_pupil"
        return header + "\n" + "\n".join(rows) + "\n"
    assert kind == "exclusions"
    return (
        "upn,start_date,end_date,category,sessions,reason_1,reason_2\n"
        f"{PUPILS[0]},2025-09-01,2025-09-02,suspension,4,DB,VA\n"
        f"{PUPILS[1]},2025-09-03,,permanent,1,PA,\n"
    )


CONTROL = ("\x00", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u202e", "\u2028", "\r")


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """`data` after one to three mutations."""
    for _ in range(draw(st.integers(1, 3))):
        how = draw(
            st.sampled_from(
                ["flip", "cut", "control", "join", "swap", "repeat", "huge", "delete line"]
            )
        )
        lines = data.split(b"\n")
        if how == "flip" and data:
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif how == "cut":
            data = data[: draw(st.integers(0, len(data)))]
        elif how == "control":
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.sampled_from(CONTROL)).encode() + data[at:]
        elif how == "join" and len(lines) > 1:
            # Two lines joined by a control character (or by nothing) where the new line was.
            n = draw(st.integers(0, len(lines) - 2))
            joint = draw(st.sampled_from(["", *CONTROL])).encode()
            data = b"\n".join([*lines[:n], lines[n] + joint + lines[n + 1], *lines[n + 2 :]])
        elif how == "swap" and b"," in lines[0]:
            # Two columns change places, in every line or only in one.
            width = lines[0].count(b",") + 1
            a, b = draw(st.integers(0, width - 1)), draw(st.integers(0, width - 1))
            which = draw(st.sampled_from(["all", *range(len(lines))]))
            swapped = []
            for n, line in enumerate(lines):
                cells = line.split(b",")
                if (which == "all" or which == n) and max(a, b) < len(cells):
                    cells[a], cells[b] = cells[b], cells[a]
                swapped.append(b",".join(cells))
            data = b"\n".join(swapped)
        elif how == "repeat" and len(lines) > 1:
            n = draw(st.integers(0, len(lines) - 1))
            data = b"\n".join([*lines[: n + 1], lines[n], *lines[n + 1 :]])
        elif how == "huge":
            at = draw(st.integers(0, len(data)))
            size = draw(st.sampled_from([3_000, 150_000, 1_100_000]))
            filler = draw(st.sampled_from([b"x", b"9", b"/", b",", b'"', b"\n"]))
            data = data[:at] + filler * size + data[at:]
        elif how == "delete line" and len(lines) > 1:
            n = draw(st.integers(0, len(lines) - 1))
            data = b"\n".join(lines[:n] + lines[n + 1 :])
    return data


#: The school each kind is imported into (mutated pupils files go to a school of their own).
SCHOOLS = {kind: 300_000 + n for n, kind in enumerate(KINDS)}
_urns = itertools.count(400_000)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Database:
    """One database for all examples, with a school for each kind (its pupils on roll)."""
    db = Database(tmp_path_factory.mktemp("fuzz") / "rollcall.duckdb", key=None)
    for urn in SCHOOLS.values():
        import_bytes(
            db, "pupils", "p.csv", pupils_file().encode(), school_urn=urn, as_of=TEST_TODAY
        )
    return db


def assert_private(text: str) -> None:
    for secret in PRIVATE:
        assert secret not in text, f"{secret!r} is shown in: {text[:2000]}"


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_mutated_file_is_imported_or_refused_changing_nothing_and_naming_no_pupil(
    store: Database, kind: str, data: st.DataObject
) -> None:
    urn = next(_urns) if kind == "pupils" else SCHOOLS[kind]
    file = valid_file(kind, urn).encode()
    bad = data.draw(mutated(file), label="file")
    before = everything(store)
    try:
        result = import_bytes(
            store, kind, f"f.{kind}", bad, school_urn=urn, today=TEST_TODAY, as_of=TEST_TODAY
        )
    except ImportRefused as refused:
        event("refused")
        assert refused.problems
        assert_private(refused.message())
        assert everything(store) == before
    else:
        event("imported before" if result.already_imported else "imported")
        assert_private(result.summary())
        assert_private("; ".join(result.notes))


@pytest.mark.parametrize("kind", KINDS)
def test_each_valid_file_imports(store: Database, kind: str) -> None:
    """The files the fuzzing starts from are valid, so its mutations test what they change."""
    urn = next(_urns)
    if kind != "pupils":
        import_bytes(
            store, "pupils", "p.csv", pupils_file().encode(), school_urn=urn, as_of=TEST_TODAY
        )
    result = import_bytes(
        store, kind, f"f.{kind}", valid_file(kind, urn).encode(), school_urn=urn, today=TEST_TODAY
    )
    assert result.counts.new > 0 and not result.already_imported
    assert_private(result.summary())
