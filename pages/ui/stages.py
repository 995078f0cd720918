"""Cached calls for the Stages page: the procedure, every pupil's stage as of a day and the
year's moves. Keyed on plain values, the database's data version and the stages file's digest."""

from __future__ import annotations

from datetime import date

import polars as pl

from analytics.access.roles import Capability
from analytics.domain.stages import Procedure, load_procedure
from analytics.reports.coordinator import impact as impact_report
from analytics.reports.coordinator.impact import Impact
from analytics.reports.coordinator.stages import StageReport, keep_moves, moves_over
from analytics.reports.coordinator.stages import stage_report as build_stage_report
from analytics.reports.letters.render import check_template
from analytics.reports.letters.run import LetterRun, record_letters, stage_letters, templates_for
from analytics.store import Database
from analytics.store import stages as stage_store
from pages.ui.access import guarded
from pages.ui.memo import shared

Urns = tuple[int, ...] | None


def procedure() -> Procedure:
    """The stages file as it now is (read afresh each run: it is small, and may be edited)."""
    return load_procedure()


@shared
def _report(db_path: str, version: str, urns: Urns, as_of: date, digest: str) -> StageReport:
    return build_stage_report(Database(db_path), as_of, urns, load_procedure())


@guarded(Capability.TARGETS)
def stage_report(db_path: str, version: str, urns: Urns, as_of: date) -> StageReport:
    """Every pupil's stage at these schools as of `as_of`, and the year's moves."""
    return _report(db_path, version, urns, as_of, procedure().digest)


def moves(report: StageReport):
    """The report's moves with each pupil's name (a plain reshaping of a report already read)."""
    from analytics.reports.coordinator.stages import moves_with_pupils

    return moves_with_pupils(report)


@shared
def _letter_run(
    db_path: str,
    version: str,
    urn: int,
    as_of: date,
    stage_key: str,
    groups: tuple[str, ...],
    digest: str,
) -> LetterRun:
    db = Database(db_path)
    report = _report(db_path, version, (urn,), as_of, digest)
    return stage_letters(db, report, stage_key, urn, year_groups=groups)


@guarded(Capability.INTERVENTIONS)
def letter_run(
    db_path: str, version: str, urn: int, as_of: date, stage_key: str, groups: tuple[str, ...]
) -> LetterRun:
    """The letters of a stage at one school as of `as_of` (LetterTemplateError when its template
    cannot be rendered)."""
    return _letter_run(db_path, version, urn, as_of, stage_key, groups, procedure().digest)


@guarded(Capability.INTERVENTIONS)
def templates(db_path: str, version: str, urn: int) -> dict[str, str]:
    """Every letter template as the school uses it (its own copy, else the default)."""
    return templates_for(Database(db_path), urn)


@guarded(Capability.INTERVENTIONS)
def send_letters(db_path: str, urn: int, run: LetterRun, recorded_by: str) -> int:
    """Record the run's letters in the pupils' chronologies with their PDFs, and keep the
    school's stage moves they follow from; how many entries."""
    db = Database(db_path)
    entries = len(record_letters(db, run, recorded_by))
    keep_moves(db, build_stage_report(db, run.as_of, (urn,), load_procedure()), recorded_by)
    return entries


@guarded(Capability.INTERVENTIONS)
def save_template(db_path: str, urn: int, name: str, text: str, saved_by: str) -> None:
    """Keep the school's own copy of a template, once it is valid template text."""
    check_template(name, text)
    stage_store.save_template(Database(db_path), urn, name, text, saved_by)


@guarded(Capability.INTERVENTIONS)
@shared
def letters_of(db_path: str, version: str, enrolment_id: int, ids: tuple[int, ...]) -> pl.DataFrame:
    """The letters kept with these interventions of one pupil: `intervention_id, file_name,
    created_at`."""
    return stage_store.documents_of(Database(db_path), list(ids))


@guarded(Capability.INTERVENTIONS)
def letter_pdf(db_path: str, enrolment_id: int, intervention_id: int) -> bytes:
    """The PDF of a letter as sent (only one of this pupil's)."""
    found = stage_store.document(Database(db_path), intervention_id)
    return b"" if found is None else found[1]


@guarded(Capability.TARGETS)
@shared
def stage_impact(
    db_path: str,
    version: str,
    urns: Urns,
    start: date,
    end: date,
    weeks: int,
    groups: tuple[str, ...] = (),
) -> Impact:
    """The Impact page's figures for entries to each stage dated in the window."""
    from analytics.pipelines.windows import Window
    from analytics.reports.coordinator.targets import coordinator_inputs

    db = Database(db_path)
    inputs = coordinator_inputs(db)
    first = inputs.days["date"].min() if not inputs.days.is_empty() else start
    start = max(start, first)  # type: ignore[type-var]
    chosen = procedure()
    moves = moves_over(db, start, max(start, end), urns, chosen)
    names = {s.number: s.name for s in chosen.stages}
    return impact_report.stage_impact(
        inputs,
        moves,
        names,
        Window(start, max(start, end)),
        weeks=weeks,
        urns=urns,
        year_groups=groups,
    )
