"""The returns a school makes to its local authority (`rules.md` section 10: the School Attendance
(Pupil Registration) (England) Regulations 2024, regulation 13, and "Working together to improve
school attendance"): what each is, when it is due, and the columns of its CSV."""

from __future__ import annotations

from dataclasses import dataclass

#: Days after a pupil's name is entered in the admission register by whose end the new pupil
#: return is due.
NEW_PUPIL_RETURN_DAYS = 5


@dataclass(frozen=True)
class ReturnKind:
    """One return: its name on the command line, its title, who is in it and when it is due."""

    kind: str
    title: str
    who: str
    deadline: str


RETURNS = (
    ReturnKind(
        "new-pupils",
        "New pupils",
        "Pupils admitted in the period (a readmission too), except those placed in the school's "
        "most junior year group who started on the first day of the school year.",
        f"By the end of the {NEW_PUPIL_RETURN_DAYS}th day after the pupil's name is entered in the "
        "admission register (taken as the admission date): each pupil's return_due.",
    ),
    ReturnKind(
        "deletions",
        "Deletions from roll",
        "Pupils whose name leaves the admission register in the period, except those who "
        "completed the school's final year (in its top year group, leaving on or after its last "
        "school day of the year). Blank fields the return needs are called out.",
        "As soon as the ground for deletion is met, and no later than the deletion itself (the "
        "leaving date).",
    ),
    ReturnKind(
        "continuous-absence",
        "Continuous absence",
        "Pupils of compulsory school age (5 to 15 on 31 August) absent without authorisation for "
        "10 or more continuous school days in the period: every possible session of each day "
        "unauthorised (G N O U); a day with any attended or authorised session ends the run, days "
        "with no possible session for the pupil neither count nor end it.",
        "At the intervals agreed with the local authority, with the cause of absence if known.",
    ),
    ReturnKind(
        "part-time",
        "Part-time timetables",
        "Pupils with sessions coded C2 (a temporary part-time timetable) in the period, with the "
        "plan recorded for them and its review date; pupils past their review date first.",
        "As the local authority asks (many ask every term); it should know of every pupil on a "
        "part-time timetable.",
    ),
)
RETURN_KINDS = tuple(r.kind for r in RETURNS)


def return_kind(kind: str) -> ReturnKind:
    """The return called `kind` (ValueError naming the choices when there is none)."""
    for found in RETURNS:
        if found.kind == kind:
            return found
    raise ValueError(f"'{kind}' is not a return: use one of {', '.join(RETURN_KINDS)}")


#: Columns of each return's CSV, in order (the start of continuous-absence's is a contract).
COLUMNS: dict[str, tuple[str, ...]] = {
    "new-pupils": (
        "school_urn",
        "upn",
        "surname",
        "forename",
        "date_of_birth",
        "sex",
        "year_group",
        "admission_date",
        "readmission",
        "return_due",
        "address",
        "postcode",
        "contact_name",
        "relationship",
        "phone",
        "missing",
    ),
    "deletions": (
        "school_urn",
        "upn",
        "surname",
        "forename",
        "date_of_birth",
        "year_group",
        "admission_date",
        "leaving_date",
        "return_due",
        "address",
        "postcode",
        "parents",
        "parent_address",
        "emergency_phone",
        "ground_of_deletion",
        "missing",
    ),
    "continuous-absence": (
        "school_urn",
        "upn",
        "surname",
        "forename",
        "date_of_birth",
        "year_group",
        "first_day",
        "last_day",
        "school_days",
        "cause_if_known",
        "sessions",
        "ongoing",
        "address",
        "postcode",
    ),
    "part-time": (
        "school_urn",
        "upn",
        "surname",
        "forename",
        "date_of_birth",
        "year_group",
        "first_c2_day",
        "latest_c2_day",
        "c2_sessions",
        "plan",
        "plan_date",
        "plan_owner",
        "review_date",
        "review_overdue",
        "plan_notes",
    ),
}

#: Intervention types that record a part-time timetable's plan: the attendance action plan, and
#: a school's own type that names one ("Part-time timetable", "Reduced timetable").
PART_TIME_PLAN_TYPES = ("Attendance action plan",)
PART_TIME_PLAN_WORDS = ("part-time", "part time", "reduced timetable")
