"""A fast, scalable generator of MIS-style exports for the benchmark (numpy over a days-by-pupils
matrix per school and year). The demo generator (`analytics.synthetic`) is tuned for realism at
demo size; this one keeps the shapes that matter for speed (rolls that move up a year group each
September, leavers and joiners during the year, absence concentrated in some pupils, codes later
corrected, lateness) and reaches 38 million marks in well under a minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from analytics.synthetic.calendar import term_dates

#: A made-up local authority number for the UPNs (no English LA uses it).
_LA_CODE = 998
_UPN_LETTERS = np.array(list("ABCDEFGHJKLMNPQRTUVWXYZ"))
_FORENAMES = (
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Ivy",
    "Freya",
    "Lily",
    "Florence",
    "Mia",
    "Willow",
    "Noah",
    "Oliver",
    "George",
    "Arthur",
    "Leo",
    "Harry",
    "Oscar",
    "Archie",
    "Henry",
    "Theo",
    "Aisha",
    "Fatima",
    "Zainab",
    "Maryam",
    "Yusuf",
    "Muhammad",
    "Ibrahim",
    "Omar",
    "Priya",
    "Arjun",
    "Kofi",
    "Ama",
    "Chidi",
    "Ngozi",
    "Piotr",
    "Zofia",
    "Andrei",
    "Elena",
    "Mateo",
    "Sofia",
)
_SURNAMES = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Khan",
    "Ahmed",
    "Hussain",
    "Ali",
    "Begum",
    "Singh",
    "Kaur",
    "Okafor",
    "Mensah",
    "Nowak",
    "Kowalski",
    "Popescu",
    "Garcia",
    "Rossi",
    "Murphy",
    "Kelly",
    "Hughes",
    "Edwards",
    "Clarke",
    "Lewis",
    "Hill",
    "Scott",
)
_ETHNICITIES = (
    "WBRI",
    "WOTH",
    "MWBC",
    "AIND",
    "APKN",
    "ABAN",
    "BAFR",
    "BCRB",
    "CHNE",
    "WROM",
    "AOTH",
    "REFU",
)
_ETHNIC_SHARES = np.array(
    [0.64, 0.07, 0.03, 0.035, 0.05, 0.02, 0.045, 0.015, 0.01, 0.005, 0.03, 0.05]
)
#: Absence reasons and their shares of absent sessions (N is later corrected, as registers are).
_REASONS = ("I", "M", "N", "O", "G", "C", "E", "R")
_REASON_SHARES = np.array([0.56, 0.07, 0.07, 0.12, 0.08, 0.05, 0.02, 0.03])
_CORRECTED_N = ("I", "O", "G")
_TEACHING_DAYS = 190


@dataclass(frozen=True)
class Size:
    """A benchmark size: how many schools of each phase, their rolls, and which academic years."""

    name: str
    primaries: int
    primary_roll: int
    secondaries: int
    secondary_roll: int
    years: tuple[int, ...]

    @property
    def schools(self) -> int:
        return self.primaries + self.secondaries

    @property
    def pupils(self) -> int:
        """Pupils on roll at the start of each year."""
        return self.primaries * self.primary_roll + self.secondaries * self.secondary_roll

    @property
    def today(self) -> date:
        """The bench's "today": the last register day of its last academic year."""
        return school_days(self.years[-1])[-1]

    def describe(self) -> str:
        years = f"{len(self.years)} academic year{'s' if len(self.years) > 1 else ''}"
        schools = f"{self.schools:,} school{'s' if self.schools > 1 else ''}"
        return f"{schools}, {self.pupils:,} pupils, {years} (about {self.expected_marks / 1e6:.1f} million marks)"

    @property
    def expected_marks(self) -> int:
        return self.pupils * _TEACHING_DAYS * 2 * len(self.years)


SIZES = {
    # XS is for the test suite only: two tiny schools, one year.
    "XS": Size("XS", 1, 42, 1, 40, (2025,)),
    "S": Size("S", 0, 0, 1, 1200, (2025,)),
    "M": Size("M", 10, 420, 10, 1580, (2023, 2024, 2025)),
    "L": Size("L", 160, 375, 40, 1000, (2025,)),
}


def school_days(academic_year: int) -> list[date]:
    """The register days of an academic year: the terms' open days less five INSET days."""
    days = [d for term in term_dates(academic_year) for d in term.open_days()]
    inset = {days[0], days[1], days[len(days) // 2], days[-2], days[-1]}
    return [d for d in days if d not in inset]


@dataclass(frozen=True)
class SchoolPlan:
    """One generated school: its URN, name, phase and the year groups it teaches (ranks)."""

    urn: int
    name: str
    phase: str
    first_rank: int  # 0 = Reception
    last_rank: int
    roll: int

    @property
    def per_year_group(self) -> int:
        return self.roll // (self.last_rank - self.first_rank + 1)


@dataclass(frozen=True)
class GeneratedFile:
    """One export to import, in order: kind, school, path, rows, and the import's `as_of`."""

    kind: str
    school: SchoolPlan
    path: Path
    rows: int
    as_of: date


def plan_schools(size: Size) -> list[SchoolPlan]:
    """The schools of a size: primaries (Reception to Year 6) then secondaries (Years 7 to 11)."""
    schools = [
        SchoolPlan(700001 + i, f"Primary {i + 1:03d}", "primary", 0, 6, size.primary_roll)
        for i in range(size.primaries)
    ]
    schools += [
        SchoolPlan(
            700001 + size.primaries + i,
            f"Secondary {i + 1:03d}",
            "secondary",
            7,
            11,
            size.secondary_roll,
        )
        for i in range(size.secondaries)
    ]
    return schools


def _upns(estab: np.ndarray, year: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """Valid UPNs, vectorised: LA code, establishment, two-digit year, serial, check letter first."""
    body = np.char.add(
        np.char.add(f"{_LA_CODE:03d}", np.char.zfill(estab.astype(str), 4)),
        np.char.add(
            np.char.zfill((year % 100).astype(str), 2), np.char.zfill(serial.astype(str), 3)
        ),
    )
    digits = np.frombuffer("".join(body.tolist()).encode(), dtype=np.uint8).reshape(-1, 12) - ord(
        "0"
    )
    check = _UPN_LETTERS[(digits * np.arange(2, 14)).sum(axis=1) % 23]
    return np.char.add(check, body)


class _Roll:
    """The pupils of one school across the bench's years, as growing numpy columns."""

    def __init__(self, school: SchoolPlan, index: int, rng: np.random.Generator) -> None:
        self.school, self.index, self.rng = school, index, rng
        self.columns: dict[str, list[np.ndarray]] = {}
        self.count = 0
        self.serials: dict[int, int] = {}

    def add(self, n: int, cohort: np.ndarray, admitted: np.ndarray) -> None:
        """`n` pupils of the given Reception cohorts (academic year in Reception), admitted on
        the given days (numpy datetime64)."""
        rng = self.rng
        serial = np.empty(n, dtype=np.int64)
        for i, c in enumerate(cohort):  # a per-school, per-cohort serial keeps UPNs unique
            serial[i] = self.serials.get(int(c), 0)
            self.serials[int(c)] = serial[i] + 1
        if serial.max(initial=0) > 999:
            raise ValueError("too many pupils in one cohort of one school for the UPN serials")
        born = (cohort - 5 - 1970).astype("datetime64[Y]").astype("datetime64[D]") + np.timedelta64(
            243, "D"
        )  # 1 Sep
        fsm6 = rng.random(n) < 0.24
        new = {
            "upn": _upns(np.full(n, 2000 + self.index), cohort, serial),
            "forename": np.array(_FORENAMES)[rng.integers(0, len(_FORENAMES), n)],
            "surname": np.array(_SURNAMES)[rng.integers(0, len(_SURNAMES), n)],
            "date_of_birth": born + rng.integers(0, 365, n).astype("timedelta64[D]"),
            "sex": np.where(rng.random(n) < 0.51, "M", "F"),
            "cohort": cohort.astype(np.int32),
            "admission_date": admitted.astype("datetime64[D]"),
            "leaving_date": np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
            "fsm6": fsm6,
            "fsm": fsm6 & (rng.random(n) < 0.8),
            "looked_after": rng.random(n) < 0.01,
            "sen": np.where(rng.random(n) < 0.04, "E", np.where(rng.random(n) < 0.14, "K", "N")),
            "eal": rng.random(n) < 0.2,
            "ethnicity": np.array(_ETHNICITIES)[
                rng.choice(len(_ETHNICITIES), n, p=_ETHNIC_SHARES / _ETHNIC_SHARES.sum())
            ],
            "form": np.array(list("ABCD"))[
                rng.integers(0, 2 if self.school.phase == "primary" else 4, n)
            ],
            # How often a pupil is absent (most rarely, a few often) and late.
            "absence": rng.beta(1.0, 12.5, n) * np.where(fsm6, 1.5, 1.0),
            "lateness": rng.beta(1.0, 40.0, n),
        }
        for name, values in new.items():
            self.columns.setdefault(name, []).append(values)
        self.count += n

    def frame(self) -> dict[str, np.ndarray]:
        return {name: np.concatenate(parts) for name, parts in self.columns.items()}


def _marks(
    roll: dict[str, np.ndarray], on_roll: np.ndarray, days: np.ndarray, rng: np.random.Generator
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The marks of one school-year as first recorded, and the later corrections of its N codes.

    `on_roll` is a days-by-pupils mask. Absence comes mostly as whole days, from each pupil's
    own propensity (more on Mondays and Fridays); reasons follow national shares.
    """
    shape = on_roll.shape
    weekday = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    day_factor = np.where((weekday == 0) | (weekday == 4), 1.25, 0.9)[:, None]
    absent_day = rng.random(shape) < roll["absence"][None, :] * day_factor
    half_day = absent_day & (rng.random(shape) < 0.12)  # absent for one session only
    morning_half = rng.random(shape) < 0.5
    reason = np.array(_REASONS)[
        rng.choice(len(_REASONS), shape, p=_REASON_SHARES / _REASON_SHARES.sum())
    ]
    late_draw = rng.random(shape)
    late = late_draw < roll["lateness"][None, :]
    very_late = late & (late_draw < roll["lateness"][None, :] * 0.12)
    activity = rng.random(shape) < 0.004
    d, p = np.nonzero(on_roll)
    parts = []
    for session, present_code in (("AM", "/"), ("PM", "\\")):
        absent = absent_day & ~(half_day & (~morning_half if session == "AM" else morning_half))
        code = np.where(absent, reason, np.where(activity, "V", present_code))
        minutes = np.zeros(shape, dtype=np.int16)
        if session == "AM":
            code = np.where(~absent & very_late, "U", np.where(~absent & late, "L", code))
            spread = (late_draw * 1e6).astype(np.int64)
            minutes = np.where(
                code == "U", 35 + spread % 20, np.where(code == "L", 3 + spread % 25, 0)
            ).astype(np.int16)
        parts.append(
            pl.DataFrame(
                {
                    "pupil": p.astype(np.int32),
                    "date": days[d],
                    "session": session,
                    "code": code[d, p],
                    "minutes_late": minutes[d, p],
                }
            )
        )
    first = pl.concat(parts).sort("date", "pupil", "session")
    first = first.with_columns(
        pl.col("date").cast(pl.Date),
        pl.when(pl.col("minutes_late") > 0).then(pl.col("minutes_late")).alias("minutes_late"),
        pl.Series("upn", roll["upn"]).gather(first["pupil"]).alias("upn"),
    )
    corrections = _corrections(first, rng)
    return first.select("upn", "date", "session", "code", "minutes_late"), corrections.select(
        "upn", "date", "session", "code"
    )


def _corrections(first: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Most N codes (reason not yet known) resolved later to a reason."""
    unknown = first.filter(pl.col("code") == "N")
    keep = rng.random(unknown.height) < 0.8
    reasons = np.array(_CORRECTED_N)[rng.integers(0, len(_CORRECTED_N), unknown.height)]
    return unknown.with_columns(pl.Series("code", reasons)).filter(pl.Series(keep))


def _pupils_file(
    roll: dict[str, np.ndarray], chosen: np.ndarray, year: int, school: SchoolPlan
) -> pl.DataFrame:
    """The school's pupils export for one academic year (everyone on roll at some point of it)."""
    rank = year - roll["cohort"][chosen]
    year_group = np.where(rank == 0, "R", rank.astype(str))
    flag = lambda values: np.where(values, "Y", "N")
    return pl.DataFrame(
        {
            "upn": roll["upn"][chosen],
            "forename": roll["forename"][chosen],
            "surname": roll["surname"][chosen],
            "date_of_birth": roll["date_of_birth"][chosen],
            "year_group": year_group,
            "admission_date": roll["admission_date"][chosen],
            "leaving_date": roll["leaving_date"][chosen],
            "sex": roll["sex"][chosen],
            "form": np.char.add(year_group, roll["form"][chosen]),
            "fsm": flag(roll["fsm"][chosen]),
            "fsm6": flag(roll["fsm6"][chosen]),
            "looked_after": flag(roll["looked_after"][chosen]),
            "sen": roll["sen"][chosen],
            "eal": flag(roll["eal"][chosen]),
            "ethnicity": roll["ethnicity"][chosen],
        }
    ).with_columns(pl.col("date_of_birth", "admission_date", "leaving_date").cast(pl.Date))


def generate(size: Size, folder: Path, seed: int = 2026) -> list[GeneratedFile]:
    """Write the size's exports to `folder` and return them in import order: for each academic
    year, every school's pupils file, then its marks file, then the corrections of its N codes."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    files: list[GeneratedFile] = []
    schools = plan_schools(size)
    rolls = [
        _Roll(school, index, np.random.default_rng([seed, index]))
        for index, school in enumerate(schools)
    ]
    calendar = {year: np.array(school_days(year), dtype="datetime64[D]") for year in size.years}
    for year in size.years:
        days = calendar[year]
        for school, roll in zip(schools, rolls, strict=True):
            rng = roll.rng
            ranks = np.arange(school.first_rank, school.last_rank + 1)
            if roll.count == 0:  # the first year: every year group, admitted when it started here
                cohort = np.repeat(year - ranks, school.per_year_group)
                started = (cohort + (school.first_rank if school.first_rank else 0)).astype(str)
                admitted = np.array(
                    [f"{y}-09-0{3 + rng.integers(0, 4)}" for y in started], dtype="datetime64[D]"
                )
                roll.add(len(cohort), cohort, admitted)
            else:  # a new intake in the first year group
                roll.add(
                    school.per_year_group,
                    np.full(school.per_year_group, year - school.first_rank),
                    np.full(school.per_year_group, days[0]),
                )
            # Joiners during the year, in any year group (about 3% of the roll).
            joiners = max(1, round(school.roll * 0.03))
            roll.add(
                joiners,
                year - rng.choice(ranks, joiners),
                days[rng.integers(10, len(days) - 10, joiners)],
            )
            pupils = roll.frame()
            rank = year - pupils["cohort"]
            admitted, leaving = pupils["admission_date"], pupils["leaving_date"]
            current = (
                (rank >= school.first_rank)
                & (rank <= school.last_rank)
                & (admitted <= days[-1])
                & (np.isnat(leaving) | (leaving >= days[0]))
            )
            # Leavers during the year (about 3%), and the top year group at its end.
            candidates = np.flatnonzero(current & np.isnat(leaving) & (admitted < days[0]))
            movers = rng.choice(candidates, min(len(candidates), joiners), replace=False)
            leaving[movers] = days[rng.integers(10, len(days) - 10, len(movers))]
            leaving[current & (rank == school.last_rank) & np.isnat(leaving)] = days[-1]
            roll.columns = {name: [values] for name, values in pupils.items()}
            chosen = np.flatnonzero(current)
            pupils_path = folder / f"{school.urn}_{year}_pupils.csv"
            _pupils_file(pupils, chosen, year, school).write_csv(pupils_path)
            files.append(
                GeneratedFile("pupils", school, pupils_path, len(chosen), days[-1].astype(date))
            )
            sub = {name: values[chosen] for name, values in pupils.items()}
            on_roll = (days[:, None] >= sub["admission_date"][None, :]) & (
                np.isnat(sub["leaving_date"])[None, :]
                | (days[:, None] <= sub["leaving_date"][None, :])
            )
            first, corrections = _marks(sub, on_roll, days, rng)
            marks_path = folder / f"{school.urn}_{year}_marks.csv"
            first.write_csv(marks_path)
            files.append(
                GeneratedFile("marks", school, marks_path, first.height, days[-1].astype(date))
            )
            if corrections.height:
                corrections_path = folder / f"{school.urn}_{year}_marks_corrections.csv"
                corrections.write_csv(corrections_path)
                files.append(
                    GeneratedFile(
                        "marks", school, corrections_path, corrections.height, days[-1].astype(date)
                    )
                )
    return files
