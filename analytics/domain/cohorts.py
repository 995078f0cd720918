"""Pupil characteristics as the school census records them, and how files may spell them."""

from __future__ import annotations

SEX_SPELLINGS = {"m": "M", "male": "M", "boy": "M", "f": "F", "female": "F", "girl": "F"}

#: SEN provision: N none, K SEN support, E EHC plan. Legacy S (statement) reads as E, and
#: A/P (School Action / Action Plus, before 2014) as K.
SEN_SPELLINGS = {
    "n": "N",
    "none": "N",
    "no sen": "N",
    "k": "K",
    "sen support": "K",
    "a": "K",
    "p": "K",
    "e": "E",
    "ehc plan": "E",
    "ehcp": "E",
    "s": "E",
    "statement": "E",
}
SEN_LABELS = {"N": "No SEN", "K": "SEN support", "E": "EHC plan"}

#: Census ethnicity codes by major group (DfE main codes; extended codes start with these).
ETHNIC_MAJOR_GROUPS = {
    "White": ("WBRI", "WIRI", "WIRT", "WOTH", "WROM", "WSCO", "WWEL", "WCOR", "WENG", "WNIR"),
    "Mixed": ("MWBC", "MWBA", "MWAS", "MOTH"),
    "Asian": ("AIND", "APKN", "ABAN", "ACHN", "AOTH"),
    "Black": ("BCRB", "BAFR", "BOTH"),
    "Other": ("CHNE", "OOTH", "AOEG"),
    "Unclassified": ("REFU", "NOBT"),
}


def ethnic_major_group(code: str | None) -> str:
    """The DfE major ethnic group of a census ethnicity code; `Unclassified` when unknown."""
    if not code:
        return "Unclassified"
    prefix = code.strip().upper()[:4]
    for group, codes in ETHNIC_MAJOR_GROUPS.items():
        if prefix in codes:
            return group
    return "Unclassified"
