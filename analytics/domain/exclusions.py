"""Suspensions and permanent exclusions: categories and the census reason codes."""

from __future__ import annotations

SUSPENSION = "suspension"
PERMANENT = "permanent"
#: The categories an exclusions file may give (any case). Older names ("fixed term", "fixed
#: period") are refused rather than guessed at: the README promises these two words only.
CATEGORIES = {SUSPENSION: SUSPENSION, PERMANENT: PERMANENT}
#: A school day has two sessions (rules.md section 7: "1 day = 2").
SESSIONS_PER_DAY = 2

#: School census exclusion reason codes (EGFL-EX, ESSEX-PX in rules.md section 7).
REASONS = {
    "PP": "Physical assault against a pupil",
    "PA": "Physical assault against an adult",
    "VP": "Verbal abuse or threatening behaviour against a pupil",
    "VA": "Verbal abuse or threatening behaviour against an adult",
    "BU": "Bullying",
    "RA": "Racist abuse",
    "SM": "Sexual misconduct",
    "DA": "Drug and alcohol related",
    "DM": "Damage",
    "TH": "Theft",
    "DB": "Persistent or general disruptive behaviour",
    "PD": "Persistent disruptive behaviour (legacy)",
    "MT": "Use or threat of use of social media or online technology",
    "OW": "Use or threat of use of an offensive weapon or prohibited item",
    "LG": "Abuse against sexual orientation or gender identity",
    "DS": "Abuse relating to disability",
    "PH": "Wilful and repeated transgression of public health measures",
    "OT": "Other (legacy)",
}
