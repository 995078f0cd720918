"""The school census attendance return: who is in it, its columns, and the checks a data manager
runs before submitting it (modelled on DfE's census validation rules, `rules.md` section 4).

Pupils in the return: on roll at any point of the census period (`calendar.census_period`) and
aged 4 to 15 on 31 August at the start of the academic year. A pupil with no possible session
stays in the return with zeros and is raised as query 2502Q (or 1925Q for a leaver), as DfE's
own validation does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: Ages (on 31 August at the start of the academic year) of the pupils in the return.
CENSUS_AGES = (4, 15)
#: Ages of compulsory school age on that day, for whom `X` is not a valid code.
COMPULSORY_AGES = (5, 15)
#: Year groups whose pupils are expected to be 4 to 15: one outside that range is a query.
CENSUS_YEAR_GROUPS = ("R", *(str(n) for n in range(1, 12)))

#: The absence reasons the return carries, one column each (`reason_<code>`), from 19 Aug 2024.
REASON_CODES = ("C", "C1", "C2", "E", "G", "I", "J1", "M", "N", "O", "R", "S", "T", "U")
#: Reasons of the codes withdrawn in 2024, added for periods before August 2024.
LEGACY_REASON_CODES = ("F", "H")
#: Periods starting before this day carry the legacy reason columns.
LEGACY_BEFORE = date(2024, 8, 1)

#: The return's columns before the reasons (an exact contract).
HEADER_START = (
    "school_urn",
    "upn",
    "surname",
    "forename",
    "date_of_birth",
    "ncyear",
    "sessions_possible",
    "sessions_authorised",
    "sessions_unauthorised",
)

ERROR = "error"
QUERY = "query"


def reason_codes(period_start: date) -> tuple[str, ...]:
    """The reason columns' codes for a period starting on `period_start`: the current reasons,
    then `F` and `H` for periods before August 2024."""
    return REASON_CODES + (LEGACY_REASON_CODES if period_start < LEGACY_BEFORE else ())


def census_header(period_start: date) -> tuple[str, ...]:
    """The exact header of the census export for a period starting on `period_start`."""
    return HEADER_START + tuple(f"reason_{code}" for code in reason_codes(period_start))


@dataclass(frozen=True)
class CensusCheck:
    """One check: its rule id (DfE's validation rule, or `RC-` for Rollcall's own), whether it is
    an error (fix before submitting) or a query (explain or fix), and how to fix it."""

    key: str
    rule: str
    severity: str
    title: str
    fix: str


CHECKS = (
    CensusCheck(
        "x-compulsory-age",
        "2491",
        ERROR,
        "X code for a pupil of compulsory school age",
        "X is only for pupils not of compulsory school age (4-year-olds in Reception, or pupils over 16). "
        "Recode these sessions with the code that applies, or correct the date of birth if it is wrong.",
    ),
    CensusCheck(
        "missing-marks",
        "RC-MISSING",
        ERROR,
        "Sessions with no mark",
        "Enter a mark for every session the pupil was on roll: the register must hold one, and a session "
        "without a mark is left out of sessions possible.",
    ),
    CensusCheck(
        "withdrawn-codes",
        "2572",
        ERROR,
        "Codes withdrawn on 19 August 2024 (H, J)",
        "H and J were withdrawn on 19 August 2024 and the return has no reason for them. Recode each session "
        "with the code that applies now: J1 for an interview, C for leave in exceptional circumstances, "
        "G for a holiday the school did not authorise.",
    ),
    CensusCheck(
        "zero-possible",
        "2502Q",
        QUERY,
        "No possible sessions in the period",
        "A pupil on roll should have possible sessions, unless dual-registered and at the other school all "
        "period (code D). Check the register and the admission date; if they are right, explain the query "
        "when COLLECT raises it.",
    ),
    CensusCheck(
        "leaver-no-attendance",
        "1925Q",
        QUERY,
        "Leaver with no attendance in the period",
        "Check the leaving date: it should be the last day the pupil attended (or the end of the previous "
        "academic year). A leaver with no attendance, suspension or other data for the period need not be sent.",
    ),
    CensusCheck(
        "n-codes",
        "RC-N",
        QUERY,
        "Reason for absence not yet established (N)",
        "Find out why the pupil was absent and replace N with the right code (I, M, O, G and so on). "
        "An N left in goes to DfE as unauthorised absence.",
    ),
    CensusCheck(
        "outside-age-range",
        "2470",
        QUERY,
        "Attendance for a pupil outside the census ages",
        "These pupils are left out of the return: their age on 31 August is outside 4 to 15, yet they are in a "
        "year group from Reception to Year 11. If the date of birth is wrong, correct it in the MIS; if it is "
        "right, nothing needs doing.",
    ),
    CensusCheck(
        "suspension-without-e",
        "2485",
        QUERY,
        "Suspension with no E code in its sessions",
        "Code the suspended sessions E (or the code of the alternative provision the pupil attended from the "
        "sixth day), or correct the suspension's dates in the exclusion record.",
    ),
    CensusCheck(
        "e-without-suspension",
        "2485",
        QUERY,
        "E code with no suspension or exclusion recorded",
        "Record the suspension (start date, sessions and reason) in the MIS, or recode the sessions if the "
        "pupil was not suspended.",
    ),
)
CHECKS_BY_KEY = {check.key: check for check in CHECKS}
