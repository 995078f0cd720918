"""How figures are counted: the code table and the definitions behind every figure."""

import streamlit as st

from analytics.domain.codes import code_table
from pages.ui.access import guard_page

guard_page(__file__)
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
table = code_table().select("code", "meaning", "category", "counts_as_possible", "late", "valid_from", "valid_to")
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "code": "Code",
        "meaning": "Meaning",
        "category": "Counts as",
        "counts_as_possible": st.column_config.CheckboxColumn("Possible session"),
        "late": "Late",
        "valid_from": st.column_config.DateColumn("In use from", format="DD/MM/YYYY"),
        "valid_to": st.column_config.DateColumn("In use until", format="DD/MM/YYYY"),
    },
)
