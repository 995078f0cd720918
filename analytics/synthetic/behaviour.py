"""Behaviour at the demo schools: incidents on sessions pupils attended, and the suspensions and
permanent exclusions that follow serious ones (their sessions coded `E` in the registers).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import polars as pl

from analytics.synthetic.calendar import SchoolCalendar
from analytics.synthetic.people import school_staff
from analytics.synthetic.registers import AM, CODE, PM, PRESENT, choose, column
from analytics.synthetic.schools import ACADEMIC_YEARS, DemoSchool

# Behaviour categories: (category, points, severity, weight, the census reason when it can lead to
# a suspension).
_NEGATIVE = {
    "secondary": (
        ("Disruption in lesson", -1, -1, 30, None),
        ("Incomplete homework", -1, -1, 16, None),
        ("Lateness to lesson", -1, -1, 10, None),
        ("Defiance", -2, -2, 11, None),
        ("Uniform", -1, -1, 7, None),
        ("Mobile phone", -2, -2, 7, None),
        ("Rudeness to staff", -2, -3, 6, None),
        ("Truancy from lesson", -3, -3, 4, None),
        ("Unkind behaviour", -2, -2, 5, None),
        ("Smoking or vaping", -3, -3, 2, None),
    ),
    "primary": (
        ("Disruption in lesson", -1, -1, 30, None),
        ("Not following instructions", -1, -1, 25, None),
        ("Unkind words", -2, -2, 14, None),
        ("Defiance", -2, -2, 10, None),
        ("Rough play", -1, -1, 12, None),
        ("Off task", -1, -1, 9, None),
    ),
}
_SERIOUS = {
    "secondary": (
        ("Fighting", -5, -5, 22, "PP"),
        ("Verbal abuse of staff", -5, -4, 18, "VA"),
        ("Threatening behaviour towards a pupil", -4, -4, 12, "VP"),
        ("Bullying", -5, -4, 10, "BU"),
        ("Persistent disruption", -4, -3, 14, "DB"),
        ("Racist language", -5, -5, 4, "RA"),
        ("Homophobic language", -5, -4, 3, "LG"),
        ("Damage to property", -4, -3, 5, "DM"),
        ("Theft", -4, -4, 3, "TH"),
        ("Drugs or alcohol", -5, -5, 2, "DA"),
        ("Online misuse", -4, -3, 5, "MT"),
        ("Prohibited item", -5, -5, 2, "OW"),
        ("Physical assault on staff", -5, -5, 0.5, "PA"),
    ),
    "primary": (
        ("Physical behaviour", -4, -4, 40, "PP"),
        ("Bullying", -4, -4, 12, "BU"),
        ("Verbal abuse of staff", -4, -4, 12, "VA"),
        ("Damage to property", -3, -3, 10, "DM"),
        ("Racist language", -4, -4, 4, "RA"),
        ("Persistent disruption", -3, -3, 22, "DB"),
    ),
}
_POSITIVE = {
    "secondary": (
        ("Excellent work", 2, 2, 25, None),
        ("Effort in lesson", 1, 1, 25, None),
        ("Helping others", 2, 2, 12, None),
        ("Homework", 1, 1, 15, None),
        ("Kindness", 2, 2, 8, None),
        ("Representing the school", 3, 3, 4, None),
        ("Leadership", 3, 3, 4, None),
        ("Outstanding contribution", 5, 3, 3, None),
    ),
    "primary": (
        ("Excellent work", 2, 2, 25, None),
        ("Helping others", 2, 2, 15, None),
        ("Effort", 1, 1, 25, None),
        ("Kindness", 2, 2, 12, None),
        ("Reading at home", 1, 1, 15, None),
        ("Good listening", 1, 1, 10, None),
        ("Star of the week", 5, 3, 2, None),
    ),
}
_SUBJECTS = {
    "secondary": (
        "English",
        "Maths",
        "Science",
        "History",
        "Geography",
        "French",
        "Spanish",
        "PE",
        "Art",
        "Music",
        "Computing",
        "RE",
        "Design and Technology",
        "Drama",
        "PSHE",
    ),
    "primary": (
        "English",
        "Maths",
        "Phonics",
        "Science",
        "PE",
        "Art",
        "Music",
        "History",
        "Geography",
        "Computing",
        "RE",
    ),
}
_ACTIONS = {
    ("secondary", 1): ("Verbal warning", "Detention (lunch)", "Moved seat", "Parent contacted"),
    ("secondary", 2): (
        "Detention (after school)",
        "Removed from lesson",
        "Parent contacted",
        "Report card",
    ),
    ("secondary", 3): ("Referred to Head of Year", "Internal isolation", "Parent meeting"),
    ("primary", 1): ("Reminder", "Time out", "Loss of playtime"),
    ("primary", 2): ("Loss of playtime", "Parent informed", "Time out"),
    ("primary", 3): ("Referred to headteacher", "Parent meeting"),
    ("secondary", 0): (
        "House points",
        "Praise postcard",
        "Positive phone call home",
        "Certificate",
    ),
    ("primary", 0): ("Sticker", "Praise postcard", "Certificate", "Positive phone call home"),
}
_NOTES = (
    "Restorative conversation held.",
    "Statement taken; parents informed.",
    "Followed up by tutor.",
    "Discussed with pupil.",
    "Logged on the safeguarding system.",
)


def _pick(rng: np.random.Generator, table: tuple, count: int) -> np.ndarray:
    weights = np.array([row[3] for row in table], dtype=float)
    return rng.choice(len(table), size=count, p=weights / weights.sum())


def _incident_details(
    rng: np.random.Generator,
    school: DemoSchool,
    session: np.ndarray,
    kind: str,
    table: tuple,
    choice: np.ndarray,
    staff: list[str],
) -> dict[str, np.ndarray]:
    """Time, location, subject, staff, points, severity, action and notes of incidents."""
    count = len(choice)
    phase = school.phase
    # When it happened: in a lesson, at break, at lunch or between lessons (serious incidents
    # happen more often out of lessons).
    lesson, break_time, lunch, corridor = range(4)
    slot_weights = (0.45, 0.2, 0.25, 0.1) if kind == "serious" else (0.78, 0.08, 0.09, 0.05)
    slot = choose(rng, np.tile(slot_weights, (count, 1)))
    lesson_minutes = np.where(
        session == AM,
        rng.integers(8 * 60 + 50, 12 * 60 + 10, count),
        rng.integers(13 * 60 + 10, 15 * 60 + 10, count),
    )
    minutes = np.select(
        [slot == break_time, slot == lunch],
        [
            rng.integers(10 * 60 + 35, 10 * 60 + 55, count),
            rng.integers(12 * 60 + 15, 13 * 60 + 5, count),
        ],
        lesson_minutes,
    )
    times = np.array([f"{m // 60:02d}:{m % 60:02d}" for m in minutes])
    subjects = np.array(_SUBJECTS[phase])[rng.integers(0, len(_SUBJECTS[phase]), count)]
    location = np.select(
        [slot == break_time, slot == lunch, slot == corridor],
        [
            np.array(["Playground"] * count),
            np.where(rng.random(count) < 0.5, "Canteen", "Playground"),
            np.array(["Corridor"] * count),
        ],
        np.where(
            subjects == "PE",
            "Sports hall",
            np.where(subjects == "Science", "Science lab", "Classroom"),
        ),
    )
    categories = np.array([row[0] for row in table])[choice]
    location = np.where(categories == "Online misuse", "Online", location)
    subject = np.where(slot == lesson, subjects, None)  # type: ignore[call-overload]  # numpy's stubs omit None as a choice
    points = np.array([row[1] for row in table])[choice]
    severity = np.array([row[2] for row in table])[choice]
    if kind == "positive":
        level = np.zeros(count, dtype=int)
    elif kind == "serious":
        level = np.full(count, 3)
    else:
        level = np.minimum(np.abs(severity), 2)
    actions = np.empty(count, dtype=object)
    for lvl in np.unique(level):
        options = _ACTIONS[(phase, int(lvl))]
        where = level == lvl
        actions[where] = np.array(options, dtype=object)[rng.integers(0, len(options), where.sum())]
    actions = np.where(rng.random(count) < 0.15, None, actions)  # type: ignore[call-overload]  # numpy's stubs omit None as a choice
    notes = np.where(  # type: ignore[call-overload]  # numpy's stubs omit None as a choice
        rng.random(count) < {"serious": 0.6, "negative": 0.05, "positive": 0.0}[kind],
        np.array(_NOTES, dtype=object)[rng.integers(0, len(_NOTES), count)],
        None,
    )
    return {
        "time": times,
        "category": categories,
        "points": points,
        "severity": severity,
        "location": location,
        "subject": subject,
        "staff": np.array(staff, dtype=object)[rng.integers(0, len(staff), count)],
        "action": actions,
        "notes": notes,
    }


def _exclude_permanently(
    calendar: SchoolCalendar, pupils: pl.DataFrame, marks: np.ndarray, on_roll: np.ndarray
) -> tuple[list[tuple[int, int, int, str]], list[tuple]]:
    """Permanent exclusions: the incident in the morning, sent home that afternoon, then `E`
    until the pupil leaves the roll. Returns the incidents `(day, enrolment, session, reason)`
    and the exclusion rows."""
    incidents: list[tuple[int, int, int, str]] = []
    rows: list[tuple] = []
    for e, day in enumerate(pupils["permanent_exclusion_date"].to_list()):
        if day is None or (d := calendar.index_of(day)) is None:
            continue
        last = int(np.flatnonzero(on_roll[:, e])[-1])
        marks[AM, d, e] = CODE["/"]
        marks[PM, d, e] = CODE["E"]
        marks[:, d + 1 : last + 1, e] = CODE["E"]
        reason = ("OW", "PP")[len(incidents) % 2]
        incidents.append((d, e, AM, reason))
        sessions = int((marks[:, d : last + 1, e] == CODE["E"]).sum())
        rows.append((e, day, calendar.dates()[last], "permanent", sessions, reason, "DB", None))
    return incidents, rows


def _suspend(
    rng: np.random.Generator,
    phase: str,
    calendar: SchoolCalendar,
    serious: np.ndarray,
    reasons: np.ndarray,
    marks: np.ndarray,
    on_roll: np.ndarray,
) -> tuple[np.ndarray, list[tuple]]:
    """Suspensions after serious incidents `(day, enrolment, session)`, in date order: one to
    five days, sometimes from the afternoon of the incident, coded `E`. Returns which incidents
    led to one, and the exclusion rows."""
    dates = calendar.dates()
    suspended = np.zeros(len(serious), dtype=bool)
    rows: list[tuple] = []
    base = 0.2 if phase == "primary" else 0.3
    for i in np.lexsort((serious[:, 2], serious[:, 0])):
        d, e, session = (int(x) for x in serious[i])
        chance = 0.9 if reasons[i] in ("PA", "OW", "DA") else base
        if marks[session, d, e] == CODE["E"] or rng.random() >= chance:
            continue
        days = int(rng.choice([1, 1, 1, 1, 2, 2, 2, 3, 3, 5]))
        sessions = [(d, PM)] if session == AM and rng.random() < 0.25 else []
        sessions += [(day, s) for day in range(d + 1, d + 1 + days) for s in (AM, PM)]
        sessions = [
            (day, s)
            for day, s in sessions
            if day < len(dates) and on_roll[day, e] and not calendar.closure[day]
        ]
        if not sessions or any(marks[s, day, e] == CODE["E"] for day, s in sessions):
            continue
        for day, s in sessions:
            marks[s, day, e] = CODE["E"]
        suspended[i] = True
        reason = str(reasons[i])
        second = ("DB" if reason != "DB" else "VA") if rng.random() < 0.3 else None
        first_day, last_day = dates[sessions[0][0]], dates[sessions[-1][0]]
        rows.append((e, first_day, last_day, "suspension", len(sessions), reason, second, None))
    return suspended, rows


def incidents_and_exclusions(
    rng: np.random.Generator,
    school: DemoSchool,
    calendar: SchoolCalendar,
    pupils: pl.DataFrame,
    marks: np.ndarray,
    recorded: np.ndarray,
    on_roll: np.ndarray,
    rate: np.ndarray,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Behaviour incidents on sessions pupils attended, and the suspensions and permanent
    exclusions that follow serious ones (their sessions coded `E` in `marks`).

    Negative incidents are more frequent for boys, pupils with SEN, disadvantaged pupils and
    pupils who miss more school; serious ones lead to suspensions."""
    phase = school.phase
    year_index = calendar.year - ACADEMIC_YEARS[0]
    z = 0.8 * column(pupils, "behaviour_z")[:, None] + 0.6 * np.array(
        pupils["behaviour_e"].to_list()
    )
    sex = np.where(column(pupils, "sex") == "M", 1.5, 0.55)
    sen = np.vectorize({"N": 1.0, "K": 1.6, "E": 1.9}.get)(column(pupils, "sen"))
    disadvantaged = np.where(column(pupils, "disadvantaged"), 1.4, 0.9)
    base_negative, base_positive = (0.0028, 0.026) if phase == "primary" else (0.012, 0.045)
    negative_rate = (
        base_negative
        * np.exp(0.9 * z - 0.405)
        * (sex * sen * disadvantaged)[:, None]
        * (1 + 6 * rate)
    )
    positive_rate = (
        base_positive
        * np.exp(0.5 * column(pupils, "praise_z") - 0.125)[:, None]
        * np.maximum(1.15 - rate, 0.2)
    )
    serious_share = np.minimum(0.03 * np.exp(0.6 * z), 0.3)

    cells: dict[str, list[np.ndarray]] = defaultdict(list)
    for session in (AM, PM):
        d_idx, e_idx = np.nonzero(np.isin(marks[session], PRESENT) & recorded[session])
        y_idx = year_index[d_idx]
        draw = rng.random(len(d_idx))
        neg_chance = negative_rate[e_idx, y_idx]
        negative = draw < neg_chance
        positive = ~negative & (draw < neg_chance + positive_rate[e_idx, y_idx])
        serious = negative & (rng.random(len(d_idx)) < serious_share[e_idx, y_idx])
        for kind, mask in (
            ("negative", negative & ~serious),
            ("serious", serious),
            ("positive", positive),
        ):
            cells[kind].append(
                np.column_stack([d_idx[mask], e_idx[mask], np.full(mask.sum(), session)])
            )
    found = {kind: np.concatenate(parts) for kind, parts in cells.items()}

    permanent, exclusion_rows = _exclude_permanently(calendar, pupils, marks, on_roll)
    serious_table = _SERIOUS[phase]
    drawn = len(found["serious"])
    found["serious"] = np.concatenate(
        [found["serious"], np.array([p[:3] for p in permanent], dtype=int).reshape(-1, 3)]
    )
    serious_choice = _pick(rng, serious_table, len(found["serious"]))
    reason_index = {row[4]: k for k, row in enumerate(serious_table)}
    for i, (*_, reason) in enumerate(permanent):
        serious_choice[drawn + i] = reason_index[reason]
    reasons = np.array([row[4] for row in serious_table])[serious_choice]
    suspended, suspensions = _suspend(
        rng, phase, calendar, found["serious"], reasons, marks, on_roll
    )
    exclusion_rows += suspensions

    frames = []
    staff = school_staff(school)
    for kind, table in (
        ("negative", _NEGATIVE[phase]),
        ("serious", serious_table),
        ("positive", _POSITIVE[phase]),
    ):
        found_cells = found[kind]
        choice = serious_choice if kind == "serious" else _pick(rng, table, len(found_cells))
        details = _incident_details(rng, school, found_cells[:, 2], kind, table, choice, staff)
        if kind == "serious":
            details["action"] = np.where(suspended, "Suspension", details["action"])
            details["action"][drawn:] = "Permanent exclusion"
        frame = pl.DataFrame(
            {
                "day": found_cells[:, 0],
                "enrolment_index": found_cells[:, 1],
                "session": found_cells[:, 2],
                "type": "positive" if kind == "positive" else "negative",
                **{
                    k: pl.Series(
                        k, v.tolist(), dtype=pl.Int32 if k in ("points", "severity") else pl.String
                    )
                    for k, v in details.items()
                },
            }
        )
        frames.append(frame)
    incidents = pl.concat(frames, how="vertical")
    # Drop incidents on sessions that a later suspension or exclusion turned into E.
    code = marks[
        incidents["session"].to_numpy(),
        incidents["day"].to_numpy(),
        incidents["enrolment_index"].to_numpy(),
    ]
    # A stable sort: incidents of one pupil at the same minute keep their (seeded) order.
    present = pl.Series(np.isin(code, PRESENT))
    incidents = incidents.filter(present).sort(
        "day", "enrolment_index", "time", maintain_order=True
    )
    exclusions = pl.DataFrame(
        exclusion_rows,
        schema={
            "enrolment_index": pl.Int64,
            "start_date": pl.Date,
            "end_date": pl.Date,
            "category": pl.String,
            "sessions": pl.Int32,
            "reason_1": pl.String,
            "reason_2": pl.String,
            "reason_3": pl.String,
        },
        orient="row",
    ).sort("start_date", "enrolment_index", maintain_order=True)
    return incidents, exclusions
