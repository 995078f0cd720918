"""`rollcall demo`: the generated trust written as MIS-style files and imported through the real
importers, then the coordinators' logs recorded and the risk model trained.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from analytics.domain.interventions import Entry
from analytics.ingest import ImportResult, import_file
from analytics.reports.coordinator.risk import train as train_risk_model
from analytics.store import Database, read, write
from analytics.store import interventions as intervention_store
from analytics.synthetic.exports import import_plan
from analytics.synthetic.interventions import SCHOOL_TYPES, entries_and_batches
from analytics.synthetic.people import school_staff
from analytics.synthetic.schools import DEMO_TODAY, SCHOOLS
from analytics.synthetic.trust import DemoTrust, generate_trust

#: Seconds the last `build_demo` in this process took (the test suite checks the budget).
LAST_BUILD_SECONDS: float | None = None

#: Who the audit log names for the demo's imports.
DEMO_ACTOR = "rollcall demo"


def _recorded_at(batch: intervention_store.Batch) -> datetime:
    """When a demo batch was recorded: the demo gives every batch its time."""
    assert batch.recorded_at is not None
    return batch.recorded_at


def record_interventions(db: Database, trust: DemoTrust) -> int:
    """Write each coordinator's actions through the store, as the Interventions page would: the
    schools' own types first, then every action, then the corrections a real log holds (an
    outcome updated after a call back, an entry recorded twice and deleted)."""
    ids = read.enrolments(db).select("school_urn", "upn", "enrolment_id")
    planned: list[tuple[list[Entry], str, datetime, list]] = []
    for register in trust.registers:
        urn = register.school.urn
        for label, description in SCHOOL_TYPES.get(urn, ()):
            intervention_store.add_intervention_type(
                db, urn, label, added_by=school_staff(register.school)[0], description=description
            )
        lookup = register.enrolments.select("upn").join(
            ids.filter(pl.col("school_urn") == urn), on="upn", how="left", maintain_order="left"
        )["enrolment_id"]
        planned += entries_and_batches(
            register.interventions,
            lookup.to_numpy(),
            register.calendar.days,
            DEMO_TODAY,
            trust.seed,
        )
    rng = np.random.default_rng([trust.seed, 12])
    letters = [
        (entries, who, when) for entries, who, when, _ in planned if entries[0].type == "Letter"
    ]
    twice = [
        letters[int(i)] for i in rng.choice(len(letters), size=min(6, len(letters)), replace=False)
    ]
    duplicates = [([entries[0]], who, when + timedelta(minutes=5)) for entries, who, when in twice]
    batches = [intervention_store.Batch(entries, who, when) for entries, who, when, _ in planned]
    batches += [intervention_store.Batch(entries, who, when) for entries, who, when in duplicates]
    recorded = intervention_store.record_batches(db, batches)
    entries = [
        (intervention_id, entry, batch)
        for batch, new_ids in zip(batches[: len(planned)], recorded, strict=False)
        for intervention_id, entry in zip(new_ids, batch.entries, strict=True)
    ]
    unanswered = [item for item in entries if item[1].outcome == "No answer, message left"]
    called_back = [
        unanswered[int(i)]
        for i in rng.choice(len(unanswered), size=min(25, len(unanswered)), replace=False)
    ]
    changes: list[intervention_store.Edit | intervention_store.Deletion] = [
        intervention_store.Edit(
            intervention_id,
            replace(entry, outcome="Spoke to parent or carer"),
            batch.recorded_by,
            "Parent called back the next day",
            _recorded_at(batch) + timedelta(days=1),
        )
        for intervention_id, entry, batch in called_back
    ]
    changes += [
        intervention_store.Edit(
            intervention_id,
            replace(entry, outcome=outcome, next_review=None),
            batch.recorded_by,
            "Review held",
            held_at,
        )
        for (entries_, _, _, reviews), batch, new_ids in zip(
            planned, batches, recorded, strict=False
        )
        for intervention_id, entry, review in zip(new_ids, entries_, reviews, strict=True)
        if review is not None
        for held_at, outcome in [review]
    ]
    changes += [
        intervention_store.Deletion(
            new_ids[0],
            batch.recorded_by,
            "Recorded twice",
            _recorded_at(batch) + timedelta(minutes=15),
        )
        for batch, new_ids in zip(batches[len(planned) :], recorded[len(planned) :], strict=True)
    ]
    intervention_store.apply_changes(db, changes)
    recorded = recorded[: len(planned)]
    return sum(len(new_ids) for new_ids in recorded)


def build_demo(path: Path | str, seed: int = 2026) -> str:
    """Replace the database at `path` with the demo trust, imported file by file through the
    importers; returns a short report."""
    global LAST_BUILD_SECONDS
    started = time.perf_counter()
    path = Path(path)
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    trust = generate_trust(seed)
    generated = time.perf_counter() - started
    db = Database(path)
    results: list[ImportResult] = []
    with tempfile.TemporaryDirectory(prefix="rollcall-demo-") as folder:
        for planned in import_plan(trust):
            file = Path(folder) / planned.file_name
            planned.frame.write_csv(file)
            extra = (
                {"school_name": planned.school.name, "phase": planned.school.phase}
                if planned.first_for_school
                else {}
            )
            results.append(
                import_file(
                    db,
                    planned.kind,
                    file,
                    school_urn=planned.school.urn,
                    as_of=DEMO_TODAY,
                    today=DEMO_TODAY,
                    actor=DEMO_ACTOR,
                    **extra,
                )
            )
            file.unlink()
    interventions = record_interventions(db, trust)
    risk_run = train_risk_model(db, seed=seed, trained_by="rollcall demo")
    with db.transaction() as con:
        write.mark_as_demo(con, seed=seed, upn_la_prefix="99")
    seconds = time.perf_counter() - started
    LAST_BUILD_SECONDS = seconds

    def total(kind: str, attribute: str = "new") -> int:
        return sum(getattr(r.counts, attribute) for r in results if r.kind == kind)

    corrected = total("marks", "changed")
    importing = seconds - generated
    return "\n".join(
        [
            f"Rollcall demo trust (seed {seed}), registers to {DEMO_TODAY:%a %d %b %Y}:",
            f"  schools     {len(SCHOOLS)} ({', '.join(s.name for s in SCHOOLS)})",
            f"  pupils      {trust.enrolments['upn'].n_unique():,}",
            f"  enrolments  {total('pupils'):,}",
            f"  marks       {total('marks'):,} ({corrected:,} corrected by later files)",
            f"  behaviour   {total('behaviour'):,} incidents, {total('exclusions')} exclusions",
            f"  actions     {interventions:,} in the coordinators' intervention logs",
            f"  risk        {risk_run.kind} {risk_run.card['headline']}",
            f"  imports     {len(results)}",
            f"  seconds     {seconds:.1f} ({generated:.1f} generating, {importing:.1f} importing)",
        ]
    )
