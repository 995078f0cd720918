"""The intervention log as people use it: a pupil's chronology (on screen, as CSV and as a PDF
for evidence), the reviews that are due, and the pupils an action can be recorded for.

A chronology lists every action as it now stands, and under "Amendments" every earlier version
and every deletion with who made it, when and why: nothing recorded is ever lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl
from polars.datatypes import DataTypeClass

from analytics.domain.rounding import round_half_up
from analytics.pipelines.penalty import PENALTY_SCHOOL_WEEKS
from analytics.pipelines.targets import on_roll_on
from analytics.pipelines.weekly import weekly_measures
from analytics.pipelines.windows import Window
from analytics.reports.charts.weekly import weekly_rate_chart
from analytics.reports.exports.csv import to_csv_bytes
from analytics.reports.exports.pdf import Document
from analytics.reports.coordinator.targets import CoordinatorInputs, penalty_status, pupils
from analytics.reports.inputs.register import load_register
from analytics.store import Database
from analytics.store import interventions as store

#: Reviews listed ahead of their date.
REVIEW_HORIZON_DAYS = 7
_FIELDS = ("type", "date", "owner", "outcome", "notes", "next_review", "issued_to")
_LABELS = {
    "type": "type",
    "date": "date",
    "owner": "owner",
    "outcome": "outcome",
    "notes": "notes",
    "next_review": "next review",
    "issued_to": "issued to",
}


@dataclass(frozen=True)
class Chronology:
    """One enrolment's record of actions at an as-of date, with its attendance this year."""

    enrolment_id: int
    as_of: date
    pupil: dict
    attendance: dict
    entries: pl.DataFrame
    amendments: pl.DataFrame
    versions: pl.DataFrame
    weekly: pl.DataFrame


def _fmt(value) -> str:
    if value is None:
        return "(blank)"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def amendments(versions: pl.DataFrame) -> pl.DataFrame:
    """One row per version after the first (an edit or a deletion): `intervention_id, version,
    changed_at, changed_by, change, reason`, oldest first. `change` says what changed, in words."""
    rows = []
    for (intervention_id,), history in versions.sort("intervention_id", "version").group_by(
        "intervention_id", maintain_order=True
    ):
        previous = None
        for row in history.iter_rows(named=True):
            if previous is not None:
                if row["deleted"]:
                    change = f"deleted the {previous['type'].lower()} of {_fmt(previous['date'])}"
                else:
                    changed = [
                        f"{_LABELS[f]} from {_fmt(previous[f])} to {_fmt(row[f])}"
                        for f in _FIELDS
                        if previous[f] != row[f]
                    ]
                    change = f"{row['type']} of {_fmt(row['date'])}: " + "; ".join(changed)
                rows.append(
                    {
                        "intervention_id": intervention_id,
                        "version": row["version"],
                        "changed_at": row["recorded_at"],
                        "changed_by": row["recorded_by"],
                        "change": change,
                        "reason": row["change_reason"],
                    }
                )
            previous = row
    schema: dict[str, pl.DataType | DataTypeClass] = {
        "intervention_id": pl.Int32,
        "version": pl.Int32,
        "changed_at": pl.Datetime("us"),
        "changed_by": pl.String,
        "change": pl.String,
        "reason": pl.String,
    }
    return pl.DataFrame(rows, schema=schema).sort("changed_at", "intervention_id")


def chronology(
    db: Database, inputs: CoordinatorInputs, enrolment_id: int, as_of: date
) -> Chronology:
    """The chronology of one enrolment: every action up to now (the log's entries are not cut at
    `as_of`; the attendance figures are the academic year to `as_of`)."""
    window = Window.year_to_date(as_of)
    people = (
        pupils(inputs, window.academic_year_start)
        .filter(pl.col("enrolment_id") == enrolment_id)
        .collect()
    )
    if people.is_empty():
        raise ValueError(f"there is no enrolment {enrolment_id}")
    school = people["school_urn"][0]
    register = load_register(db, (school,), window, [enrolment_id])
    details = register.enrolments.row(0, named=True)
    pupil = people.row(0, named=True) | {
        "date_of_birth": details["date_of_birth"],
        "admission_date": details["admission_date"],
        "leaving_date": details["leaving_date"],
    }
    sessions = register.sessions(window)
    measures = register.enrolment_measures(window).collect()
    figures = measures.row(0, named=True) if measures.height else {}
    penalty = (
        penalty_status(inputs, window, as_of, (school,))
        .filter(pl.col("enrolment_id") == enrolment_id)
        .collect()
    )
    met = penalty.row(0, named=True) if penalty.height else {}
    attendance = {
        "window": str(window),
        "possible": figures.get("possible", 0),
        "absent": figures.get("absent", 0),
        "unauthorised": figures.get("unauthorised", 0),
        "attendance_rate": figures.get("attendance_rate"),
        "persistent_absence": bool(figures.get("persistent_absence", False)),
        "severe_absence": bool(figures.get("severe_absence", False)),
        "penalty_threshold_date": met.get("penalty_threshold_date"),
        "unauthorised_last_10_weeks": met.get("unauthorised_last_10_weeks", 0),
    }
    versions = store.intervention_versions(db, enrolment_ids=[enrolment_id])
    entries = store.interventions(db, enrolment_ids=[enrolment_id]).sort("date", "intervention_id")
    weekly = weekly_measures(sessions, register.enrolments.lazy().select("enrolment_id")).collect()
    return Chronology(
        enrolment_id, as_of, pupil, attendance, entries, amendments(versions), versions, weekly
    )


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{round_half_up(value, 1)}%"


def attendance_lines(chron: Chronology) -> list[str]:
    """The chronology's attendance facts, in words."""
    a = chron.attendance
    lines = [
        f"Attendance {_pct(a['attendance_rate'])} in {a['window']}: {a['absent']} of {a['possible']} possible sessions missed, "
        f"{a['unauthorised']} of them unauthorised."
        + (
            " Severely absent."
            if a["severe_absence"]
            else " Persistently absent."
            if a["persistent_absence"]
            else ""
        ),
    ]
    if a["penalty_threshold_date"] is not None:
        lines.append(
            f"Penalty-notice threshold (10 or more G N O U sessions in {PENALTY_SCHOOL_WEEKS} school weeks) first met this year on "
            f"{a['penalty_threshold_date']:%d/%m/%Y}; {a['unauthorised_last_10_weeks']} such sessions in the last {PENALTY_SCHOOL_WEEKS} school weeks."
        )
    else:
        lines.append(
            f"Penalty-notice threshold not met this year; {a['unauthorised_last_10_weeks']} G N O U sessions in the last {PENALTY_SCHOOL_WEEKS} school weeks."
        )
    return lines


def chronology_table(chron: Chronology) -> pl.DataFrame:
    """Every version of every action (current, superseded or deleted), for the CSV: one row per
    version with the pupil's UPN and school, dates as ISO."""
    latest = chron.versions.group_by("intervention_id").agg(
        pl.col("version").max().alias("_latest")
    )
    return (
        chron.versions.join(latest, on="intervention_id", how="left")
        .with_columns(
            pl.when(pl.col("deleted"))
            .then(pl.lit("deleted"))
            .when(pl.col("version") == pl.col("_latest"))
            .then(pl.lit("current"))
            .otherwise(pl.lit("superseded"))
            .alias("status"),
            pl.lit(chron.pupil["upn"]).alias("upn"),
        )
        .select(
            "school_urn",
            "upn",
            "intervention_id",
            "version",
            "status",
            "date",
            "type",
            "owner",
            "outcome",
            "notes",
            "next_review",
            "recorded_by",
            "recorded_at",
            "change_reason",
            "issued_to",
        )
        .sort("date", "intervention_id", "version")
    )


def chronology_csv(chron: Chronology) -> bytes:
    """The chronology as CSV (every version; formulas escaped)."""
    return to_csv_bytes(chronology_table(chron))


def chronology_pdf(chron: Chronology) -> bytes:
    """The chronology as an A4 PDF: the pupil, attendance this year (with the weekly chart),
    every action, and every amendment."""
    p = chron.pupil
    document = Document(
        "Attendance chronology",
        f"{p['name']} - UPN {p['upn']} - {p['school']} - as of {chron.as_of:%d %b %Y}",
    )
    document.heading("Pupil")
    document.frame_table(
        pl.DataFrame(
            {
                "Name": [p["name"]],
                "UPN": [p["upn"]],
                "Date of birth": [_fmt(p["date_of_birth"])],
                "Year group": [p["year_group"] or ""],
                "Form": [p["form"] or ""],
                "On roll from": [_fmt(p["admission_date"])],
                "Left": [_fmt(p["leaving_date"]) if p["leaving_date"] else "on roll"],
            }
        )
    )
    document.heading("Attendance")
    document.bullets(attendance_lines(chron))
    if chron.weekly.height >= 2:
        document.chart(
            weekly_rate_chart(chron.weekly).properties(width=520, height=160),
            width=170,
            caption="Attendance each school week this year.",
        )
    document.heading(f"Actions ({chron.entries.height})")
    if chron.entries.is_empty():
        document.paragraph("No actions recorded.")
    else:
        table = chron.entries.select(
            pl.col("date").dt.strftime("%d/%m/%Y").alias("Date"),
            pl.col("type").alias("Action"),
            pl.col("owner").fill_null("").alias("Owner"),
            pl.col("outcome").fill_null("").alias("Outcome"),
            pl.col("notes").fill_null("").alias("Notes"),
            pl.col("next_review").dt.strftime("%d/%m/%Y").fill_null("").alias("Review"),
            pl.format(
                "{} {}",
                pl.col("first_recorded_by"),
                pl.col("first_recorded_at").dt.strftime("%d/%m/%Y %H:%M"),
            ).alias("Recorded"),
        )
        document.frame_table(table, widths=[18, 26, 24, 26, 50, 18, 28], size=7.5)
    document.heading(f"Amendments ({chron.amendments.height})")
    if chron.amendments.is_empty():
        document.paragraph("No entry has been changed or deleted.")
    else:
        document.frame_table(
            chron.amendments.select(
                pl.col("changed_at").dt.strftime("%d/%m/%Y %H:%M").alias("When"),
                pl.col("changed_by").alias("By"),
                pl.col("change").alias("What changed"),
                pl.col("reason").fill_null("").alias("Why"),
            ),
            widths=[26, 28, 90, 36],
            size=7.5,
        )
    document.paragraph(
        "From Rollcall's intervention log, which is never overwritten: an edit or a deletion adds a new version, "
        "and every earlier version is listed above with who changed it, when and why.",
        size=8,
    )
    return document.to_bytes()


def reviews_due(
    inputs: CoordinatorInputs, since: date, as_of: date, urns: Sequence[int] | None = None
) -> pl.DataFrame:
    """Actions whose next review falls from `since` to `REVIEW_HORIZON_DAYS` after `as_of`, for
    pupils on roll on `as_of`: pupil columns, the action, `next_review` and `status` (overdue,
    due today, or due in some days). A review is recorded by editing the action."""
    horizon = as_of + timedelta(days=REVIEW_HORIZON_DAYS)
    people = pupils(inputs, Window.year_to_date(as_of).academic_year_start)
    if urns is not None:
        people = people.filter(pl.col("school_urn").is_in(list(urns)))
    due = (
        inputs.interventions.lazy()
        .filter(pl.col("next_review").is_between(since, horizon))
        .join(on_roll_on(inputs.spells.lazy(), as_of), on="enrolment_id", how="semi")
        .select(
            "intervention_id", "enrolment_id", "type", "date", "owner", "outcome", "next_review"
        )
    )
    days = (pl.col("next_review") - pl.lit(as_of)).dt.total_days()
    return (
        people.join(due, on="enrolment_id", how="inner")
        .with_columns(
            pl.when(days < 0)
            .then(pl.format("overdue by {} days", -days))
            .when(days == 0)
            .then(pl.lit("due today"))
            .otherwise(pl.format("due in {} days", days))
            .alias("status")
        )
        .sort("next_review", "name")
        .collect()
    )


def pupils_on_roll(
    inputs: CoordinatorInputs,
    as_of: date,
    urns: Sequence[int] | None = None,
    year_groups: Sequence[str] = (),
) -> pl.DataFrame:
    """Enrolments on roll on `as_of` an action can be recorded for: pupil columns and `label`
    ("Surname, Forename · Year 9 · 9C · School"), ordered by school, year group, form and name."""
    people = pupils(inputs, Window.year_to_date(as_of).academic_year_start).join(
        on_roll_on(inputs.spells.lazy(), as_of), on="enrolment_id", how="semi"
    )
    if urns is not None:
        people = people.filter(pl.col("school_urn").is_in(list(urns)))
    if year_groups:
        people = people.filter(pl.col("year_group").is_in(list(year_groups)))
    return (
        people.with_columns(
            pl.format(
                "{} · Year {} · {} · {}",
                pl.col("name"),
                pl.col("year_group").fill_null("?"),
                pl.col("form").fill_null("no form"),
                pl.col("school"),
            ).alias("label")
        )
        .sort("school", "year_group", "form", "name")
        .collect()
    )
