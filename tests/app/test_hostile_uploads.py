"""Hostile uploads through the Import page: a file over the size limit, and formula injection from
upload to export."""

from __future__ import annotations

import io
import zipfile

import pytest

from analytics.reports.exports.csv import to_csv_bytes
from analytics.reports.exports.excel import to_xlsx_bytes
from analytics.store import read
from tests.fixtures.ingest.builders import URN, everything, pupils_csv, upns

FORMULAS = ['=HYPERLINK("http://example.invalid","Click")', "+SUM(1,2)", "-2+3", "@cmd", "\t=1"]


def upload(app, kind: str, name: str, data: bytes):
    app.selectbox(key="import_kind").set_value(kind).run()
    app.file_uploader(key="import_file").set_value((name, data, "text/csv"))
    app.run()
    return app.button(key="import_run").click().run()


@pytest.fixture
def school(db, load):
    load("pupils", pupils_csv(upns(3)), school_urn=URN, school_name="Oak Academy")
    return db


def test_a_file_over_the_upload_limit_is_refused_and_nothing_changes(open_app, school, monkeypatch):
    monkeypatch.setenv("ROLLCALL_UPLOAD_LIMIT_MB", "1")
    before = everything(school)
    app = open_app(school, as_role="data_manager").switch_page("pages/import_data.py").run()
    big = b"upn,date,session,code\n" + b"x" * (1024 * 1024 + 1)
    app = upload(app, "marks", "huge.csv", big)
    assert not app.exception
    assert app.error[0].value == "huge.csv is larger than 1 MB and was not imported."
    assert everything(school) == before


def test_a_file_at_the_upload_limit_is_read(open_app, school, monkeypatch):
    monkeypatch.setenv("ROLLCALL_UPLOAD_LIMIT_MB", "1")
    app = open_app(school, as_role="data_manager").switch_page("pages/import_data.py").run()
    padding = b"\n" * (1024 * 1024 - 200)  # blank lines: exactly at most the limit
    data = f"upn,date,session,code\n{upns(1)[0]},2025-09-01,AM,/\n".encode() + padding
    assert len(data) <= 1024 * 1024
    app = upload(app, "marks", "marks.csv", data)
    assert not app.exception and "1 row read; 1 new" in app.success[0].value


def test_formulas_in_an_upload_are_kept_as_text_and_never_run_in_an_export(open_app, school):
    app = open_app(school, as_role="data_manager").switch_page("pages/import_data.py").run()
    rows = [
        f'{upns(3)[n % 3]},2025-09-0{n + 1},negative,"{f.replace(chr(34), chr(34) * 2)}",{n},,,,"{f.replace(chr(34), chr(34) * 2)}"'
        for n, f in enumerate(FORMULAS)
    ]
    data = (
        "upn,date,type,category,points,severity,location,subject,staff\n" + "\n".join(rows) + "\n"
    ).encode()
    app = upload(app, "behaviour", "behaviour.csv", data)
    assert not app.exception and "5 rows read; 5 new" in app.success[0].value
    stored = read.behaviour_incidents(school).sort("date")
    assert stored["category"].to_list() == [
        f.strip() for f in FORMULAS
    ]  # kept as written (trimmed)
    exported = to_csv_bytes(stored.select("category", "staff")).decode().splitlines()[1:]
    for line in exported:
        assert line.startswith(("'", "\"'")), line  # each cell neutralised for Excel
    workbook = to_xlsx_bytes({"Behaviour": stored.select("category", "staff")})
    with zipfile.ZipFile(io.BytesIO(workbook)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet and "HYPERLINK" in strings  # text, not a formula


def page_text(app) -> str:
    """Every message, note and code block the page shows."""
    return "\n".join(
        str(element.value)
        for kind in (app.error, app.success, app.code, app.warning)
        for element in kind
    )


def test_a_header_joined_to_its_first_row_is_refused_and_shows_no_upn(open_app, school):
    before = everything(school)
    app = open_app(school, as_role="data_manager").switch_page("pages/import_data.py").run()
    first, second = upns(3)[:2]
    data = (
        f"upn,date,session,code,minutes_late\f{first},2025-09-01,AM,/,\n{second},2025-09-01,AM,/,\n"
    )
    app = upload(app, "marks", "marks.csv", data.encode())
    assert not app.exception and app.error
    assert "control character (form feed)" in page_text(app)
    assert first not in page_text(app) and first.lower() not in page_text(app)
    assert everything(school) == before


def test_the_ignored_columns_note_names_no_pupil_data(open_app, school):
    app = open_app(school, as_role="data_manager").switch_page("pages/import_data.py").run()
    first, second = upns(3)[:2]
    data = f"upn,date,session,code,Zelda,2016-03-04\n{first},2025-09-01,AM,/,x,y\n"
    app = upload(app, "marks", "marks.csv", data.encode())
    assert not app.exception and "1 row read; 1 new" in app.success[0].value
    assert "ignored columns: 2 whose headings are not shown" in app.success[0].value
    text = page_text(app) + "\n" + str(app.dataframe[0].value if app.dataframe else "")
    assert "zelda" not in text.lower() and "2016" not in text


def test_a_control_character_in_a_name_is_refused_at_its_row(open_app, school):
    before = everything(school)
    app = open_app(school, as_role="data_manager").switch_page("pages/import_data.py").run()
    text = pupils_csv(upns(1, start=50)).replace("Surname0", "Sur\x00name0")
    app = upload(app, "pupils", "pupils.csv", text.encode())
    assert not app.exception and app.error
    assert "pupils.csv row 2, field 'surname': holds a control character (NUL)" in page_text(app)
    assert everything(school) == before


def test_codes_a_later_import_replaced_go_back_only_when_ticked(open_app, school):
    first, second, _ = upns(3)
    days = ["2025-09-01", "2025-09-02", "2025-09-03"]
    autumn = "upn,date,session,code\n" + "".join(
        f"{second},{d},AM,N\n{first},{d},AM,/\n" for d in days
    )
    correction = "upn,date,session,code\n" + "".join(f"{second},{d},AM,I\n" for d in days)
    app = open_app(school, as_role="data_manager").switch_page("pages/import_data.py").run()
    app = upload(app, "marks", "autumn.csv", autumn.encode())
    app = upload(app, "marks", "correction.csv", correction.encode())
    assert "3 changed" in app.success[0].value
    # The same rows saved with Windows line endings: the same file, nothing changes.
    app = upload(app, "marks", "autumn-crlf.csv", autumn.replace("\n", "\r\n").encode())
    assert "this file was imported before; nothing changed" in app.success[0].value
    before = everything(school)
    again = autumn + f"{first},2025-09-04,AM,/\n"
    app = upload(app, "marks", "autumn-2.csv", again.encode())
    assert not app.exception and app.error
    assert "would put back 3 codes that later imports replaced" in page_text(app)
    assert "01 Sep 2025 AM: N in place of I (1 mark)" in page_text(app)
    assert second not in page_text(app)
    assert everything(school) == before
    app.checkbox(key="import_restore_replaced").check().run()
    app = upload(app, "marks", "autumn-2.csv", again.encode())
    assert (
        not app.exception and "put back 3 codes that later imports replaced" in app.success[0].value
    )
