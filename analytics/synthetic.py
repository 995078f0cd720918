"""The synthetic demo trust, generated from a seed and loaded through the real importers.

Three fictional schools' rolls, registers, behaviour and exclusions over three academic years
and the current autumn term, written as MIS-style CSV exports. Everything here is invented:
schools, URNs, pupils and staff. The rates are tuned so that the engine's figures for a full
academic year sit near the national ones (`rules.md` section 9). Generation is vectorised with
numpy over a days-by-enrolments matrix per school; only the import of the CSV files it writes
touches the database, exactly as a data manager's would.
"""

from __future__ import annotations

import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from analytics.domain.calendar import (
    academic_year_label,
    academic_year_of,
    early_may_bank_holiday,
    easter_sunday,
    spring_bank_holiday,
)
from analytics.domain.codes import CODE_CHANGE_2024
from analytics.domain.interventions import Entry
from analytics.domain.upn import make_upn
from analytics.ingest import ImportResult, import_file
from analytics.reports.coordinator.risk import train as train_risk_model
from analytics.store import Database, read, write
from analytics.store import interventions as intervention_store
from analytics.synthetic_interventions import SCHOOL_TYPES, entries_and_batches
from analytics.synthetic_interventions import simulate as simulate_interventions

#: The demo's "today": a Friday, the last register day in the data (the app uses it for the demo).
DEMO_TODAY = date(2026, 11, 20)
#: Academic years with marks: three complete years and the current one up to DEMO_TODAY.
ACADEMIC_YEARS = (2023, 2024, 2025, 2026)
#: Seconds the last `build_demo` in this process took (the test suite checks the budget).
LAST_BUILD_SECONDS: float | None = None

#: Who the audit log names for the demo's imports.
DEMO_ACTOR = "rollcall demo"
#: A made-up local authority number for the UPNs the demo issues (no English LA uses it; pupils
#: who moved in bring UPNs of 991-999, equally made up: every demo UPN's LA starts "99").
_LA_CODE = 990
_TEACHING_DAYS_PER_YEAR = 190
_INSET_DAYS_PER_YEAR = 5


# --------------------------------------------------------------------------------------------
# Schools
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSchool:
    """One school of the demo trust and what shapes its data."""

    urn: int
    name: str
    short: str  # prefix of its export files
    phase: str
    estab: int  # establishment number in the UPNs it issued to its Reception intake
    first_rank: int  # 0 = Reception, 7 = Year 7
    last_rank: int
    intake: int  # pupils per year group
    classes: tuple[str, ...]  # the classes (tutor groups) of each year group
    inset: tuple[str, ...]  # which days of the year are INSET days (see _inset_days)
    fsm6_share: float
    mobility: float  # share of pupils leaving (and joining) during a year

    @property
    def ranks(self) -> range:
        return range(self.first_rank, self.last_rank + 1)


SCHOOLS = (
    DemoSchool(
        urn=990114,
        name="Oakfield Primary School",
        short="oakfield",
        phase="primary",
        estab=2431,
        first_rank=0,
        last_rank=6,
        intake=60,
        classes=("Oak", "Willow"),
        inset=("autumn_first", "autumn_second", "spring_first", "june_monday", "summer_last"),
        fsm6_share=0.30,
        mobility=0.045,
    ),
    DemoSchool(
        urn=990127,
        name="Brookside Primary School",
        short="brookside",
        phase="primary",
        estab=2517,
        first_rank=0,
        last_rank=6,
        intake=45,
        classes=("Kingfisher", "Heron"),
        inset=("autumn_first", "october_friday", "spring_first", "summer_first", "summer_last"),
        fsm6_share=0.21,
        mobility=0.035,
    ),
    DemoSchool(
        urn=990135,
        name="Westbrook Academy",
        short="westbrook",
        phase="secondary",
        estab=4123,
        first_rank=7,
        last_rank=11,
        intake=340,
        classes=tuple("ABCDEFGHJKL"),
        inset=("autumn_first", "autumn_second", "spring_first", "june_monday", "summer_last"),
        fsm6_share=0.28,
        mobility=0.03,
    ),
)
_PRIMARIES = tuple(s for s in SCHOOLS if s.phase == "primary")
_SECONDARY = next(s for s in SCHOOLS if s.phase == "secondary")

#: Oakfield was a polling station on 4 July 2024 and closed for the day (coded `#`).
_PLANNED_CLOSURE = (990114, date(2024, 7, 4))
#: Heavy snow: some Westbrook pupils could not travel (code Y2, widespread travel disruption).
_SNOW_DAY = (990135, date(2026, 1, 6))
#: Festival days on which some families ask for leave for religious observance (code R).
_EID_DAYS = (
    date(2024, 4, 10),
    date(2024, 6, 17),
    date(2025, 3, 31),
    date(2025, 6, 6),
    date(2026, 3, 20),
)
_DIWALI_DAYS = (date(2025, 10, 20),)
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


# --------------------------------------------------------------------------------------------
# The school calendar
# --------------------------------------------------------------------------------------------


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _weekdays(first: date, last: date) -> list[date]:
    days = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class Term:
    """A term of an academic year: its first and last day (INSET days included) and the
    weekdays inside it with no school (half-term, bank holidays)."""

    name: str
    first: date
    last: date
    closed: frozenset[date] = frozenset()

    def open_days(self) -> list[date]:
        """Weekdays of the term the school is open (INSET days included)."""
        return [d for d in _weekdays(self.first, self.last) if d not in self.closed]


def autumn_start(year: int) -> date:
    """First day of the autumn term: the first weekday of September (a Friday waits for Monday)."""
    day = _weekday_on_or_after(date(year, 9, 1))
    return day + timedelta(days=3) if day.weekday() == 4 else day


def term_dates(year: int) -> list[Term]:
    """The local authority's terms for an academic year (the same for the trust's schools).

    Autumn from early September to about 20 December with a week off at the end of October;
    spring from early January to the Friday before Holy Week with the February half-term;
    summer from the Monday after Easter week to about 22 July, without the early May bank
    holiday and the spring bank holiday week. The summer term's end is set so the year has
    195 open days (190 teaching days after five INSET days), as a local authority does.
    """
    # October half-term: the week holding 28 October.
    october = date(year, 10, 28) - timedelta(days=date(year, 10, 28).weekday())
    autumn = Term(
        "autumn",
        autumn_start(year),
        _weekday_on_or_before(date(year, 12, 20)),
        frozenset(october + timedelta(days=i) for i in range(5)),
    )
    spring_year = year + 1
    january = _weekday_on_or_after(date(spring_year, 1, 3))
    if january.weekday() == 4:
        january += timedelta(days=3)
    february = _monday_on_or_after(date(spring_year, 2, 12))
    easter = easter_sunday(spring_year)
    spring = Term(
        "spring",
        january,
        easter - timedelta(days=9),
        frozenset(february + timedelta(days=i) for i in range(5)),
    )
    whitsun = spring_bank_holiday(spring_year)
    summer_closed = frozenset(
        {early_may_bank_holiday(spring_year), *(whitsun + timedelta(days=i) for i in range(5))}
    )
    summer_first = easter + timedelta(days=8)
    summer_last = _weekday_on_or_before(date(spring_year, 7, 22))
    target = _TEACHING_DAYS_PER_YEAR + _INSET_DAYS_PER_YEAR
    while True:
        summer = Term("summer", summer_first, summer_last, summer_closed)
        total = len(autumn.open_days()) + len(spring.open_days()) + len(summer.open_days())
        if total == target:
            return [autumn, spring, summer]
        step = -1 if total > target else 1
        summer_last = summer_last + timedelta(days=step)
        summer_last = (
            _weekday_on_or_before(summer_last) if step < 0 else _weekday_on_or_after(summer_last)
        )


def _inset_days(school: DemoSchool, terms: list[Term]) -> set[date]:
    """The school's five INSET days of a year, by the rules named in `school.inset`."""
    autumn, spring, summer = (t.open_days() for t in terms)
    october_break = min(terms[0].closed)
    whitsun_break = max(d for d in terms[2].closed if d.month in (5, 6))
    picks = {
        "autumn_first": autumn[0],
        "autumn_second": autumn[1],
        "october_friday": max(d for d in autumn if d < october_break),
        "spring_first": spring[0],
        "summer_first": summer[0],
        "june_monday": min(d for d in summer if d > whitsun_break),
        "summer_last": summer[-1],
    }
    return {picks[rule] for rule in school.inset}


@dataclass(frozen=True)
class SchoolCalendar:
    """A school's register days over the demo period, one entry per day with marks.

    `days` are the teaching days (INSET days excluded) up to DEMO_TODAY, plus the planned closure
    day, which carries `#` marks. Each day has its academic year, its file period (the term, or
    the half-term in the current year) and its position relative to the holidays.
    """

    school: DemoSchool
    days: np.ndarray  # datetime64[D]
    year: np.ndarray  # academic year of each day
    period: np.ndarray  # file period label of each day
    term_first: dict[int, date]  # first day of each academic year's autumn term (INSET included)
    last_day: dict[
        int, date
    ]  # last teaching day of each academic year (DEMO_TODAY for the current one)
    closure: np.ndarray  # True on the planned closure day
    to_break: np.ndarray  # teaching days left before the next holiday (0 on the last day)
    from_break: np.ndarray  # teaching days since the last holiday (0 on the first day back)
    progress: np.ndarray  # 0 at the start of the academic year, 1 at its end

    def dates(self) -> list[date]:
        return self.days.astype(object).tolist()

    def index_of(self, day: date) -> int | None:
        """The position of `day` among the register days, or None when it has none."""
        position = int(np.searchsorted(self.days, np.datetime64(day, "D")))
        return (
            position
            if position < len(self.days) and self.days[position] == np.datetime64(day, "D")
            else None
        )

    def days_of_year(self, academic_year: int) -> np.ndarray:
        """Positions of the teaching days (not the closure day) of one academic year."""
        return np.flatnonzero((self.year == academic_year) & ~self.closure)


def school_calendar(school: DemoSchool) -> SchoolCalendar:
    """The register days of a school from September 2023 to DEMO_TODAY."""
    days: list[date] = []
    years: list[int] = []
    periods: list[str] = []
    term_first: dict[int, date] = {}
    last_day: dict[int, date] = {}
    for year in ACADEMIC_YEARS:
        terms = term_dates(year)
        inset = _inset_days(school, terms)
        term_first[year] = terms[0].first
        october_break = min(terms[0].closed)
        for term in terms:
            for day in term.open_days():
                if day in inset or day > DEMO_TODAY:
                    continue
                if year == ACADEMIC_YEARS[-1]:
                    period = "autumn1" if day < october_break else "autumn2"
                else:
                    period = term.name
                days.append(day)
                years.append(year)
                periods.append(period)
        last_day[year] = max(d for d, y in zip(days, years, strict=True) if y == year)
    day_array = np.array(days, dtype="datetime64[D]")
    closure = np.array([(school.urn, d) == _PLANNED_CLOSURE for d in days])
    gaps = np.diff(day_array).astype(int)
    breaks_after = np.append(gaps > 6, True)  # the day before a holiday (and the last day)
    breaks_before = np.insert(gaps > 6, 0, True)
    to_break = np.zeros(len(days), dtype=np.int32)
    from_break = np.zeros(len(days), dtype=np.int32)
    for i in range(len(days) - 2, -1, -1):
        to_break[i] = 0 if breaks_after[i] else to_break[i + 1] + 1
    for i in range(1, len(days)):
        from_break[i] = 0 if breaks_before[i] else from_break[i - 1] + 1
    year_array = np.array(years)
    progress = np.zeros(len(days))
    for year in ACADEMIC_YEARS:
        positions = np.flatnonzero(year_array == year)
        span = _TEACHING_DAYS_PER_YEAR - 1
        progress[positions] = np.minimum(np.arange(len(positions)) / span, 1.0)
    return SchoolCalendar(
        school,
        day_array,
        year_array,
        np.array(periods),
        term_first,
        last_day,
        closure,
        to_break,
        from_break,
        progress,
    )


# --------------------------------------------------------------------------------------------
# Pupils: names, characteristics and the latent tendencies that drive their registers
# --------------------------------------------------------------------------------------------


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_BRITISH_GIRLS = _names(
    "Olivia Amelia Isla Ava Ivy Freya Lily Florence Mia Willow Rosie Sophia Isabella Grace Daisy "
    "Sienna Poppy Elsie Emily Ella Evelyn Phoebe Evie Charlotte Harper Millie Matilda Ruby Esme "
    "Maya Erin Alice Holly Lucy Chloe Jessica Hannah Megan Katie Bethany Leah Abigail Imogen "
    "Scarlett Niamh Orla Tilly Harriet Lottie Eliza"
)
_BRITISH_BOYS = _names(
    "Noah Oliver George Arthur Leo Harry Oscar Archie Henry Theodore Freddie Jack Charlie Theo "
    "Alfie Jacob Thomas Finley Arlo William Lucas Roman Tommy Isaac Teddy Alexander Luca Edward "
    "James Joshua Albie Elijah Max Mason Reuben Samuel Ethan Dylan Harrison Logan Riley Jude Toby "
    "Callum Kai Rory Ollie Louie Ronnie Stanley"
)
_BRITISH_SURNAMES = _names(
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans "
    "Walker White Roberts Green Hall Wood Jackson Clarke Hughes Edwards Turner Harris Lewis Hill "
    "Cooper Ward Morris Moore Lee King Baker Morgan Allen Scott Phillips Watson Parker Price "
    "Bennett Young Griffiths Mitchell Kelly Cook Carter Bailey Collins Bell Shaw Murphy Miller "
    "Cox Marshall Simpson Ellis Adams Wilkinson Foster Chapman Webb Rogers Gray Hunt Palmer "
    "Holmes Mills Barnes Knight Lloyd Butler Barker Fisher Stevens Jenkins Dixon Fletcher Pearson "
    "Hudson Harvey Gibson Howard Booth Whitfield Ashworth Pennington Holloway Hargreaves "
    "Sutcliffe Brierley Catterall Oldroyd"
)
_SOUTH_ASIAN_GIRLS = _names(
    "Aisha Zara Maryam Hafsa Inaya Anaya Amira Safa Noor Khadija Fatima Sana Ayesha Hania Zainab "
    "Nadia Tasnim Sumaiya Jannat Eshal"
)
_SOUTH_ASIAN_BOYS = _names(
    "Muhammad Ibrahim Yusuf Ayaan Zayn Hamza Musa Ali Adam Rayyan Haris Bilal Zain Rahim Tahmid "
    "Arif Imran Farhan Hasan Idris"
)
_PAKISTANI_SURNAMES = _names(
    "Khan Hussain Ahmed Ali Shah Iqbal Akhtar Mahmood Rashid Malik Raza Butt"
)
_BANGLADESHI_SURNAMES = _names("Chowdhury Rahman Islam Uddin Miah Hoque Ahmed Alam Karim Sarkar")
_INDIAN_GIRLS = _names("Priya Anika Diya Riya Aanya Ishani Kavya Simran Jasleen Meera Tara Navya")
_INDIAN_BOYS = _names("Arjun Rohan Dev Aarav Vihaan Kabir Sahil Ishaan Arnav Jai Krish Veer")
_INDIAN_SURNAMES = _names(
    "Patel Sharma Singh Gill Sandhu Mistry Desai Joshi Chauhan Parmar Kapoor Bains"
)
_AFRICAN_GIRLS = _names(
    "Adaeze Chiamaka Amara Ifeoma Ama Abena Esi Nia Imani Hodan Ayan Folake Temi Tolu Efua Ruth"
)
_AFRICAN_BOYS = _names(
    "Chinedu Emeka Tobi Kwame Kofi Kwabena David Samuel Daniel Tunde Femi Ayo Abdi Mohamed Ebuka "
    "Joshua"
)
_AFRICAN_SURNAMES = _names(
    "Okafor Adeyemi Okonkwo Mensah Asante Boateng Owusu Adebayo Olawale Nwosu Eze Abdi Osei "
    "Ogunleye Afolabi Danso Agyeman Warsame"
)
_CARIBBEAN_GIRLS = _names("Shanice Tia Kiara Jada Aaliyah Naomi Keisha Tiana Jasmine Nevaeh")
_CARIBBEAN_BOYS = _names("Jaden Tyrese Malachi Jayden Marcus Kyrie Isaiah Andre Dante Nathaniel")
_CARIBBEAN_SURNAMES = _names(
    "Campbell Grant Francis Thomas Richards Henry Samuels Gordon Reid Lawrence Joseph McKenzie"
)
_EUROPEAN_GIRLS = _names(
    "Zuzanna Maja Julia Hanna Ana Maria Ioana Elena Beatriz Alicja Lena Emilia Giulia Oliwia"
)
_EUROPEAN_BOYS = _names(
    "Jakub Szymon Filip Mateusz Andrei Stefan Tiago Rafael Kacper Antoni Marco Matei Darius Lukas"
)
_EUROPEAN_SURNAMES = _names(
    "Nowak Kowalski Wisniewski Lewandowski Kaminski Popescu Ionescu Stan Dumitru Silva Santos "
    "Ferreira Rossi Bianchi Kowalczyk Nagy Horvath"
)
_CHINESE_GIRLS = _names("Mei Xinyi Yan Lin Jia Hui Yuxi Ling")
_CHINESE_BOYS = _names("Wei Jun Hao Ming Zhi Yiming Chen Bo")
_CHINESE_SURNAMES = _names("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Lam Wong Chan")
_ARAB_GIRLS = _names("Layla Mariam Yasmin Salma Huda Lina Rania Dalia")
_ARAB_BOYS = _names("Omar Ahmad Youssef Karim Hassan Tariq Sami Khalid")
_ARAB_SURNAMES = _names("Haddad Nasser Saleh Hamdan Abbas Mansour Farah Aziz Khalil Darwish")

#: Name pools: (girls' names, boys' names, surnames).
_POOLS = {
    "british": (_BRITISH_GIRLS, _BRITISH_BOYS, _BRITISH_SURNAMES),
    "pakistani": (_SOUTH_ASIAN_GIRLS, _SOUTH_ASIAN_BOYS, _PAKISTANI_SURNAMES),
    "bangladeshi": (_SOUTH_ASIAN_GIRLS, _SOUTH_ASIAN_BOYS, _BANGLADESHI_SURNAMES),
    "indian": (_INDIAN_GIRLS, _INDIAN_BOYS, _INDIAN_SURNAMES),
    "african": (_AFRICAN_GIRLS, _AFRICAN_BOYS, _AFRICAN_SURNAMES),
    "caribbean": (
        _CARIBBEAN_GIRLS + _BRITISH_GIRLS[:10],
        _CARIBBEAN_BOYS + _BRITISH_BOYS[:10],
        _CARIBBEAN_SURNAMES,
    ),
    "european": (_EUROPEAN_GIRLS, _EUROPEAN_BOYS, _EUROPEAN_SURNAMES),
    "chinese": (_CHINESE_GIRLS, _CHINESE_BOYS, _CHINESE_SURNAMES),
    "arab": (_ARAB_GIRLS, _ARAB_BOYS, _ARAB_SURNAMES),
}

#: Census ethnicity: (code, share, first-name pool, surname pool, EAL share, observes Eid share).
_ETHNICITIES = (
    ("WBRI", 0.630, "british", "british", 0.005, 0.0),
    ("WIRI", 0.006, "british", "british", 0.01, 0.0),
    ("WOTH", 0.065, "european", "european", 0.65, 0.02),
    ("WROM", 0.004, "european", "european", 0.6, 0.0),
    ("WIRT", 0.003, "british", "british", 0.05, 0.0),
    ("MWBC", 0.020, "british", "caribbean", 0.02, 0.0),
    ("MWBA", 0.010, "african", "british", 0.15, 0.1),
    ("MWAS", 0.014, "british", "pakistani", 0.2, 0.4),
    ("MOTH", 0.018, "british", "european", 0.2, 0.1),
    ("AIND", 0.034, "indian", "indian", 0.6, 0.0),
    ("APKN", 0.050, "pakistani", "pakistani", 0.7, 0.9),
    ("ABAN", 0.020, "bangladeshi", "bangladeshi", 0.8, 0.9),
    ("AOTH", 0.014, "arab", "arab", 0.6, 0.4),
    ("BAFR", 0.045, "african", "african", 0.5, 0.3),
    ("BCRB", 0.012, "caribbean", "caribbean", 0.02, 0.0),
    ("BOTH", 0.005, "african", "caribbean", 0.3, 0.1),
    ("CHNE", 0.008, "chinese", "chinese", 0.7, 0.0),
    ("OOTH", 0.020, "arab", "arab", 0.7, 0.6),
    ("REFU", 0.010, "british", "british", 0.05, 0.0),
)

_STAFF_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr")
_STAFF_SURNAMES = _names(
    "Ashby Brennan Calloway Dunmore Ellery Fairbairn Garside Hollins Iredale Jessop Kershaw "
    "Lindqvist Marsh-Hart Northcott Okonjo Pemberton Quaye Rahmani Standish Thorley Umeh Varga "
    "Wetherall Yardley Zielinski Achterberg Bhogal Crowther Dervish Eastwood Fenwick Greaves "
    "Hepworth"
)


class People:
    """Every pupil of the demo, as parallel lists filled batch by batch, then one frame."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.columns: dict[str, list] = defaultdict(list)
        self.count = 0
        self._serials: dict[tuple[int, int, int], int] = defaultdict(int)

    def _upn(self, la_code: int, estab: int, year: int) -> str:
        key = (la_code, estab, year % 100)
        self._serials[key] += 1
        return make_upn(la_code, estab, year, self._serials[key])

    def add(self, n: int, cohort: int, school: DemoSchool, *, issued_here: bool) -> np.ndarray:
        """`n` new pupils who were (or will be) in Reception in academic year `cohort`.

        Pupils who started in Reception at a trust primary have a UPN issued by it; others
        bring one from the school where they started (elsewhere in the LA or beyond).
        """
        rng = self.rng
        ids = np.arange(self.count, self.count + n)
        self.count += n
        if n == 0:
            return ids
        codes = [e[0] for e in _ETHNICITIES]
        shares = np.array([e[1] for e in _ETHNICITIES])
        if (
            school.short == "brookside"
        ):  # a market-town school: fewer pupils of minority ethnic groups
            shares = np.where(np.array(codes) == "WBRI", shares * 1.35, shares * 0.7)
        ethnic = rng.choice(len(codes), size=n, p=shares / shares.sum())
        sex = np.where(rng.random(n) < 0.51, "M", "F")
        born_from = date(cohort - 5, 9, 1)
        span = (date(cohort - 4, 9, 1) - born_from).days
        dob = [born_from + timedelta(days=int(x)) for x in rng.integers(0, span, n)]
        pool_draws = rng.random((n, 3))
        for i in range(n):
            code, _share, first_pool, last_pool, eal_share, eid_share = _ETHNICITIES[ethnic[i]]
            girls, boys, _ = _POOLS[first_pool]
            names = boys if sex[i] == "M" else girls
            surnames = _POOLS[last_pool][2]
            self.columns["forename"].append(names[int(pool_draws[i, 0] * len(names))])
            self.columns["surname"].append(surnames[int(pool_draws[i, 1] * len(surnames))])
            self.columns["ethnicity"].append(code)
            self.columns["eal"].append(bool(pool_draws[i, 2] < eal_share))
            self.columns["observes_eid"].append(bool(rng.random() < eid_share))
            self.columns["observes_diwali"].append(bool(code == "AIND" and rng.random() < 0.5))
            if issued_here:
                upn = self._upn(_LA_CODE, school.estab, cohort)
            elif rng.random() < 0.8:
                upn = self._upn(_LA_CODE, int(rng.integers(2000, 2400)), cohort)
            else:  # moved in from another (equally made-up) local authority
                upn = self._upn(int(rng.integers(991, 1000)), int(rng.integers(2000, 3999)), cohort)
            self.columns["upn"].append(upn)
        self.columns["sex"].extend(sex.tolist())
        self.columns["date_of_birth"].extend(dob)
        self.columns["cohort"].extend([cohort] * n)
        # Disadvantage: FSM in the last six years, or looked after, or previously looked after.
        fsm6 = rng.random(n) < school.fsm6_share
        fsm = fsm6 & (rng.random(n) < 0.8)
        looked_after = rng.random(n) < 0.008
        previously_looked_after = rng.random(n) < 0.005
        disadvantaged = fsm6 | looked_after | previously_looked_after
        # SEN is more common among boys and disadvantaged pupils (national pattern).
        sen_risk = np.where(sex == "M", 1.3, 0.7) * np.where(disadvantaged, 1.5, 0.85)
        sen_draw = rng.random(n)
        sen = np.where(
            sen_draw < 0.035 * sen_risk, "E", np.where(sen_draw < 0.165 * sen_risk, "K", "N")
        )
        self.columns["fsm"].extend(fsm.tolist())
        self.columns["fsm6"].extend(fsm6.tolist())
        self.columns["looked_after"].extend(looked_after.tolist())
        self.columns["disadvantaged"].extend(disadvantaged.tolist())
        self.columns["sen"].extend(sen.tolist())
        self.columns["class_draw"].extend(rng.random(n).tolist())  # which class of the year group
        # Latent tendencies: absence, lateness, behaviour (each persists across years).
        self.columns["absence_z"].extend(rng.normal(size=n).tolist())
        self.columns["vulnerability"].extend(rng.random(n).tolist())
        self.columns["late_z"].extend(rng.normal(size=n).tolist())
        self.columns["behaviour_z"].extend(rng.normal(size=n).tolist())
        self.columns["praise_z"].extend(rng.normal(size=n).tolist())
        # Draws that decide, year by year, whether a pupil becomes (or stays) severely absent.
        self.columns["severe_draws"].extend(rng.random((n, len(ACADEMIC_YEARS))).tolist())
        # Families who take term-time holidays, some of them every year.
        self.columns["holiday_rate"].extend(np.where(rng.random(n) < 0.2, 0.7, 0.05).tolist())
        self.columns["sporty"].extend((rng.random(n) < 0.1).tolist())
        for name in ("absence_e", "late_e", "behaviour_e"):
            self.columns[name].extend(rng.normal(size=(n, len(ACADEMIC_YEARS))).tolist())
        return ids

    def frame(self) -> pl.DataFrame:
        """One row per pupil, `pupil` being the row number."""
        return pl.DataFrame(dict(self.columns)).with_row_index("pupil")


# --------------------------------------------------------------------------------------------
# Rolls: intakes, leavers, joiners, movers and permanent exclusions, year by year
# --------------------------------------------------------------------------------------------


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
            and (self.leaving[e] is None or self.leaving[e] >= first)
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
    elapsed = len(teaching) / _TEACHING_DAYS_PER_YEAR
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
        if pe_year != year or calendar.index_of(day) is None:
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
        rolls.leaving[chosen] = dates[min(calendar.index_of(day) + 6, len(dates) - 1)]


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
        chosen = (
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


# --------------------------------------------------------------------------------------------
# Registers: a days-by-enrolments matrix of codes per school and session
# --------------------------------------------------------------------------------------------

#: Every code the demo writes; matrices hold positions in this tuple.
CODES = (
    *("/", "\\", "L", "U"),  # present, late, late after registers closed
    *("I", "M", "O", "G", "N", "C", "C2", "R", "E", "H"),  # absence
    *("J", "J1", "K", "B", "V", "P", "W"),  # interviews and approved educational activity
    *("X", "Y2", "#"),  # not possible sessions
)
_CODE = {code: i for i, code in enumerate(CODES)}
AM, PM = 0, 1
_PRESENT = (_CODE["/"], _CODE["\\"], _CODE["L"])

# Tuning: each value below was set so that the engine's figures for a full year land near the
# national ones (tests/unit/test_synthetic.py holds the bands).
# fmt: off
#: Absence rate of a typical pupil before their own tendencies, and the year-group pattern
#: (secondary absence rises from Year 7 to Year 11). Keys of the year groups: 0 = Reception.
_BASE_ABSENCE = {"primary": 0.0105, "secondary": 0.027}
_YEAR_GROUP_FACTOR = {0: 1.12, 1: 1.05, 2: 1.0, 3: 0.97, 4: 0.95, 5: 0.95, 6: 0.98,
                      7: 0.55, 8: 0.86, 9: 1.0, 10: 1.12, 11: 1.25}
_DISADVANTAGED_FACTOR = 2.0
_SEN_FACTOR = {"N": 1.0, "K": 1.9, "E": 3.2}
#: Spread of pupils' own tendency (a lognormal factor's sigma).
_ABSENCE_SIGMA = {"primary": 0.45, "secondary": 0.5}
#: A minority of pupils miss far more school than most (chronic illness, anxiety, caring, family
#: difficulties): (share of pupils, their typical absence rate). Disadvantaged pupils and pupils
#: with SEN are more often among them. This bump above 10% is what makes persistent absence
#: as common as it is nationally while the median pupil misses little.
_VULNERABLE = {"primary": (0.15, 0.125), "secondary": (0.13, 0.15)}
#: Severe absence: the yearly chance of becoming severely absent (before the pupil's risk and
#: year group), how that chance varies by year group, and the chance of staying so next year.
_SEVERE_HAZARD = {"primary": 0.0065, "secondary": 0.013}
_SEVERE_YEAR_GROUP = {0: 0.3, 7: 0.4, 8: 0.8, 9: 1.0, 10: 1.3, 11: 1.5}
_SEVERE_STAY = 0.6
#: Chance that an absent day follows an absent day beyond what the pupil's rate alone gives
#: (illness lasts a few days; a severe absentee's absences come in long runs).
_PERSISTENCE = (0.35, 0.8)
#: Monday to Friday.
_WEEKDAY_FACTOR = {"primary": (1.11, 0.95, 0.92, 0.95, 1.11),
                   "secondary": (1.1, 0.95, 0.92, 0.95, 1.13)}
#: Absence by month, and the share of it that is illness (winter bugs in December to February).
_MONTH_FACTOR = {9: 0.72, 10: 0.95, 11: 1.0, 12: 1.2, 1: 1.15, 2: 1.1, 3: 1.0, 4: 0.92,
                 5: 0.92, 6: 0.97, 7: 1.05}
_ILLNESS_SEASON = {9: 0.75, 10: 1.0, 11: 1.05, 12: 1.45, 1: 1.4, 2: 1.25, 3: 1.0, 4: 0.85,
                   5: 0.8, 6: 0.78, 7: 0.72}
#: The first import of a session's absence carries `N` this often, by the code it ends up with
#: (on DEMO_TODAY itself, most absences are still unexplained: the first-day calling list).
_FIRST_N = {"I": 0.35, "M": 0.2, "O": 0.92, "G": 0.75, "C": 0.3, "R": 0.25, "H": 0.1}
_FIRST_N_TODAY = {"I": 0.6, "M": 0.4, "O": 1.0, "G": 1.0, "C": 0.5, "R": 0.4, "H": 0.5}
#: Which holidays families stretch into term time, by the month of the day next to the holiday.
_HOLIDAY_MONTH_WEIGHT = {12: 1.6, 7: 2.0, 3: 1.3, 4: 1.3, 10: 0.8, 2: 0.8, 5: 0.8, 9: 1.0, 1: 0.5,
                         6: 0.6, 11: 0.3}
# fmt: on


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
    interventions: pl.DataFrame  # the coordinator's actions (analytics.synthetic_interventions)


def _column(frame: pl.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy()


def _weekday(days: np.ndarray) -> np.ndarray:
    """Monday 0 to Friday 4 of datetime64 days (1 January 1970 was a Thursday)."""
    return ((days.astype("datetime64[D]").view("int64") + 3) % 7).astype(int)


def _month(days: np.ndarray) -> np.ndarray:
    """Calendar month (1-12) of datetime64 days."""
    return days.astype("datetime64[M]").astype(int) % 12 + 1


def _day_factors(school: DemoSchool, calendar: SchoolCalendar) -> np.ndarray:
    """Relative absence of each register day: weekday, season, and the days around holidays
    (normalised to a mean of 1 over each academic year's teaching days)."""
    days = calendar.days
    factor = np.array(_WEEKDAY_FACTOR[school.phase])[_weekday(days)]
    factor = factor * np.vectorize(_MONTH_FACTOR.get)(_month(days))
    # Families stretch the holidays: the last days before a break and the first day back.
    factor = factor * np.select(
        [calendar.to_break == 0, calendar.to_break == 1, calendar.from_break == 0],
        [1.4, 1.15, 1.12],
        1.0,
    )
    for year in ACADEMIC_YEARS:
        teaching = calendar.days_of_year(year)
        factor[teaching] /= factor[teaching].mean()
    return factor


def _absence_rates(
    rng: np.random.Generator, school: DemoSchool, pupils: pl.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per enrolment and academic year: the absence rate, the within-year trend
    (-1 improving, 0 steady, 1 building up), and whether the pupil is severely absent."""
    n = pupils.height
    years = np.array(ACADEMIC_YEARS)
    rank = years[None, :] - _column(pupils, "cohort")[:, None]
    year_factor = np.vectorize(lambda r: _YEAR_GROUP_FACTOR.get(int(r), 1.0))(rank)
    disadvantaged = np.where(_column(pupils, "disadvantaged"), _DISADVANTAGED_FACTOR, 1.0)
    sen = np.vectorize(_SEN_FACTOR.get)(_column(pupils, "sen"))
    z = 0.8 * _column(pupils, "absence_z")[:, None] + 0.6 * np.array(pupils["absence_e"].to_list())
    sigma = _ABSENCE_SIGMA[school.phase]
    spread = np.exp(sigma * z - sigma**2 / 2)
    rate = _BASE_ABSENCE[school.phase] * year_factor * (disadvantaged * sen)[:, None] * spread
    share, level = _VULNERABLE[school.phase]
    vulnerable_share = (
        share
        * np.where(_column(pupils, "disadvantaged"), 1.8, 0.7)
        * np.vectorize({"N": 0.92, "K": 1.4, "E": 2.2}.get)(_column(pupils, "sen"))
    )
    vulnerable = _column(pupils, "vulnerability") < vulnerable_share
    own_level = level * year_factor * np.exp(0.3 * z - 0.045)
    rate = np.where(vulnerable[:, None], np.maximum(rate, own_level), rate)
    severe, onset = _severe_absence(pupils, rank)
    rate = np.where(severe, rng.uniform(0.45, 0.85, (n, len(years))), rate)
    draw = rng.random((n, len(years)))
    trend = np.where((rate > 0.08) & (draw < 0.3), 1, np.where((rate > 0.08) & (draw > 0.9), -1, 0))
    trend = np.where(severe, np.where(onset, 1, 0), trend)
    return np.minimum(rate, 0.9), trend, severe


def _severe_absence(pupils: pl.DataFrame, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per enrolment and academic year: whether the pupil is severely absent (school refusal,
    long illness), and whether that started this year. Each year some pupils become so (more
    often disadvantaged pupils, pupils with SEN and older secondary pupils) and most of those
    who were stay so."""
    risk = np.where(_column(pupils, "disadvantaged"), 1.6, 0.8) * np.vectorize(
        {"N": 0.9, "K": 1.5, "E": 2.2}.get
    )(_column(pupils, "sen"))
    # By year group, not by school, so that a pupil's path is the same in every school's data.
    by_year_group = np.vectorize(lambda r: _SEVERE_YEAR_GROUP.get(int(r), 1.0))(rank)
    phase_hazard = np.where(rank <= 6, _SEVERE_HAZARD["primary"], _SEVERE_HAZARD["secondary"])
    hazard = phase_hazard * risk[:, None] * by_year_group
    draws = np.array(pupils["severe_draws"].to_list())
    severe = np.zeros(draws.shape, dtype=bool)
    # Before the first year of data, as many are severely absent as the hazard keeps up.
    severe[:, 0] = draws[:, 0] < hazard[:, 0] / (1 - _SEVERE_STAY + hazard[:, 0])
    for y in range(1, draws.shape[1]):
        severe[:, y] = draws[:, y] < np.where(severe[:, y - 1], _SEVERE_STAY, hazard[:, y])
    onset = severe.copy()
    onset[:, 1:] &= ~severe[:, :-1]
    onset[:, 0] &= draws[:, 0] < 0.4 * hazard[:, 0]
    return severe, onset


def _absent_days(
    rng: np.random.Generator,
    rate: np.ndarray,
    trend: np.ndarray,
    severe: np.ndarray,
    calendar: SchoolCalendar,
    day_factor: np.ndarray,
) -> np.ndarray:
    """(days, enrolments): whether each pupil is away all day, as a two-state chain per pupil
    whose long-run share of absent days follows the day's probability (runs of illness)."""
    year_index = calendar.year - ACADEMIC_YEARS[0]
    n_days, n = len(calendar.days), rate.shape[0]
    absent = np.zeros((n_days, n), dtype=bool)
    uniform = rng.random((n_days, n))
    persistence = np.where(severe, _PERSISTENCE[1], _PERSISTENCE[0])
    previous = np.zeros(n, dtype=bool)
    for d in range(n_days):
        y = year_index[d]
        shape = np.select(
            [trend[:, y] == 1, trend[:, y] == -1],
            [0.25 + 1.5 * calendar.progress[d], 1.75 - 1.5 * calendar.progress[d]],
            1.0,
        )
        p = np.minimum(rate[:, y] * day_factor[d] * shape, 0.97)
        k = persistence[:, y]
        chance = np.where(previous, p + (1 - p) * k, p * (1 - k))
        previous = uniform[d] < chance
        absent[d] = previous
    return absent


def _choose(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One column index per row of `weights`, drawn in proportion to the row's weights."""
    cumulative = np.cumsum(weights, axis=1)
    draw = rng.random(weights.shape[0]) * cumulative[:, -1]
    return (cumulative < draw[:, None]).sum(axis=1)


def _holiday_episodes(
    rng: np.random.Generator,
    marks: np.ndarray,
    on_roll: np.ndarray,
    calendar: SchoolCalendar,
    holiday_rate: np.ndarray,
    school: DemoSchool,
) -> None:
    """Term-time holidays: a few days taken next to a school holiday, coded `G` (or, in 2023/24
    only, sometimes `H` when the head authorised it)."""
    n_days, n = on_roll.shape
    # The last register day of the data (DEMO_TODAY) is not the day before a holiday.
    last_before = np.flatnonzero(calendar.to_break == 0)[:-1]
    first_after = np.flatnonzero(calendar.from_break == 0)
    months = _month(calendar.days)
    phase_factor = 1.0 if school.phase == "primary" else 0.75
    for y, year in enumerate(ACADEMIC_YEARS):
        takers = np.flatnonzero(rng.random(n) < holiday_rate * phase_factor)
        for e in takers:
            before = rng.random() < 0.6
            candidates = last_before if before else first_after
            candidates = candidates[(calendar.year[candidates] == year) & on_roll[candidates, e]]
            if len(candidates) == 0:
                continue
            weights = np.array([_HOLIDAY_MONTH_WEIGHT[int(m)] for m in months[candidates]])
            anchor = int(rng.choice(candidates, p=weights / weights.sum()))
            length = int(rng.choice([2, 3, 4, 5, 5, 7, 10]))
            days = (
                np.arange(anchor - length + 1, anchor + 1)
                if before
                else np.arange(anchor, anchor + length)
            )
            days = days[(days >= 0) & (days < n_days)]
            days = days[on_roll[days, e] & (calendar.year[days] == year)]
            code = _CODE["H"] if year < 2024 and rng.random() < 0.12 else _CODE["G"]
            marks[:, days, e] = code


def _special_sessions(
    rng: np.random.Generator,
    school: DemoSchool,
    calendar: SchoolCalendar,
    pupils: pl.DataFrame,
    marks: np.ndarray,
    on_roll: np.ndarray,
    rate: np.ndarray,
) -> None:
    """Codes that come from school life rather than absence: trips (V), fixtures (P), work
    experience (W), alternative provision (K, or B before the 2024 codes), part-time timetables
    (C2, or C before), interviews (J1, or J before), religious observance (R), Reception pupils
    not yet of compulsory age (X), a snow day (Y2) and the planned closure (#)."""
    n_days, n = on_roll.shape
    present = np.isin(marks, _PRESENT)
    cohort = _column(pupils, "cohort")
    primary = school.phase == "primary"
    after_2024 = calendar.days >= np.datetime64(CODE_CHANGE_2024)
    weekday = _weekday(calendar.days)
    months = _month(calendar.days)

    def set_where_present(
        days: np.ndarray, pupils_mask: np.ndarray, code_am: int | None, code_pm: int | None
    ) -> None:
        for session, code in ((AM, code_am), (PM, code_pm)):
            if code is None:
                continue
            cells = present[session][np.ix_(days, np.flatnonzero(pupils_mask))]
            block = marks[session][np.ix_(days, np.flatnonzero(pupils_mask))]
            block[cells] = code
            marks[session][np.ix_(days, np.flatnonzero(pupils_mask))] = block

    for y, year in enumerate(ACADEMIC_YEARS):
        teaching = calendar.days_of_year(year)
        rank = year - cohort
        if len(teaching) == 0:
            continue
        # Educational visits: a whole class in a primary, an optional trip in a secondary.
        for r in school.ranks:
            if len(teaching) < 40:
                break
            day = teaching[int(rng.integers(15, len(teaching) - 15))]
            going = (rank == r) & (rng.random(n) < (1.0 if primary else 0.4))
            set_where_present(np.array([day]), going, _CODE["V"], _CODE["V"])
        if primary and len(teaching) > 150:
            # The Year 6 residential: three days in late May or June; most of the class goes.
            june = teaching[(months[teaching] == 6) & (weekday[teaching] == 2)]
            if len(june):
                start = int(june[int(rng.integers(0, len(june)))])
                going = (rank == 6) & (rng.random(n) < 0.85)
                set_where_present(np.arange(start, start + 3), going, _CODE["V"], _CODE["V"])
        if not primary:
            # Fixtures on Wednesday afternoons for the sporty.
            wednesdays = teaching[weekday[teaching] == 2]
            fixtures = rng.choice(wednesdays, size=min(8, len(wednesdays)), replace=False)
            set_where_present(np.sort(fixtures), _column(pupils, "sporty"), None, _CODE["P"])
            # Year 10 work experience: a week in July.
            july = teaching[(months[teaching] == 7) & (weekday[teaching] == 0)]
            if len(july):
                start = int(july[0])
                set_where_present(
                    np.arange(start, min(start + 5, n_days)), rank == 10, _CODE["W"], _CODE["W"]
                )
            # Interviews for college places (Year 11, January to March).
            spring = teaching[np.isin(months[teaching], (1, 2, 3))]
            for e in np.flatnonzero((rank == 11) & (rng.random(n) < 0.12)):
                if len(spring):
                    day = int(rng.choice(spring))
                    code = _CODE["J1"] if after_2024[day] else _CODE["J"]
                    if present[AM, day, e]:
                        marks[AM, day, e] = code
            # Alternative provision one day a week for a few Year 10 and 11 pupils at risk of
            # exclusion.
            behaviour = np.where(
                (rank >= 10) & on_roll[teaching].any(axis=0),
                _column(pupils, "behaviour_z"),
                -np.inf,
            )
            for e in np.argsort(-behaviour, kind="stable")[:5]:
                thursdays = teaching[weekday[teaching] == 3]
                code = _CODE["K"] if year >= 2024 else _CODE["B"]
                for session in (AM, PM):
                    cells = thursdays[present[session, thursdays, e]]
                    marks[session, cells, e] = code
        # Temporary part-time timetables for a few struggling pupils: afternoons off for six
        # weeks (C2 from 2024; the old C before).
        struggling = np.flatnonzero(
            (on_roll[teaching].sum(axis=0) > 60) & (rate[:, y] >= 0.12) & (rate[:, y] < 0.45)
        )
        count = min(1 if primary else 4, len(struggling))
        for e in rng.choice(struggling, size=count, replace=False) if count else []:
            days_on_roll = teaching[on_roll[teaching, e]]
            start = int(rng.integers(0, max(len(days_on_roll) - 30, 1)))
            block = days_on_roll[start : start + 30]
            code = _CODE["C2"] if year >= 2024 else _CODE["C"]
            cells = block[present[PM, block, e]]
            marks[PM, cells, e] = code
        # Reception: not of compulsory school age; mornings only in the first week.
        first_week = teaching[:5]
        set_where_present(first_week, rank == 0, None, _CODE["X"])

    # Religious observance on festival days (one day; R is authorised).
    for festival, observing in ((_EID_DAYS, "observes_eid"), (_DIWALI_DAYS, "observes_diwali")):
        for day in festival:
            d = calendar.index_of(day)
            if d is None:
                continue
            taking = _column(pupils, observing) & (rng.random(n) < 0.75) & on_roll[d]
            marks[:, d, taking] = _CODE["R"]
    if _SNOW_DAY[0] == school.urn and (d := calendar.index_of(_SNOW_DAY[1])) is not None:
        stranded = rng.random(n) < 0.12
        marks[:, d, stranded] = _CODE["Y2"]
    if calendar.closure.any():
        marks[:, calendar.closure, :] = _CODE["#"]


def _lateness(
    rng: np.random.Generator,
    school: DemoSchool,
    pupils: pl.DataFrame,
    marks: np.ndarray,
    minutes: np.ndarray,
    rate: np.ndarray,
    calendar: SchoolCalendar,
) -> None:
    """Late before registers close (L, 1-20 minutes) and after (U, 20-60 minutes), mostly in the
    morning; some pupils are late far more often than others."""
    n_days, n = marks.shape[1:]
    year_index = calendar.year - ACADEMIC_YEARS[0]
    z = 0.8 * _column(pupils, "late_z")[:, None] + 0.6 * np.array(pupils["late_e"].to_list())
    disadvantaged = np.where(_column(pupils, "disadvantaged"), 1.5, 0.85)[:, None]
    tendency = np.exp(0.85 * z - 0.36) * disadvantaged
    late_am = np.minimum(
        (0.052 if school.phase == "primary" else 0.048) * tendency * (1 + 2 * rate), 0.6
    )
    after_close = np.minimum(0.0075 * np.exp(0.4 * z) * disadvantaged * (1 + 5 * rate), 0.3)
    for session, scale in ((AM, 1.0), (PM, 0.06)):
        draw = rng.random((n_days, n))
        l_chance = late_am[:, year_index].T * scale
        u_chance = after_close[:, year_index].T * scale
        present = marks[session] == (_CODE["/"] if session == AM else _CODE["\\"])
        u_cells = present & (draw < u_chance)
        l_cells = present & ~u_cells & (draw < u_chance + l_chance)
        marks[session][u_cells] = _CODE["U"]
        marks[session][l_cells] = _CODE["L"]
        minutes[session][l_cells] = np.minimum(
            1 + np.floor(rng.beta(1.3, 3.0, l_cells.sum()) * 20), 20
        )
        minutes[session][u_cells] = rng.integers(20, 61, u_cells.sum())


def _absence_reasons(
    rng: np.random.Generator,
    school: DemoSchool,
    pupils: pl.DataFrame,
    marks: np.ndarray,
    absent: np.ndarray,
    rate: np.ndarray,
    severe: np.ndarray,
    calendar: SchoolCalendar,
) -> None:
    """Code the whole-day absences (illness most, then unauthorised, appointments, other leave)
    and add the single-session ones: an appointment, sent home ill, missing after lunch."""
    year_index = calendar.year - ACADEMIC_YEARS[0]
    months = _month(calendar.days)
    d_idx, e_idx = np.nonzero(absent)
    y_idx = year_index[d_idx]
    disadvantaged = _column(pupils, "disadvantaged")[e_idx]
    pupil_rate = rate[e_idx, y_idx]
    unauthorised = (
        (0.05 if school.phase == "primary" else 0.075)
        * (1 + 0.8 * disadvantaged)
        * (1 + 1.5 * (pupil_rate > 0.1))
        * np.where(severe[e_idx, y_idx], 2.5, 1.0)
    )
    illness = 0.66 * np.vectorize(_ILLNESS_SEASON.get)(months[d_idx])
    weights = np.column_stack(
        [illness, np.full(len(d_idx), 0.045), unauthorised, np.full(len(d_idx), 0.03)]
    )
    reason = np.array([_CODE["I"], _CODE["M"], _CODE["O"], _CODE["C"]], dtype=np.uint8)[
        _choose(rng, weights)
    ]
    marks[AM, d_idx, e_idx] = reason
    marks[PM, d_idx, e_idx] = reason

    n_days, n = absent.shape
    draw = rng.random((n_days, n))
    out_after_lunch = 0.0 if school.phase == "primary" else 0.0012
    chance_o = out_after_lunch * (1 + 4 * rate[:, year_index].T)
    appointment_am = ~absent & (draw < 0.0028)
    appointment_pm = ~absent & (draw >= 0.0028) & (draw < 0.0045)
    sent_home = ~absent & (draw >= 0.0045) & (draw < 0.0065)
    after_lunch = ~absent & (draw >= 0.0065) & (draw < 0.0065 + chance_o)
    marks[AM][appointment_am] = _CODE["M"]
    marks[PM][appointment_pm] = _CODE["M"]
    marks[PM][sent_home] = _CODE["I"]
    marks[PM][after_lunch] = _CODE["O"]


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


def _staff(school: DemoSchool) -> list[str]:
    """Fictional staff who log incidents at a school (the same whatever the seed)."""
    rng = np.random.default_rng(school.urn)
    count = 12 if school.phase == "primary" else 30
    names = []
    for i in range(count):
        title = _STAFF_TITLES[int(rng.integers(0, len(_STAFF_TITLES)))]
        initial = "ABCDEFGHJKLMNPRSTW"[int(rng.integers(0, 18))]
        names.append(
            f"{title} {initial} {_STAFF_SURNAMES[(i * 7 + school.estab) % len(_STAFF_SURNAMES)]}"
        )
    return names


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
    slot = _choose(rng, np.tile(slot_weights, (count, 1)))
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
    subject = np.where(slot == lesson, subjects, None)
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
    actions = np.where(rng.random(count) < 0.15, None, actions)
    notes = np.where(
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
        marks[AM, d, e] = _CODE["/"]
        marks[PM, d, e] = _CODE["E"]
        marks[:, d + 1 : last + 1, e] = _CODE["E"]
        reason = ("OW", "PP")[len(incidents) % 2]
        incidents.append((d, e, AM, reason))
        sessions = int((marks[:, d : last + 1, e] == _CODE["E"]).sum())
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
        if marks[session, d, e] == _CODE["E"] or rng.random() >= chance:
            continue
        days = int(rng.choice([1, 1, 1, 1, 2, 2, 2, 3, 3, 5]))
        sessions = [(d, PM)] if session == AM and rng.random() < 0.25 else []
        sessions += [(day, s) for day in range(d + 1, d + 1 + days) for s in (AM, PM)]
        sessions = [
            (day, s)
            for day, s in sessions
            if day < len(dates) and on_roll[day, e] and not calendar.closure[day]
        ]
        if not sessions or any(marks[s, day, e] == _CODE["E"] for day, s in sessions):
            continue
        for day, s in sessions:
            marks[s, day, e] = _CODE["E"]
        suspended[i] = True
        reason = str(reasons[i])
        second = ("DB" if reason != "DB" else "VA") if rng.random() < 0.3 else None
        first_day, last_day = dates[sessions[0][0]], dates[sessions[-1][0]]
        rows.append((e, first_day, last_day, "suspension", len(sessions), reason, second, None))
    return suspended, rows


def _behaviour(
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
    z = 0.8 * _column(pupils, "behaviour_z")[:, None] + 0.6 * np.array(
        pupils["behaviour_e"].to_list()
    )
    sex = np.where(_column(pupils, "sex") == "M", 1.5, 0.55)
    sen = np.vectorize({"N": 1.0, "K": 1.6, "E": 1.9}.get)(_column(pupils, "sen"))
    disadvantaged = np.where(_column(pupils, "disadvantaged"), 1.4, 0.9)
    base_negative, base_positive = (0.0028, 0.026) if phase == "primary" else (0.012, 0.045)
    negative_rate = (
        base_negative
        * np.exp(0.9 * z - 0.405)
        * (sex * sen * disadvantaged)[:, None]
        * (1 + 6 * rate)
    )
    positive_rate = (
        base_positive
        * np.exp(0.5 * _column(pupils, "praise_z") - 0.125)[:, None]
        * np.maximum(1.15 - rate, 0.2)
    )
    serious_share = np.minimum(0.03 * np.exp(0.6 * z), 0.3)

    cells: dict[str, list[np.ndarray]] = defaultdict(list)
    for session in (AM, PM):
        d_idx, e_idx = np.nonzero(np.isin(marks[session], _PRESENT) & recorded[session])
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
    staff = _staff(school)
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
    present = pl.Series(np.isin(code, _PRESENT))
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


def _unexplained_first(
    rng: np.random.Generator, marks: np.ndarray, calendar: SchoolCalendar
) -> np.ndarray:
    """The codes as first imported: many absences still `N`. Returns them, and leaves in `marks`
    the few `N` never resolved (most in the last fortnight; today's are the calling list)."""
    n_days, n = marks.shape[1:]
    first = marks.copy()
    # Age of each register day in school days (0 = DEMO_TODAY, the last day of the data), and
    # the share of its first-import N that a later file explains: nearly all, except in the last
    # three weeks, and none of today's yet.
    age = (n_days - 1) - np.arange(n_days)
    resolved_share = np.select([age == 0, age <= 5, age <= 15], [0.0, 0.88, 0.97], 0.9997)
    explained_later = rng.random((n_days, n)) < resolved_share[:, None]
    draw = rng.random((n_days, n))
    for code, share in _FIRST_N.items():
        chance = np.where(age == 0, _FIRST_N_TODAY[code], share)[:, None]
        for session in (AM, PM):
            cells = (marks[session] == _CODE[code]) & (draw < chance)
            first[session][cells] = _CODE["N"]
            marks[session][cells & ~explained_later] = _CODE["N"]
    return first


def _data_quality_findings(
    school: DemoSchool,
    calendar: SchoolCalendar,
    pupils: pl.DataFrame,
    marks: np.ndarray,
    first: np.ndarray,
    recorded: np.ndarray,
) -> None:
    """What a real register has: one class's afternoon register not taken this Tuesday
    (missing marks), and a few leavers whose marks went on after their leaving date."""
    cohort = _column(pupils, "cohort")
    classes = np.array(school.classes)[
        (_column(pupils, "class_draw") * len(school.classes)).astype(int)
    ]
    if (
        school.short == "brookside"
        and (d := calendar.index_of(DEMO_TODAY - timedelta(days=3))) is not None
    ):
        missing = (ACADEMIC_YEARS[-1] - cohort == 5) & (classes == school.classes[-1])
        recorded[PM, d, missing] = False
    if school.short == "oakfield":
        leavers = [
            e
            for e, day in enumerate(pupils["leaving_date"].to_list())
            if day is not None
            and academic_year_of(day) == 2025
            and day < calendar.last_day[2025]
            and calendar.index_of(day) is not None
        ]
        for e in leavers[:3]:
            d = calendar.index_of(pupils["leaving_date"][e])
            for later in (d + 1, d + 2):
                recorded[:, later, e] = True
                marks[:, later, e] = first[:, later, e] = np.array([_CODE["/"], _CODE["\\"]])


def school_register(
    seed: int, school: DemoSchool, calendar: SchoolCalendar, pupils: pl.DataFrame
) -> SchoolRegister:
    """Generate one school's registers, behaviour and exclusions (seeded, vectorised).

    `pupils` holds the school's enrolments joined to their pupils, one row per enrolment."""
    rng = np.random.default_rng([seed, 3, school.urn])
    n = pupils.height
    days = calendar.days
    admission = pupils["admission_date"].to_numpy().astype("datetime64[D]")
    leaving = (
        pupils["leaving_date"].fill_null(date(9999, 12, 31)).to_numpy().astype("datetime64[D]")
    )
    on_roll = (days[:, None] >= admission[None, :]) & (days[:, None] <= leaving[None, :])

    rate, trend, severe = _absence_rates(rng, school, pupils)
    absent = _absent_days(rng, rate, trend, severe, calendar, _day_factors(school, calendar))
    marks = np.empty((2, len(days), n), dtype=np.uint8)
    marks[AM], marks[PM] = _CODE["/"], _CODE["\\"]
    _absence_reasons(rng, school, pupils, marks, absent, rate, severe, calendar)
    _holiday_episodes(rng, marks, on_roll, calendar, _column(pupils, "holiday_rate"), school)
    _special_sessions(rng, school, calendar, pupils, marks, on_roll, rate)
    minutes = np.zeros(marks.shape, dtype=np.int16)
    _lateness(rng, school, pupils, marks, minutes, rate, calendar)
    recorded = np.broadcast_to(on_roll, marks.shape).copy()
    incidents, exclusions = _behaviour(
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
        needs_support=_column(pupils, "disadvantaged") | (_column(pupils, "sen") != "N"),
        staff=_staff(school),
        today=DEMO_TODAY,
    )
    minutes[~np.isin(marks, (_CODE["L"], _CODE["U"]))] = 0
    first = _unexplained_first(rng, marks, calendar)
    _data_quality_findings(school, calendar, pupils, marks, first, recorded)
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


# --------------------------------------------------------------------------------------------
# The trust, its export files and their import
# --------------------------------------------------------------------------------------------


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


def marks_frame(register: SchoolRegister) -> pl.DataFrame:
    """One row per mark written for a school: `upn, date, session, code` (after corrections),
    `first_code` (as first imported), `minutes_late`, and the `academic_year` and `period` of
    the file it goes in."""
    codes = pl.Series("code", CODES)
    parts = []
    for session, name in ((AM, "AM"), (PM, "PM")):
        d, e = np.nonzero(register.recorded[session])
        minutes = register.minutes[session][d, e]
        parts.append(
            pl.DataFrame(
                {
                    "day": d.astype(np.int32),
                    "enrolment_index": e.astype(np.int32),
                    "session": name,
                    "code": codes.gather(register.final[session][d, e]),
                    "first_code": codes.gather(register.first[session][d, e]),
                    "minutes_late": pl.Series(minutes, dtype=pl.Int16),
                }
            )
        )
    frame = pl.concat(parts).sort("day", "enrolment_index", "session")
    day = frame["day"].to_numpy()
    return frame.with_columns(
        register.enrolments["upn"].gather(frame["enrolment_index"]).alias("upn"),
        pl.Series("date", register.calendar.days[day]).cast(pl.Date),
        pl.Series("academic_year", register.calendar.year[day]).cast(pl.Int16),
        pl.Series("period", register.calendar.period[day]),
        pl.when(pl.col("minutes_late") > 0).then(pl.col("minutes_late")).alias("minutes_late"),
    )


def _flag(column: str) -> pl.Expr:
    return pl.when(pl.col(column)).then(pl.lit("Y")).otherwise(pl.lit("N")).alias(column)


def pupils_file(register: SchoolRegister, academic_year: int) -> pl.DataFrame:
    """The school's pupils CSV for one academic year: everyone on roll at some point of it, with
    the year group at DEMO_TODAY (or at leaving, for leavers)."""
    school = register.school
    start, end = date(academic_year, 8, 1), min(date(academic_year + 1, 7, 31), DEMO_TODAY)
    reference = pl.min_horizontal(pl.col("leaving_date").fill_null(DEMO_TODAY), pl.lit(DEMO_TODAY))
    reference_year = reference.dt.year() - (reference.dt.month() < 8).cast(pl.Int32)
    rank = reference_year - pl.col("cohort")
    year_group = pl.when(rank == 0).then(pl.lit("R")).otherwise(rank.cast(pl.String))
    class_name = (
        pl.col("class_draw")
        .mul(len(school.classes))
        .floor()
        .cast(pl.Int64)
        .replace_strict(dict(enumerate(school.classes)), return_dtype=pl.String)
    )
    separator = " " if max(len(c) for c in school.classes) > 1 else ""
    return (
        register.enrolments.filter(
            (pl.col("admission_date") <= end)
            & (pl.col("leaving_date").is_null() | (pl.col("leaving_date") >= start))
        )
        .with_columns(
            year_group.alias("year_group"),
            pl.concat_str(year_group, pl.lit(separator), class_name).alias("form"),
        )
        .select(
            "upn",
            "forename",
            "surname",
            "date_of_birth",
            "year_group",
            "admission_date",
            "sex",
            "form",
            "leaving_date",
            _flag("fsm"),
            _flag("fsm6"),
            _flag("looked_after"),
            "sen",
            _flag("eal"),
            "ethnicity",
            _flag("disadvantaged"),
        )
        .sort("surname", "forename", "upn")
    )


def behaviour_file(register: SchoolRegister, academic_year: int) -> pl.DataFrame:
    """The school's behaviour export for one academic year."""
    days = np.flatnonzero(register.calendar.year == academic_year)
    incidents = register.incidents.filter(pl.col("day").is_in(days.tolist()))
    day = incidents["day"].to_numpy()
    return incidents.with_columns(
        register.enrolments["upn"].gather(incidents["enrolment_index"]).alias("upn"),
        pl.Series("date", register.calendar.days[day]).cast(pl.Date),
    ).select(
        "upn",
        "date",
        "time",
        "type",
        "category",
        "points",
        "severity",
        "location",
        "subject",
        "staff",
        "action",
        "notes",
    )


def exclusions_file(register: SchoolRegister, academic_year: int | None = None) -> pl.DataFrame:
    """The school's suspensions and permanent exclusions (of one academic year, or all)."""
    exclusions = register.exclusions
    if academic_year is not None:
        exclusions = exclusions.filter(
            pl.col("start_date").is_between(
                date(academic_year, 8, 1), date(academic_year + 1, 7, 31)
            )
        )
    return exclusions.with_columns(
        register.enrolments["upn"].gather(exclusions["enrolment_index"]).alias("upn")
    ).select(
        "upn", "start_date", "end_date", "category", "sessions", "reason_1", "reason_2", "reason_3"
    )


def _periods(academic_year: int) -> tuple[str, ...]:
    return (
        ("autumn1", "autumn2")
        if academic_year == ACADEMIC_YEARS[-1]
        else ("autumn", "spring", "summer")
    )


@dataclass(frozen=True)
class PlannedImport:
    """One file of the demo's import history, in the order a data manager would import it."""

    kind: str
    school: DemoSchool
    file_name: str
    frame: pl.DataFrame
    first_for_school: bool  # the school's first import names the school and its phase


def import_plan(trust: DemoTrust) -> list[PlannedImport]:
    """The files of the demo trust in import order: each September the roll; each term the
    marks, then the corrections that explain their `N` codes; each year behaviour and the
    secondary's exclusions (the primaries' few exclusions come in one file at the end)."""
    plan: list[PlannedImport] = []

    def add(kind: str, register: SchoolRegister, name: str, frame: pl.DataFrame) -> None:
        school = register.school
        first = not any(p.school.urn == school.urn for p in plan)
        plan.append(PlannedImport(kind, school, f"{school.short}_{name}.csv", frame, first))

    marks = {
        r.school.urn: marks_frame(r).partition_by("academic_year", "period", as_dict=True)
        for r in trust.registers
    }
    for year in ACADEMIC_YEARS:
        label = academic_year_label(year).replace("/", "-")
        for register in trust.registers:
            add("pupils", register, f"pupils_{label}", pupils_file(register, year))
        for period in _periods(year):
            for register in trust.registers:
                frame = marks[register.school.urn].get((year, period))
                if frame is None:
                    continue
                first_code = pl.col("first_code").alias("code")
                first = frame.select("upn", "date", "session", first_code, "minutes_late")
                corrections = frame.filter(
                    (pl.col("first_code") == "N") & (pl.col("code") != "N")
                ).select("upn", "date", "session", "code")
                add("marks", register, f"marks_{label}_{period}", first)
                if corrections.height:
                    add("marks", register, f"marks_{label}_{period}_corrections", corrections)
        for register in trust.registers:
            add("behaviour", register, f"behaviour_{label}", behaviour_file(register, year))
            exclusions = exclusions_file(register, year)
            if register.school.phase == "secondary" and exclusions.height:
                add("exclusions", register, f"exclusions_{label}", exclusions)
    for register in trust.registers:
        exclusions = exclusions_file(register)
        if register.school.phase != "secondary" and exclusions.height:
            add("exclusions", register, "exclusions_2023-2026", exclusions)
    return plan


def record_interventions(db: Database, trust: DemoTrust) -> int:
    """Write each coordinator's actions through the store, as the Interventions page would: the
    schools' own types first, then every action, then the corrections a real log holds (an
    outcome updated after a call back, an entry recorded twice and deleted)."""
    ids = read.enrolments(db).select("school_urn", "upn", "enrolment_id")
    planned: list[tuple[list[Entry], str, datetime, list]] = []
    for register in trust.registers:
        urn = register.school.urn
        for label, description in SCHOOL_TYPES.get(urn, ()):
            intervention_store.add_intervention_type(
                db, urn, label, added_by=_staff(register.school)[0], description=description
            )
        lookup = register.enrolments.select("upn").join(
            ids.filter(pl.col("school_urn") == urn), on="upn", how="left", maintain_order="left"
        )["enrolment_id"]
        planned += entries_and_batches(
            register.interventions,
            lookup.to_numpy(),
            register.calendar.days,
            DEMO_TODAY,
            trust.seed,
        )
    rng = np.random.default_rng([trust.seed, 12])
    letters = [
        (entries, who, when) for entries, who, when, _ in planned if entries[0].type == "Letter"
    ]
    twice = [
        letters[int(i)] for i in rng.choice(len(letters), size=min(6, len(letters)), replace=False)
    ]
    duplicates = [([entries[0]], who, when + timedelta(minutes=5)) for entries, who, when in twice]
    batches = [intervention_store.Batch(entries, who, when) for entries, who, when, _ in planned]
    batches += [intervention_store.Batch(entries, who, when) for entries, who, when in duplicates]
    recorded = intervention_store.record_batches(db, batches)
    entries = [
        (intervention_id, entry, batch)
        for batch, new_ids in zip(batches[: len(planned)], recorded, strict=False)
        for intervention_id, entry in zip(new_ids, batch.entries, strict=True)
    ]
    unanswered = [item for item in entries if item[1].outcome == "No answer, message left"]
    called_back = [
        unanswered[int(i)]
        for i in rng.choice(len(unanswered), size=min(25, len(unanswered)), replace=False)
    ]
    changes: list[intervention_store.Edit | intervention_store.Deletion] = [
        intervention_store.Edit(
            intervention_id,
            replace(entry, outcome="Spoke to parent or carer"),
            batch.recorded_by,
            "Parent called back the next day",
            batch.recorded_at + timedelta(days=1),
        )
        for intervention_id, entry, batch in called_back
    ]
    changes += [
        intervention_store.Edit(
            intervention_id,
            replace(entry, outcome=outcome, next_review=None),
            batch.recorded_by,
            "Review held",
            held_at,
        )
        for (entries_, _, _, reviews), batch, new_ids in zip(
            planned, batches, recorded, strict=False
        )
        for intervention_id, entry, review in zip(new_ids, entries_, reviews, strict=True)
        if review is not None
        for held_at, outcome in [review]
    ]
    changes += [
        intervention_store.Deletion(
            new_ids[0],
            batch.recorded_by,
            "Recorded twice",
            batch.recorded_at + timedelta(minutes=15),
        )
        for batch, new_ids in zip(batches[len(planned) :], recorded[len(planned) :], strict=True)
    ]
    intervention_store.apply_changes(db, changes)
    recorded = recorded[: len(planned)]
    return sum(len(new_ids) for new_ids in recorded)


def build_demo(path: Path | str, seed: int = 2026) -> str:
    """Replace the database at `path` with the demo trust, imported file by file through the
    importers; returns a short report."""
    global LAST_BUILD_SECONDS
    started = time.perf_counter()
    path = Path(path)
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    trust = generate_trust(seed)
    generated = time.perf_counter() - started
    db = Database(path)
    results: list[ImportResult] = []
    with tempfile.TemporaryDirectory(prefix="rollcall-demo-") as folder:
        for planned in import_plan(trust):
            file = Path(folder) / planned.file_name
            planned.frame.write_csv(file)
            extra = (
                {"school_name": planned.school.name, "phase": planned.school.phase}
                if planned.first_for_school
                else {}
            )
            results.append(
                import_file(
                    db,
                    planned.kind,
                    file,
                    school_urn=planned.school.urn,
                    as_of=DEMO_TODAY,
                    today=DEMO_TODAY,
                    actor=DEMO_ACTOR,
                    **extra,
                )
            )
            file.unlink()
    interventions = record_interventions(db, trust)
    risk_run = train_risk_model(db, seed=seed, trained_by="rollcall demo")
    with db.transaction() as con:
        write.mark_as_demo(con, seed=seed, upn_la_prefix="99")
    seconds = time.perf_counter() - started
    LAST_BUILD_SECONDS = seconds

    def total(kind: str, attribute: str = "new") -> int:
        return sum(getattr(r.counts, attribute) for r in results if r.kind == kind)

    corrected = total("marks", "changed")
    importing = seconds - generated
    return "\n".join(
        [
            f"Rollcall demo trust (seed {seed}), registers to {DEMO_TODAY:%a %d %b %Y}:",
            f"  schools     {len(SCHOOLS)} ({', '.join(s.name for s in SCHOOLS)})",
            f"  pupils      {trust.enrolments['upn'].n_unique():,}",
            f"  enrolments  {total('pupils'):,}",
            f"  marks       {total('marks'):,} ({corrected:,} corrected by later files)",
            f"  behaviour   {total('behaviour'):,} incidents, {total('exclusions')} exclusions",
            f"  actions     {interventions:,} in the coordinators' intervention logs",
            f"  risk        {risk_run.kind} {risk_run.card['headline']}",
            f"  imports     {len(results)}",
            f"  seconds     {seconds:.1f} ({generated:.1f} generating, {importing:.1f} importing)",
        ]
    )
