"""How figures are counted: the code table and the definitions behind every figure."""

import streamlit as st

import polars as pl

from analytics.domain.codes import code_table
from analytics.reports.analysis.pupil import MARK_CATEGORIES
from pages.ui.access import guard_page

guard_page(__file__)

#: How the code table's `late` column reads to a person.
LATE = {
    "before_close": "Before registers closed (present)",
    "after_close": "After registers closed (absent)",
}

st.title("How figures are counted")
st.markdown(
    """
Rollcall follows the DfE's published definitions (*Pupil absence in schools in England* and
*Pupil attendance in schools*), and the School Attendance (Pupil Registration) (England) Regulations 2024.

- A **figure is always for a window** of dates. A session counts for an enrolment only when its date is in
  the window and the pupil was on roll (admission to leaving date, inclusive).
- **Sessions possible** = attended + authorised absence + unauthorised absence.
  **Attended** = present (`/ \\ L`) + approved educational activity.
- **Rates** are sessions divided by possible sessions, added up over enrolments before dividing.
- **Persistent absence**: absence of 10% or more of the enrolment's own possible sessions (exactly 10% counts).
  **Severe absence**: 50% or more. Enrolments with no possible session are left out.
- **Lateness**: `L` is present and late; `U` is unauthorised absence, late after the register closed.
- **Missing marks** (a school day with no mark for a pupil on roll) count in no figure. `N` counts as
  unauthorised until it is replaced.
- Shown figures are rounded half-up to one decimal place (12.25 becomes 12.3); exports are unrounded.

Every code and how it counts, with the dates it was in use:
"""
)
codes = code_table()
table = codes.select(
    "code",
    "meaning",
    pl.col("category").replace_strict(MARK_CATEGORIES, default=pl.col("category")),
    pl.when(pl.col("counts_as_possible"))
    .then(pl.lit("Yes"))
    .otherwise(pl.lit("No"))
    .alias("counts_as_possible"),
    pl.col("late").replace_strict(LATE, default="No"),
    pl.when(pl.col("valid_from") == codes["valid_from"].min())
    .then(pl.lit("Always"))
    .otherwise(pl.col("valid_from").dt.strftime("%d/%m/%Y"))
    .alias("valid_from"),
    # J and H: withdrawn by the regulations, still counted as DfE's statistics count them.
    pl.when(pl.col("withdrawn_from").is_not_null())
    .then(
        pl.format("Withdrawn {}; still counted", pl.col("withdrawn_from").dt.strftime("%d/%m/%Y"))
    )
    .when(pl.col("valid_to") == codes["valid_to"].max())
    .then(pl.lit("Still in use"))
    .otherwise(pl.col("valid_to").dt.strftime("%d/%m/%Y"))
    .alias("valid_to"),
)
st.dataframe(
    table,
    hide_index=True,
    height="content",
    placeholder="–",
    column_config={
        "code": "Code",
        "meaning": st.column_config.TextColumn("Meaning", width="large"),
        "category": "Counts as",
        "counts_as_possible": "Possible session",
        "late": "Late",
        "valid_from": "In use from",
        "valid_to": "In use until",
    },
)

st.subheader("Cohorts, patterns and behaviour")
st.markdown(
    """
- **Absence bands**: each pupil's share of possible sessions missed, in DfE's 5% bands: 0% to under 5%,
  5% to under 10% … 45% to under 50%, and 50% and over (computed in whole numbers, so exactly 10% is in the
  10% to under 15% band, and the bands from 10% up are the persistent absentees).
- **Gap to the rest of the school**: a group's rate minus the rate of every other pupil in the scope (both from
  summed sessions or pupils), in percentage points. **Gap to national**: the group's pupils of compulsory school
  age (5 to 15 on 31 August) against DfE's national figure for that group, the latest year published. As in
  DfE's statistics, pupils aged 15 on 31 August are counted without the second half of the summer term (from
  the spring bank holiday); every other figure counts those sessions.
  Groups with fewer pupils than the small-group setting, or compared with too few, are marked *too small to read*.
- **National figures for a mix of phases** (a trust with primary and secondary schools): each phase's figure
  weighted by the scope's own compulsory-age pupils (or possible sessions) in that phase.
- **Same window last year**: the same-named term or half-term of the previous year as the register shows it, the
  same number of school weeks up to the same date, the previous academic year, or the same dates a year earlier.
- **Spell of absence**: a run of a pupil's possible sessions that are all absences. Weekends, holidays and
  sessions that are not possible neither break nor extend it; an attended session ends it.
- **Reasons over time**: illness (I), medical appointments (M), holidays (G, and the withdrawn H and F), other
  authorised, late after registers closed (U), other unauthorised (O) and not yet known (N), as shares of the
  week's possible sessions. They add up to overall absence.
- **Incidents and exclusions per 100 pupils**: counts dated in the window divided by the pupils on roll in it,
  times 100 (weekly: by the pupils with a session that week). An exclusion with several reasons counts under each.
"""
)
