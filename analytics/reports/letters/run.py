"""The letters of a stage: one per family (siblings at the school together) for the pupils in the
stage who have not yet had its letter since they entered it, the merged PDF to print, and each
letter recorded in every pupil's chronology with its PDF.

A family is the contact a letter goes to: the first contact by priority who lives with the pupil
(else the first), known by their name and postcode; pupils with the same one share a letter.
A pupil with no contact gets a letter of their own, to "the parent or carer of" them at the
pupil's address (when the pupils file gives one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from datetime import date

import polars as pl

from analytics.domain.calendar import academic_year_bounds, academic_year_of
from analytics.domain.interventions import Entry
from analytics.domain.rounding import percent_text
from analytics.domain.stages import Stage
from analytics.pipelines.windows import Window
from analytics.reports.coordinator.stages import StageReport
from analytics.reports.inputs.totals import load_totals
from analytics.reports.letters.documents import Letter, letters_pdf
from analytics.reports.letters.render import (
    LetterTemplateError,
    default_template,
    in_words,
    letter_date,
    render,
)
from analytics.store import Database, read
from analytics.store import contacts as contact_store
from analytics.store import interventions as intervention_store
from analytics.store import stages as stage_store

#: The intervention a stage's letter is recorded as (a Notice to Improve is its own type).
LETTER = "Letter"
NOTICE_TO_IMPROVE = "Notice to improve"
#: How a stage letter's entry starts its notes (so a letter already sent is known).
NOTE_PREFIX = "Stage letter"


def templates_for(db: Database, school_urn: int) -> dict[str, str]:
    """Every template as the school uses it: its own copy, else the default."""
    from analytics.reports.letters.render import DEFAULT_TEMPLATES

    own = stage_store.school_templates(db, school_urn)
    return {name: own.get(name) or default_template(name) for name in DEFAULT_TEMPLATES}


def addressees(pupils: pl.DataFrame, contacts: pl.DataFrame, details: pl.DataFrame) -> pl.DataFrame:
    """One row per pupil (`enrolment_id`): `family` (a number, the same for pupils sharing an
    addressee, in order of first pupil), `parent_name` and `address_lines` (a list)."""
    first = (
        contacts.lazy()
        .sort("enrolment_id", pl.col("lives_with_pupil").fill_null(True).not_(), "priority")
        .group_by("enrolment_id", maintain_order=True)
        .first()
        .select(
            "enrolment_id",
            pl.col("contact_name").alias("parent_name"),
            pl.col("address").alias("contact_address"),
            pl.col("postcode").alias("contact_postcode"),
        )
    )
    address = pl.coalesce("contact_address", "address")
    postcode = pl.coalesce("contact_postcode", "postcode")
    rows = (
        pupils.lazy()
        .select("enrolment_id", "forename", "surname")
        .join(first, on="enrolment_id", how="left", maintain_order="left")
        .join(
            details.lazy().select("enrolment_id", "address", "postcode"),
            on="enrolment_id",
            how="left",
            maintain_order="left",
        )
        .with_columns(
            pl.when(pl.col("parent_name").is_not_null())
            .then(
                pl.format(
                    "{}|{}",
                    pl.col("parent_name").str.strip_chars().str.to_lowercase(),
                    postcode.fill_null("").str.replace_all(" ", "").str.to_uppercase(),
                )
            )
            .otherwise(pl.format("pupil|{}", pl.col("enrolment_id")))
            .alias("_key"),
            pl.concat_list(
                pl.coalesce(
                    "parent_name",
                    pl.format(
                        "The parent or carer of {} {}", pl.col("forename"), pl.col("surname")
                    ),
                ),
                address.fill_null("").str.replace_all(r"\s*[\n,]\s*", "\n").str.split("\n"),
                postcode.fill_null(""),
            )
            .list.eval(pl.element().filter(pl.element().str.strip_chars() != ""))
            .alias("address_lines"),
            pl.col("parent_name").fill_null("Parent or Carer"),
        )
    )
    # Families numbered in the order of their first pupil, as the pupils are given.
    order = (
        rows.with_row_index("_order")
        .group_by("_key")
        .agg(pl.col("_order").min())
        .sort("_order")
        .with_row_index("family", offset=1)
        .select("_key", pl.col("family").cast(pl.Int32))
    )
    return (
        rows.join(order, on="_key", maintain_order="left")
        .select("enrolment_id", "family", "parent_name", "address_lines")
        .collect()
    )


def pupil_fields(
    db: Database, school_urn: int, as_of: date, enrolment_ids: Sequence[int]
) -> pl.DataFrame:
    """Per enrolment, the figures a letter quotes for the academic year to `as_of`: `attendance`
    (text), `sessions_possible`, `sessions_missed`, `unauthorised` and the last two in words."""
    measures = (
        load_totals(db, [school_urn], Window.year_to_date(as_of))
        .enrolment_measures()
        .filter(pl.col("enrolment_id").is_in(list(enrolment_ids)))
        .select(
            "enrolment_id",
            percent_text(pl.col("attendance_rate")).alias("attendance"),
            pl.col("possible").cast(pl.Int64).alias("sessions_possible"),
            pl.col("absent").cast(pl.Int64).alias("sessions_missed"),
            pl.col("unauthorised").cast(pl.Int64).alias("unauthorised"),
        )
        .collect()
    )
    return measures


@dataclass(frozen=True)
class LetterRun:
    """The letters of one stage at one school as of a date."""

    stage: Stage
    school_urn: int
    as_of: date
    letters: tuple[Letter, ...]
    #: Pupils in the stage who had its letter since entering it (left out).
    already_sent: int

    @property
    def pupils(self) -> int:
        return sum(len(letter.enrolment_ids) for letter in self.letters)

    @cached_property
    def pdfs(self) -> dict[str, bytes]:
        """Each family's letter as a PDF, by file name (made once, so the file written and the
        copy kept in the chronology are the same bytes)."""
        return {letter.file_name: letters_pdf([letter]) for letter in self.letters}

    def merged_pdf(self) -> bytes:
        """Every letter in one PDF, to print."""
        return letters_pdf(self.letters)

    @property
    def merged_file_name(self) -> str:
        return f"{self.school_urn}-{self.stage.key}-all-{self.as_of:%Y-%m-%d}.pdf"


def _sent_since(interventions: pl.DataFrame, template: str) -> pl.DataFrame:
    return interventions.filter(
        pl.col("type").is_in([LETTER, NOTICE_TO_IMPROVE])
        & pl.col("notes").fill_null("").str.starts_with(f"{NOTE_PREFIX} {template} ")
    ).select("enrolment_id", "date")


def stage_letters(
    db: Database,
    report: StageReport,
    stage_key: str,
    school_urn: int,
    *,
    year_groups: Sequence[str] = (),
    template_text: str | None = None,
) -> LetterRun:
    """The letters of the stage for its pupils on roll at the school, one per family, leaving out
    pupils who had the stage's letter since entering it. `template_text` renders with another
    text than the school's (the page's preview of an edit)."""
    stage = report.procedure.stage(stage_key)
    template = stage.action.template
    if template is None:
        raise LetterTemplateError(f"{stage.name} sends no letter (its action has no template)")
    in_stage = report.current.filter(
        (pl.col("school_urn") == school_urn) & (pl.col("stage") == stage.number)
    )
    if year_groups:
        in_stage = in_stage.filter(pl.col("year_group").is_in(list(year_groups)))
    log = intervention_store.interventions(db, [school_urn])
    sent = _sent_since(log, template)
    already = in_stage.join(sent, on="enrolment_id").filter(pl.col("date") >= pl.col("since"))
    to_send = in_stage.join(already.select("enrolment_id").unique(), on="enrolment_id", how="anti")
    ids = to_send["enrolment_id"].to_list()
    school = read.schools(db).filter(pl.col("urn") == school_urn).row(0, named=True)
    enrolments = (
        read.enrolments(db, [school_urn], ids) if ids else read.enrolments(db, [school_urn], [-1])
    )
    people = to_send.join(
        enrolments.select("enrolment_id", "forename", "surname"), on="enrolment_id"
    ).sort("form", "surname", "forename", "enrolment_id", nulls_last=True)
    families = addressees(
        people,
        contact_store.contacts(db, [school_urn], ids),
        contact_store.pupil_details(db, [school_urn], ids),
    )
    figures = pupil_fields(db, school_urn, report.as_of, ids)
    rows = (
        people.join(families, on="enrolment_id", maintain_order="left")
        .join(figures, on="enrolment_id", how="left", maintain_order="left")
        .sort("family", maintain_order=True)
    )
    templates = templates_for(db, school_urn)
    body_text = template_text if template_text is not None else templates[template]
    year_start = academic_year_bounds(academic_year_of(report.as_of))[0]
    letters = []
    for family in rows.partition_by("family", maintain_order=True):
        first = family.row(0, named=True)
        pupils = [
            {
                "forename": p["forename"],
                "surname": p["surname"],
                "name": f"{p['forename']} {p['surname']}",
                "year_group": p["year_group"],
                "form": p["form"],
                "attendance": p["attendance"] or "-",
                "sessions_possible": p["sessions_possible"] or 0,
                "sessions_missed": p["sessions_missed"] or 0,
                "sessions_missed_words": in_words(p["sessions_missed"] or 0),
                "unauthorised": p["unauthorised"] or 0,
                "unauthorised_words": in_words(p["unauthorised"] or 0),
                "stage": p["stage_name"],
                "since": letter_date(p["since"]),
            }
            for p in family.iter_rows(named=True)
        ]
        fields = {
            "school": {"name": school["name"], "urn": school_urn},
            "parent": {"name": first["parent_name"], "address": list(first["address_lines"])},
            "pupils": pupils,
            "pupil": pupils[0],
            "stage": {"name": stage.name, "action": stage.action.description},
            "date": letter_date(report.as_of),
            "year_start": letter_date(year_start),
            "review_due": letter_date(first["review_due"]),
        }
        letters.append(
            Letter(
                school_urn,
                int(first["family"]),
                tuple(family["enrolment_id"].to_list()),
                tuple(first["address_lines"]),
                letter_date(report.as_of),
                render("letterhead", templates["letterhead"], fields),
                render(template, body_text, fields),
                stage.key,
            )
        )
    return LetterRun(stage, school_urn, report.as_of, tuple(letters), already.height)


def record_letters(db: Database, run: LetterRun, recorded_by: str) -> list[int]:
    """Record each letter in the chronology of every pupil it is about (a `Letter`, or a `Notice
    to improve`, dated the run's as-of date, noting the stage and the letter's file), and keep its
    PDF beside each entry. Returns the new intervention ids."""
    kind = NOTICE_TO_IMPROVE if run.stage.action.kind == "notice_to_improve" else LETTER
    template = run.stage.action.template
    entries, pdfs = [], []
    for letter in run.letters:
        pdf = run.pdfs[letter.file_name]
        for enrolment_id in letter.enrolment_ids:
            entries.append(
                Entry(
                    enrolment_id,
                    kind,
                    run.as_of,
                    owner=recorded_by,
                    outcome="Sent",
                    notes=f"{NOTE_PREFIX} {template} ({run.stage.name}): {letter.file_name}"
                    + (
                        f", one letter for {len(letter.enrolment_ids)} pupils"
                        if len(letter.enrolment_ids) > 1
                        else ""
                    ),
                )
            )
            pdfs.append((letter.file_name, pdf))
    if not entries:
        return []
    # The entries and their letters in one transaction: never an entry without its letter.
    return intervention_store.record_batches(
        db, [intervention_store.Batch(entries, recorded_by)], documents=pdfs
    )[0]
