"""The benchmark's morning import: one day's registers for every school of the trust, as SIMS
writes them (`AttendanceDate`, `SessionName`, `AttendanceMark`, `MinsLate`), imported through the
importers the way the attendance team's morning import does (issue 13: under 2 s for a trust)."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from analytics.bench.measure import Step, peak_mb, reset_peak
from analytics.ingest import ImportJob, import_files
from analytics.pipelines.targets import on_roll_on
from analytics.store import Database, read

#: A trust's morning import must take less than this.
MORNING_IMPORT_SECONDS = 2.0
#: The day's codes, one pupil in twenty away with no reason given yet.
_AWAY_EVERY = 20


def next_school_day(day: date) -> date:
    """The weekday after `day`."""
    following = day + timedelta(days=1)
    while following.weekday() >= 5:
        following += timedelta(days=1)
    return following


def write_morning_files(db: Database, day: date, folder: Path) -> list[tuple[int, Path, int]]:
    """Each school's register export for `day` (both sessions, every pupil on roll), as SIMS
    writes it: (URN, path, rows), in URN order."""
    folder.mkdir(parents=True, exist_ok=True)
    on_roll = on_roll_on(read.spells(db).lazy(), day)
    pupils = (
        read.enrolments(db)
        .lazy()
        .join(on_roll, on="enrolment_id", how="semi")
        .select("school_urn", "enrolment_id", "upn", "surname")
        .sort("school_urn", "enrolment_id")
        .collect()
    )
    files = []
    for (urn,), school in pupils.partition_by("school_urn", as_dict=True).items():
        away = pl.col("enrolment_id") % _AWAY_EVERY == 0
        rows = pl.concat(
            [
                school.select(
                    pl.col("upn").alias("UPN"),
                    pl.col("surname").alias("Surname"),
                    pl.lit(f"{day:%d/%m/%Y}").alias("AttendanceDate"),
                    pl.lit(session).alias("SessionName"),
                    pl.when(away)
                    .then(pl.lit("N"))
                    .otherwise(pl.lit(present))
                    .alias("AttendanceMark"),
                    pl.lit(None, pl.Int16).alias("MinsLate"),
                )
                for session, present in (("AM", "/"), ("PM", "\\"))
            ]
        )
        path = folder / f"{urn}_{day:%Y-%m-%d}_registers.csv"
        rows.write_csv(path)
        files.append((int(urn), path, rows.height))
    return sorted(files)


def morning_import_step(db: Database, folder: Path, after: date) -> Step:
    """Write the next school day's registers for every school, then time their import (the
    files only: writing them is not timed)."""
    day = next_school_day(after)
    files = write_morning_files(db, day, folder)
    jobs = [ImportJob("marks", path, {"school_urn": urn, "today": day}) for urn, path, _ in files]
    reset_peak()
    started = time.perf_counter()
    imported = sum(result.counts.new for result in import_files(db, jobs))
    seconds = time.perf_counter() - started
    return Step(
        "the morning import: a day's registers for every school (SIMS headings)",
        seconds,
        peak_mb(),
        f"{imported:,} marks in {len(files)} files for {day:%a %d %b %Y}",
        f"< {MORNING_IMPORT_SECONDS:g} s",
        seconds < MORNING_IMPORT_SECONDS,
    )
