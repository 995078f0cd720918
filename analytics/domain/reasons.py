"""Absence reasons as Rollcall groups them for patterns over time: illness, medical appointments,
holidays, other authorised, late after registers closed, other unauthorised and not yet known.

Every code that counts as absence (authorised or unauthorised, in `attendance_codes.csv`) is in
exactly one group, so the groups add up to overall absence (a test checks it against the table).
The grouping follows the reason rates DfE publishes (`illness_perc`, `appointments_perc`,
`unauth_hol_perc`, `unauth_late_registers_closed_perc`, `unauth_oth_perc`, `unauth_not_yet_perc`),
with the authorised and unauthorised holiday codes together as "Holidays".
"""

from __future__ import annotations

ILLNESS = "Illness"
MEDICAL = "Medical appointments"
HOLIDAYS = "Holidays"
OTHER_AUTHORISED = "Other authorised"
LATE_AFTER_CLOSE = "Late after registers closed"
OTHER_UNAUTHORISED = "Other unauthorised"
NOT_YET_KNOWN = "Not yet known"

#: The groups in the order pages show them.
REASON_GROUPS = (
    ILLNESS,
    MEDICAL,
    HOLIDAYS,
    OTHER_AUTHORISED,
    LATE_AFTER_CLOSE,
    OTHER_UNAUTHORISED,
    NOT_YET_KNOWN,
)

#: Register code -> reason group, for every absence code (current and withdrawn).
REASON_OF_CODE = {
    "I": ILLNESS,
    "M": MEDICAL,
    "G": HOLIDAYS,  # unauthorised holiday
    "H": HOLIDAYS,  # authorised holiday (withdrawn 19 Aug 2024, still counted by DfE)
    "F": HOLIDAYS,  # agreed extended family holiday (legacy)
    "C": OTHER_AUTHORISED,
    "C1": OTHER_AUTHORISED,
    "C2": OTHER_AUTHORISED,
    "E": OTHER_AUTHORISED,
    "J1": OTHER_AUTHORISED,
    "R": OTHER_AUTHORISED,
    "S": OTHER_AUTHORISED,
    "T": OTHER_AUTHORISED,
    "U": LATE_AFTER_CLOSE,
    "O": OTHER_UNAUTHORISED,
    "N": NOT_YET_KNOWN,
}
