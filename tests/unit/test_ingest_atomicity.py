"""All or nothing: a file with one bad row among 20,000 good ones leaves every table as it was."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from analytics.ingest import ImportRefused, import_bytes
from analytics.store import Database, write
from tests.conftest import TEST_TODAY
from tests.fixtures.ingest.builders import (
    URN,
    ctf,
    ctf_pupil,
    marks_csv,
    pupils_csv,
    snapshot,
    upns,
)

PUPILS = upns(2_000)
DAYS = [d for d in (date(2025, 9, 1) + timedelta(n) for n in range(200)) if d.weekday() < 5][:100]
STRANGER = upns(1, start=90_000)[0]


def load(db: Database, kind: str, text: str, file_name: str | None = None, **options):
    options.setdefault("today", TEST_TODAY)
    options.setdefault("as_of", TEST_TODAY)
    return import_bytes(db, kind, file_name or f"{kind}.csv", text.encode("utf-8"), **options)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    """A school with 2,000 pupils and some marks, behaviour and exclusions (never changed here)."""
    database = Database(tmp_path_factory.mktemp("atomicity") / "rollcall.duckdb")
    load(database, "pupils", pupils_csv(PUPILS), school_urn=URN, school_name="Oak Academy")
    load(
        database,
        "marks",
        marks_csv([(u, DAYS[0], "AM", "/") for u in PUPILS[:500]]),
        file_name="a.csv",
    )
    load(
        database,
        "marks",
        marks_csv([(u, DAYS[0], "AM", "N") for u in PUPILS[:10]]),
        file_name="b.csv",
    )
    load(database, "behaviour", f"upn,date,type,category\n{PUPILS[0]},2025-09-02,+,Kindness\n")
    load(
        database,
        "exclusions",
        f"upn,start_date,category,sessions\n{PUPILS[1]},2025-09-02,suspension,2\n",
    )
    return database


def assert_refused_and_unchanged(
    db: Database, kind: str, text: str, row: int | None, field: str | None
) -> None:
    before = snapshot(db)
    with pytest.raises(ImportRefused) as caught:
        load(db, kind, text, file_name=f"big-{kind}.csv")
    assert (caught.value.problems[-1].row, caught.value.problems[-1].field) == (row, field)
    assert caught.value.total == 1
    assert snapshot(db) == before


def test_the_base_database_holds_data(db: Database) -> None:
    tables = snapshot(db)
    assert len(tables["enrolments"]) == 2_000
    assert len(tables["marks"]) == 500
    assert len(tables["mark_history"]) == 10
    assert len(tables["imports"]) == 5


def test_pupils_file_with_a_bad_last_row(db: Database) -> None:
    # 20,000 rows: the school's 2,000 pupils with a new year group, then 18,000 new pupils.
    text = pupils_csv(upns(20_000), year_group="6")
    lines = text.splitlines()
    lines[-1] = lines[-1].replace("2016-03-04", "31/02/2016")
    assert_refused_and_unchanged(db, "pupils", "\n".join(lines) + "\n", 20_001, "date_of_birth")


def marks_rows() -> list[tuple]:
    return [
        (u, d, s, "\\" if s == "PM" else "N")
        for u in PUPILS[:100]
        for d in DAYS
        for s in ("AM", "PM")
    ]


def test_marks_file_with_a_bad_last_row(db: Database) -> None:
    rows = marks_rows()
    assert len(rows) == 20_000
    rows[-1] = (*rows[-1][:3], "QQ")
    assert_refused_and_unchanged(db, "marks", marks_csv(rows), 20_001, "code")


def test_marks_file_whose_last_row_is_an_unknown_pupil(db: Database) -> None:
    # Refused only when merging (the pupil is looked up in the store): the transaction rolls back.
    rows = marks_rows()
    rows[-1] = (STRANGER, *rows[-1][1:])
    assert_refused_and_unchanged(db, "marks", marks_csv(rows), 20_001, "upn")


def test_grid_with_a_bad_last_cell(db: Database) -> None:
    columns = [f"{d.isoformat()} {s}" for d in DAYS[:5] for s in ("AM", "PM")]
    lines = ["upn," + ",".join(columns)] + [u + "," + ",".join(["/", "\\"] * 5) for u in PUPILS]
    lines[-1] = lines[-1][:-1] + "QQ"
    assert len(PUPILS) * len(columns) == 20_000
    assert_refused_and_unchanged(db, "grid", "\n".join(lines) + "\n", 2_001, columns[-1])


def test_ctf_with_a_bad_last_pupil(db: Database) -> None:
    pupils = [ctf_pupil(u, ",".join(["/", "\\"] * 100)) for u in PUPILS[:100]]
    pupils[-1] = ctf_pupil(PUPILS[99], ",".join(["/", "\\"] * 100), dob="2016-02-30")
    assert_refused_and_unchanged(db, "ctf", ctf(*pupils), 100, "DOB")


def behaviour_text(last_upn: str = PUPILS[0], last_type: str = "+") -> str:
    lines = ["upn,date,time,type,category,notes"]
    lines += [
        f"{u},{d},10:00,-,Disruption,n{n}"
        for n, (u, d) in enumerate((u, d) for u in PUPILS[:200] for d in DAYS)
    ]
    lines[-1] = f"{last_upn},{DAYS[0]},11:00,{last_type},Kindness,"
    assert len(lines) == 20_001
    return "\n".join(lines) + "\n"


def test_behaviour_file_with_a_bad_last_row(db: Database) -> None:
    assert_refused_and_unchanged(
        db, "behaviour", behaviour_text(last_type="neutral"), 20_001, "type"
    )


def test_behaviour_file_whose_last_row_is_an_unknown_pupil(db: Database) -> None:
    assert_refused_and_unchanged(db, "behaviour", behaviour_text(last_upn=STRANGER), 20_001, "upn")


def exclusions_text(last: str) -> str:
    lines = ["upn,start_date,end_date,category,sessions,reason_1"]
    lines += [f"{u},{d},{d},suspension,2,DB" for u in PUPILS for d in DAYS[10:20]]
    lines[-1] = last
    assert len(lines) == 20_001
    return "\n".join(lines) + "\n"


def test_exclusions_file_with_a_bad_last_row(db: Database) -> None:
    text = exclusions_text(f"{PUPILS[5]},2025-09-10,2025-09-09,suspension,2,DB")
    assert_refused_and_unchanged(db, "exclusions", text, 20_001, "end_date")


def test_exclusions_file_whose_last_row_is_an_unknown_pupil(db: Database) -> None:
    text = exclusions_text(f"{STRANGER},2025-09-10,,suspension,2,DB")
    assert_refused_and_unchanged(db, "exclusions", text, 20_001, "upn")


def test_a_failure_after_the_merge_rolls_everything_back(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even an unexpected error at the last step (writing the import log) leaves nothing behind."""

    def broken_log(*args, **kwargs) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(write, "record_import", broken_log)
    before = snapshot(db)
    with pytest.raises(RuntimeError):
        load(db, "marks", marks_csv(marks_rows()), file_name="c.csv")
    with pytest.raises(RuntimeError):
        load(
            db,
            "pupils",
            pupils_csv(upns(50, start=5_000)),
            file_name="new-pupils.csv",
            school_urn=URN + 7,
        )
    assert snapshot(db) == before
