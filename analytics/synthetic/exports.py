"""The demo's MIS-style export files (pupils, marks, behaviour, exclusions) and the order a data
manager would import them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from analytics.domain.calendar import academic_year_label
from analytics.synthetic.registers import AM, CODES, PM
from analytics.synthetic.schools import ACADEMIC_YEARS, DEMO_TODAY, DemoSchool
from analytics.synthetic.trust import DemoTrust, SchoolRegister


def marks_frame(register: SchoolRegister) -> pl.DataFrame:
    """One row per mark written for a school: `upn, date, session, code` (after corrections),
    `first_code` (as first imported), `minutes_late`, and the `academic_year` and `period` of
    the file it goes in."""
    codes = pl.Series("code", CODES)
    parts = []
    for session, name in ((AM, "AM"), (PM, "PM")):
        d, e = np.nonzero(register.recorded[session])
        minutes = register.minutes[session][d, e]
        parts.append(
            pl.DataFrame(
                {
                    "day": d.astype(np.int32),
                    "enrolment_index": e.astype(np.int32),
                    "session": name,
                    "code": codes.gather(register.final[session][d, e]),
                    "first_code": codes.gather(register.first[session][d, e]),
                    "minutes_late": pl.Series(minutes, dtype=pl.Int16),
                }
            )
        )
    frame = pl.concat(parts).sort("day", "enrolment_index", "session")
    day = frame["day"].to_numpy()
    return frame.with_columns(
        register.enrolments["upn"].gather(frame["enrolment_index"]).alias("upn"),
        pl.Series("date", register.calendar.days[day]).cast(pl.Date),
        pl.Series("academic_year", register.calendar.year[day]).cast(pl.Int16),
        pl.Series("period", register.calendar.period[day]),
        pl.when(pl.col("minutes_late") > 0).then(pl.col("minutes_late")).alias("minutes_late"),
    )


def _flag(column: str) -> pl.Expr:
    return pl.when(pl.col(column)).then(pl.lit("Y")).otherwise(pl.lit("N")).alias(column)


def pupils_file(register: SchoolRegister, academic_year: int) -> pl.DataFrame:
    """The school's pupils CSV for one academic year: everyone on roll at some point of it, with
    the year group at DEMO_TODAY (or at leaving, for leavers)."""
    school = register.school
    start, end = date(academic_year, 8, 1), min(date(academic_year + 1, 7, 31), DEMO_TODAY)
    reference = pl.min_horizontal(pl.col("leaving_date").fill_null(DEMO_TODAY), pl.lit(DEMO_TODAY))
    reference_year = reference.dt.year() - (reference.dt.month() < 8).cast(pl.Int32)
    rank = reference_year - pl.col("cohort")
    year_group = pl.when(rank == 0).then(pl.lit("R")).otherwise(rank.cast(pl.String))
    class_name = (
        pl.col("class_draw")
        .mul(len(school.classes))
        .floor()
        .cast(pl.Int64)
        .replace_strict(dict(enumerate(school.classes)), return_dtype=pl.String)
    )
    separator = " " if max(len(c) for c in school.classes) > 1 else ""
    return (
        register.enrolments.filter(
            (pl.col("admission_date") <= end)
            & (pl.col("leaving_date").is_null() | (pl.col("leaving_date") >= start))
        )
        .with_columns(
            year_group.alias("year_group"),
            pl.concat_str(year_group, pl.lit(separator), class_name).alias("form"),
        )
        .select(
            "upn",
            "forename",
            "surname",
            "date_of_birth",
            "year_group",
            "admission_date",
            "sex",
            "form",
            "leaving_date",
            _flag("fsm"),
            _flag("fsm6"),
            _flag("looked_after"),
            "sen",
            _flag("eal"),
            "ethnicity",
            _flag("disadvantaged"),
        )
        .sort("surname", "forename", "upn")
    )


def behaviour_file(register: SchoolRegister, academic_year: int) -> pl.DataFrame:
    """The school's behaviour export for one academic year."""
    days = np.flatnonzero(register.calendar.year == academic_year)
    incidents = register.incidents.filter(pl.col("day").is_in(days.tolist()))
    day = incidents["day"].to_numpy()
    return incidents.with_columns(
        register.enrolments["upn"].gather(incidents["enrolment_index"]).alias("upn"),
        pl.Series("date", register.calendar.days[day]).cast(pl.Date),
    ).select(
        "upn",
        "date",
        "time",
        "type",
        "category",
        "points",
        "severity",
        "location",
        "subject",
        "staff",
        "action",
        "notes",
    )


def exclusions_file(register: SchoolRegister, academic_year: int | None = None) -> pl.DataFrame:
    """The school's suspensions and permanent exclusions (of one academic year, or all)."""
    exclusions = register.exclusions
    if academic_year is not None:
        exclusions = exclusions.filter(
            pl.col("start_date").is_between(
                date(academic_year, 8, 1), date(academic_year + 1, 7, 31)
            )
        )
    return exclusions.with_columns(
        register.enrolments["upn"].gather(exclusions["enrolment_index"]).alias("upn")
    ).select(
        "upn", "start_date", "end_date", "category", "sessions", "reason_1", "reason_2", "reason_3"
    )


def _periods(academic_year: int) -> tuple[str, ...]:
    return (
        ("autumn1", "autumn2")
        if academic_year == ACADEMIC_YEARS[-1]
        else ("autumn", "spring", "summer")
    )


@dataclass(frozen=True)
class PlannedImport:
    """One file of the demo's import history, in the order a data manager would import it."""

    kind: str
    school: DemoSchool
    file_name: str
    frame: pl.DataFrame
    first_for_school: bool  # the school's first import names the school and its phase


def import_plan(trust: DemoTrust) -> list[PlannedImport]:
    """The files of the demo trust in import order: each September the roll; each term the
    marks, then the corrections that explain their `N` codes; each year behaviour and the
    secondary's exclusions (the primaries' few exclusions come in one file at the end)."""
    plan: list[PlannedImport] = []

    def add(kind: str, register: SchoolRegister, name: str, frame: pl.DataFrame) -> None:
        school = register.school
        first = not any(p.school.urn == school.urn for p in plan)
        plan.append(PlannedImport(kind, school, f"{school.short}_{name}.csv", frame, first))

    marks = {
        r.school.urn: marks_frame(r).partition_by("academic_year", "period", as_dict=True)
        for r in trust.registers
    }
    for year in ACADEMIC_YEARS:
        label = academic_year_label(year).replace("/", "-")
        for register in trust.registers:
            add("pupils", register, f"pupils_{label}", pupils_file(register, year))
        for period in _periods(year):
            for register in trust.registers:
                frame = marks[register.school.urn].get((year, period))
                if frame is None:
                    continue
                first_code = pl.col("first_code").alias("code")
                first = frame.select("upn", "date", "session", first_code, "minutes_late")
                corrections = frame.filter(
                    (pl.col("first_code") == "N") & (pl.col("code") != "N")
                ).select("upn", "date", "session", "code")
                add("marks", register, f"marks_{label}_{period}", first)
                if corrections.height:
                    add("marks", register, f"marks_{label}_{period}_corrections", corrections)
        for register in trust.registers:
            add("behaviour", register, f"behaviour_{label}", behaviour_file(register, year))
            exclusions = exclusions_file(register, year)
            if register.school.phase == "secondary" and exclusions.height:
                add("exclusions", register, f"exclusions_{label}", exclusions)
    for register in trust.registers:
        exclusions = exclusions_file(register)
        if register.school.phase != "secondary" and exclusions.height:
            add("exclusions", register, "exclusions_2023-2026", exclusions)
    return plan
