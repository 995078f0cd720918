"""The demo trust's three fictional schools, what shapes each one's data, and the period the
demo covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: The demo's "today": a Friday, the last register day in the data (the app uses it for the demo).
DEMO_TODAY = date(2026, 11, 20)
#: Academic years with marks: three complete years and the current one up to DEMO_TODAY.
ACADEMIC_YEARS = (2023, 2024, 2025, 2026)


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
    inset: tuple[str, ...]  # which days of the year are INSET days (see calendar._inset_days)
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
