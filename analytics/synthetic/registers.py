"""Each school's registers as days-by-enrolments matrices of codes, one per session: absence and
its reasons, term-time holidays, codes from school life, lateness, and the `N` codes and flaws
of the first imports.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from analytics.domain.calendar import academic_year_of
from analytics.domain.codes import CODE_CHANGE_2024
from analytics.synthetic.calendar import SchoolCalendar
from analytics.synthetic.schools import ACADEMIC_YEARS, DEMO_TODAY, DemoSchool

#: Every code the demo writes; matrices hold positions in this tuple.
CODES = (
    *("/", "\\", "L", "U"),  # present, late, late after registers closed
    *("I", "M", "O", "G", "N", "C", "C2", "R", "E", "H"),  # absence
    *("J", "J1", "K", "B", "V", "P", "W"),  # interviews and approved educational activity
    *("X", "Y2", "#"),  # not possible sessions
)
CODE = {code: i for i, code in enumerate(CODES)}
AM, PM = 0, 1
PRESENT = (CODE["/"], CODE["\\"], CODE["L"])


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


def column(frame: pl.DataFrame, name: str) -> np.ndarray:
    """A column of the enrolments frame as a numpy array, in matrix order."""
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
    rank = years[None, :] - column(pupils, "cohort")[:, None]
    year_factor = np.vectorize(lambda r: _YEAR_GROUP_FACTOR.get(int(r), 1.0))(rank)
    disadvantaged = np.where(column(pupils, "disadvantaged"), _DISADVANTAGED_FACTOR, 1.0)
    sen = np.vectorize(_SEN_FACTOR.get)(column(pupils, "sen"))
    z = 0.8 * column(pupils, "absence_z")[:, None] + 0.6 * np.array(pupils["absence_e"].to_list())
    sigma = _ABSENCE_SIGMA[school.phase]
    spread = np.exp(sigma * z - sigma**2 / 2)
    rate = _BASE_ABSENCE[school.phase] * year_factor * (disadvantaged * sen)[:, None] * spread
    share, level = _VULNERABLE[school.phase]
    vulnerable_share = (
        share
        * np.where(column(pupils, "disadvantaged"), 1.8, 0.7)
        * np.vectorize({"N": 0.92, "K": 1.4, "E": 2.2}.get)(column(pupils, "sen"))
    )
    vulnerable = column(pupils, "vulnerability") < vulnerable_share
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
    risk = np.where(column(pupils, "disadvantaged"), 1.6, 0.8) * np.vectorize(
        {"N": 0.9, "K": 1.5, "E": 2.2}.get
    )(column(pupils, "sen"))
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


def choose(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
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
            code = CODE["H"] if year < 2024 and rng.random() < 0.12 else CODE["G"]
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
    present = np.isin(marks, PRESENT)
    cohort = column(pupils, "cohort")
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
            set_where_present(np.array([day]), going, CODE["V"], CODE["V"])
        if primary and len(teaching) > 150:
            # The Year 6 residential: three days in late May or June; most of the class goes.
            june = teaching[(months[teaching] == 6) & (weekday[teaching] == 2)]
            if len(june):
                start = int(june[int(rng.integers(0, len(june)))])
                going = (rank == 6) & (rng.random(n) < 0.85)
                set_where_present(np.arange(start, start + 3), going, CODE["V"], CODE["V"])
        if not primary:
            # Fixtures on Wednesday afternoons for the sporty.
            wednesdays = teaching[weekday[teaching] == 2]
            fixtures = rng.choice(wednesdays, size=min(8, len(wednesdays)), replace=False)
            set_where_present(np.sort(fixtures), column(pupils, "sporty"), None, CODE["P"])
            # Year 10 work experience: a week in July.
            july = teaching[(months[teaching] == 7) & (weekday[teaching] == 0)]
            if len(july):
                start = int(july[0])
                set_where_present(
                    np.arange(start, min(start + 5, n_days)), rank == 10, CODE["W"], CODE["W"]
                )
            # Interviews for college places (Year 11, January to March).
            spring = teaching[np.isin(months[teaching], (1, 2, 3))]
            for e in np.flatnonzero((rank == 11) & (rng.random(n) < 0.12)):
                if len(spring):
                    day = int(rng.choice(spring))
                    code = CODE["J1"] if after_2024[day] else CODE["J"]
                    if present[AM, day, e]:
                        marks[AM, day, e] = code
            # Alternative provision one day a week for a few Year 10 and 11 pupils at risk of
            # exclusion.
            behaviour = np.where(
                (rank >= 10) & on_roll[teaching].any(axis=0),
                column(pupils, "behaviour_z"),
                -np.inf,
            )
            for e in np.argsort(-behaviour, kind="stable")[:5]:
                thursdays = teaching[weekday[teaching] == 3]
                code = CODE["K"] if year >= 2024 else CODE["B"]
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
            code = CODE["C2"] if year >= 2024 else CODE["C"]
            cells = block[present[PM, block, e]]
            marks[PM, cells, e] = code
        # Reception: not of compulsory school age; mornings only in the first week.
        first_week = teaching[:5]
        set_where_present(first_week, rank == 0, None, CODE["X"])

    # Religious observance on festival days (one day; R is authorised).
    for festival, observing in ((_EID_DAYS, "observes_eid"), (_DIWALI_DAYS, "observes_diwali")):
        for day in festival:
            d = calendar.index_of(day)
            if d is None:
                continue
            taking = column(pupils, observing) & (rng.random(n) < 0.75) & on_roll[d]
            marks[:, d, taking] = CODE["R"]
    if _SNOW_DAY[0] == school.urn and (d := calendar.index_of(_SNOW_DAY[1])) is not None:
        stranded = rng.random(n) < 0.12
        marks[:, d, stranded] = CODE["Y2"]
    if calendar.closure.any():
        marks[:, calendar.closure, :] = CODE["#"]


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
    z = 0.8 * column(pupils, "late_z")[:, None] + 0.6 * np.array(pupils["late_e"].to_list())
    disadvantaged = np.where(column(pupils, "disadvantaged"), 1.5, 0.85)[:, None]
    tendency = np.exp(0.85 * z - 0.36) * disadvantaged
    late_am = np.minimum(
        (0.052 if school.phase == "primary" else 0.048) * tendency * (1 + 2 * rate), 0.6
    )
    after_close = np.minimum(0.0075 * np.exp(0.4 * z) * disadvantaged * (1 + 5 * rate), 0.3)
    for session, scale in ((AM, 1.0), (PM, 0.06)):
        draw = rng.random((n_days, n))
        l_chance = late_am[:, year_index].T * scale
        u_chance = after_close[:, year_index].T * scale
        present = marks[session] == (CODE["/"] if session == AM else CODE["\\"])
        u_cells = present & (draw < u_chance)
        l_cells = present & ~u_cells & (draw < u_chance + l_chance)
        marks[session][u_cells] = CODE["U"]
        marks[session][l_cells] = CODE["L"]
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
    disadvantaged = column(pupils, "disadvantaged")[e_idx]
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
    reason = np.array([CODE["I"], CODE["M"], CODE["O"], CODE["C"]], dtype=np.uint8)[
        choose(rng, weights)
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
    marks[AM][appointment_am] = CODE["M"]
    marks[PM][appointment_pm] = CODE["M"]
    marks[PM][sent_home] = CODE["I"]
    marks[PM][after_lunch] = CODE["O"]


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
            cells = (marks[session] == CODE[code]) & (draw < chance)
            first[session][cells] = CODE["N"]
            marks[session][cells & ~explained_later] = CODE["N"]
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
    cohort = column(pupils, "cohort")
    classes = np.array(school.classes)[
        (column(pupils, "class_draw") * len(school.classes)).astype(int)
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
            assert d is not None  # leavers on a school day only
            for later in (d + 1, d + 2):
                recorded[:, later, e] = True
                marks[:, later, e] = first[:, later, e] = np.array([CODE["/"], CODE["\\"]])


def session_marks(
    rng: np.random.Generator,
    school: DemoSchool,
    calendar: SchoolCalendar,
    pupils: pl.DataFrame,
    on_roll: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A school's codes and minutes late, `(2, days, enrolments)` each, before behaviour and the
    coordinator change them: absences and their reasons, term-time holidays, school life and
    lateness. With each enrolment's absence rate and severe absence per academic year
    `(enrolments, years)`, which behaviour and the coordinator follow."""
    n = pupils.height
    days = calendar.days
    rate, trend, severe = _absence_rates(rng, school, pupils)
    absent = _absent_days(rng, rate, trend, severe, calendar, _day_factors(school, calendar))
    marks = np.empty((2, len(days), n), dtype=np.uint8)
    marks[AM], marks[PM] = CODE["/"], CODE["\\"]
    _absence_reasons(rng, school, pupils, marks, absent, rate, severe, calendar)
    _holiday_episodes(rng, marks, on_roll, calendar, column(pupils, "holiday_rate"), school)
    _special_sessions(rng, school, calendar, pupils, marks, on_roll, rate)
    minutes = np.zeros(marks.shape, dtype=np.int16)
    _lateness(rng, school, pupils, marks, minutes, rate, calendar)
    return marks, minutes, rate, severe


def first_imports(
    rng: np.random.Generator,
    school: DemoSchool,
    calendar: SchoolCalendar,
    pupils: pl.DataFrame,
    marks: np.ndarray,
    recorded: np.ndarray,
) -> np.ndarray:
    """The codes as first imported, many absences still `N`; `marks` keeps the few `N` never
    resolved, and `marks` and `recorded` gain the register's flaws (see _data_quality_findings)."""
    first = _unexplained_first(rng, marks, calendar)
    _data_quality_findings(school, calendar, pupils, marks, first, recorded)
    return first
