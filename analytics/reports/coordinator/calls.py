"""The calling list: the attendance team's first-day calls, one row per pupil (the Calling list
page, its A4 sheet and `rollcall export calls`).

A pupil is on the list when, for a register their school has taken that day, they have no mark
or `N` (`pipelines.targets.unexplained_absences`); their row lists those sessions. Beside them:
the pupil's contacts with numbers, by priority; absences earlier this week; open actions (a
review still to hold); and the flags that make a call urgent: looked after, known to social care,
vulnerable (when the pupils file says so), already on the 10-day list (a run of 10 or more
continuous school days of unauthorised absence still going), and severe absence this year (50%
or more of possible sessions missed).

Only the day's marks are read, with the week's earlier absences of the pupils on the list, the
year's weekly totals (for severe absence) and the spells that could hold a 10-day run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import polars as pl

from analytics.domain.calls import CALL_TYPES
from analytics.pipelines.cohorts import with_cohorts
from analytics.pipelines.targets import on_roll_on, unexplained_absences
from analytics.pipelines.windows import Window
from analytics.reports.exports.pdf import Document
from analytics.reports.inputs.totals import load_totals
from analytics.reports.returns.absence import continuous_runs
from analytics.reports.returns.pupils import first_contacts
from analytics.store import Database, read
from analytics.store import contacts as contact_store
from analytics.store import interventions as intervention_store

#: `rollcall export calls`: one row per pupil (the columns to `phone` are a contract).
CALLS_EXPORT_COLUMNS = (
    "school_urn",
    "upn",
    "surname",
    "forename",
    "year_group",
    "form",
    "sessions",
    "codes",
    "contact_name",
    "relationship",
    "phone",
    "mobile",
    "other_contacts",
    "absences_earlier_this_week",
    "open_actions",
    "flags",
    "outcome",
    "recorded_by",
)
#: How far back a 10-day run still going on the day may have started, at most (runs are traced
#: from the start of their spell of absence, so this bounds only which spells are looked at).
_RUN_LOOKBACK_DAYS = 28
FLAG_LOOKED_AFTER = "looked after"
FLAG_SOCIAL_CARE = "social care"
FLAG_VULNERABLE = "vulnerable"
FLAG_TEN_DAYS = "on the 10-day list"
FLAG_SEVERE = "severe absence"


@dataclass(frozen=True)
class CallingList:
    """The calling list for one day: its rows (one per pupil), and the contacts of those pupils
    (`enrolment_id` and the contact columns, by priority) for the contact card."""

    day: date
    registered: bool
    rows: pl.DataFrame
    contacts: pl.DataFrame

    @property
    def pupils(self) -> int:
        return self.rows.height

    @property
    def done(self) -> int:
        """Pupils with a call, text or visit recorded on the day."""
        return int(self.rows["done"].sum()) if self.rows.height else 0

    @property
    def left(self) -> int:
        return self.pupils - self.done

    @property
    def urgent(self) -> int:
        """Pupils with a flag that makes their call urgent."""
        return int((self.rows["flags"].list.len() > 0).sum()) if self.rows.height else 0


def _session_text(column: str) -> pl.Expr:
    return pl.col(column).list.join(", ")


def call_rows(
    db: Database,
    day: date,
    urns: Sequence[int] | None = None,
    year_groups: Sequence[str] = (),
    forms: Sequence[str] = (),
) -> CallingList:
    """The calling list for `day` without what the intervention log adds (`with_actions`)."""
    enrolments = read.enrolments(db, urns)
    spells = read.spells(db, urns)
    schools = read.schools(db).select(
        pl.col("urn").alias("school_urn"), pl.col("name").alias("school")
    )
    todays = read.marks(db, urns, day, day)
    unexplained = unexplained_absences(todays.lazy(), enrolments.lazy(), spells.lazy(), day)
    academic_year = Window.year_to_date(day).academic_year_start
    people = (
        with_cohorts(enrolments.lazy(), academic_year)
        .join(on_roll_on(spells.lazy(), day), on="enrolment_id", how="semi")
        .join(schools.lazy(), on="school_urn", how="left")
        .select(
            "enrolment_id",
            "school_urn",
            "school",
            "upn",
            "surname",
            "forename",
            pl.format("{}, {}", "surname", "forename").alias("name"),
            "year_group",
            "form",
            "looked_after",
        )
    )
    if year_groups:
        people = people.filter(pl.col("year_group").is_in(list(year_groups)))
    if forms:
        people = people.filter(pl.col("form").is_in(list(forms)))
    absent = (
        unexplained.sort("enrolment_id", "session")
        .group_by("enrolment_id", maintain_order=True)
        .agg(
            pl.col("session").alias("_sessions"),
            pl.format("{} {}", "session", pl.col("code").fill_null("no mark")).alias("_codes"),
        )
        .select(
            "enrolment_id",
            _session_text("_sessions").alias("sessions"),
            _session_text("_codes").alias("codes"),
        )
    )
    rows = people.join(absent, on="enrolment_id", how="inner").collect()
    ids = rows["enrolment_id"].to_list()
    contacts = contact_store.contacts(db, urns, ids)
    rows = (
        rows.lazy()
        .join(first_contacts(contacts).lazy(), on="enrolment_id", how="left")
        .join(_earlier_this_week(db, day, urns, ids).lazy(), on="enrolment_id", how="left")
        .join(
            _flags(
                db, day, urns, ids, enrolments, rows.select("enrolment_id", "looked_after")
            ).lazy(),
            on="enrolment_id",
            how="left",
        )
        .with_columns(
            pl.col("flags").fill_null(pl.lit([], pl.List(pl.String))),
            pl.col("absences_earlier_this_week").fill_null(""),
            pl.col("absences_earlier").fill_null(0),
        )
        .with_columns(pl.col("flags").list.join("; ").alias("flags_text"))
        .sort(
            [pl.col("flags").list.len(), "school", "year_group", "form", "name", "upn"],
            descending=[True, False, False, False, False, False],
            nulls_last=True,
        )
        .collect()
    )
    return CallingList(day, not todays.is_empty(), rows, contacts)


def _earlier_this_week(
    db: Database, day: date, urns: Sequence[int] | None, ids: list[int]
) -> pl.DataFrame:
    """Per enrolment, its absent sessions from Monday to the day before: `absences_earlier` and
    `absences_earlier_this_week` (`Mon AM I, Tue PM N`)."""
    monday = day - timedelta(days=day.weekday())
    empty = pl.DataFrame(
        schema={
            "enrolment_id": pl.Int32,
            "absences_earlier": pl.Int64,
            "absences_earlier_this_week": pl.String,
        }
    )
    if day == monday or not ids:
        return empty
    absent = read.counted_sessions(
        db, urns, monday, day - timedelta(days=1), flagged="absent", enrolment_ids=ids
    )
    if absent.is_empty():
        return empty
    return (
        absent.sort("enrolment_id", "date", "session")
        .group_by("enrolment_id", maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("absences_earlier"),
            pl.format("{} {} {}", pl.col("date").dt.strftime("%a"), "session", "code")
            .str.join(", ")
            .alias("absences_earlier_this_week"),
        )
    )


def _flags(
    db: Database,
    day: date,
    urns: Sequence[int] | None,
    ids: list[int],
    enrolments: pl.DataFrame,
    looked_after: pl.DataFrame,
) -> pl.DataFrame:
    """Per enrolment of `ids`, the flags that make its call urgent (`flags`, a list, in a fixed
    order)."""
    details = contact_store.pupil_details(db, urns, ids)
    runs = continuous_runs(db, day - timedelta(days=_RUN_LOOKBACK_DAYS), day, urns)
    on_ten_day_list = runs.filter(pl.col("ongoing"))["enrolment_id"].unique()
    severe = (
        load_totals(db, urns, Window.year_to_date(day))
        .enrolment_measures()
        .filter(pl.col("severe_absence") & pl.col("enrolment_id").is_in(ids))
        .select("enrolment_id")
        .collect()["enrolment_id"]
    )
    flagged = looked_after.join(details, on="enrolment_id", how="left").with_columns(
        pl.col("enrolment_id").is_in(on_ten_day_list.implode()).alias("_ten_days"),
        pl.col("enrolment_id").is_in(severe.implode()).alias("_severe"),
    )
    named = [
        pl.when(pl.col(column).fill_null(False)).then(pl.lit(flag))
        for column, flag in (
            ("looked_after", FLAG_LOOKED_AFTER),
            ("social_care", FLAG_SOCIAL_CARE),
            ("vulnerable", FLAG_VULNERABLE),
            ("_ten_days", FLAG_TEN_DAYS),
            ("_severe", FLAG_SEVERE),
        )
    ]
    return flagged.select("enrolment_id", pl.concat_list(named).list.drop_nulls().alias("flags"))


def with_actions(calls: CallingList, interventions: pl.DataFrame) -> CallingList:
    """The calling list with what the intervention log says of its pupils: `open_actions` (each
    action on or before the day with a review still to hold), and the day's call, text or visit
    (`done`, its `outcome`, `recorded_by`, `called_at`)."""
    day = calls.day
    log = interventions.lazy().filter(
        pl.col("enrolment_id").is_in(calls.rows["enrolment_id"].implode())
    )
    open_actions = (
        log.filter(pl.col("next_review").is_not_null() & (pl.col("date") <= day))
        .sort("next_review", "intervention_id")
        .group_by("enrolment_id", maintain_order=True)
        .agg(
            pl.format("{} (review {})", "type", pl.col("next_review").dt.strftime("%d/%m/%Y"))
            .str.join("; ")
            .alias("open_actions")
        )
    )
    today = (
        log.filter((pl.col("date") == day) & pl.col("type").is_in(list(CALL_TYPES)))
        .sort("first_recorded_at", "intervention_id")
        .group_by("enrolment_id")
        .agg(
            pl.format("{}: {}", "type", pl.col("outcome").fill_null("no outcome recorded"))
            .last()
            .alias("outcome"),
            pl.col("recorded_by").last(),
            pl.col("first_recorded_at").last().alias("called_at"),
        )
    )
    rows = (
        calls.rows.lazy()
        .with_row_index("_order")
        .join(open_actions, on="enrolment_id", how="left")
        .join(today, on="enrolment_id", how="left")
        .with_columns(
            pl.col("open_actions").fill_null(""),
            pl.col("outcome").is_not_null().alias("done"),
        )
        .sort("done", "_order")
        .drop("_order")
        .collect()
    )
    return replace(calls, rows=rows)


def calling_list(
    db: Database,
    day: date,
    urns: Sequence[int] | None = None,
    year_groups: Sequence[str] = (),
    forms: Sequence[str] = (),
) -> CallingList:
    """The calling list for `day`, pupils left to call first (urgent ones first among them)."""
    calls = call_rows(db, day, urns, year_groups, forms)
    log = intervention_store.interventions(
        db, urns, enrolment_ids=calls.rows["enrolment_id"].to_list()
    )
    return with_actions(calls, log)


def calls_export(calls: CallingList) -> pl.DataFrame:
    """The list as `rollcall export calls` writes it: CALLS_EXPORT_COLUMNS."""
    return calls.rows.select(
        *CALLS_EXPORT_COLUMNS[:12],
        pl.col("other_contacts").fill_null(""),
        "absences_earlier_this_week",
        "open_actions",
        pl.col("flags_text").alias("flags"),
        pl.col("outcome").fill_null(""),
        pl.col("recorded_by").fill_null(""),
    ).sort("school_urn", "surname", "forename", "upn")


def calls_sheet_pdf(calls: CallingList, scope: str) -> bytes:
    """The list as an A4 sheet to work down by hand: a box to tick, the pupil, the sessions,
    the numbers to ring, what else is known, and room for the outcome."""
    document = Document(
        f"Calling list - {calls.day:%A %d %B %Y}",
        f"{scope} - {calls.pupils} pupils, {calls.left} left to call, {calls.urgent} urgent",
    )
    if calls.rows.is_empty():
        document.paragraph(
            "Nobody to call: every pupil on roll has a mark for the registers taken."
        )
        return document.to_bytes()
    table = calls.rows.select(
        pl.when(pl.col("done")).then(pl.lit("done")).otherwise(pl.lit("[  ]")).alias("Done"),
        pl.format(
            "{} ({} {})", "name", pl.col("year_group").fill_null("?"), pl.col("form").fill_null("")
        ).alias("Pupil"),
        pl.col("codes").alias("Sessions"),
        pl.concat_str(
            [
                pl.format("{} ({}) {}", "contact_name", "relationship", "phone"),
                pl.col("other_contacts"),
            ],
            separator="; ",
            ignore_nulls=True,
        )
        .fill_null("no contact with a number")
        .alias("Contacts"),
        pl.concat_str(
            [
                pl.col("flags_text").replace("", None),
                pl.when(pl.col("absences_earlier") > 0).then(
                    pl.format("earlier: {}", "absences_earlier_this_week")
                ),
                pl.col("open_actions").replace("", None),
            ],
            separator="; ",
            ignore_nulls=True,
        )
        .fill_null("")
        .alias("Also"),
        pl.col("outcome").fill_null("").alias("Outcome"),
    )
    document.frame_table(table, widths=[11, 33, 22, 50, 38, 26], size=7)
    document.paragraph(
        "Pupils with no mark or an N code for a register taken that day. Record each call on the "
        "Calling list page, where it goes into the pupil's chronology.",
        size=8,
    )
    return document.to_bytes()
