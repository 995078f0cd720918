"""The demo's people: pupils' names, characteristics and the latent tendencies that drive their
registers, and the fictional staff who log their behaviour.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import numpy as np
import polars as pl

from analytics.domain.upn import make_upn
from analytics.synthetic.schools import ACADEMIC_YEARS, DemoSchool

#: A made-up local authority number for the UPNs the demo issues (no English LA uses it; pupils
#: who moved in bring UPNs of 991-999, equally made up: every demo UPN's LA starts "99").
_LA_CODE = 990


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


_STAFF_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr")
_STAFF_SURNAMES = _names(
    "Ashby Brennan Calloway Dunmore Ellery Fairbairn Garside Hollins Iredale Jessop Kershaw "
    "Lindqvist Marsh-Hart Northcott Okonjo Pemberton Quaye Rahmani Standish Thorley Umeh Varga "
    "Wetherall Yardley Zielinski Achterberg Bhogal Crowther Dervish Eastwood Fenwick Greaves "
    "Hepworth"
)


def school_staff(school: DemoSchool) -> list[str]:
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
