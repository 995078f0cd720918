"""What DfE's files call each of Rollcall's groups of pupils, so a group's figure can be found in
any file that publishes it (names are matched as lower-case words: `FSM_eligible`, `FSM
eligible` and `FSM: Eligible` are one name)."""

from __future__ import annotations

_ETHNIC = {
    "White": "Ethnicity_Major_White_Total",
    "Mixed": "Ethnicity_Major_Mixed_Total",
    "Asian": "Ethnicity_Major_Asian_Total",
    "Black": "Ethnicity_Major_Black_Total",
    "Unclassified": "Ethnicity_Major_Unclassified",
}

#: (characteristic key, group label) -> the names DfE's files give that group. Groups not here
#: (forms, looked-after children, Rollcall's "Other" ethnic group, which holds Chinese pupils
#: that DfE's 2016/17 major groups count apart) have no published figure.
NATIONAL_GROUPS: dict[tuple[str, str], tuple[str, ...]] = {
    ("disadvantaged", "Disadvantaged"): ("FSM_eligible_in_last_6_years",),
    ("disadvantaged", "Not disadvantaged"): ("FSM_not_eligible_in_last_6_years",),
    ("fsm", "FSM eligible"): ("FSM_eligible", "FSM: Eligible"),
    ("fsm", "Not FSM eligible"): ("FSM_Not_eligible", "FSM: Not Eligible"),
    ("sen", "No SEN"): (
        "SEN_provision_No_identified_SEN",
        "SEN: No identified special educational need",
        "SEN provision: No SEN",
        "No SEN",
    ),
    ("sen", "SEN support"): (
        "SEN_provision_SEN_Support",
        "SEN provision: SEN support",
        "SEN support",
    ),
    ("sen", "EHC plan"): (
        "SEN_provision_Statement_or_EHCP",
        "SEN provision: EHCP or Statement",
        "EHC plan",
        "Statement or EHC plan",
    ),
    ("sex", "Female"): ("Gender_female", "Sex: Female"),
    ("sex", "Male"): ("Gender_male", "Sex: Male"),
    ("eal", "EAL"): ("First_language_Known_or_believed_to_be_other_than_English",),
    ("eal", "English first language"): ("First_language_Known_or_believed_to_be_English",),
    **{("ethnic_group", group): (name,) for group, name in _ETHNIC.items()},
    ("year_group", "Year 1"): ("NC_Year_1_and_below", "NC year: 1"),
    **{("year_group", f"Year {n}"): (f"NC_Year_{n}", f"NC year: {n}") for n in range(2, 12)},
}
