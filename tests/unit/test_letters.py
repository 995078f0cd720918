"""Letters: merge fields rendered in the sandbox (a missing field or an unsafe template refused,
naming only the template), numbers in words, and `rollcall letters`: one PDF per family with
siblings together, a merged PDF to print, the PDFs' text read back, each letter recorded in the
pupils' chronologies with its PDF, not sent twice, and a dry run that writes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pypdfium2 as pdfium
import pytest

from analytics.cli import main
from analytics.reports.letters.render import (
    LetterTemplateError,
    default_template,
    in_words,
    render,
)
from analytics.store import Database
from analytics.store import interventions as intervention_store
from analytics.store import stages as stage_store
from tests.fixtures.ingest.builders import URN, upns

A, B, C, D, E = upns(5)
AS_OF = date(2025, 9, 26)

ONE_STAGE = """
[[stage]]
key = "concern"
name = "Stage 1: concern"
action = { kind = "letter", template = "concern" }
review_school_weeks = 4
[stage.criteria]
attendance_below = 95

[[stage]]
key = "notice"
name = "Stage 2: Notice to Improve"
action = { kind = "notice_to_improve", template = "notice_to_improve" }
review_school_weeks = 4
[stage.criteria]
attendance_below = 10
"""


def flat(text: str) -> str:
    """Text with its line breaks (where the PDF wrapped it) read as spaces."""
    return " ".join(text.split())


def pdf_text(content: bytes) -> list[str]:
    """The text of each page of a PDF."""
    document = pdfium.PdfDocument(content)
    return [page.get_textpage().get_text_range() for page in document]


# --- rendering ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "zero"),
        (9, "nine"),
        (19, "nineteen"),
        (20, "twenty"),
        (21, "twenty-one"),
        (100, "one hundred"),
        (101, "one hundred and one"),
        (340, "three hundred and forty"),
        (1000, "one thousand"),
        (1005, "one thousand and five"),
        (2380, "two thousand three hundred and eighty"),
    ],
)
def test_numbers_in_words(number, words):
    assert in_words(number) == words


def test_a_missing_merge_field_is_named_and_nothing_else():
    with pytest.raises(LetterTemplateError, match="template 'concern': .*'nmae'"):
        render("concern", "Dear {{ parent.nmae }}", {"parent": {"name": "Ann Ames"}})


@pytest.mark.parametrize(
    "text",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ pupils.append(1) }}",
        "{% for c in ().__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    ],
)
def test_the_sandbox_refuses_what_a_letter_may_not_use(text):
    with pytest.raises(LetterTemplateError, match="may not use"):
        render("mine", text, {"pupils": []})


def test_a_template_with_a_syntax_error_names_its_line():
    with pytest.raises(LetterTemplateError, match="template 'mine', line 2"):
        render("mine", "Dear parent,\n{% for p in pupils %}\n", {"pupils": []})


def test_merged_values_cannot_change_the_formatting():
    text = render("mine", "Dear {{ parent.name }}", {"parent": {"name": "# **Ann** --Ames__"}})
    assert text == "Dear  *Ann* -Ames_"


def test_every_default_template_renders_with_the_documented_fields():
    pupil = {
        "forename": "Ann",
        "surname": "Ames",
        "name": "Ann Ames",
        "year_group": "5",
        "form": "5A",
        "attendance": "80.0%",
        "sessions_possible": 40,
        "sessions_missed": 8,
        "sessions_missed_words": "eight",
        "unauthorised": 8,
        "unauthorised_words": "eight",
        "stage": "Stage 1: concern",
        "since": "5 September 2025",
    }
    fields = {
        "school": {"name": "Oakfield Primary", "urn": URN},
        "parent": {"name": "Mrs Ames", "address": ["1 High Street", "AB1 2CD"]},
        "pupils": [pupil],
        "pupil": pupil,
        "stage": {"name": "Stage 1: concern", "action": "A letter"},
        "date": "26 September 2025",
        "year_start": "1 August 2025",
        "review_due": "24 October 2025",
        "leave": {
            "first_day": "6 October 2025",
            "last_day": "10 October 2025",
            "reason": "a family wedding abroad",
            "decision": "refused",
            "decided_by": "Head teacher",
            "decided_on": "29 September 2025",
        },
    }
    for name in (
        "concern",
        "meeting",
        "penalty_warning",
        "notice_to_improve",
        "leave_refused",
        "leave_agreed",
        "letterhead",
    ):
        assert "Oakfield Primary" in render(
            name, default_template(name), fields
        ) or name.startswith("leave")


# --- rollcall letters ---------------------------------------------------------------------------


def weekdays(first: date, last: date) -> list[date]:
    return [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() < 5
    ]


@pytest.fixture
def school(tmp_path):
    """A and B are siblings (one contact, one postcode), C has a contact of their own, D none;
    A, B, C and D miss every Monday (`O`), E misses nothing."""
    db = tmp_path / "t.duckdb"
    pupils = (
        "upn,forename,surname,date_of_birth,year_group,admission_date,form,address,postcode\n"
        f"{A},Ann,Ames,2015-03-12,5,2024-09-02,5A,1 High Street,AB1 2CD\n"
        f"{B},Bea,Ames,2017-01-01,3,2024-09-02,3B,1 High Street,AB1 2CD\n"
        f"{C},Cy,Cole,2015-02-02,5,2024-09-02,5A,2 Low Road,AB1 3EF\n"
        f'{D},Di,Dee,2015-02-02,5,2024-09-02,5B,"3 Mill Lane, Oakfield",AB1 4GH\n'
        f"{E},Ed,Eve,2015-02-02,5,2024-09-02,5B,,\n"
    )
    (tmp_path / "pupils.csv").write_text(pupils)
    contacts = (
        "upn,contact_name,relationship,priority,phone,address,postcode,lives_with_pupil\n"
        f"{A},Mrs Alice Ames,Mother,1,01234 567890,1 High Street,AB1 2CD,Y\n"
        f"{B},Mrs Alice Ames,Mother,1,01234 567890,1 High Street,AB1 2CD,Y\n"
        f"{B},Mr Bob Ames,Father,2,01234 567891,9 Far Away,ZZ9 9ZZ,N\n"
        f"{C},Mr Carl Cole,Father,1,01234 567892,2 Low Road,AB1 3EF,Y\n"
    )
    (tmp_path / "contacts.csv").write_text(contacts)
    lines = ["upn,date,session,code"]
    for day in weekdays(date(2025, 9, 1), AS_OF):
        for session in ("AM", "PM"):
            for upn in (A, B, C, D):
                lines.append(f"{upn},{day},{session},{'O' if day.weekday() == 0 else '/'}")
            lines.append(f"{E},{day},{session},/")
    (tmp_path / "marks.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "stages.toml").write_text(ONE_STAGE)
    options = ["--db", str(db)]
    for kind, extra in (
        ("pupils", ["--school", str(URN), "--as-of", "2025-09-12"]),
        ("marks", []),
        ("contacts", []),
    ):
        assert main([*options, "import", kind, str(tmp_path / f"{kind}.csv"), *extra]) == 0
    return db


def letters(db, tmp_path, *extra: str) -> int:
    return main(
        [
            "--db",
            str(db),
            "letters",
            "--stage",
            "concern",
            "--as-of",
            AS_OF.isoformat(),
            "--out",
            str(tmp_path / "letters"),
            "--stages",
            str(tmp_path / "stages.toml"),
            *extra,
        ]
    )


def test_one_letter_per_family_with_siblings_together(school, tmp_path, capsys):
    assert letters(school, tmp_path) == 0
    out = tmp_path / "letters"
    families = sorted(p.name for p in out.glob("*-family-*.pdf"))
    assert families == [f"{URN}-concern-family-{n:04d}.pdf" for n in (1, 2, 3)]
    merged = pdf_text((out / f"{URN}-concern-all-2025-09-26.pdf").read_bytes())
    assert len(merged) == 3
    texts = {name: pdf_text((out / name).read_bytes())[0] for name in families}
    assert merged == [texts[name] for name in families]
    ames = next(t for t in texts.values() if "Alice" in t)
    # Both siblings in one letter, to the contact they live with, at her address.
    assert "Mrs Alice Ames\r\n1 High Street\r\nAB1 2CD" in ames
    assert "Dear Mrs Alice Ames," in ames
    assert "Your children's attendance" in ames
    assert "- Ann Ames (5A): attendance this year is 80.0%" in flat(ames)
    assert "- Bea Ames (3B): attendance this year is 80.0%" in flat(ames)
    # 4 Mondays of 20 school days: 8 of 40 sessions, all unauthorised, in words and figures.
    assert "missed eight (8) of 40 sessions this school year, eight (8) of them without" in flat(
        ames
    )
    assert "26 September 2025" in ames
    assert "We will review attendance again by 3 October 2025." in flat(ames)  # 4 weeks on
    dee = next(t for t in texts.values() if "Di Dee" in t)
    assert "The parent or carer of Di Dee\r\n3 Mill Lane\r\nOakfield\r\nAB1 4GH" in dee
    assert "Dear Parent or Carer," in dee
    assert not any("Ed Eve" in t for t in texts.values())
    printed = capsys.readouterr().out
    assert "3 letters (Stage 1: concern) for 4 pupils" in printed
    assert not any(name in printed for name in ("Ames", "Cole", "Dee", "Alice"))


def test_each_letter_is_in_the_chronology_with_its_pdf(school, tmp_path):
    assert letters(school, tmp_path) == 0
    db = Database(school)
    log = intervention_store.interventions(db)
    assert log.height == 4
    assert set(log["type"]) == {"Letter"} and set(log["date"]) == {AS_OF}
    ames = log.filter(pl.col("notes").str.contains("one letter for 2 pupils"))
    assert ames.height == 2
    assert ames["notes"][0].startswith("Stage letter concern (Stage 1: concern): ")
    kept = stage_store.documents_of(db, log["intervention_id"].to_list())
    assert kept.height == 4
    # The stage moves the letters follow from are kept too.
    moves = stage_store.stage_moves(db, [URN], 2025)
    assert moves.height == 4 and set(moves["to_stage"]) == {1}
    for row in log.iter_rows(named=True):
        name, content = stage_store.document(db, row["intervention_id"])
        assert name in row["notes"]
        assert content == (tmp_path / "letters" / name).read_bytes()


def test_a_letter_already_sent_is_not_sent_again(school, tmp_path, capsys):
    assert letters(school, tmp_path) == 0
    capsys.readouterr()
    assert letters(school, tmp_path) == 0
    printed = capsys.readouterr().out
    assert "0 letters (Stage 1: concern) for 0 pupils" in printed
    assert "4 in the stage already had its letter" in printed
    assert intervention_store.interventions(Database(school)).height == 4


def test_a_dry_run_writes_and_records_nothing(school, tmp_path, capsys):
    assert letters(school, tmp_path, "--dry-run") == 0
    printed = capsys.readouterr().out
    assert printed.startswith("dry run, nothing written or recorded: 3 letters")
    assert not (tmp_path / "letters").exists()
    assert intervention_store.interventions(Database(school)).is_empty()


def test_a_schools_own_copy_of_a_template_is_used(school, tmp_path):
    stage_store.save_template(
        Database(school),
        URN,
        "concern",
        "Hello {{ parent.name }}, about {{ pupil.forename }}.",
        "tester",
    )
    assert letters(school, tmp_path) == 0
    text = pdf_text((tmp_path / "letters" / f"{URN}-concern-family-0001.pdf").read_bytes())[0]
    # Family 1 is the Ameses, the first pupil by form and name Bea (3B).
    assert text.strip().endswith("Hello Mrs Alice Ames, about Bea.")


def test_a_template_that_cannot_render_is_refused_whole(school, tmp_path, capsys):
    stage_store.save_template(Database(school), URN, "concern", "Hello {{ parent.nam }}", "tester")
    assert letters(school, tmp_path) == 2
    assert "template 'concern'" in capsys.readouterr().err
    assert not (tmp_path / "letters").exists()
    assert intervention_store.interventions(Database(school)).is_empty()


def test_an_unknown_stage_is_refused(school, tmp_path, capsys):
    assert (
        main(
            [
                "--db",
                str(school),
                "letters",
                "--stage",
                "nonsuch",
                "--as-of",
                AS_OF.isoformat(),
                "--out",
                str(tmp_path / "letters"),
                "--stages",
                str(tmp_path / "stages.toml"),
            ]
        )
        == 2
    )
    assert "no stage 'nonsuch'" in capsys.readouterr().err


def test_the_readmes_letter_template_renders():
    from analytics.settings import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text("utf-8")
    text = readme.split("```markdown\n", 1)[1].split("```", 1)[0]
    pupil = {
        "forename": "Ann",
        "name": "Ann Ames",
        "form": "5A",
        "year_group": "5",
        "attendance": "84.2%",
        "sessions_missed": 23,
        "sessions_missed_words": in_words(23),
        "sessions_possible": 146,
        "unauthorised": 4,
        "unauthorised_words": in_words(4),
    }
    fields = {
        "parent": {"name": "Mrs Ames"},
        "pupils": [pupil],
        "pupil": pupil,
        "school": {"name": "Oakfield Primary"},
        "review_due": "4 December 2025",
    }
    letter = render("concern", text, fields)
    assert "# Ann's attendance" in letter
    assert "has missed twenty-three (23) of 146 sessions" in letter
