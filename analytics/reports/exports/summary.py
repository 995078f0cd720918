"""`rollcall export summary`: one row per enrolment on roll in a window (an exact contract)."""

from __future__ import annotations

import polars as pl

from analytics.pipelines.windows import Window
from analytics.reports.inputs.register import Register

SUMMARY_COLUMNS = (
    "school_urn",
    "upn",
    "sessions_possible",
    "sessions_attended",
    "sessions_present",
    "sessions_aea",
    "sessions_authorised",
    "sessions_unauthorised",
    "sessions_late_before_close",
    "sessions_late_after_close",
    "attendance_rate",
    "absence_rate",
    "authorised_rate",
    "unauthorised_rate",
    "persistent_absence",
    "severe_absence",
)


def summary_table(register: Register, window: Window) -> pl.DataFrame:
    """Session counts, unrounded rates (null when nothing was possible) and PA/SA flags per
    enrolment on roll at any point of the window, ordered by school and UPN."""
    # Each `sessions_x` column is the engine's session measure `x`; the rest keep their names.
    columns = [pl.col(c.removeprefix("sessions_")).alias(c) for c in SUMMARY_COLUMNS]
    return register.enrolment_measures(window).select(columns).sort("school_urn", "upn").collect()
