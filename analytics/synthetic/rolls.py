"""Who was on roll where: each school's intakes, joiners and leavers year by year, Year 6 moving
up to the secondary, moves between the primaries, and permanent exclusions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl

from analytics.synthetic.calendar import (
    TEACHING_DAYS_PER_YEAR,
    SchoolCalendar,
    autumn_start,
    school_calendar,
)
from analytics.synthetic.people import People
from analytics.synthetic.schools import ACADEMIC_YEARS, DEMO_TODAY, SCHOOLS, DemoSchool

_PRIMARIES = tuple(s for s in SCHOOLS if s.phase == "primary")
_SECONDARY = next(s for s in SCHOOLS if s.phase == "secondary")
#: Permanent exclusions at Westbrook: (academic year, date of the incident).
_PERMANENT_EXCLUSIONS = (
    (2024, date(2025, 2, 5)),
    (2025, date(2025, 11, 19)),
    (2025, date(2026, 3, 4)),
)
#: Pupils who move between the two primaries mid-year: (year, from, to, last day, how many).
_MOVES = (
    (2024, 990114, 990127, date(2025, 1, 31), 2),
    (2025, 990127, 990114, date(2025, 10, 24), 1),
)
#: Share of a primary's Year 6 leavers who go on to the trust's secondary.
_TRANSFER_SHARE = 0.45


@dataclass
class Rolls:
    """Who was on roll where: one entry per enrolment, plus the pupils and school calendars."""

    people: People
    calendars: dict[int, SchoolCalendar]
    pupil: list[int] = field(default_factory=list)
    school_urn: list[int] = field(default_factory=list)
    admission: list[date] = field(default_factory=list)
    leaving: list[date | None] = field(default_factory=list)
    permanent_exclusion: list[date | None] = field(default_factory=list)

    def enrol(self, pupils: np.ndarray | list[int], urn: int, admissions: list[date]) -> None:
        for pupil, admission in zip(pupils, admissions, strict=True):
            self.pupil.append(int(pupil))
            self.school_urn.append(urn)
            self.admission.append(admission)
            self.leaving.append(None)
            self.permanent_exclusion.append(None)

    def on_roll(self, urn: int, first: date, last: date) -> list[int]:
        """Enrolments at a school on roll on at least one day from `first` to `last`."""
        return [
            e
            for e in range(len(self.pupil))
            if self.school_urn[e] == urn
            and self.admission[e] <= last
            and ((left := self.leaving[e]) is None or left >= first)
        ]

    def rank(self, enrolment: int, academic_year: int) -> int:
        """The enrolment's year group in an academic year (0 = Reception)."""
        return academic_year - self.people.columns["cohort"][self.pupil[enrolment]]

    def frame(self) -> pl.DataFrame:
        """One row per enrolment: `enrolment, pupil, school_urn, admission_date, leaving_date,
        permanent_exclusion_date`."""
        return pl.DataFrame(
            {
                "pupil": self.pupil,
                "school_urn": self.school_urn,
                "admission_date": self.admission,
                "leaving_date": self.leaving,
                "permanent_exclusion_date": self.permanent_exclusion,
            },
            schema={
                "pupil": pl.UInt32,
                "school_urn": pl.Int32,
                "admission_date": pl.Date,
                "leaving_date": pl.Date,
                "permanent_exclusion_date": pl.Date,
            },
        ).with_row_index("enrolment")


def _last_friday_of_june(year: int) -> date:
    """When Year 11 leave: after their last exams, at the end of June."""
    end = date(year, 6, 30)
    return end - timedelta(days=(end.weekday() - 4) % 7)


def _random_past_date(rng: np.random.Generator, first: date, last: date) -> date:
    """A weekday in term time (September to mid-July) between two dates, for historic admissions."""
    while True:
        day = first + timedelta(days=int(rng.integers(0, max((last - first).days, 1))))
        if day.weekday() < 5 and not (day.month == 8 or (day.month == 7 and day.day > 15)):
            return day


def _year_step(
    rng: np.random.Generator,
    rolls: Rolls,
    school: DemoSchool,
    year: int,
    scale: float,
    transfers: dict[int, list[int]],
) -> None:
    """One academic year of a school's roll: intake, joiners, mid-year and final-year leavers."""
    calendar = rolls.calendars[school.urn]
    dates = calendar.dates()
    teaching = [dates[i] for i in calendar.days_of_year(year)]
    first_day = calendar.term_first[year]
    size = max(round(school.intake * scale), 2)
    elapsed = len(teaching) / TEACHING_DAYS_PER_YEAR
    primary = school.phase == "primary"

    if year == ACADEMIC_YEARS[0]:
        for rank in school.ranks:
            cohort = year - rank
            n = round(size * rng.uniform(0.92, 1.0))
            entry = autumn_start(cohort + school.first_rank)
            # Most started with their class; some joined in a later year.
            late = rng.random(n) < (0.12 if rank > school.first_rank else 0.0)
            for joined_late, count in ((False, int((~late).sum())), (True, int(late.sum()))):
                ids = rolls.people.add(
                    count, cohort, school, issued_here=primary and not joined_late
                )
                admissions = (
                    [_random_past_date(rng, entry, date(year, 7, 15)) for _ in ids]
                    if joined_late
                    else [entry] * count
                )
                rolls.enrol(ids, school.urn, admissions)
    else:
        cohort = year - school.first_rank
        n = round(size * rng.uniform(0.95, 1.0))
        # Year 7 includes some of the trust primaries' Year 6 leavers (same UPN, a new enrolment).
        transferring = [] if primary else transfers.get(year, [])
        arriving = [p for p in transferring if rng.random() < _TRANSFER_SHARE][:n]
        ids = rolls.people.add(n - len(arriving), cohort, school, issued_here=primary)
        rolls.enrol([*arriving, *ids], school.urn, [first_day] * n)

    # Joiners during the year, in any year group (few into the last year of a school).
    ranks = np.array(list(school.ranks))
    weights = np.where(ranks == school.last_rank, 0.4, 1.0)
    n_joiners = rng.poisson(school.mobility * size * len(ranks) * elapsed)
    joiner_ranks = rng.choice(ranks, size=n_joiners, p=weights / weights.sum())
    for rank in sorted(set(joiner_ranks.tolist())):
        count = int((joiner_ranks == rank).sum())
        ids = rolls.people.add(count, year - rank, school, issued_here=False)
        # Not in the last weeks of the year (Year 11 leave in June).
        days = rng.integers(5, max(len(teaching) - 25, 6), count)
        rolls.enrol(ids, school.urn, [teaching[d] for d in days])

    # Mid-year leavers (moving house, elective home education, moving abroad).
    for e in rolls.on_roll(school.urn, first_day, teaching[-1]):
        if rolls.leaving[e] is not None or rng.random() >= school.mobility * elapsed:
            continue
        after = [
            d for d in teaching if d > rolls.admission[e] + timedelta(days=14) and d < DEMO_TODAY
        ]
        if after:
            rolls.leaving[e] = after[int(rng.integers(0, len(after)))]

    # The last year group leaves in the summer: Year 6 at the end of term, Year 11 after exams.
    if year < ACADEMIC_YEARS[-1]:
        for e in rolls.on_roll(school.urn, first_day, teaching[-1]):
            if rolls.leaving[e] is None and rolls.rank(e, year) == school.last_rank:
                if primary:
                    rolls.leaving[e] = calendar.last_day[year]
                    transfers.setdefault(year + 1, []).append(rolls.pupil[e])
                else:
                    rolls.leaving[e] = _last_friday_of_june(year + 1)


def _permanent_exclusions(rng: np.random.Generator, rolls: Rolls, year: int) -> None:
    """Westbrook permanently excludes a pupil with a long record; they leave the roll after the
    six school days they are suspended pending the decision."""
    calendar = rolls.calendars[_SECONDARY.urn]
    dates = calendar.dates()
    behaviour = rolls.people.columns["behaviour_z"]
    for pe_year, day in _PERMANENT_EXCLUSIONS:
        if pe_year != year or (position := calendar.index_of(day)) is None:
            continue
        candidates = [
            e
            for e in rolls.on_roll(_SECONDARY.urn, day, day)
            if rolls.leaving[e] is None
            and rolls.admission[e] < day - timedelta(days=60)
            and rolls.rank(e, year) in (9, 10, 11)
            and rolls.permanent_exclusion[e] is None
        ]
        if not candidates:
            continue
        chosen = max(candidates, key=lambda e: behaviour[rolls.pupil[e]] + 0.3 * rng.random())
        rolls.permanent_exclusion[chosen] = day
        rolls.leaving[chosen] = dates[min(position + 6, len(dates) - 1)]


def _moves(rng: np.random.Generator, rolls: Rolls, year: int) -> None:
    """A few pupils move between the two primaries mid-year: two enrolments, one UPN."""
    for move_year, from_urn, to_urn, last_day, count in _MOVES:
        if move_year != year:
            continue
        candidates = [
            e
            for e in rolls.on_roll(from_urn, last_day, last_day)
            if rolls.leaving[e] is None
            and rolls.admission[e] < last_day - timedelta(days=60)
            and 2 <= rolls.rank(e, year) <= 5
        ]
        chosen: np.ndarray | list[int] = (
            rng.choice(len(candidates), size=min(count, len(candidates)), replace=False)
            if candidates
            else []
        )
        arrival_calendar = rolls.calendars[to_urn]
        arrival = next(d for d in arrival_calendar.dates() if d > last_day)
        for index in sorted(int(i) for i in chosen):
            e = candidates[index]
            rolls.leaving[e] = last_day
            rolls.enrol([rolls.pupil[e]], to_urn, [arrival])


def simulate_rolls(seed: int = 2026, scale: float = 1.0) -> Rolls:
    """The trust's pupils and enrolments from September 2023 to DEMO_TODAY (seeded).

    `scale` shrinks every intake (the tests use a small trust for cheap determinism checks).
    """
    rng = np.random.default_rng([seed, 1])
    rolls = Rolls(
        People(np.random.default_rng([seed, 2])), {s.urn: school_calendar(s) for s in SCHOOLS}
    )
    transfers: dict[int, list[int]] = {}
    for year in ACADEMIC_YEARS:
        for school in (*_PRIMARIES, _SECONDARY):
            _year_step(rng, rolls, school, year, scale, transfers)
        _permanent_exclusions(rng, rolls, year)
        _moves(rng, rolls, year)
    return rolls
