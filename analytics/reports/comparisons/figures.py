"""The vocabulary of published figures: one tidy row per figure, its kinds, periods, places,
phases and measures, shared by the built-in files, the imported ones and the comparisons.

Two kinds of figure, never mixed silently:
- `daily`: the "Pupil attendance in schools" statistics built from the registers schools share
  with DfE every day. Timely, but DfE calls them estimates.
- `census`: "Pupil absence in schools in England" and the exclusion statistics, from the school
  census. Definitive, but a year or more behind.
"""

from __future__ import annotations

import re

import polars as pl

DAILY = "daily"
CENSUS = "census"

#: Kinds of window a figure covers. `year` is the academic year's figure: the full year, or the
#: year to date while DfE's latest file for that year stops before its end (2025/26);
#: `autumn_spring` the autumn and spring terms together (DfE's two-term absence release).
WINDOWS = ("year", "autumn", "spring", "summer", "autumn_spring", "week", "year_to_date")
PHASES = ("Primary", "Secondary", "Special", "Total")
NATIONAL, REGIONAL, LOCAL_AUTHORITY = "National", "Regional", "Local authority"
LEVELS = (NATIONAL, REGIONAL, LOCAL_AUTHORITY)

#: Symbols DfE prints instead of a figure: confidential, suppressed, not applicable, missing.
NOT_A_FIGURE = ["c", "x", "z", ".", "..", ":", "u", "low", "k", "NA", "NaN", ""]

#: Where a figure came from: the files shipped with Rollcall, or a file imported later.
BUILT_IN = "built in"

#: Every column of a frame of published figures, with its type.
SCHEMA = {
    "source_file": pl.String,
    "data_kind": pl.String,
    "academic_year": pl.Int32,
    "window": pl.String,
    "window_label": pl.String,
    "window_start": pl.Date,
    "window_end": pl.Date,
    "geographic_level": pl.String,
    "region_code": pl.String,
    "region_name": pl.String,
    "la_name": pl.String,
    "new_la_code": pl.String,
    "old_la_code": pl.String,
    "phase": pl.String,
    "characteristic": pl.String,
    "measure": pl.String,
    "value": pl.Float64,
    "source_note": pl.String,
    "origin": pl.String,
}

#: Rate columns of the daily attendance files, as measure names. All are `sessions / possible
#: sessions × 100` except persistent absence (`enrolments / enrolments × 100`). Reason rates name
#: their register code.
ATTENDANCE_RATES = {
    "attendance_perc": "attendance_rate",
    "overall_absence_perc": "absence_rate",
    "authorised_absence_perc": "authorised_rate",
    "unauthorised_absence_perc": "unauthorised_rate",
    "pa_perc": "persistent_absence_rate",
    "illness_perc": "illness_rate",  # I
    "appointments_perc": "medical_appointments_rate",  # M
    "auth_religious_perc": "religious_observance_rate",  # R
    "auth_study_perc": "study_leave_rate",  # S
    "auth_grt_perc": "travelling_rate",  # T: traveller absence (to 2023/24)
    "auth_mob_perc": "travelling_rate",  # T: parent travelling for work (from 2024/25)
    "auth_holiday_perc": "authorised_holiday_rate",  # H
    "auth_excluded_perc": "excluded_rate",  # E
    "auth_performance_perc": "regulated_performance_rate",  # C1
    "auth_interview_perc": "interview_rate",  # J1
    "auth_part_time_perc": "reduced_timetable_rate",  # C2
    "auth_other_perc": "other_authorised_rate",  # C
    "unauth_hol_perc": "unauthorised_holiday_rate",  # G
    "unauth_late_registers_closed_perc": "late_after_close_rate",  # U
    "unauth_oth_perc": "other_unauthorised_rate",  # O
    "unauth_not_yet_perc": "no_reason_yet_rate",  # N
}

#: Rates DfE's daily files give only as counts, computed here the way DfE computes its own:
#: `sessions / possible_sessions × 100` (dfe-formulas.md §6.2). Name -> count column.
DERIVED_RATES = {
    "late_before_close_rate": "reason_l_present_late_before_registers_closed",  # L
}

#: Published rates of the census absence files ("Pupil absence in schools in England").
CENSUS_RATES = {
    "sess_overall_percent": "absence_rate",
    "sess_authorised_percent": "authorised_rate",
    "sess_unauthorised_percent": "unauthorised_rate",
    "enrolments_pa_10_exact_percent": "persistent_absence_rate",
    "enrolments_pa_50_exact_percent": "severe_absence_rate",
}

#: Published rates of the exclusion statistics, per 100 pupils; DfE renamed fixed-period
#: exclusions suspensions (`susp_*`) from 2021/22.
EXCLUSION_RATES = {
    "perm_excl_rate": "permanent_exclusion_rate",
    "fixed_excl_rate": "suspension_rate",
    "susp_rate": "suspension_rate",
    "one_or_more_fixed_excl_rate": "one_or_more_suspensions_rate",
    "one_plus_fixed_rate": "one_or_more_suspensions_rate",
    "one_plus_susp_rate": "one_or_more_suspensions_rate",
}

MEASURES = tuple(
    dict.fromkeys(
        [
            *ATTENDANCE_RATES.values(),
            *DERIVED_RATES,
            *CENSUS_RATES.values(),
            *EXCLUSION_RATES.values(),
        ]
    )
)

_PHASE_NAMES = {
    "primary": "Primary",
    "state-funded primary": "Primary",
    "secondary": "Secondary",
    "state-funded secondary": "Secondary",
    "special": "Special",
    "state-funded special": "Special",
    "total": "Total",
    "all schools": "Total",
    "state-funded primary, secondary and special": "Total",
}

_LEVEL_NAMES = {
    "national": NATIONAL,
    "regional": REGIONAL,
    "local authority": LOCAL_AUTHORITY,
}

_PERIOD_NAMES = {
    "academic year": "year",
    "six half terms": "year",
    "five half terms": "year",
    "full year": "year",
    "autumn term": "autumn",
    "spring term": "spring",
    "summer term": "summer",
    "autumn and spring term": "autumn_spring",
    "autumn and spring terms": "autumn_spring",
}


def phase_of(column: str) -> pl.Expr:
    """DfE's school type or phase as one of PHASES; null for others (pupil referral units,
    nursery schools, `dummy` rows), which no comparison uses."""
    return (
        pl.col(column)
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(_PHASE_NAMES, default=None)
        .alias("phase")
    )


def level_of(column: str) -> pl.Expr:
    """`National`, `Regional` or `Local authority` (DfE writes `NATIONAL` in older files); null
    for school and district rows."""
    return (
        pl.col(column)
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(_LEVEL_NAMES, default=None)
        .alias("geographic_level")
    )


def period_of(column: str) -> pl.Expr:
    """A time identifier (`Academic year`, `Autumn term`, `six half terms`, `Week 37`) as one of
    WINDOWS; null for one Rollcall does not compare with."""
    text = pl.col(column).str.strip_chars().str.to_lowercase()
    return (
        pl.when(text.str.starts_with("week "))
        .then(pl.lit("week"))
        .otherwise(text.replace_strict(_PERIOD_NAMES, default=None))
        .alias("window")
    )


def academic_year_of_period(column: str) -> pl.Expr:
    """`202425` (or `2024/25`, `2024-25`) -> 2024."""
    return pl.col(column).str.strip_chars().str.slice(0, 4).cast(pl.Int32).alias("academic_year")


def group_key_expr(column: str) -> pl.Expr:
    """A pupil characteristic's name reduced to lower-case words: `FSM_eligible`, `FSM eligible`
    and `FSM: Eligible` all read `fsm eligible`, so files that spell groups differently meet."""
    return (
        pl.col(column)
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars()
        .alias("group_key")
    )


def group_key(name: str) -> str:
    """`group_key_expr` for one name."""
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()
