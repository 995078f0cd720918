"""Reading CSV exports: encodings, delimiters, headers, blank lines, quoting and row numbers."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl
import pytest

from analytics.ingest import ImportRefused
from analytics.ingest.behaviour import parse_behaviour
from analytics.ingest.marks import parse_marks
from analytics.ingest.source import BLOCK_BYTES, Source
from analytics.ingest.table import MAX_LINE_BYTES, decode, normalise_header, read_table
from analytics.store import read
from tests.conftest import TEST_TODAY
from tests.fixtures.ingest.builders import URN, pupils_csv, upn

U0, U1 = upn(1), upn(2)


def table(text: str | bytes, required=("a", "b"), optional=("c",)):
    """The file's header, with every row read into `frame` (as the importers read them, a chunk
    at a time)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    parsed = read_table("t.csv", data, required=required, optional=optional)
    parsed.frame = pl.concat(list(parsed.chunks()))
    return parsed


def refusal(text: str | bytes, **kwargs) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        table(text, **kwargs)
    return caught.value


def rows(text: str | bytes) -> list[tuple]:
    return table(text).frame.select("_row", "a", "b").rows()


# --- encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("upn,surname\nX,Renée\n".encode(), "upn,surname\nX,Renée\n"),
        (b"\xef\xbb\xbf" + "upn,surname\nX,Renée\n".encode(), "upn,surname\nX,Renée\n"),
        ("upn,surname\nX,Renée\n".encode("cp1252"), "upn,surname\nX,Renée\n"),
        ("upn,surname\nX,Renée\n".encode("utf-16"), "upn,surname\nX,Renée\n"),
        (b"\xfe\xff" + "upn,surname\nX,Renée\n".encode("utf-16-be"), "upn,surname\nX,Renée\n"),
        # cp1252 leaves 0x81 undefined: such a file still reads (as Latin-1).
        (b"upn,surname\nX,Ren\x81e\n", "upn,surname\nX,Ren\x81e\n"),
        ("upn,surname\nX,O’Neill – Smith\n".encode("cp1252"), "upn,surname\nX,O’Neill – Smith\n"),
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "cp1252",
        "utf16-le-bom",
        "utf16-be-bom",
        "latin1-fallback",
        "cp1252-quotes",
    ],
)
def test_decode_reads_every_accepted_encoding(data: bytes, expected: str) -> None:
    assert decode(data) == expected


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
        lambda t: t.encode("cp1252"),
        lambda t: t.encode("utf-16"),
    ],
    ids=["utf8", "utf8-bom", "cp1252", "utf16"],
)
def test_a_surname_with_an_accent_is_stored_as_written_whatever_the_encoding(
    db, load, encode
) -> None:
    text = pupils_csv([U0]).replace("Surname0", "Renée").replace("Forename0", "Zoë")
    load("pupils", encode(text), school_urn=URN)
    pupil = read.enrolments(db).row(0, named=True)
    assert (pupil["forename"], pupil["surname"]) == ("Zoë", "Renée")


def test_the_bom_does_not_become_part_of_the_first_header() -> None:
    parsed = table(b"\xef\xbb\xbfa,b\n1,2\n")
    assert parsed.columns == ["a", "b"]


def test_a_file_marked_utf8_with_a_broken_byte_is_refused_at_its_row() -> None:
    error = refusal(b"\xef\xbb\xbfa,b\n1,2\n3,\xff\xfe\n")
    assert error.problems[0].row == 3
    assert "UTF-8" in error.problems[0].message


def test_a_file_of_utf8_with_one_windows_1252_row_is_refused_at_that_row() -> None:
    """Read as Windows-1252, the UTF-8 rows' names would be stored garbled ('ZoÃ«')."""
    data = "upn,forename\nA,Zoë\n".encode() + "B,Renée\n".encode("cp1252")
    error = refusal(data)
    assert error.problems[0].row == 3
    assert "mixes two encodings" in error.problems[0].message
    assert "Ren" not in str(error)


def test_a_truncated_utf16_file_is_refused() -> None:
    error = refusal("a,b\n1,2\n".encode("utf-16") + b"\x00")
    assert "UTF-16" in error.problems[0].message


# --- delimiters and headers ------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_found_from_the_header(delimiter: str) -> None:
    parsed = table(f"a{delimiter}b{delimiter}c\n1{delimiter}2{delimiter}3\n")
    assert parsed.columns == ["a", "b", "c"]
    assert parsed.frame.select("a", "b", "c").rows() == [("1", "2", "3")]


def test_semicolon_file_with_commas_inside_values() -> None:
    parsed = table("a;b;c\n1;2;Smith, Jones\n")
    assert parsed.frame.select("a", "b", "c").rows() == [("1", "2", "Smith, Jones")]


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        (" UPN ", "upn"),
        ("Date Of Birth", "date_of_birth"),
        ("Year-Group", "year_group"),
        ('"Admission  Date"', "admission_date"),
        ("MINUTES_LATE", "minutes_late"),
        ("2025-09-03 AM", "2025-09-03 AM"),
        ("Wed 03/09/2025 pm", "Wed 03/09/2025 pm"),
    ],
)
def test_header_case_and_spacing_are_normalised(raw: str, normalised: str) -> None:
    assert normalise_header(raw) == normalised


def test_a_header_in_other_case_and_spacing_reads_as_the_contract() -> None:
    parsed = table(" A ;B  ; C\n1;2;3\n")
    assert parsed.columns == ["a", "b", "c"]


def test_a_missing_required_column_is_named_on_row_1() -> None:
    error = refusal("a,c\n1,2\n")
    assert [(p.row, p.field) for p in error.problems] == [(1, "b")]
    assert "t.csv row 1, field 'b': is a required column and is missing" in str(error)


def test_a_duplicated_header_is_refused() -> None:
    error = refusal("a,b,A\n1,2,3\n")
    assert [(p.row, p.field, p.message) for p in error.problems] == [
        (1, "a", "appears twice in the header")
    ]


def test_trailing_blank_header_columns_from_excel_are_ignored() -> None:
    parsed = table("a,b,,,\n1,2,,,\n3,4,,,\n")
    assert parsed.columns == ["a", "b"]
    assert parsed.ignored_columns == []
    assert parsed.frame.select("a", "b").rows() == [("1", "2"), ("3", "4")]


def test_unknown_columns_are_ignored_and_listed() -> None:
    parsed = table("a,Pupil Name,b,Notes\n1,x,2,y\n")
    assert parsed.columns == ["a", "b"]
    assert parsed.ignored_columns == ["pupil_name", "notes"]


def test_an_ignored_heading_longer_than_any_heading_is_counted_not_named() -> None:
    parsed = table("a,b," + ",".join(["x" * 41, "Tutor", "ks2_score"]) + "\n1,2,3,4,5\n")
    assert parsed.notes() == [
        "ignored columns: tutor, ks2_score and 1 more whose heading is not shown "
        "(they look like pupil data, not column names)"
    ]


def test_when_an_ignored_heading_holds_data_no_ignored_heading_is_named() -> None:
    # A data row run into the header: its name, date of birth and the rest become headings.
    parsed = table("a,b,Zelda,Quixote,2016-03-04\n1,2,3,4,5\n")
    assert parsed.notes() == [
        "ignored columns: 3 whose headings are not shown "
        "(they look like pupil data, not column names)"
    ]


def test_a_header_holding_a_upn_is_refused_without_showing_it() -> None:
    error = refusal(f"a,b{U0},Zelda\n1,2,3\n")
    assert [(p.row, p.field) for p in error.problems] == [(1, None)]
    assert "holds a UPN among its column names" in str(error)
    assert U0 not in str(error) and "Zelda" not in str(error)


@pytest.mark.parametrize(
    ("character", "name"),
    [
        ("\x00", "NUL"),
        ("\f", "form feed"),
        ("\v", "vertical tab"),
        ("\x1b", "escape"),
        ("\x85", "U+0085"),
    ],
)
def test_a_header_holding_a_control_character_is_refused(character: str, name: str) -> None:
    error = refusal(f"a,b,c{character}{U0},x\n1,2,3\n")
    assert [(p.row, p.field) for p in error.problems] == [(1, None)]
    assert f"holds a control character ({name})" in str(error)
    assert U0 not in str(error)


# --- rows and row numbers --------------------------------------------------------------------


def test_blank_lines_are_skipped_and_row_numbers_still_match_the_spreadsheet() -> None:
    assert rows("a,b\n1,2\n\n3,4\n,\n \n5,6\n") == [(2, "1", "2"), (4, "3", "4"), (7, "5", "6")]
    assert table("a,b\n1,2\n\n3,4\n").rows_read == 2


def test_blank_lines_before_the_header_move_every_row_number_down() -> None:
    assert rows("\n\na,b\n1,2\n3,4\n") == [(4, "1", "2"), (5, "3", "4")]
    assert rows("  \r\n\r\na,b\r\n1,2\r\n") == [(4, "1", "2")]


def test_windows_line_endings() -> None:
    assert rows("a,b\r\n1,2\r\n\r\n3,4\r\n") == [(2, "1", "2"), (4, "3", "4")]


def test_quoted_fields_keep_embedded_newlines_and_commas() -> None:
    parsed = table('a,b,c\n1,"two, three","line one\nline two"\n4,5,6\n')
    assert parsed.frame.select("_row", "b", "c").rows() == [
        (2, "two, three", "line one\nline two"),
        (3, "5", "6"),
    ]


def test_a_row_with_too_many_fields_is_named() -> None:
    error = refusal("a,b\n1,2\n3,4,5\n6,7\n")
    assert [(p.row, p.field) for p in error.problems] == [(3, None)]
    assert "has 3 fields but the header has 2" in str(error)


def test_trailing_empty_fields_past_the_header_are_cut_off() -> None:
    """Excel writes them; they carry nothing. A non-empty one is still refused."""
    assert rows("a,b\n1,2,\n3,4, ,\n") == [(2, "1", "2"), (3, "3", "4")]
    error = refusal("a,b\n1,2,\n3,4,,x\n")
    assert [(p.row, p.field) for p in error.problems] == [(3, None)]
    assert "has 4 fields but the header has 2" in str(error)


def test_old_mac_line_endings_are_read() -> None:
    assert rows("a,b\r1,2\r3,4\r") == [(2, "1", "2"), (3, "3", "4")]


def test_row_numbers_of_a_ragged_row_count_quoted_newlines_as_one_row() -> None:
    error = refusal('a,b\n"x\ny",2\n3,4,5\n')
    assert error.problems[0].row == 3


def test_a_row_with_too_few_fields_leaves_the_rest_empty() -> None:
    assert rows("a,b\n1\n") == [(2, "1", None)]


def test_an_unclosed_quote_is_refused_at_its_row() -> None:
    error = refusal('a,b\n1,2\n"3,4\n5,6\n')
    assert error.problems[0].row == 3
    assert "quoted field" in error.problems[0].message


def test_an_enormous_field_is_read_and_checked_not_crashed_on(db, load) -> None:
    load("pupils", pupils_csv([U0]), school_urn=URN)
    huge = "x" * 500_000
    data = f"upn,date,type,category,notes\n{U0},2025-09-03,positive,Kindness,{huge}\n".encode()
    with pytest.raises(ImportRefused) as caught:
        parse_behaviour("b.csv", data, school_urn=URN, today=TEST_TODAY)
    assert [(p.row, p.field) for p in caught.value.problems] == [(2, "notes")]
    assert huge[:100] not in str(caught.value)


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_a_line_longer_than_any_row_is_refused_at_its_row(line_end: str) -> None:
    rows = line_end.join(["a,b", "1,2", "3,4", "5," + "0" * (MAX_LINE_BYTES + 1), "7,8"])
    error = refusal(rows)
    assert [(p.row, p.field) for p in error.problems] == [(4, None)]
    assert "is longer than 1 MB, longer than any row of a register export" in str(error)


def test_a_line_just_short_of_the_limit_is_read() -> None:
    long = "x" * (MAX_LINE_BYTES - 10)
    assert rows(f"a,b\n1,{long}\n3,4\n") == [(2, "1", long), (3, "3", "4")]


def test_a_file_of_zeros_with_no_new_line_is_refused_after_reading_one_block() -> None:
    """A header, one row, then zeros: refused from the first block, not read whole."""

    class Endless(Source):
        def blocks(self, size: int = BLOCK_BYTES) -> Iterator[bytes]:
            yield b"a,b\n1,2\n" + b"0" * (size - 8)
            raise AssertionError("read past the first block")

    with pytest.raises(ImportRefused) as caught:
        read_table("zeros.csv", Endless("zeros.csv", data=b"a,b\n"), required=("a", "b"))
    assert [(p.row, p.field) for p in caught.value.problems] == [(3, None)]


def test_rows_are_read_in_chunks_ending_at_whole_rows() -> None:
    """A quoted new line at a block's end does not cut its row in two."""
    lines = [f'{n},"x\ny"' if n % 3 == 0 else f"{n},{n}" for n in range(40)]
    text = "\n".join(lines) + "\n"
    parsed = read_table("t.csv", b"a,b\n", required=("a", "b"))
    parsed.rest = iter(text[start : start + 16] for start in range(0, len(text), 16))
    chunks = [chunk.select("_row", "a", "b").rows() for chunk in parsed.chunks()]
    assert len(chunks) > 5
    assert [row for chunk in chunks for row in chunk] == [
        (n + 2, str(n), "x\ny" if n % 3 == 0 else str(n)) for n in range(40)
    ]


def test_an_enormous_header_field_is_refused_not_crashed_on() -> None:
    error = refusal("a,b," + "c" * 200_000 + "\n1,2,3\n")
    assert [(p.row, p.field) for p in error.problems] == [(1, None)]
    assert "header" in error.problems[0].message
    assert len(str(error)) < 500


@pytest.mark.parametrize("data", [b"", b"\n\n\r\n", b"   \n", b"\xef\xbb\xbf", "".encode("utf-16")])
def test_an_empty_file_is_refused(data: bytes) -> None:
    error = refusal(data)
    assert [p.message for p in error.problems] == ["is empty"]


def test_a_header_only_file_reads_no_rows() -> None:
    parsed = table("a,b\n")
    assert parsed.rows_read == 0
    assert parsed.frame.height == 0


def test_values_are_trimmed_and_blank_values_are_empty() -> None:
    assert rows("a,b\n  1  ,   \n") == [(2, "1", None)]


def test_marks_file_in_semicolons_with_excel_header_reads(db, load) -> None:
    load("pupils", pupils_csv([U0]), school_urn=URN)
    data = f"UPN;Date;Session;Code;;\r\n{U0};03/09/2025;am;/;;\r\n".encode("cp1252")
    batch = parse_marks("m.csv", data, today=TEST_TODAY)
    assert batch.marks.select("upn", "session", "code").rows() == [(U0, "AM", "/")]


def test_a_repeated_column_that_is_not_read_is_ignored_not_refused() -> None:
    parsed = table("a,Name,b,Name\n1,x,2,y\n")
    assert parsed.columns == ["a", "b"]
    assert parsed.ignored_columns == ["name"]


def test_a_column_named_like_an_internal_one_is_ignored() -> None:
    parsed = table("_row,a,b,_blank_1\n9,1,2,3\n")
    assert rows("_row,a,b\n9,1,2\n") == [(2, "1", "2")]
    assert parsed.ignored_columns == ["_row", "_blank_1"]
