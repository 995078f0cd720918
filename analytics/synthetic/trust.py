"""The demo trust in memory: each school's data in the order it happens (registers, behaviour,
then the coordinator's actions), and the trust of three schools from one seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from analytics.synthetic.behaviour import incidents_and_exclusions
from analytics.synthetic.calendar import SchoolCalendar
from analytics.synthetic.interventions import simulate as simulate_interventions
from analytics.synthetic.people import school_staff
from analytics.synthetic.registers import CODE, CODES, column, first_imports, session_marks
from analytics.synthetic.rolls import Rolls, simulate_rolls
from analytics.synthetic.schools import ACADEMIC_YEARS, DEMO_TODAY, SCHOOLS, DemoSchool


@dataclass
class SchoolRegister:
    """One school's generated data: marks (final and as first imported), behaviour, exclusions."""

    school: DemoSchool
    calendar: SchoolCalendar
    enrolments: pl.DataFrame  # the school's enrolments with their pupils' details, in matrix order
    final: np.ndarray  # (2, days, enrolments) code positions after corrections
    first: np.ndarray  # (2, days, enrolments) code positions as first imported
    minutes: np.ndarray  # (2, days, enrolments) minutes late, 0 when none
    recorded: np.ndarray  # (2, days, enrolments) True where a mark is written
    incidents: pl.DataFrame
    exclusions: pl.DataFrame
    interventions: pl.DataFrame  # the coordinator's actions (interventions.simulate)


def school_register(
    seed: int, school: DemoSchool, calendar: SchoolCalendar, pupils: pl.DataFrame
) -> SchoolRegister:
    """Generate one school's registers, behaviour and exclusions (seeded, vectorised).

    `pupils` holds the school's enrolments joined to their pupils, one row per enrolment."""
    rng = np.random.default_rng([seed, 3, school.urn])
    days = calendar.days
    admission = pupils["admission_date"].to_numpy().astype("datetime64[D]")
    leaving = (
        pupils["leaving_date"].fill_null(date(9999, 12, 31)).to_numpy().astype("datetime64[D]")
    )
    on_roll = (days[:, None] >= admission[None, :]) & (days[:, None] <= leaving[None, :])

    marks, minutes, rate, severe = session_marks(rng, school, calendar, pupils, on_roll)
    recorded = np.broadcast_to(on_roll, marks.shape).copy()
    incidents, exclusions = incidents_and_exclusions(
        rng, school, calendar, pupils, marks, recorded, on_roll, rate
    )
    interventions = simulate_interventions(
        np.random.default_rng([seed, 4, school.urn]),
        urn=school.urn,
        codes=CODES,
        days=calendar.days,
        years=calendar.year,
        marks=marks,
        on_roll=on_roll,
        severe=severe,
        first_year=ACADEMIC_YEARS[0],
        needs_support=column(pupils, "disadvantaged") | (column(pupils, "sen") != "N"),
        staff=school_staff(school),
        today=DEMO_TODAY,
    )
    minutes[~np.isin(marks, (CODE["L"], CODE["U"]))] = 0
    first = first_imports(rng, school, calendar, pupils, marks, recorded)
    return SchoolRegister(
        school,
        calendar,
        pupils,
        marks,
        first,
        minutes,
        recorded,
        incidents,
        exclusions,
        interventions,
    )


@dataclass
class DemoTrust:
    """Everything generated for the demo, before any file is written."""

    seed: int
    rolls: Rolls
    enrolments: pl.DataFrame  # one row per enrolment with its pupil's details
    registers: list[SchoolRegister]


def generate_trust(seed: int = 2026, scale: float = 1.0) -> DemoTrust:
    """Generate the whole trust in memory (seeded: the same seed gives the same trust)."""
    rolls = simulate_rolls(seed, scale)
    enrolments = rolls.frame().join(
        rolls.people.frame(), on="pupil", how="left", maintain_order="left"
    )
    if enrolments.select(pl.struct("school_urn", "upn").is_duplicated().any()).item():
        raise AssertionError("the demo generated two enrolments of one pupil at one school")
    registers = [
        school_register(
            seed,
            school,
            rolls.calendars[school.urn],
            enrolments.filter(pl.col("school_urn") == school.urn),
        )
        for school in SCHOOLS
    ]
    return DemoTrust(seed, rolls, enrolments, registers)
