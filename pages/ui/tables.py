"""Tables on the analysis pages: friendly column headers and formats, rates shown half-up to one
decimal place, and CSV and Excel downloads of exactly the rows shown (unrounded)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.domain.rounding import rounded as rounded_half_up
from analytics.domain.reasons import REASON_GROUPS
from analytics.domain.yeargroups import YEAR_GROUP_LABELS
from pages.ui.download import download_buttons

TEXT, COUNT, RATE, GAP, FLAG, DATE, NUMBER, YEAR = (
    "text",
    "count",
    "rate",
    "gap",
    "flag",
    "date",
    "number",
    "year",
)
#: Tables this short are shown whole (a form, a year group's forms); longer ones scroll in a box
#: of LONG_TABLE_PX.
SHOW_WHOLE = 60
LONG_TABLE_PX = 640
#: What an empty cell shows (never "None").
MISSING = "–"

#: Column name -> (header, kind). Columns not listed show under their own name.
COLUMNS: dict[str, tuple[str, str]] = {
    "characteristic": ("Characteristic", TEXT),
    "group": ("Group", TEXT),
    "cross_group": ("Crossed with", TEXT),
    "label": ("Measure", TEXT),
    "pupils": ("Pupils", COUNT),
    "pupils_counted": ("Pupils with a possible session", COUNT),
    "enrolments": ("Enrolments", COUNT),
    "enrolments_counted": ("Enrolments with a possible session", COUNT),
    "possible": ("Possible sessions", COUNT),
    "attended": ("Attended", COUNT),
    "present": ("Present", COUNT),
    "aea": ("Approved educational activity", COUNT),
    "authorised": ("Authorised absence", COUNT),
    "unauthorised": ("Unauthorised absence", COUNT),
    "absent": ("Absent", COUNT),
    "late_before_close": ("Late (L)", COUNT),
    "late_after_close": ("Late after close (U)", COUNT),
    "attendance_rate": ("Attendance %", RATE),
    "absence_rate": ("Absence %", RATE),
    "authorised_rate": ("Authorised %", RATE),
    "unauthorised_rate": ("Unauthorised %", RATE),
    "late_before_close_rate": ("Late (L) %", RATE),
    "late_after_close_rate": ("Late after close (U) %", RATE),
    "persistent_absentees": ("Persistent absentees", COUNT),
    "persistent_absence_rate": ("Persistent absence %", RATE),
    "severe_absentees": ("Severe absentees", COUNT),
    "severe_absence_rate": ("Severe absence %", RATE),
    "rest_value": ("Rest of school %", RATE),
    "gap_to_rest": ("Gap to rest (points)", GAP),
    "compared_pupils": ("Compulsory-age pupils compared", COUNT),
    "compared_value": ("Compulsory-age %", RATE),
    "national": ("National %", RATE),
    "gap_to_national": ("Gap to national (points)", GAP),
    "la": ("Local authority %", RATE),
    "gap_to_la": ("Gap to LA (points)", GAP),
    "region": ("Region %", RATE),
    "gap_to_region": ("Gap to region (points)", GAP),
    "too_small": ("Too small to read", FLAG),
    "national_year": ("National figure from", TEXT),
    "national_period": ("National figure for", TEXT),
    "national_kind": ("National figure: data", TEXT),
    "national_older": ("National figure over a year older", FLAG),
    "national_source": ("National figure: source", TEXT),
    "region_year": ("Regional figure from", TEXT),
    "region_period": ("Regional figure for", TEXT),
    "region_older": ("Regional figure over a year older", FLAG),
    "region_source": ("Regional figure: source", TEXT),
    "la_year": ("LA figure from", TEXT),
    "la_period": ("LA figure for", TEXT),
    "la_older": ("LA figure over a year older", FLAG),
    "la_source": ("LA figure: source", TEXT),
    "year": ("Academic year", TEXT),
    "school_value": ("School (compulsory-age) %", RATE),
    "school_pupils": ("Compulsory-age pupils", COUNT),
    "fsm_percent": ("Free school meals %", RATE),
    "sen_percent": ("SEN %", RATE),
    "absence_rank": ("Rank on absence", COUNT),
    "persistent_rank": ("Rank on persistent absence", COUNT),
    "this_school": ("This school", FLAG),
    "la_name": ("Local authority", TEXT),
    "value": ("This window %", RATE),
    "numerator": ("Count", COUNT),
    "denominator": ("Out of", COUNT),
    "last_year": ("Same window last year %", RATE),
    "change": ("Change (points)", GAP),
    "band_label": ("Share of sessions missed", TEXT),
    "share": ("Share of pupils %", RATE),
    "compared_share": ("Compulsory-age share %", RATE),
    "national_share": ("National share %", RATE),
    "school_name": ("School", TEXT),
    "name": ("School", TEXT),
    "phase": ("Phase", TEXT),
    "upn": ("UPN", TEXT),
    "surname": ("Surname", TEXT),
    "forename": ("Forename", TEXT),
    "year_group": ("Year", YEAR),
    "form": ("Form", TEXT),
    "flags": ("Flags", TEXT),
    "persistent_absence": ("Persistent absence", FLAG),
    "severe_absence": ("Severe absence", FLAG),
    "longest_absence_spell": ("Longest absence spell (sessions)", COUNT),
    "negative_incidents": ("Negative incidents", COUNT),
    "positive_incidents": ("Positive incidents", COUNT),
    "suspensions": ("Suspensions", COUNT),
    "permanent_exclusions": ("Permanent exclusions", COUNT),
    "exclusion_sessions": ("Sessions excluded", COUNT),
    "pupils_with_negative": ("Pupils with a negative incident", COUNT),
    "pupils_with_negative_rate": ("Pupils with a negative incident %", RATE),
    "pupils_suspended": ("Pupils suspended", COUNT),
    "negative_per_100": ("Negative per 100 pupils", NUMBER),
    "positive_per_100": ("Positive per 100 pupils", NUMBER),
    "suspension_rate": ("Suspensions per 100 pupils", NUMBER),
    "permanent_exclusion_rate": ("Permanent exclusions per 100 pupils", NUMBER),
    "one_or_more_suspensions_rate": ("Pupils suspended per 100", NUMBER),
    "disadvantaged": ("Disadvantaged", FLAG),
    "fsm": ("FSM", FLAG),
    "sen": ("SEN", TEXT),
    "eal": ("EAL", FLAG),
    "looked_after": ("Looked after", FLAG),
    "ethnic_group": ("Ethnic group", TEXT),
    "compulsory_school_age": ("Compulsory school age", FLAG),
    "week_start": ("Week beginning", DATE),
    "date": ("Date", DATE),
    "first_date": ("From", DATE),
    "last_date": ("To", DATE),
    "start_date": ("Start", DATE),
    "end_date": ("End", DATE),
    "reason": ("Reason code", TEXT),
    "meaning": ("Meaning", TEXT),
    "code": ("Code", TEXT),
    "counts_as": ("Counts as", TEXT),
    "sessions": ("Sessions", COUNT),
    "weekday_name": ("Day", TEXT),
    "session": ("Session", TEXT),
    "position": ("Weeks", TEXT),
    "length": ("Length of spell", TEXT),
    "spells": ("Spells", COUNT),
    "minutes_band": ("Minutes late", TEXT),
    "rate": ("% of possible sessions", RATE),
    "minutes_late": ("Minutes late", COUNT),
    "kind": ("Counts as", TEXT),
    "series": ("Pupils", TEXT),
    "first_session": ("From session", TEXT),
    "last_session": ("To session", TEXT),
    "main_code": ("Main code", TEXT),
    "calendar_days": ("Calendar days", COUNT),
    "time": ("Time", TEXT),
    "type": ("Type", TEXT),
    "category": ("Category", TEXT),
    "points": ("Points", COUNT),
    "severity": ("Severity", COUNT),
    "location": ("Location", TEXT),
    "subject": ("Subject", TEXT),
    "staff": ("Staff", TEXT),
    "action": ("Action", TEXT),
    "notes": ("Notes", TEXT),
    "reasons": ("Reasons", TEXT),
    "start": ("Half-term starts", DATE),
    "weekday": ("Weekday", COUNT),
}


#: Reasons week by week, one column each (Patterns), headed short enough for all to fit.
COLUMNS |= {
    reason: (header, RATE)
    for reason, header in zip(
        REASON_GROUPS,
        ("Illness", "Medical", "Holidays", "Other auth.", "Late (U)", "Other unauth.", "Not known"),
        strict=True,
    )
}


def _config(column: str):
    header, kind = COLUMNS.get(column, (column, TEXT))
    if kind == COUNT:
        return st.column_config.NumberColumn(header, format="localized")
    if kind == RATE:
        return st.column_config.NumberColumn(header, format="%.1f")
    if kind == GAP:
        return st.column_config.NumberColumn(header, format="%+.1f")
    if kind == NUMBER:
        return st.column_config.NumberColumn(header, format="%.1f")
    if kind == FLAG:
        # Yes or no in words: a disabled checkbox reads as a control that does not work.
        return st.column_config.TextColumn(header)
    if kind == DATE:
        return st.column_config.DateColumn(header, format="DD/MM/YYYY")
    return st.column_config.TextColumn(header)


def _kind(column: str) -> str:
    return COLUMNS.get(column, ("", TEXT))[1]


def shown(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame as a page shows it: rates, gaps and per-100 figures rounded half-up to 1 dp,
    yes/no flags in words, year groups named (`Year 9`)."""
    rounded = [
        c for c in frame.columns if _kind(c) in (RATE, GAP, NUMBER) and frame[c].dtype.is_float()
    ]
    flags = [c for c in frame.columns if frame[c].dtype == pl.Boolean]
    years = [c for c in frame.columns if _kind(c) == YEAR and frame[c].dtype == pl.String]
    return frame.with_columns(
        *(rounded_half_up(pl.col(c)).alias(c) for c in rounded),
        *(
            pl.when(pl.col(c))
            .then(pl.lit("Yes"))
            .when(pl.col(c).not_())
            .then(pl.lit("No"))
            .alias(c)
            for c in flags
        ),
        *(
            pl.when(pl.col(c).is_in(list(YEAR_GROUP_LABELS)))
            .then(pl.col(c).replace_strict(YEAR_GROUP_LABELS, default=None))
            .otherwise(pl.col(c))
            .alias(c)
            for c in years
        ),
    )


def table(
    frame: pl.DataFrame,
    name: str,
    *,
    key: str,
    note: str,
    hide: tuple[str, ...] = (),
    show: tuple[str, ...] | None = None,
    headers: dict[str, str] | None = None,
    pupil_data: bool = False,
    **options,
) -> object:
    """Show `frame` with friendly headers (`headers` overrides some), then its download buttons
    (the CSV and Excel hold the unrounded figures of the rows shown, every column included; with
    `pupil_data` each download goes in the audit log). On screen: the `show` columns in that
    order (default: all but `hide`), so a wide table keeps to the columns that fit and the rest
    are in its downloads. Returns what `st.dataframe` returns (the selection when `on_select`
    is given)."""
    visible = list(show) if show is not None else [c for c in frame.columns if c not in hide]
    options.setdefault("height", "content" if frame.height <= SHOW_WHOLE else LONG_TABLE_PX)
    config = {c: _config(c) for c in visible}
    for column, header in (headers or {}).items():
        if column in config:  # a header for a column not shown is not needed
            config[column]["label"] = header
    result = st.dataframe(
        shown(frame.select(visible)),
        alt=name,  # the table's accessible name (and how tests find it)
        hide_index=True,
        column_config=config,
        placeholder=MISSING,
        key=key,
        **options,
    )
    download_buttons(frame, name, key=key, note=note, pupil_data=pupil_data)
    return result
