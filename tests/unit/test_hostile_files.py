"""The corpus of hostile and broken files: each is refused with a message naming the file, the row
and the field, and the database (every table, the audit log included) is left exactly as it was.

Many of these cases are tested in more depth elsewhere (test_ingest_table.py, test_ingest_fields.py,
test_ingest_marks.py, test_ingest_atomicity.py); this file holds them together as the corpus the
issue asks for, against one database full of data, through `import_bytes` as the app and the
command line call it. Files that are quirky but valid (BOM, Windows-1252, blank lines, quoted
newlines) must import, and a bad row among them must be named at its spreadsheet row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from analytics.ingest import ImportRefused, import_bytes, import_file
from analytics.store import Database
from tests.conftest import TEST_TODAY
from tests.fixtures.ingest.builders import (
    URN,
    ctf,
    ctf_pupil,
    everything,
    marks_csv,
    pupils_csv,
    upns,
)

PUPILS = upns(500)
STRANGER = upns(1, start=90_000)[0]
WEEKDAYS = [d for d in (date(2025, 9, 1) + timedelta(n) for n in range(150)) if d.weekday() < 5][
    :100
]
PUPILS_HEADER = "upn,forename,surname,date_of_birth,year_group,admission_date"


def load(db: Database, kind: str, data: bytes, file_name: str):
    return import_bytes(
        db, kind, file_name, data, school_urn=URN, today=TEST_TODAY, as_of=TEST_TODAY
    )


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    """500 pupils with marks, behaviour and an audit log (only read by these tests)."""
    database = Database(tmp_path_factory.mktemp("hostile") / "rollcall.duckdb", key=None)
    load(database, "pupils", pupils_csv(PUPILS).encode(), "pupils.csv")
    load(
        database,
        "marks",
        marks_csv([(u, WEEKDAYS[0], "AM", "/") for u in PUPILS]).encode(),
        "marks.csv",
    )
    load(
        database,
        "behaviour",
        f"upn,date,type,category\n{PUPILS[0]},2025-09-02,+,Kindness\n".encode(),
        "b.csv",
    )
    return database


@dataclass(frozen=True)
class Hostile:
    """One bad file and where its message must point."""

    name: str
    kind: str
    data: bytes
    row: int | None
    field: str | None
    says: str


def _big_marks_with_a_bad_last_row() -> bytes:
    rows = [(u, day, session, "/") for day in WEEKDAYS for session in ("AM", "PM") for u in PUPILS]
    assert len(rows) == 100_000
    rows[-1] = (rows[-1][0], rows[-1][1], rows[-1][2], "Q9")
    return marks_csv(rows).encode()


P0, P1 = PUPILS[0], PUPILS[1]
CORPUS = [
    Hostile(
        "wrong delimiter",
        "marks",
        f"upn:date:session:code\n{P0}:2025-09-01:AM:/\n".encode(),
        1,
        None,
        "has only one column: separate the columns with commas, semicolons or tabs (found ':')",
    ),
    Hostile(
        "missing header",
        "marks",
        f"{P0},2025-09-01,AM,/\n{P1},2025-09-01,AM,/\n".encode(),
        1,
        None,
        "holds data, not column names: the first row must be the header (upn, date, session, code)",
    ),
    Hostile(
        "missing column",
        "marks",
        f"upn,date,code\n{P0},2025-09-01,/\n".encode(),
        1,
        "session",
        "is a required column and is missing",
    ),
    Hostile(
        "duplicated header",
        "marks",
        f"upn,date,session,code,date\n{P0},2025-09-01,AM,/,2025-09-02\n".encode(),
        1,
        "date",
        "appears twice in the header",
    ),
    Hostile(
        "blank lines",
        "marks",
        f"upn,date,session,code\n\n{P0},2025-09-02,AM,/\n\n\n{P1},2025-09-02,XM,/\n".encode(),
        6,
        "session",
        "'XM' is not one of AM, PM",
    ),
    Hostile(
        "quoted newlines",
        "behaviour",
        f'upn,date,type,category,notes\n{P0},2025-09-03,negative,Disruption,"one\ntwo\nthree"\n'
        f"{P1},2025-09-03,sideways,Disruption,ok\n".encode(),
        3,
        "type",
        "the value is not one of positive, negative",
    ),
    Hostile(
        "BOM",
        "marks",
        (f"\ufeffupn,date,session,code\n{P0},2025-09-02,AM,/\n{P1},2025-09-02,AM,ZZ\n").encode(),
        3,
        "code",
        "'ZZ' is not a DfE attendance code",
    ),
    Hostile(
        "Windows-1252",
        "pupils",
        f"{PUPILS_HEADER}\n{P0},Zoë,Brontë,2016-03-04,5,2021-09-01\n{P1},Renée,Müller,31/02/2016,5,2021-09-01\n".encode(
            "cp1252"
        ),
        3,
        "date_of_birth",
        "the value is not a date",
    ),
    Hostile(
        "Excel serial date",
        "marks",
        f"upn,date,session,code\n{P0},45903,AM,/\n".encode(),
        2,
        "date",
        "'45903' looks like an Excel serial number, not a date",
    ),
    Hostile(
        "impossible date",
        "marks",
        f"upn,date,session,code\n{P0},31/02/2025,AM,/\n".encode(),
        2,
        "date",
        "'31/02/2025' is not a date",
    ),
    Hostile(
        "weekend date",
        "marks",
        f"upn,date,session,code\n{P0},2025-09-06,AM,/\n".encode(),
        2,
        "date",
        "06 Sep 2025 is a Saturday or Sunday",
    ),
    Hostile(
        "future date",
        "marks",
        f"upn,date,session,code\n{P0},{TEST_TODAY + timedelta(days=3)},AM,/\n".encode(),
        2,
        "date",
        "23 Nov 2026 is in the future",
    ),
    Hostile(
        "two codes for one session",
        "marks",
        f"upn,date,session,code\n{P0},2025-09-02,AM,/\n{P0},02/09/2025,AM,N\n".encode(),
        3,
        "code",
        "gives a different code for the same session as row 2",
    ),
    Hostile(
        "unknown UPN",
        "marks",
        f"upn,date,session,code\n{P0},2025-09-02,AM,/\n{STRANGER},2025-09-02,AM,/\n".encode(),
        3,
        "upn",
        f"is not a pupil of school {URN}",
    ),
    Hostile(
        "enormous field",
        "behaviour",
        f"upn,date,type,category,notes\n{P0},2025-09-03,negative,Disruption,{'x' * 500_000}\n".encode(),
        2,
        "notes",
        "is longer than 2000 characters",
    ),
    Hostile(
        "enormous code",
        "marks",
        f"upn,date,session,code\n{P0},2025-09-02,AM,{'/' * 500_000}\n".encode(),
        2,
        "code",
        "'" + "/" * 40 + "…' is not a DfE attendance code",
    ),  # cut short in the message
    Hostile(
        "formula in a checked field",
        "marks",
        f"upn,date,session,code\n{P0},2025-09-02,AM,=1+2\n".encode(),
        2,
        "code",
        "'=1+2' is not a DfE attendance code",
    ),
    Hostile(
        "100,000 rows, the last one bad",
        "marks",
        _big_marks_with_a_bad_last_row(),
        100_001,
        "code",
        "'Q9' is not a DfE attendance code",
    ),
    Hostile("not text at all", "marks", bytes(range(256)) * 40, None, None, ""),
    Hostile(
        "a header, a row, then zeros with no new line",
        "marks",
        f"upn,date,session,code\n{P0},2025-09-02,AM,/\n".encode() + b"0" * 20_000_000,
        3,
        None,
        "is longer than 1 MB, longer than any row of a register export",
    ),
    Hostile(
        "UTF-16 without a byte-order mark",
        "marks",
        f"upn,date,session,code\n{P0},2025-09-02,AM,/\n".encode("utf-16-le") + b"\x00\xd8",
        3,
        None,
        "is UTF-16 text without a byte-order mark, and not valid UTF-16 throughout",
    ),
    Hostile(
        "a mark dated years before admission",
        "marks",
        f"upn,date,session,code\n{P0},2025-09-02,AM,/\n{P1},2019-09-02,AM,/\n".encode(),
        3,
        "date",
        "02 Sep 2019 is more than a year before the pupil's admission to this school",
    ),
    Hostile(
        "a grid session years before admission",
        "grid",
        f"upn,2025-09-02 AM,2018-09-03 PM\n{P0},/,\\\n".encode(),
        2,
        "2018-09-03 PM",
        "03 Sep 2018 is more than a year before the pupil's admission to this school",
    ),
    Hostile(
        "an incident years before admission",
        "behaviour",
        f"upn,date,type,category\n{P0},2017-05-03,negative,Disruption\n".encode(),
        2,
        "date",
        "03 May 2017 is more than a year before the pupil's admission to this school",
    ),
    Hostile(
        "a suspension years before admission",
        "exclusions",
        f"upn,start_date,category,sessions\n{P0},2017-05-03,suspension,2\n".encode(),
        2,
        "start_date",
        "03 May 2017 is more than a year before the pupil's admission to this school",
    ),
    Hostile(
        "header joined to the first row by a form feed",
        "marks",
        f"upn,date,session,code,minutes_late\f{P0},2025-09-01,AM,/,\n{P1},2025-09-01,AM,/,\n".encode(),
        1,
        None,
        "holds a control character (form feed): the header must be one line of column names",
    ),
    Hostile(
        "header joined to the first row with nothing between",
        "marks",
        f"upn,date,session,code,minutes_late{P0},2025-09-01,AM,/,\n{P1},2025-09-01,AM,/,\n".encode(),
        1,
        None,
        "holds a UPN among its column names: the header must be one line of column names",
    ),
    Hostile(
        "grid header joined to the first row by a vertical tab",
        "grid",
        f"upn,2025-09-01 AM\v{P0},/\n{P1},/\n".encode(),
        1,
        None,
        "holds a control character (vertical tab): the header must be one line of column names",
    ),
    Hostile(
        "a UPN as a grid heading",
        "grid",
        f"upn,2025-09-01 AM,{P0} AM\n{P1},/,/\n".encode(),
        1,
        None,
        "holds a UPN among its column names",
    ),
    Hostile(
        "a telephone number as a grid heading",
        "grid",
        f"upn,2025-09-01 AM,07700900123 AM\n{P1},/,/\n".encode(),
        1,
        "column 3",
        "is not a session with a real date",
    ),
    Hostile(
        "NUL in a surname",
        "pupils",
        f"{PUPILS_HEADER}\n{P0},Ann,Ex\x00ample,2016-03-04,5,2021-09-01\n".encode(),
        2,
        "surname",
        "holds a control character (NUL)",
    ),
    Hostile(
        "bidirectional override in a forename",
        "pupils",
        f"{PUPILS_HEADER}\n{P0},An\u202en,Example,2016-03-04,5,2021-09-01\n".encode(),
        2,
        "forename",
        "holds a control character (U+202E)",
    ),
    Hostile(
        "escape in behaviour notes",
        "behaviour",
        f'upn,date,type,category,notes\n{P0},2025-09-03,negative,Disruption,"one\ntwo\x1b[2J"\n'.encode(),
        2,
        "notes",
        "holds a control character (escape)",
    ),
]


@pytest.mark.parametrize("bad", CORPUS, ids=[c.name for c in CORPUS])
def test_a_bad_file_is_refused_naming_file_row_and_field_and_nothing_changes(
    db: Database, bad: Hostile
) -> None:
    before = everything(db)
    file_name = f"{bad.name.replace(' ', '-')}.csv"
    with pytest.raises(ImportRefused) as refused:
        load(db, bad.kind, bad.data, file_name)
    message = refused.value.message()
    assert message.startswith(f"{file_name} was not imported") and "nothing was changed" in message
    where = ", ".join(
        part
        for part in (
            f"row {bad.row}" if bad.row else "",
            f"field '{bad.field}'" if bad.field else "",
        )
        if part
    )
    line = f"  {file_name} {where}: {bad.says}" if where else f"  {file_name}"
    assert any(text.startswith(line) for text in message.splitlines()), message
    assert P0 not in message and "Forename" not in message  # never a pupil
    assert everything(db) == before


QUIRKY_BUT_VALID = [
    ("BOM", "marks", (f"\ufeffupn,date,session,code\n{P0},2025-09-04,AM,/\n").encode()),
    ("UTF-16", "marks", f"upn,date,session,code\n{P0},2025-09-04,PM,/\n".encode("utf-16")),
    (
        "UTF-16 without a byte-order mark",
        "marks",
        f"upn,date,session,code\n{P0},2025-09-04,PM,/\n".encode("utf-16-le"),
    ),
    (
        "UTF-16 big-endian without a byte-order mark",
        "marks",
        f"upn,date,session,code\n{P0},2025-09-04,PM,/\n".encode("utf-16-be"),
    ),
    (
        "Windows-1252",
        "pupils",
        f"{PUPILS_HEADER}\n{upns(1, start=700)[0]},Zoë,Brontë,2016-03-04,5,2021-09-01\n".encode(
            "cp1252"
        ),
    ),
    (
        "blank lines and CRLF",
        "marks",
        f"upn,date,session,code\r\n\r\n{P1},2025-09-04,AM,/\r\n\r\n".encode(),
    ),
    ("semicolons", "marks", f"upn;date;session;code\n{P1};04/09/2025;PM;N\n".encode()),
    # Months before admission (Z, a prospective pupil): kept, as the register shows it.
    ("a mark before admission", "marks", f"upn,date,session,code\n{P1},2021-03-02,AM,Z\n".encode()),
    (
        "quoted newlines",
        "behaviour",
        f'upn,date,type,category,notes\n{P1},2025-09-04,negative,Disruption,"one\ntwo"\n'.encode(),
    ),
]


@pytest.mark.parametrize(
    ("name", "kind", "data"), QUIRKY_BUT_VALID, ids=[q[0] for q in QUIRKY_BUT_VALID]
)
def test_a_quirky_but_valid_file_imports(tmp_path, name: str, kind: str, data: bytes) -> None:
    fresh = Database(tmp_path / "fresh.duckdb", key=None)
    load(fresh, "pupils", pupils_csv(PUPILS[:2]).encode(), "pupils.csv")
    result = load(fresh, kind, data, f"{name}.csv")
    assert result.rows_read == 1 and result.counts.new == 1


# --- what a file may cost: refused early, before it is read whole ------------------------------


def test_a_file_larger_than_an_import_reads_is_refused_unread(tmp_path, db: Database) -> None:
    before = everything(db)
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as file:  # 2 GB on paper, nothing on disk: never read
        file.write(b"upn,date,session,code\n")
        file.truncate(2 * 1024**3)
    with pytest.raises(ImportRefused) as refused:
        import_file(db, "marks", huge, school_urn=URN, today=TEST_TODAY)
    assert refused.value.problems[0].message.startswith(
        "is larger than 200 MB, the most one import reads (ROLLCALL_UPLOAD_LIMIT_MB)"
    )
    assert everything(db) == before


@pytest.mark.parametrize(
    ("kind", "limit", "data", "says"),
    [
        (
            "marks",
            "analytics.ingest.marks.MAX_MARKS",
            marks_csv([(u, WEEKDAYS[1], "AM", "/") for u in PUPILS]).encode(),
            "holds more than 100 marks, more than any one school's export",
        ),
        (
            "grid",
            "analytics.ingest.marks.MAX_MARKS",
            ("upn,2025-09-02 AM,2025-09-02 PM\n" + "".join(f"{u},/,/\n" for u in PUPILS)).encode(),
            "holds more than 100 marks, more than any one school's export",
        ),
        (
            "ctf",
            "analytics.ingest.marks.MAX_MARKS",
            ctf(*(ctf_pupil(u, "/,\\") for u in PUPILS[:51])).encode(),
            "holds more than 100 marks, more than any one school's export",
        ),
        (
            "ctf",
            "analytics.ingest.pupils.MAX_PUPILS",
            ctf(*(ctf_pupil(u, "/,\\") for u in PUPILS[:101])).encode(),
            "holds more than 100 pupils, more than any school has",
        ),
        (
            "pupils",
            "analytics.ingest.pupils.MAX_PUPILS",
            pupils_csv(upns(101, start=2000)).encode(),
            "holds more than 100 pupils, more than any school has",
        ),
    ],
)
def test_a_file_holding_more_than_any_schools_export_is_refused(
    db: Database, monkeypatch, kind: str, limit: str, data: bytes, says: str
) -> None:
    monkeypatch.setattr(limit, 100)
    before = everything(db)
    with pytest.raises(ImportRefused) as refused:
        load(db, kind, data, f"{kind}.csv")
    assert [p.message.split(":")[0] for p in refused.value.problems] == [says]
    assert everything(db) == before


def test_behaviour_and_exclusions_files_larger_than_any_schools_are_refused(
    db: Database, monkeypatch
) -> None:
    monkeypatch.setattr("analytics.ingest.behaviour.MAX_MEGABYTES", 1)
    notes = "x" * 1000
    rows = "".join(f"{P0},2025-09-03,negative,Disruption,{notes}\n" for _ in range(1100))
    with pytest.raises(ImportRefused) as refused:
        load(db, "behaviour", f"upn,date,type,category,notes\n{rows}".encode(), "b.csv")
    assert refused.value.problems[0].message.startswith(
        "is larger than 1 MB, more than any school's behaviour or exclusions export"
    )
