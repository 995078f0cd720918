"""What the risk model knows about each enrolment at an as-of date, and what happened after it.

Every feature uses only data dated before the as-of date: this year's sessions before it, the
school weeks before it, last year's sessions, behaviour incidents and suspensions that started
before it, and enrolments and spells that began before it. The outcome (persistent absence over
the rest of the academic year) uses only sessions from the as-of date on. A test checks that a
feature does not change when later data is added.

The year is the academic year holding the as-of date; "this year" runs from its 1 August to the
day before the as-of date. Last year is the previous academic year, pooled over the pupil's
enrolments in the trust (a pupil who moved from a trust primary to its secondary keeps their
history).
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from analytics.domain.calendar import academic_year_bounds, academic_year_expr, academic_year_of
from analytics.domain.codes import ILLNESS
from analytics.domain.yeargroups import YEAR_GROUPS
from analytics.pipelines.calendar import week_start
from analytics.pipelines.cohorts import with_cohorts
from analytics.pipelines.measures import PERSISTENT_ABSENCE_PERCENT, at_least_percent

#: The model's inputs, in order, with what each means (the model card lists them).
FEATURES: dict[str, str] = {
    "absence_rate": "Absence this year so far, % of possible sessions",
    "absence_last_4_weeks": "Absence in the last 4 school weeks, %",
    "change_4_weeks": "Absence in the last 4 school weeks minus absence before them, points",
    "change_8_weeks": "Absence in the last 8 school weeks minus absence before them, points",
    "absence_last_year": "Absence last academic year, % (the pupil's enrolments in the trust)",
    "no_last_year": "No sessions last academic year (1) or some (0)",
    "illness_rate": "Illness (I) this year, % of possible sessions",
    "unauthorised_rate": "Unauthorised absence (G N O U) this year, % of possible sessions",
    "late_rate": "Late (L before and U after registers closed) this year, % of possible sessions",
    "weekday_concentration": "Share of this year's absences on the pupil's most-missed weekday, above an even spread (0 with fewer than 4 absences)",
    "negative_incidents_per_week": "Negative behaviour incidents this year per school week",
    "suspensions_this_year": "Suspensions this year",
    "suspensions_last_year": "Suspensions last academic year",
    "disadvantaged": "Disadvantaged (1) or not (0)",
    "sen_support": "SEN support (1) or not (0)",
    "ehc_plan": "EHC plan (1) or not (0)",
    "year_group_rank": "Year group (Reception 0, Year 1 1, ... Year 11 11)",
    "joined_this_year": "Joined the school after the first day of this year (1) or not (0)",
    "changes_of_school": "Earlier enrolments in the trust and readmissions before the as-of date",
    "sessions_so_far": "Possible sessions this year so far",
}
#: Enough absences for the weekday pattern to mean something.
WEEKDAY_MIN_ABSENCES = 4
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
_YEAR_RANK = {name: rank - YEAR_GROUPS.index("R") for rank, name in enumerate(YEAR_GROUPS)}


def year_start_of(as_of: date) -> date:
    """1 August of the academic year holding `as_of`."""
    return academic_year_bounds(academic_year_of(as_of))[0]


def on_roll_at(spells: pl.LazyFrame, as_of: date) -> pl.LazyFrame:
    """One row per enrolment on roll at the as-of point (the end of the day before `as_of`): a
    spell that began before `as_of` and had not ended before the day before it. `enrolment_id`
    and `latest_admission` (the start of that spell)."""
    eve = as_of - timedelta(days=1)
    return (
        spells.filter(
            (pl.col("admission_date") < as_of)
            & (pl.col("leaving_date").is_null() | (pl.col("leaving_date") >= eve))
        )
        .group_by("enrolment_id")
        .agg(pl.col("admission_date").max().alias("latest_admission"))
    )


def _share(part: str | pl.Expr, whole: str | pl.Expr) -> pl.Expr:
    """`part / whole × 100`, 0 when `whole` is 0 (the model needs a number)."""
    p = pl.col(part) if isinstance(part, str) else part
    w = pl.col(whole) if isinstance(whole, str) else whole
    return pl.when(w > 0).then(p.cast(pl.Float64) * 100.0 / w.cast(pl.Float64)).otherwise(0.0)


#: Session counts kept per enrolment and week, and summed over weeks for the features.
_COUNTS = {
    "possible": pl.col("possible"),
    "absent": pl.col("absent"),
    "illness": pl.col("code") == ILLNESS,
    "unauthorised": pl.col("unauthorised"),
    "late_before_close": pl.col("late_before_close"),
    "late_after_close": pl.col("late_after_close"),
    **{
        f"absent_{name.lower()}": pl.col("absent").cast(pl.Boolean)
        & (pl.col("date").dt.weekday() == day)
        for day, name in enumerate(WEEKDAYS, start=1)
    },
}


def _week_totals(sessions: pl.LazyFrame) -> pl.LazyFrame:
    return sessions.group_by("enrolment_id", "school_urn", "academic_year", "week_start").agg(
        expr.cast(pl.Int64).sum().alias(name) for name, expr in _COUNTS.items()
    )


def weekly_session_totals(sessions: pl.LazyFrame) -> pl.LazyFrame:
    """One row per enrolment, academic year and week: `school_urn, academic_year, week_start`
    and the session counts the features are summed from (`possible, absent, illness,
    unauthorised, late_before_close, late_after_close, absent_monday` ... `absent_friday`).
    Computed once, it lets features at many as-of dates skip the session-level scan."""
    return _week_totals(
        sessions.with_columns(
            academic_year_expr(pl.col("date")).alias("academic_year"),
            week_start().alias("week_start"),
        )
    )


def _weeks_before(
    weekly: pl.LazyFrame, sessions: pl.LazyFrame, year: int, as_of: date
) -> pl.LazyFrame:
    """This year's totals per enrolment and week for the dates before `as_of`: whole weeks from
    `weekly`, and the as-of date's own week (when it has begun) from the sessions."""
    monday = as_of - timedelta(days=as_of.weekday())
    whole = weekly.filter((pl.col("academic_year") == year) & (pl.col("week_start") < monday))
    if as_of == monday:  # nothing of the as-of week has happened: no need to read the sessions
        return whole
    start = academic_year_bounds(year)[0]
    partial = sessions.filter(pl.col("date").is_between(max(start, monday), as_of, closed="left"))
    return pl.concat([whole, weekly_session_totals(partial)], how="vertical_relaxed")


def _this_year_totals(
    weekly: pl.LazyFrame, sessions: pl.LazyFrame, days: pl.LazyFrame, as_of: date
) -> pl.LazyFrame:
    """Per enrolment: this year's session totals before `as_of`, in all and in the last 4 and
    8 school weeks of its school."""
    year = academic_year_of(as_of)
    start = academic_year_bounds(year)[0]
    school_weeks = (
        days.filter(pl.col("date").is_between(start, as_of, closed="left"))
        .select("school_urn", week_start().alias("week_start"))
        .unique()
        .with_columns(
            pl.col("week_start")
            .rank("dense", descending=True)
            .over("school_urn")
            .alias("weeks_ago")
        )
    )
    weeks = _weeks_before(weekly, sessions, year, as_of).join(
        school_weeks, on=["school_urn", "week_start"], how="left"
    )
    last4, last8 = pl.col("weeks_ago") <= 4, pl.col("weeks_ago") <= 8
    return weeks.group_by("enrolment_id").agg(
        *(pl.col(name).sum().alias(name) for name in _COUNTS),
        pl.col("possible").filter(last4).sum().alias("possible_last_4"),
        pl.col("absent").filter(last4).sum().alias("absent_last_4"),
        pl.col("possible").filter(last8).sum().alias("possible_last_8"),
        pl.col("absent").filter(last8).sum().alias("absent_last_8"),
    )


def _last_year_by_pupil(
    weekly: pl.LazyFrame, enrolments: pl.LazyFrame, as_of: date
) -> pl.LazyFrame:
    """Per UPN: last academic year's possible and absent sessions over the pupil's enrolments."""
    return (
        weekly.filter(pl.col("academic_year") == academic_year_of(as_of) - 1)
        .join(enrolments.select("enrolment_id", "upn"), on="enrolment_id", how="inner")
        .group_by("upn")
        .agg(
            pl.col("possible").sum().cast(pl.Int64).alias("possible_last_year"),
            pl.col("absent").sum().cast(pl.Int64).alias("absent_last_year"),
        )
    )


def _behaviour(
    incidents: pl.LazyFrame, exclusions: pl.LazyFrame, enrolments: pl.LazyFrame, as_of: date
) -> tuple[pl.LazyFrame, pl.LazyFrame, pl.LazyFrame]:
    """Negative incidents and suspensions this year per enrolment, and suspensions last year per UPN."""
    start = year_start_of(as_of)
    last_start, last_end = academic_year_bounds(academic_year_of(as_of) - 1)
    negative = (
        incidents.filter(
            (pl.col("type") == "negative") & pl.col("date").is_between(start, as_of, closed="left")
        )
        .group_by("enrolment_id")
        .agg(pl.len().cast(pl.Int64).alias("negative_incidents"))
    )
    suspensions = exclusions.filter(pl.col("category") == "suspension")
    this_year = (
        suspensions.filter(pl.col("start_date").is_between(start, as_of, closed="left"))
        .group_by("enrolment_id")
        .agg(
            pl.len().cast(pl.Int64).alias("suspensions"),
            pl.col("sessions").sum().cast(pl.Int64).alias("suspension_sessions"),
        )
    )
    last_year = (
        suspensions.filter(pl.col("start_date").is_between(last_start, last_end))
        .join(enrolments.select("enrolment_id", "upn"), on="enrolment_id", how="inner")
        .group_by("upn")
        .agg(pl.len().cast(pl.Int64).alias("suspensions_last_year_count"))
    )
    return negative, this_year, last_year


def risk_features(
    weekly: pl.LazyFrame,
    sessions: pl.LazyFrame,
    enrolments: pl.LazyFrame,
    spells: pl.LazyFrame,
    days: pl.LazyFrame,
    incidents: pl.LazyFrame,
    exclusions: pl.LazyFrame,
    as_of: date,
) -> pl.LazyFrame:
    """One row per enrolment on roll at the as-of point (see `on_roll_at`): `enrolment_id,
    school_urn, upn, as_of`, every FEATURES column (floats, never null) and the counts the
    drivers are written from (`possible, absent, illness, unauthorised, late_before_close,
    late_after_close, absent_<weekday>, negative_incidents, suspensions, suspension_sessions,
    possible_last_year, absent_last_year`).

    `sessions` are counted sessions of any dates (on roll, classified) and `weekly` their
    `weekly_session_totals`; `days` the school days
    (`school_urn, date`); `incidents` behaviour (`enrolment_id, date, type`); `exclusions`
    (`enrolment_id, start_date, category, sessions`). Nothing dated on or after `as_of` is read.
    """
    start = year_start_of(as_of)
    year = academic_year_of(as_of)
    rows = on_roll_at(spells, as_of)
    cohorts = with_cohorts(enrolments.join(rows, on="enrolment_id", how="semi"), year)
    totals = _this_year_totals(weekly, sessions, days, as_of)
    last_year = _last_year_by_pupil(weekly, enrolments, as_of)
    negative, suspensions, suspensions_last_year = _behaviour(
        incidents, exclusions, enrolments, as_of
    )
    school_days_so_far = (
        days.filter(pl.col("date").is_between(start, as_of, closed="left"))
        .group_by("school_urn")
        .agg(pl.len().alias("school_days_so_far"), pl.col("date").min().alias("first_school_day"))
    )
    earlier_enrolments = (
        enrolments.filter(pl.col("admission_date") < as_of)
        .group_by("upn")
        .agg(pl.len().alias("_enrolments_of_pupil"))
    )
    spells_so_far = (
        spells.filter(pl.col("admission_date") < as_of)
        .group_by("enrolment_id")
        .agg(pl.len().alias("_spells"))
    )
    counts = [
        "possible",
        "absent",
        "illness",
        "unauthorised",
        "late_before_close",
        "late_after_close",
        "possible_last_4",
        "absent_last_4",
        "possible_last_8",
        "absent_last_8",
        *(f"absent_{d.lower()}" for d in WEEKDAYS),
        "negative_incidents",
        "suspensions",
        "suspension_sessions",
    ]
    joined = (
        cohorts.join(rows, on="enrolment_id", how="inner")
        .join(totals, on="enrolment_id", how="left")
        .join(last_year, on="upn", how="left")
        .join(negative, on="enrolment_id", how="left")
        .join(suspensions, on="enrolment_id", how="left")
        .join(suspensions_last_year, on="upn", how="left")
        .join(school_days_so_far, on="school_urn", how="left")
        .join(earlier_enrolments, on="upn", how="left")
        .join(spells_so_far, on="enrolment_id", how="left")
        .with_columns(pl.col(c).fill_null(0) for c in counts)
    )
    weekday_counts = [pl.col(f"absent_{d.lower()}") for d in WEEKDAYS]
    before = lambda weeks: (
        pl.col("absent") - pl.col(f"absent_last_{weeks}"),
        pl.col("possible") - pl.col(f"possible_last_{weeks}"),
    )
    change = lambda weeks: (
        pl.when((pl.col(f"possible_last_{weeks}") > 0) & (before(weeks)[1] > 0))
        .then(_share(f"absent_last_{weeks}", f"possible_last_{weeks}") - _share(*before(weeks)))
        .otherwise(0.0)
    )
    top_weekday_share = pl.max_horizontal(weekday_counts).cast(pl.Float64) / pl.col("absent").cast(
        pl.Float64
    )
    return joined.with_columns(
        pl.lit(as_of).alias("as_of"),
        _share("absent", "possible").alias("absence_rate"),
        _share("absent_last_4", "possible_last_4").alias("absence_last_4_weeks"),
        change(4).alias("change_4_weeks"),
        change(8).alias("change_8_weeks"),
        _share("absent_last_year", "possible_last_year").alias("absence_last_year"),
        (pl.col("possible_last_year").fill_null(0) == 0).cast(pl.Float64).alias("no_last_year"),
        _share("illness", "possible").alias("illness_rate"),
        _share("unauthorised", "possible").alias("unauthorised_rate"),
        _share(pl.col("late_before_close") + pl.col("late_after_close"), "possible").alias(
            "late_rate"
        ),
        pl.when(pl.col("absent") >= WEEKDAY_MIN_ABSENCES)
        .then(top_weekday_share - 0.2)
        .otherwise(0.0)
        .alias("weekday_concentration"),
        pl.when(pl.col("school_days_so_far") > 0)
        .then(
            pl.col("negative_incidents").cast(pl.Float64)
            * 5.0
            / pl.col("school_days_so_far").cast(pl.Float64)
        )
        .otherwise(0.0)
        .alias("negative_incidents_per_week"),
        pl.col("suspensions").cast(pl.Float64).alias("suspensions_this_year"),
        pl.col("suspensions_last_year_count")
        .fill_null(0)
        .cast(pl.Float64)
        .alias("suspensions_last_year"),
        pl.col("disadvantaged").fill_null(False).cast(pl.Float64),
        (pl.col("sen") == "K").cast(pl.Float64).alias("sen_support"),
        (pl.col("sen") == "E").cast(pl.Float64).alias("ehc_plan"),
        pl.col("year_group")
        .replace_strict(_YEAR_RANK, default=None, return_dtype=pl.Float64)
        .fill_null(0.0)
        .alias("year_group_rank"),
        (
            pl.col("first_school_day").is_not_null()
            & (pl.col("latest_admission") > pl.col("first_school_day"))
        )
        .cast(pl.Float64)
        .alias("joined_this_year"),
        ((pl.col("_enrolments_of_pupil").fill_null(1) - 1) + (pl.col("_spells").fill_null(1) - 1))
        .cast(pl.Float64)
        .alias("changes_of_school"),
        pl.col("possible").cast(pl.Float64).alias("sessions_so_far"),
    ).drop("_enrolments_of_pupil", "_spells", "suspensions_last_year_count")


def persistent_absence_after(
    weekly: pl.LazyFrame, sessions: pl.LazyFrame, as_of: date
) -> pl.LazyFrame:
    """One row per enrolment with a possible session from `as_of` to the end of its academic
    year: `future_possible, future_absent` and `persistent_absence_after` (absence ≥ 10% of them,
    compared in integers): what the model predicts."""
    year = academic_year_of(as_of)
    monday = as_of - timedelta(days=as_of.weekday())
    if as_of == monday:  # the as-of week is whole: the weekly totals say everything
        ahead = weekly.filter((pl.col("academic_year") == year) & (pl.col("week_start") >= monday))
    else:
        later_weeks = weekly.filter(
            (pl.col("academic_year") == year) & (pl.col("week_start") > monday)
        )
        this_week = sessions.filter(
            pl.col("date").is_between(
                as_of, min(monday + timedelta(days=6), academic_year_bounds(year)[1])
            )
        )
        ahead = pl.concat([later_weeks, weekly_session_totals(this_week)], how="vertical_relaxed")
    return (
        ahead.group_by("enrolment_id")
        .agg(
            pl.col("possible").sum().cast(pl.Int64).alias("future_possible"),
            pl.col("absent").sum().cast(pl.Int64).alias("future_absent"),
        )
        .filter(pl.col("future_possible") > 0)
        .with_columns(
            at_least_percent(
                pl.col("future_absent"), pl.col("future_possible"), PERSISTENT_ABSENCE_PERCENT
            ).alias("persistent_absence_after")
        )
    )
