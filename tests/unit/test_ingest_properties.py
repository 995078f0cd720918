"""Properties: any bytes are imported or refused (never another error); marks round-trip; the
later of two files wins session by session, with the replaced marks in the history."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.domain.codes import rule_for
from analytics.ingest import KINDS, ImportRefused, import_bytes
from analytics.ingest.behaviour import parse_behaviour, parse_exclusions
from analytics.ingest.ctf import parse_ctf
from analytics.ingest.grid import parse_grid
from analytics.ingest.marks import parse_marks
from analytics.ingest.mis import parse_contacts
from analytics.ingest.pupils import parse_pupils
from analytics.store import Database
from tests.conftest import TEST_TODAY
from tests.fixtures.ingest.builders import (
    URN,
    ctf,
    ctf_pupil,
    current_marks,
    everything,
    pupils_csv,
    upns,
)

PUPILS = upns(6)
PARSERS = {
    "pupils": lambda data: parse_pupils("f.csv", data, as_of=TEST_TODAY),
    "marks": lambda data: parse_marks("f.csv", data, today=TEST_TODAY),
    "grid": lambda data: parse_grid("f.csv", data, today=TEST_TODAY),
    "ctf": lambda data: parse_ctf("f.xml", data, school_urn=URN, laestab=None, today=TEST_TODAY),
    "behaviour": lambda data: parse_behaviour("f.csv", data, school_urn=1, today=TEST_TODAY),
    "exclusions": lambda data: parse_exclusions("f.csv", data, today=TEST_TODAY),
    "contacts": lambda data: parse_contacts("f.csv", data),
}
HEADERS = {
    "pupils": "upn,forename,surname,date_of_birth,year_group,admission_date,sex,fsm,sen,leaving_date",
    "marks": "upn,date,session,code,minutes_late",
    "grid": "upn,2025-09-03 AM,Wed 03/09/2025 PM",
    "ctf": "",
    "behaviour": "upn,date,time,type,category,points,severity,notes",
    "exclusions": "upn,start_date,end_date,category,sessions,reason_1",
    "contacts": "UPN,Contact Name,Relationship,Priority,Telephone,Mobile,Lives With Pupil",
}
#: Pieces that make text look like the files it imitates, so examples get past the header.
PIECES = st.sampled_from(
    [
        ",",
        ";",
        "\t",
        '"',
        "\n",
        "\r\n",
        " ",
        "/",
        "\\",
        "-",
        ":",
        "é",
        "\x00",
        "\ufeff",
        "AM",
        "pm",
        "Y",
        "L",
        "2025-09-03",
        "03/09/2025",
        "31/02/2025",
        "45903",
        "12:30",
        "1",
        "Mother",
        "07700 900123",
        *PUPILS[:2],
        "<CTfile>",
        "</CTfile>",
        "<Pupil>",
        "<UPN>",
        "</UPN>",
        "&",
        "<!ENTITY a 'b'>",
    ]
)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"])
FAST = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
#: Each import opens the database file, so examples through the store are fewer.
THROUGH_STORE = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))


def imports_or_refuses(parse, data: bytes) -> None:
    try:
        parse(data)
    except ImportRefused as refusal:
        assert refusal.problems
        assert str(refusal).startswith("f.")


@pytest.mark.parametrize("kind", KINDS)
@FAST
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_are_imported_or_refused(kind: str, data: bytes) -> None:
    imports_or_refuses(PARSERS[kind], data)
    imports_or_refuses(PARSERS[kind], b"\xff\xfe" + data)
    imports_or_refuses(PARSERS[kind], b"\xef\xbb\xbf" + data)


@pytest.mark.parametrize("kind", KINDS)
@FAST
@given(pieces=st.lists(PIECES, max_size=40), encoding=ENCODINGS)
def test_file_shaped_text_is_imported_or_refused(
    kind: str, pieces: list[str], encoding: str
) -> None:
    text = HEADERS[kind] + "\n" + "".join(pieces)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    imports_or_refuses(PARSERS[kind], data)


@FAST
@given(
    marks=st.text(alphabet="/\\LNCY13#-. ,xé", max_size=60),
    start=st.dates(date(1989, 1, 1), date(2027, 1, 1)),
)
def test_ctf_marks_strings_are_imported_or_refused(marks: str, start: date) -> None:
    imports_or_refuses(
        PARSERS["ctf"], ctf(ctf_pupil(PUPILS[0], marks, start=start.isoformat())).encode()
    )


# --- through the store ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Database:
    """One database for all examples; each example uses a school of its own."""
    return Database(tmp_path_factory.mktemp("properties") / "rollcall.duckdb")


_urns = itertools.count(200_000)


def load(db: Database, kind: str, text: str, urn: int, file_name: str = "f.csv"):
    return import_bytes(
        db, kind, file_name, text.encode(), school_urn=urn, today=TEST_TODAY, as_of=TEST_TODAY
    )


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(pieces=st.lists(PIECES, max_size=30))
def test_through_the_store_any_text_is_imported_or_refused(
    store: Database, kind: str, pieces: list[str]
) -> None:
    urn = next(_urns)
    if kind != "pupils":
        load(store, "pupils", pupils_csv(PUPILS), urn)
    before = everything(store)
    try:
        load(store, kind, HEADERS[kind] + "\n" + "".join(pieces), urn)
    except ImportRefused as refusal:
        assert refusal.problems
        if before:  # every table, the audit log included, as it was
            assert everything(store) == before


SCHOOL_DAYS = [d for d in (date(2024, 8, 12) + timedelta(n) for n in range(21)) if d.weekday() < 5]
CODES = ["/", "\\", "L", "N", "I", "M", "U", "B", "G", "C1", "K", "Y3", "J", "H", "#", "D"]


@st.composite
def marks_files(draw, with_minutes: bool | None = None) -> dict[tuple, tuple]:
    """A valid marks file as {(upn, date, session): (code, minutes_late)}, codes valid on their date."""
    keys = draw(
        st.sets(
            st.tuples(
                st.sampled_from(PUPILS), st.sampled_from(SCHOOL_DAYS), st.sampled_from(["AM", "PM"])
            ),
            max_size=25,
        )
    )
    minutes = draw(st.booleans()) if with_minutes is None else with_minutes
    marks = {}
    for key in sorted(keys):
        code = draw(st.sampled_from([c for c in CODES if rule_for(c, key[1])]))
        late = draw(st.one_of(st.none(), st.integers(0, 600))) if minutes else None
        marks[key] = (code, late)
    return {"marks": marks, "minutes": minutes}


def render(file: dict, draw_style: tuple[bool, str, bool]) -> str:
    """The file as CSV text, in one of the spellings a school might send."""
    uk_dates, delimiter, lower = draw_style
    header = ["upn", "date", "session", "code"] + (["minutes_late"] if file["minutes"] else [])
    lines = [delimiter.join(header)]
    for (pupil, day, session), (code, late) in file["marks"].items():
        values = [
            pupil.lower() if lower else pupil,
            day.strftime("%d/%m/%Y") if uk_dates else day.isoformat(),
            session.lower() if lower else session,
            code.lower() if lower else code,
        ]
        if file["minutes"]:
            values.append("" if late is None else str(late))
        lines.append(delimiter.join(values))
    return "\n".join(lines) + "\n"


STYLES = st.tuples(st.booleans(), st.sampled_from([",", ";", "\t"]), st.booleans())


@THROUGH_STORE
@given(file=marks_files(), style=STYLES)
def test_valid_marks_round_trip_through_the_store(store: Database, file: dict, style) -> None:
    urn = next(_urns)
    load(store, "pupils", pupils_csv(PUPILS), urn)
    result = load(store, "marks", render(file, style), urn)
    assert (result.rows_read, result.counts.new) == (len(file["marks"]), len(file["marks"]))
    assert current_marks(store, urn) == {
        (*key, code, late) for key, (code, late) in file["marks"].items()
    }


@THROUGH_STORE
@given(first=marks_files(), second=marks_files(), style=STYLES)
def test_the_later_file_wins_session_by_session(
    store: Database, first: dict, second: dict, style
) -> None:
    urn = next(_urns)
    load(store, "pupils", pupils_csv(PUPILS), urn)
    a = load(store, "marks", render(first, style), urn, "a.csv")
    b = load(store, "marks", render(second, style), urn, "b.csv")

    expected = dict(first["marks"])
    replaced = set()
    for key, (code, late) in second["marks"].items():
        old = first["marks"].get(key)
        if old is None:
            expected[key] = (code, late)
        elif old[0] != code or (second["minutes"] and old[1] != late):
            expected[key] = (code, late)
            replaced.add((*key, *old, code))
        # else: unchanged (without a minutes_late column, the same code keeps its minutes)
    if b.already_imported:  # two empty files are the same bytes
        assert render(first, style) == render(second, style)
        return
    assert current_marks(store, urn) == {
        (*key, code, late) for key, (code, late) in expected.items()
    }
    assert b.counts.changed == len(replaced)
    assert b.counts.new == len(second["marks"].keys() - first["marks"].keys())
    with store.connect() as con:
        history = con.execute(
            "SELECT e.upn, h.date, h.session::VARCHAR, h.code, h.minutes_late, h.replaced_by_code, h.import_id, "
            "h.replaced_by_import FROM mark_history h JOIN enrolments e USING (enrolment_id) WHERE h.school_urn = ?",
            [urn],
        ).fetchall()
    assert {row[:6] for row in history} == replaced
    assert all(row[6:] == (a.import_id, b.import_id) for row in history)
