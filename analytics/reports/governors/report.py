"""The governors' termly summary of one school: aggregates only, small numbers suppressed,
compared with the same term last year and with national figures, and told in words by rules.

The report is a list of sections (`SECTIONS`): each builder takes the term's figures and
returns a `Section` of paragraphs, tables and charts, all already aggregated, formatted and
suppressed. The page, the PDF and the HTML report all render the same sections, so a new
section (interventions and their impact, when that lands) is one more builder in `SECTIONS`;
any counts of pupils it shows go into `suppression_cells` so that they are suppressed too.

Nothing in a `GovernorsSummary` names a pupil: it holds group labels, counts of at least the
suppression threshold, rates and dates, never a UPN, a name or an enrolment id.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from datetime import date

import altair as alt
import polars as pl

from analytics.domain.calendar import academic_year_label
from analytics.domain.cohorts import SEN_LABELS
from analytics.domain.exclusions import REASONS
from analytics.domain.rounding import format_percent, round_half_up
from analytics.domain.suppression import (
    LINKED,
    PRIMARY,
    SUPPRESSED,
    Constraint,
    Suppression,
    suppress,
)
from analytics.domain.yeargroups import year_group_rank
from analytics.pipelines.governors import (
    ABSENCE_BANDS,
    absence_bands,
    behaviour_measures,
    breakdown,
    suspension_reasons,
)
from analytics.pipelines.measures import group_measures
from analytics.pipelines.rewards import full_attendance
from analytics.reports.coordinator.rewards import rewards
from analytics.pipelines.weekly import weekly_measures
from analytics.pipelines.windows import Window
from analytics.reports.inputs.calendar import school_calendar
from analytics.reports.comparisons.national import Benchmark
from analytics.reports.comparisons.periods import compared
from analytics.reports.comparisons.places import Place
from analytics.reports.comparisons.scope import comparators
from analytics.reports.comparisons.similar import SimilarSchools, similar_schools
from analytics.reports.comparisons.trends import Trend, trend
from analytics.reports.governors.narrative import Facts, Gap, YearGroup, narrative
from analytics.reports.coordinator.impact import MIN_MEASURED as IMPACT_MIN_MEASURED
from analytics.reports.coordinator.impact import intervention_impact
from analytics.reports.coordinator.targets import coordinator_inputs
from analytics.reports.inputs.register import Register, load_register
from analytics.settings import setting
from analytics.store import Database, read
from analytics.store import interventions as intervention_store

THIS = "this"
LAST = "last"
TERMS = ("Autumn term", "Spring term", "Summer term")
#: The school's phase as DfE's national figures name it; other phases compare with all schools.
NATIONAL_PHASES = {"primary": "Primary", "secondary": "Secondary", "special": "Special"}
_PHASE_WORDS = {
    "Primary": "primary schools",
    "Secondary": "secondary schools",
    "Special": "special schools",
    "Total": "all state-funded schools",
}


@dataclass(frozen=True)
class Headline:
    """A headline measure: its column in `group_measures`, its label, and the pupil count cell
    its numerator is (for persistent and severe absence)."""

    column: str
    label: str
    count: str | None = None


HEADLINES = (
    Headline("attendance_rate", "Attendance"),
    Headline("absence_rate", "Overall absence"),
    Headline("authorised_rate", "Authorised absence"),
    Headline("unauthorised_rate", "Unauthorised absence"),
    Headline(
        "persistent_absence_rate", "Persistent absence (10% or more of sessions missed)", "pa"
    ),
    Headline("severe_absence_rate", "Severe absence (50% or more of sessions missed)", "sa"),
)

#: Group breakdowns: dimension, the column it groups by, and each group's label. The comparison
#: of each group: disadvantaged pupils against other pupils, SEN against pupils with no SEN,
#: and a year group against the rest of the school.
DIMENSIONS = ("disadvantaged", "sen", "year_group")


# ----------------------------------------------------------------------------------------------
# What a report is made of
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A table of text cells (figures formatted, `c` where suppressed), with a note under it."""

    title: str
    frame: pl.DataFrame
    note: str = ""


@dataclass(frozen=True)
class Chart:
    """A chart as a Vega-Lite specification (its data inline, aggregates only) and a sentence
    saying what it shows."""

    title: str
    spec: dict
    caption: str


@dataclass(frozen=True)
class Section:
    """One part of the report: paragraphs, then bullet points, tables and charts."""

    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True)
class GovernorsSummary:
    """The whole report for one school and term."""

    title: str
    subtitle: str
    school_name: str
    school_urn: int
    term: str
    academic_year: int
    window: Window
    comparison: Window | None
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section:
        """The section with this key."""
        return next(s for s in self.sections if s.key == key)


# ----------------------------------------------------------------------------------------------
# The figures of a term (aggregates, before suppression)
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodFigures:
    """Aggregates of one window: the school, ages 5 to 15 and the rest, groups, bands, weeks and
    behaviour. No frame here has a row per pupil."""

    window: Window
    school: dict
    ages: dict[
        bool, dict
    ]  # compulsory school age (5 to 15 on 31 August, as DfE counts them) or not -> measures
    groups: pl.DataFrame  # dimension, group, label, rank, measures, rest_* measures
    bands: pl.DataFrame  # band, lower, upper, enrolments
    weekly: pl.DataFrame  # week_start, attendance_rate, possible
    behaviour: dict
    reasons: pl.DataFrame  # reason, suspensions
    #: Rewards, as counts only: pupils with full attendance in the window, and the most improved
    #: (the top 3 rises of each form on the window of as many days before it).
    rewards: dict = field(default_factory=lambda: {"full_attendance": 0, "most_improved": 0})


@dataclass(frozen=True)
class TermFigures:
    """Everything the governors' summary of a term is built from."""

    school_name: str
    school_urn: int
    phase: str
    term: str  # "Autumn term"
    academic_year: int
    in_progress: bool
    last_day: date | None
    this: PeriodFigures
    last: PeriodFigures | None
    national: dict[str, Benchmark | None] = field(default_factory=dict)
    region: dict[str, Benchmark | None] = field(default_factory=dict)
    la: dict[str, Benchmark | None] = field(default_factory=dict)
    place: Place | None = None  # the school's LA and region
    no_place: str = ""  # why there is no LA or region, when there is none
    trend: Trend | None = None  # three academic years beside the published figures
    similar: SimilarSchools | None = None
    #: Per period: the attendance team's actions of the term by type (INTERVENTION_COLUMNS).
    interventions: dict[str, pl.DataFrame] = field(default_factory=dict)
    #: What changed after this term's actions, per type (the Impact page's summary), if read.
    impact: pl.DataFrame | None = None

    @property
    def national_phase(self) -> str:
        return NATIONAL_PHASES.get(self.phase, "Total")

    def label(self, period: str) -> str:
        """`autumn term 2025/26` for this term, `autumn term 2024/25` for last year's."""
        year = self.academic_year - (period == LAST)
        return f"{self.term.lower()} {academic_year_label(year)}"

    def period(self, period: str) -> PeriodFigures | None:
        return self.this if period == THIS else self.last


_EMPTY_MEASURES = {
    "enrolments": 0,
    "enrolments_counted": 0,
    "persistent_absentees": 0,
    "severe_absentees": 0,
    "attendance_rate": None,
    "absence_rate": None,
    "authorised_rate": None,
    "unauthorised_rate": None,
    "persistent_absence_rate": None,
    "severe_absence_rate": None,
}


def _group_label(dimension: str, group: object) -> str:
    if dimension == "disadvantaged":
        return "Disadvantaged pupils" if group else "Other pupils"
    if dimension == "sen":
        return SEN_LABELS.get(str(group), str(group))
    if group == "R":
        return "Reception"
    if str(group).startswith("N"):
        return f"Nursery {str(group)[1:]}"
    return f"Year {group}"


def _group_rank(dimension: str, group: object) -> int:
    if dimension == "disadvantaged":
        return 0 if group else 1
    if dimension == "sen":
        return "NKE".index(str(group)) if str(group) in "NKE" else 9
    return year_group_rank(str(group))


def _groups(per_enrolment: pl.LazyFrame) -> pl.DataFrame:
    """Every breakdown as rows `dimension, group, label, rank, ...measures, rest_*`; the
    disadvantaged and SEN groups always all appear (with zeros when empty)."""
    parts = []
    for dimension in DIMENSIONS:
        rows = breakdown(per_enrolment, dimension).collect()
        present = {row[dimension]: row for row in rows.iter_rows(named=True)}
        always: dict[str, list[object]] = {"disadvantaged": [True, False], "sen": ["N", "K", "E"]}
        expected = always.get(dimension, list(present))
        for group in expected:
            row = present.get(group, _EMPTY_MEASURES | {"rest_enrolments": None})
            parts.append(
                {
                    "dimension": dimension,
                    "group": str(group),
                    "label": _group_label(dimension, group),
                    "rank": _group_rank(dimension, group),
                    **{
                        k: row.get(k)
                        for k in (
                            "enrolments",
                            "enrolments_counted",
                            "persistent_absentees",
                            "attendance_rate",
                            "absence_rate",
                            "persistent_absence_rate",
                            "rest_enrolments",
                            "rest_attendance_rate",
                            "rest_persistent_absence_rate",
                        )
                    },
                }
            )
    schema = {
        "dimension": pl.String,
        "group": pl.String,
        "label": pl.String,
        "rank": pl.Int32,
        "enrolments": pl.Int64,
        "enrolments_counted": pl.Int64,
        "persistent_absentees": pl.Int64,
        "attendance_rate": pl.Float64,
        "absence_rate": pl.Float64,
        "persistent_absence_rate": pl.Float64,
        "rest_enrolments": pl.Int64,
        "rest_attendance_rate": pl.Float64,
        "rest_persistent_absence_rate": pl.Float64,
    }
    return pl.DataFrame(parts, schema=schema).sort("dimension", "rank")


def period_figures(
    register: Register, incidents: pl.DataFrame, exclusions: pl.DataFrame, window: Window
) -> PeriodFigures:
    """The aggregates of one window. The per-enrolment frame is built and dropped here: only
    group figures leave this function."""
    per_enrolment = register.enrolment_measures(window).collect().lazy()
    school = group_measures(per_enrolment).collect().row(0, named=True)
    # Pupils aged 5 to 15 as DfE's national figures count them (set beside those figures); the
    # others as they are.
    ages = {
        True: group_measures(compared(per_enrolment)).collect().row(0, named=True),
        False: group_measures(per_enrolment.filter(~pl.col("compulsory_school_age")))
        .collect()
        .row(0, named=True),
    }
    ages = {
        flag: measures if measures["enrolments"] else _EMPTY_MEASURES
        for flag, measures in ages.items()
    }
    cohorts = register.cohorts(window)
    weekly = (
        weekly_measures(register.sessions(window), cohorts)
        .select("week_start", "attendance_rate", "possible")
        .collect()
    )
    return PeriodFigures(
        window=window,
        school=school,
        ages=ages,
        groups=_groups(per_enrolment),
        bands=absence_bands(per_enrolment).collect(),
        weekly=weekly,
        behaviour=behaviour_measures(incidents.lazy(), exclusions.lazy(), cohorts, window)
        .collect()
        .row(0, named=True),
        reasons=suspension_reasons(exclusions.lazy(), cohorts, window).collect(),
        rewards={
            "full_attendance": full_attendance(per_enrolment).select(pl.len()).collect().item(),
            "most_improved": 0,
        },
    )


#: The columns of `intervention_counts`, per type of action.
INTERVENTION_COLUMNS = ("type", "actions", "pupils")
#: The row of `intervention_counts` for every type together.
ALL_ACTIONS = "All actions"


def intervention_counts(log: pl.DataFrame, window: Window) -> pl.DataFrame:
    """Actions dated in the window, per type (in the order the Interventions page offers them)
    and for all types together (`ALL_ACTIONS`, last): actions and pupils (a pupil with two types
    counts once in the total)."""
    dated = log.filter(pl.col("date").is_between(window.start, window.end))
    per_type = (
        dated.group_by("type")
        .agg(pl.len().alias("actions"), pl.col("enrolment_id").n_unique().alias("pupils"))
        .sort("actions", "type", descending=[True, False])
    )
    total = pl.DataFrame(
        {
            "type": [ALL_ACTIONS],
            "actions": [dated.height],
            "pupils": [dated["enrolment_id"].n_unique()],
        }
    )
    return pl.concat(
        [per_type.select(INTERVENTION_COLUMNS), total], how="vertical_relaxed"
    ).with_columns(pl.col("actions", "pupils").cast(pl.Int64))


def _with_improved(db: Database, urn: int, figures: PeriodFigures) -> PeriodFigures:
    """The period's figures with the count of its most improved pupils (as the Rewards page
    finds them by form)."""
    improved = rewards(db, figures.window, [urn], by="form").improved
    counts = figures.rewards | {"most_improved": improved["enrolment_id"].n_unique()}
    return replace(figures, rewards=counts)


def _term_window(calendar, academic_year: int, term: str) -> Window | None:
    for window in calendar.windows(academic_year, "term"):
        if window.label == term:
            return window
    return None


def terms_with_data(db: Database, urn: int) -> list[tuple[int, str]]:
    """(academic year, term) pairs the school's register holds, newest first."""
    calendar = school_calendar(db, (urn,))
    found = []
    for year in calendar.academic_years():
        found += [(year, w.label) for w in reversed(calendar.windows(year, "term"))]
    return found


def term_figures(db: Database, urn: int, academic_year: int, term: str) -> TermFigures:
    """Read the school's register and work out the term's aggregates, the same term last year
    (up to the same date when this term is still under way) and the national figures."""
    schools = read.schools(db).filter(pl.col("urn") == urn)
    if schools.is_empty():
        raise ValueError(f"no school {urn} in the database")
    school = schools.row(0, named=True)
    calendar = school_calendar(db, (urn,))
    chosen = _term_window(calendar, academic_year, term)
    if chosen is None:
        raise ValueError(
            f"the register of school {urn} has no {term} in {academic_year_label(academic_year)}"
        )
    in_progress = calendar.last_day == chosen.end
    this = Window(chosen.start, chosen.end, f"{term} {academic_year_label(academic_year)}")
    before = _term_window(calendar, academic_year - 1, term)
    last = None
    if before is not None:
        end = before.end
        if in_progress:
            a_year_earlier = this.a_year_earlier().end
            end = min(before.end, max(a_year_earlier, before.start))
        last = Window(before.start, end, f"{term} {academic_year_label(academic_year - 1)}")
    # Each term's marks only (not the months between them): two small reads beat one long one.
    registers = {
        window: load_register(db, (urn,), window) for window in (this, last) if window is not None
    }
    incidents = read.behaviour_incidents(db, (urn,)).select("enrolment_id", "date", "type")
    exclusions = read.exclusions(db, (urn,))
    phase = NATIONAL_PHASES.get(school["phase"], "Total")
    kind = term.split()[0].lower()
    compare = comparators(db, (urn,))

    def published(place: str) -> dict[str, Benchmark | None]:
        where = compare.where(place)
        if where is None:
            return {}
        return {
            h.column: compare.figures.pick(h.column, phase, academic_year, kind, where=where)
            for h in HEADLINES
        }

    log = intervention_store.interventions(db, (urn,))
    actions = {
        period: intervention_counts(log, window)
        for period, window in ((THIS, this), (LAST, last))
        if window is not None
    }
    impact = intervention_impact(coordinator_inputs(db), this, urns=(urn,)).summary
    return TermFigures(
        interventions=actions,
        impact=impact,
        school_name=school["name"],
        school_urn=urn,
        phase=school["phase"],
        term=term,
        academic_year=academic_year,
        in_progress=in_progress,
        last_day=calendar.last_day,
        this=_with_improved(db, urn, period_figures(registers[this], incidents, exclusions, this)),
        last=_with_improved(db, urn, period_figures(registers[last], incidents, exclusions, last))
        if last
        else None,
        national=published("national"),
        region=published("region"),
        la=published("la"),
        place=compare.place,
        no_place=compare.no_place if compare.place is None else "",
        trend=trend(db, (urn,), this, compare=compare),
        similar=similar_schools(db, urn),
    )


# ----------------------------------------------------------------------------------------------
# Suppression: every count of pupils the report shows or lets a reader work out
# ----------------------------------------------------------------------------------------------


@dataclass
class Cells:
    """The counts, breakdowns and links of a report, with a label and a unit for each count, the
    headline counts to keep when another can go instead, and which counts the report shows."""

    counts: dict[Hashable, int] = field(default_factory=dict)
    constraints: list[Constraint] = field(default_factory=list)
    links: dict[Hashable, list[Hashable]] = field(default_factory=dict)
    labels: dict[Hashable, str] = field(default_factory=dict)
    units: dict[Hashable, str] = field(default_factory=dict)
    keep: set[Hashable] = field(default_factory=set)
    shown: set[Hashable] = field(default_factory=set)

    def add(
        self,
        key: Hashable,
        count: int | None,
        label: str,
        *,
        shown: bool = True,
        unit: str = "pupils",
    ) -> Hashable:
        self.counts[key] = int(count or 0)
        self.labels[key] = label
        self.units[key] = unit
        if shown:
            self.shown.add(key)
        return key

    def link(self, source: Hashable, *targets: Hashable) -> None:
        self.links.setdefault(source, []).extend(targets)


def _period_cells(cells: Cells, figures: TermFigures, period: str) -> None:
    data = figures.period(period)
    if data is None:
        return
    when = figures.label(period)
    pupils = cells.add((period, "pupils"), data.school["enrolments"], f"All pupils, {when}")
    counted = cells.add(
        (period, "counted"),
        data.school["enrolments_counted"],
        f"Pupils with a possible session, {when}",
        shown=False,
    )
    pa = cells.add(
        (period, "pa"),
        data.school["persistent_absentees"],
        f"Persistent absence of all pupils, {when}",
    )
    sa = cells.add(
        (period, "sa"), data.school["severe_absentees"], f"Severe absence of all pupils, {when}"
    )
    cells.keep.update({pupils, counted, pa, sa})
    everything: list[Hashable] = [counted, pa, sa]
    for dimension in DIMENSIONS:
        rows = data.groups.filter(pl.col("dimension") == dimension)
        sizes, absentees = [], []
        for row in rows.iter_rows(named=True):
            size = cells.add(
                (period, dimension, row["group"], "pupils"),
                row["enrolments"],
                f"{row['label']}, {when}",
            )
            persistent = cells.add(
                (period, dimension, row["group"], "pa"),
                row["persistent_absentees"],
                f"Persistent absence of {in_sentence(row['label']) if dimension != 'year_group' else row['label']}, {when}",
            )
            cells.link(size, persistent)
            sizes.append(size)
            absentees.append(persistent)
        unplaced = data.school["enrolments"] - int(rows["enrolments"].sum())
        if (
            unplaced
        ):  # pupils beyond the year groups' range: not shown, but their number is derivable
            sizes.append(
                cells.add(
                    (period, dimension, None, "pupils"),
                    unplaced,
                    f"Pupils in no {dimension.replace('_', ' ')}, {when}",
                    shown=False,
                )
            )
            absentees.append(
                cells.add(
                    (period, dimension, None, "pa"),
                    data.school["persistent_absentees"] - int(rows["persistent_absentees"].sum()),
                    f"Persistent absence of pupils in no {dimension.replace('_', ' ')}, {when}",
                    shown=False,
                )
            )
            cells.link(sizes[-1], absentees[-1])
        cells.constraints += [Constraint(pupils, tuple(sizes)), Constraint(pa, tuple(absentees))]
        everything += sizes + absentees
    age_cells = {}
    for flag, name in ((True, "pupils aged 5 to 15"), (False, "pupils outside ages 5 to 15")):
        measures = data.ages[flag]
        size = cells.add(
            (period, "age", flag, "pupils"),
            measures["enrolments"],
            f"{name.capitalize()}, {when}",
            shown=flag and period == THIS,
        )
        persistent = cells.add(
            (period, "age", flag, "pa"),
            measures["persistent_absentees"],
            f"Persistent absence of {name}, {when}",
            shown=flag and period == THIS,
        )
        severe = cells.add(
            (period, "age", flag, "sa"),
            measures["severe_absentees"],
            f"Severe absence of {name}, {when}",
            shown=flag and period == THIS,
        )
        cells.link(size, persistent, severe)
        age_cells[flag] = (size, persistent, severe)
        everything += [size, persistent, severe]
    for position in range(3):
        cells.constraints.append(
            Constraint(
                (pupils, pa, sa)[position], (age_cells[True][position], age_cells[False][position])
            )
        )
    bands = []
    for position, row in enumerate(data.bands.iter_rows(named=True)):
        bands.append(
            cells.add(
                (period, "band", position),
                row["enrolments"],
                f"Pupils absent {row['band']} of sessions, {when}",
            )
        )
    everything += bands
    persistent_from = next(i for i, b in enumerate(ABSENCE_BANDS) if b.lower >= 10)
    cells.constraints += [
        Constraint(counted, tuple(bands)),
        Constraint(pa, tuple(bands[persistent_from:])),
        Constraint(counted, (*bands[:persistent_from], pa)),
    ]
    cells.link(bands[-1], sa)
    cells.link(sa, bands[-1])
    behaviour = data.behaviour
    negative = cells.add(
        (period, "behaviour", "pupils_negative"),
        behaviour["pupils_negative"],
        f"Pupils with a behaviour incident, {when}",
    )
    positive = cells.add(
        (period, "behaviour", "pupils_positive"),
        behaviour["pupils_positive"],
        f"Pupils with a positive entry, {when}",
    )
    suspended = cells.add(
        (period, "behaviour", "pupils_suspended"),
        behaviour["pupils_suspended"],
        f"Pupils suspended, {when}",
    )
    suspensions = cells.add(
        (period, "behaviour", "suspensions"),
        behaviour["suspensions"],
        f"Suspensions, {when}",
        unit="suspensions",
    )
    permanent = cells.add(
        (period, "behaviour", "permanent"),
        behaviour["permanent_exclusions"],
        f"Permanent exclusions, {when}",
    )
    cells.link(suspended, suspensions)
    full = cells.add(
        (period, "rewards", "full_attendance"),
        data.rewards["full_attendance"],
        f"Pupils with full attendance, {when}",
    )
    improved = cells.add(
        (period, "rewards", "most_improved"),
        data.rewards["most_improved"],
        f"Most improved pupils, {when}",
    )
    everything += [negative, positive, suspended, suspensions, permanent, full, improved]
    if period == THIS:
        reasons = [
            cells.add(
                (period, "reason", row["reason"]),
                row["suspensions"],
                f"Suspensions for {_reason(row['reason']).lower()}, {when}",
                unit="suspensions",
            )
            for row in data.reasons.iter_rows(named=True)
        ]
        cells.constraints.append(Constraint(suspensions, tuple(reasons)))
        everything += reasons
    cells.link(pupils, *everything)  # a school too small to show hides everything


def _intervention_cells(cells: Cells, figures: TermFigures) -> None:
    """Pupils with each type of action, and pupils measured for each type's impact. A pupil may
    have several types, so no type is the total less the others: each count stands alone."""
    for period, counts in figures.interventions.items():
        when = figures.label(period)
        for row in counts.iter_rows(named=True):
            what = "any action" if row["type"] == ALL_ACTIONS else in_sentence(row["type"])
            cells.add(
                (period, "intervention", row["type"]),
                row["pupils"],
                f"Pupils with {what}, {when}",
            )
    if figures.impact is not None:
        for row in figures.impact.iter_rows(named=True):
            cells.add(
                (THIS, "impact", row["type"]),
                row["measured"],
                f"Pupils measured after {in_sentence(row['type'])}, {figures.label(THIS)}",
            )


def suppression_cells(figures: TermFigures) -> Cells:
    """Every count of pupils (and of suspensions) the report shows or lets a reader work out."""
    cells = Cells()
    for period in (THIS, LAST):
        _period_cells(cells, figures, period)
    if figures.trend is not None:
        years = figures.trend.table.unique("academic_year", keep="first", maintain_order=True)
        for row in years.iter_rows(named=True):
            size = cells.add(
                ("trend", row["academic_year"], "pupils"),
                row["school_pupils"],
                f"Pupils aged 5 to 15, {row['year']}",
            )
            persistent = cells.add(
                ("trend", row["academic_year"], "pa"),
                row["school_persistent"],
                f"Persistent absence of pupils aged 5 to 15, {row['year']}",
            )
            cells.link(size, persistent)
    _intervention_cells(cells, figures)
    return cells


# ----------------------------------------------------------------------------------------------
# Formatting with suppression
# ----------------------------------------------------------------------------------------------


def _reason(code: str) -> str:
    return REASONS.get(code, "Reason not recorded")


class Shown:
    """Formats figures, showing `c` for any figure that depends on a hidden count."""

    def __init__(self, suppression: Suppression) -> None:
        self.suppression = suppression

    def hidden(self, *keys: Hashable) -> bool:
        return self.suppression.any_hidden(*keys)

    def rate(self, value: float | None, *keys: Hashable) -> str:
        return SUPPRESSED if self.hidden(*keys) else format_percent(value)

    def count(self, value: int | None, *keys: Hashable) -> str:
        if self.hidden(*keys):
            return SUPPRESSED
        return "–" if value is None else f"{value:,}"

    def points(self, difference: float | None, *keys: Hashable) -> str:
        if self.hidden(*keys):
            return SUPPRESSED
        if difference is None or math.isnan(difference):
            return "–"
        rounded = round_half_up(difference, 1)
        if rounded == 0:
            return "0.0"
        return f"+{rounded}" if rounded > 0 else str(rounded)

    def value(self, value: float | None, *keys: Hashable) -> float | None:
        """The figure for the narrative: None when hidden or missing."""
        return None if value is None or self.hidden(*keys) else value

    def per_100(self, numerator: int | None, pupils: int | None, *keys: Hashable) -> str:
        if self.hidden(*keys):
            return SUPPRESSED
        if not pupils or numerator is None:
            return "–"
        return str(round_half_up(numerator * 100 / pupils, 1))


def _difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


@dataclass(frozen=True)
class Context:
    """What every section builder gets: the figures, the suppression and its formatter."""

    figures: TermFigures
    cells: Cells
    suppression: Suppression
    shown: Shown


# ----------------------------------------------------------------------------------------------
# Sections
# ----------------------------------------------------------------------------------------------


def _headline_table(ctx: Context) -> Table:
    f, s = ctx.figures, ctx.shown
    last = f.last.school if f.last else None
    rows = []
    for h in HEADLINES:
        now_keys = [(THIS, "pupils")] + ([(THIS, h.count)] if h.count else [])
        last_keys = [(LAST, "pupils")] + ([(LAST, h.count)] if h.count else [])
        now = f.this.school[h.column]
        before = last[h.column] if last else None
        rows.append(
            {
                "Measure": h.label,
                f"{f.label(THIS).capitalize()}": s.rate(now, *now_keys),
                f"{f.label(LAST).capitalize()}": s.rate(before, *last_keys) if last else "–",
                "Change (points)": s.points(_difference(now, before), *now_keys, *last_keys)
                if last
                else "–",
            }
        )
    rows.insert(
        0,
        {
            "Measure": "Pupils on roll in the term",
            f"{f.label(THIS).capitalize()}": s.count(f.this.school["enrolments"], (THIS, "pupils")),
            f"{f.label(LAST).capitalize()}": s.count(last["enrolments"], (LAST, "pupils"))
            if last
            else "–",
            "Change (points)": "",
        },
    )
    note = (
        "Rates are shares of possible sessions (persistent and severe absence: shares of pupils with a possible "
        "session), rounded half-up to one decimal place; changes are worked out before rounding."
    )
    if f.last and f.in_progress:
        note += f" Last year's term is counted up to {_day(f.last.window.end)}, the same point of the term."
    return Table("Attendance and absence", pl.DataFrame(rows), note)


def _week_frame(data: PeriodFigures, label: str) -> pl.DataFrame:
    return (
        data.weekly.sort("week_start")
        .with_row_index("week", offset=1)
        .select(
            pl.col("week").cast(pl.Int32),
            "week_start",
            "attendance_rate",
            pl.lit(label).alias("term"),
        )
    )


def weekly_chart(ctx: Context) -> Chart | None:
    """Attendance week by week of the term, against the same weeks of last year's term."""
    f = ctx.figures
    if ctx.shown.hidden((THIS, "pupils")) or f.this.weekly.is_empty():
        return None
    frames = [_week_frame(f.this, f.label(THIS).capitalize())]
    if (
        f.last is not None
        and not f.last.weekly.is_empty()
        and not ctx.shown.hidden((LAST, "pupils"))
    ):
        frames.append(_week_frame(f.last, f.label(LAST).capitalize()))
    data = pl.concat(frames).with_columns(pl.col("attendance_rate").round(2))
    order = [frame["term"][0] for frame in frames]
    # One legend (colour), the dashed line for last year as a second signal; the caption says so.
    chart = (
        alt.Chart(
            alt.Data(values=data.with_columns(pl.col("week_start").cast(pl.String)).to_dicts())
        )
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=45))
        .encode(
            x=alt.X("week:O", title="Week of the term", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("attendance_rate:Q", title="Attendance (%)", scale=alt.Scale(zero=False)),
            color=alt.Color("term:N", title=None, sort=order, legend=alt.Legend(orient="bottom")),
            strokeDash=alt.StrokeDash("term:N", sort=order, legend=None),
            tooltip=[
                alt.Tooltip("term:N", title="Term"),
                alt.Tooltip("week_start:T", title="Week beginning", format="%d %b %Y"),
                alt.Tooltip("attendance_rate:Q", title="Attendance (%)", format=".1f"),
            ],
        )
        .properties(width=520, height=240, title="Attendance week by week")
    )
    now = f.this.weekly.drop_nulls("attendance_rate")
    low = now.sort("attendance_rate").row(0, named=True)
    high = now.sort("attendance_rate").row(-1, named=True)
    caption = (
        f"Attendance in each school week of {f.label(THIS)}: lowest {format_percent(low['attendance_rate'])} "
        f"(week beginning {_day(low['week_start'])}), highest {format_percent(high['attendance_rate'])} "
        f"(week beginning {_day(high['week_start'])})."
    )
    if len(frames) > 1:
        caption += f" The dashed line is the same weeks of {f.label(LAST)}."
    return Chart("Attendance week by week", chart.to_dict(), caption)


def attendance_section(ctx: Context) -> Section:
    chart = weekly_chart(ctx)
    return Section(
        "attendance",
        "Attendance and absence",
        tables=(_headline_table(ctx),),
        charts=(chart,) if chart else (),
    )


#: Marks a published figure more than one academic year older than the window it is set beside.
OLDER = "*"


def _published(benchmark: Benchmark | None) -> str:
    """A published figure for a table: the rate, marked when it is more than a year old."""
    if benchmark is None:
        return "–"
    return format_percent(benchmark.value) + (f" {OLDER}" if benchmark.older else "")


def _published_from(benchmark: Benchmark | None) -> str:
    if benchmark is None:
        return "–"
    kind = "census" if benchmark.data_kind == "census" else "daily data"
    return f"{benchmark.year_label} {benchmark.window_label.lower()} ({kind})"


def national_section(ctx: Context) -> Section:
    f, s = ctx.figures, ctx.shown
    ages = f.this.ages[True]
    size = (THIS, "age", True, "pupils")
    places = (
        [
            (f"Region, {f.place.region_name}", f.region),
            (f"Local authority, {f.place.la_name}", f.la),
        ]
        if f.place
        else []
    )
    rows, sources, older = [], [], False
    for h in HEADLINES:
        keys = [size] + ([(THIS, "age", True, h.count)] if h.count else [])
        benchmark = f.national.get(h.column)
        national = benchmark.value if benchmark else None
        row = {
            "Measure": h.label,
            "School, pupils aged 5 to 15": s.rate(ages[h.column], *keys),
            f"National, {_PHASE_WORDS[f.national_phase]}": _published(benchmark),
            "Difference (points)": s.points(_difference(ages[h.column], national), *keys),
        }
        for title, figures in places:
            row[title] = _published(figures.get(h.column))
        row["National figure"] = _published_from(benchmark)
        rows.append(row)
        for found in (benchmark, *(figures.get(h.column) for _, figures in places)):
            if found is not None:
                older = older or found.older
                if found.label not in sources:
                    sources.append(found.label)
    how_many = s.count(ages["enrolments"], size)
    its = "its pupils" if how_many == SUPPRESSED else f"its {how_many} pupils"
    paragraphs = [
        (
            f"Like for like: DfE's figures count pupils of compulsory school age (5 to 15 on 31 August) in "
            f"{_PHASE_WORDS[f.national_phase]}, so the school's figures here are for {its} of those ages, not for every "
            f"pupil on roll; as DfE does, pupils aged 15 are counted without the second half of the summer term. "
            "Each published figure is the newest DfE figure Rollcall holds for the term (or, where none is newer, "
            "the whole year), up to this academic year; the last column says which year and window."
        ),
    ]
    if f.place:
        paragraphs.append(
            f"The school is in {f.place.describe()}: the region's and the local authority's figures are for the same phase "
            "from the same DfE files."
        )
    else:
        paragraphs.append(f"No local authority or regional figures: {f.no_place}.")
    if f.national_phase == "Total":
        paragraphs.append(
            f"The school's phase ({f.phase}) has no national figure of its own, so it is compared with all state-funded schools."
        )
    note = (
        "Sources: " + "; ".join(sources) + "."
        if sources
        else "No published figures for this term are held."
    )
    if older:
        note += f" {OLDER} More than one academic year older than the term: DfE has published nothing newer that Rollcall holds."
    return Section(
        "national",
        "Against national, regional and local authority figures",
        paragraphs=tuple(paragraphs),
        tables=(
            Table(
                "Against national, regional and local authority figures", pl.DataFrame(rows), note
            ),
        ),
    )


def trend_section(ctx: Context) -> Section | None:
    """Three academic years of the school's figures beside the published ones of the same years."""
    f, s = ctx.figures, ctx.shown
    if f.trend is None or f.trend.table.is_empty():
        return None
    rows: dict[int, dict] = {}
    for row in f.trend.table.iter_rows(named=True):
        if row["measure"] not in ("attendance_rate", "persistent_absence_rate"):
            continue
        keys = [("trend", row["academic_year"], "pupils")]
        if row["measure"] == "persistent_absence_rate":
            keys.append(("trend", row["academic_year"], "pa"))
        record = rows.setdefault(row["academic_year"], {"Academic year": row["year"]})
        label = row["label"]
        record[f"{label}: school, pupils aged 5 to 15"] = s.rate(row["school_value"], *keys)
        record[f"{label}: national"] = format_percent(row["national"])
        if f.place:
            record[f"{label}: region"] = format_percent(row["region"])
            record[f"{label}: local authority"] = format_percent(row["la"])
        record.pop("Published figures for", None)  # last, after both measures
        record["Published figures for"] = row["national_period"] or "not yet published"
    table_rows = list(rows.values())
    note = (
        "Whole academic years (the current one to the end of the term), compulsory-age pupils counted as DfE "
        "counts them. A published figure is shown only for its own academic year: where DfE has not published a "
        "year yet the cell shows –. DfE's daily-data figure for a year still under way runs to the date it was "
        "published."
    )
    return Section(
        "trend",
        "Three years",
        tables=(
            Table(
                "Attendance and persistent absence over three years", pl.DataFrame(table_rows), note
            ),
        ),
    )


def similar_section(ctx: Context) -> Section:
    """The school among the schools most like it, from DfE's school-level files."""
    similar = ctx.figures.similar
    if similar is None or not similar.found:
        reason = similar.reason if similar is not None else "No school-level file is held."
        return Section("similar", "Similar schools", paragraphs=(reason,))
    rows = [
        {
            "School": row["school_name"] + (" (this school)" if row["this_school"] else ""),
            "Local authority": row["la_name"] or "–",
            "Pupils": f"{row['enrolments']:,}",
            "Free school meals": format_percent(row["fsm_percent"]),
            "SEN": format_percent(row["sen_percent"]),
            "Overall absence": format_percent(row["absence_rate"]),
            "Persistent absence": format_percent(row["persistent_absence_rate"]),
            "Rank (absence)": str(row["absence_rank"]),
        }
        for row in similar.table.iter_rows(named=True)
    ]
    return Section(
        "similar",
        "Similar schools",
        paragraphs=(similar.describe(),),
        tables=(
            Table(
                "The school and the schools most like it",
                pl.DataFrame(rows),
                f"DfE's published figures for {academic_year_label(similar.academic_year or 0)}, the full academic "
                f"year, pupils aged 5 to 15. Most alike first. {similar.sources}.",
            ),
        ),
    )


def _comparison(
    dimension: str, row: dict, rows: dict[str, dict]
) -> tuple[float | None, str | None, str]:
    """The comparison attendance of a group, its group key (None: the rest of the school) and label."""
    if dimension == "disadvantaged":
        other = "False" if row["group"] == "True" else None
        return (
            (rows[other]["attendance_rate"], other, "other pupils") if other else (None, None, "")
        )
    if dimension == "sen":
        if row["group"] == "N":
            return None, None, ""
        return rows["N"]["attendance_rate"], "N", "pupils with no SEN"
    return row["rest_attendance_rate"], None, "the rest of the school"


def _gaps(ctx: Context, period: str) -> dict[tuple[str, str], tuple[float | None, str]]:
    """(dimension, group) -> (attendance gap against its comparison, or None when hidden, text)."""
    data = ctx.figures.period(period)
    found: dict[tuple[str, str], tuple[float | None, str]] = {}
    if data is None:
        return found
    for dimension in DIMENSIONS:
        rows = {
            r["group"]: r
            for r in data.groups.filter(pl.col("dimension") == dimension).iter_rows(named=True)
        }
        for group, row in rows.items():
            comparison, other, _ = _comparison(dimension, row, rows)
            keys = [(period, dimension, group, "pupils")] + (
                [(period, dimension, other, "pupils")] if other else []
            )
            difference = _difference(row["attendance_rate"], comparison)
            found[(dimension, group)] = (
                ctx.shown.value(difference, *keys),
                ctx.shown.points(difference, *keys) if comparison is not None or other else "–",
            )
    return found


def groups_section(ctx: Context) -> Section:
    f, s = ctx.figures, ctx.shown
    now, before = _gaps(ctx, THIS), _gaps(ctx, LAST)
    rows = []
    for row in f.this.groups.iter_rows(named=True):
        dimension, group = row["dimension"], row["group"]
        size = (THIS, dimension, group, "pupils")
        rows.append(
            {
                "Group": row["label"],
                "Pupils": s.count(row["enrolments"], size),
                "Attendance": s.rate(row["attendance_rate"], size),
                "Persistent absence": s.rate(
                    row["persistent_absence_rate"], size, (THIS, dimension, group, "pa")
                ),
                "Attendance gap (points)": now[(dimension, group)][1],
                f"Gap, {f.label(LAST)}": before.get((dimension, group), (None, "–"))[1]
                if f.last
                else "–",
            }
        )
    table = Table(
        "Gaps between groups",
        pl.DataFrame(rows),
        "The gap is the group's attendance less that of its comparison: disadvantaged pupils against other pupils, "
        "SEN support and EHC plans against pupils with no SEN, each year group against the rest of the school. "
        "A negative gap means the group attended less.",
    )
    paragraphs = (
        (
            "Disadvantaged: eligible for free school meals in the last six years, or looked after, as the school's "
            "records say. SEN support and EHC plan as recorded in the MIS. These gaps are within the school, for "
            "every pupil on roll; published figures for groups (pupils aged 5 to 15) are on the Cohorts page."
        ),
    )
    return Section("groups", "Gaps between groups", paragraphs=paragraphs, tables=(table,))


def bands_chart(ctx: Context, shares: list[dict]) -> Chart | None:
    visible = [row for row in shares if row["share"] is not None]
    if not visible:
        return None
    order = [band.label for band in ABSENCE_BANDS]
    terms = list(dict.fromkeys(row["term"] for row in visible))
    base = alt.Chart(alt.Data(values=visible)).encode(
        y=alt.Y("band:N", sort=order, title="Share of sessions missed"),
        yOffset=alt.YOffset("term:N", sort=terms),
    )
    bars = base.mark_bar(stroke="black", strokeWidth=0.5).encode(
        x=alt.X("share:Q", title="Pupils (%)"),
        color=alt.Color("term:N", sort=terms, title=None, legend=alt.Legend(orient="bottom")),
        opacity=alt.Opacity("term:N", sort=terms, scale=alt.Scale(range=[1.0, 0.45]), legend=None),
        tooltip=[
            alt.Tooltip("term:N", title="Term"),
            alt.Tooltip("band:N", title="Absence"),
            alt.Tooltip("label:N", title="Pupils (%)"),
        ],
    )
    labels = base.mark_text(align="left", dx=3, fontSize=10).encode(x="share:Q", text="label:N")
    chart = (bars + labels).properties(
        width=480, height=220, title="Pupils by share of sessions missed"
    )
    now = [row for row in visible if row["term"] == terms[0]]
    caption = (
        "Share of pupils in each absence band, "
        + "; ".join(f"{row['band']}: {row['label']}%" for row in now)
        + f" ({terms[0]})."
    )
    if len(terms) > 1:
        caption += f" The paler bars are {terms[1]}."
    hidden = [row["band"] for row in shares if row["share"] is None and row["term"] == terms[0]]
    if hidden:
        caption += f" Not drawn (c): {', '.join(hidden)}."
    return Chart("Pupils by share of sessions missed", (chart).to_dict(), caption)


def bands_section(ctx: Context) -> Section:
    f, s = ctx.figures, ctx.shown
    rows, shares = [], []
    for position, row in enumerate(f.this.bands.iter_rows(named=True)):
        record = {"Absence": row["band"]}
        for period in (THIS, LAST):
            data = f.period(period)
            title = f.label(period)
            if data is None:
                record[f"Pupils, {title}"] = record[f"Share, {title}"] = "–"
                continue
            count = data.bands["enrolments"][position]
            counted = data.school["enrolments_counted"]
            key = (period, "band", position)
            share = count * 100 / counted if counted else None
            record[f"Pupils, {title}"] = s.count(count, key)
            record[f"Share, {title}"] = s.rate(share, key)
            shown_share = None if s.hidden(key) else share
            shares.append(
                {
                    "band": row["band"],
                    "term": title.capitalize(),
                    "share": round(shown_share, 2) if shown_share is not None else None,
                    "label": str(round_half_up(shown_share, 1))
                    if shown_share is not None
                    else None,
                }
            )
        rows.append(record)
    chart = bands_chart(ctx, shares)
    table = Table(
        "Pupils by share of sessions missed",
        pl.DataFrame(rows),
        "Pupils with at least one possible session, by the share of their own possible sessions missed. "
        "The last three bands are the persistent absentees; the last one the severely absent.",
    )
    return Section("bands", "Absence bands", tables=(table,), charts=(chart,) if chart else ())


def behaviour_section(ctx: Context) -> Section:
    f, s = ctx.figures, ctx.shown
    lines = (
        ("Behaviour incidents", "negative_incidents", "pupils_negative", False),
        ("Behaviour incidents per 100 pupils", "negative_incidents", "pupils_negative", True),
        (
            "Pupils with at least one behaviour incident",
            "pupils_negative",
            "pupils_negative",
            False,
        ),
        ("Positive entries (praise, awards)", "positive_incidents", "pupils_positive", False),
        ("Suspensions", "suspensions", "pupils_suspended", False),
        ("Suspensions per 100 pupils", "suspensions", "pupils_suspended", True),
        ("Pupils suspended at least once", "pupils_suspended", "pupils_suspended", False),
        ("Permanent exclusions", "permanent_exclusions", "permanent", False),
    )
    rows = []
    for label, column, cell, per_100 in lines:
        record = {"Measure": label}
        for period in (THIS, LAST):
            data = f.period(period)
            if data is None:
                record[f.label(period).capitalize()] = "–"
                continue
            keys = [(period, "behaviour", cell)]
            value = data.behaviour[column]
            record[f.label(period).capitalize()] = (
                s.per_100(value, data.behaviour["enrolments"], *keys)
                if per_100
                else s.count(value, *keys)
            )
        rows.append(record)
    tables = [
        Table(
            "Behaviour and suspensions",
            pl.DataFrame(rows),
            "Incidents dated, and suspensions and permanent exclusions starting, in the term, for pupils on roll in it. "
            "Rates per 100 pupils on roll, as DfE counts them.",
        )
    ]
    reasons = [
        {
            "Main reason": _reason(row["reason"]),
            "Suspensions": s.count(row["suspensions"], (THIS, "reason", row["reason"])),
        }
        for row in f.this.reasons.iter_rows(named=True)
    ]
    if reasons:
        tables.append(
            Table(
                f"Suspensions by main reason, {f.label(THIS)}",
                pl.DataFrame(reasons),
                "The first reason recorded for each suspension.",
            )
        )
    return Section("behaviour", "Behaviour and suspensions", tables=tuple(tables))


def interventions_section(ctx: Context) -> Section | None:
    """What the attendance team did this term and what changed after it: actions and pupils by
    type against the same term last year, and each type's difference in differences."""
    f, s = ctx.figures, ctx.shown
    now = f.interventions.get(THIS)
    if now is None:
        return None
    before = f.interventions.get(LAST)
    if now.filter(pl.col("type") == ALL_ACTIONS)["actions"].item() == 0 and (
        before is None or before.filter(pl.col("type") == ALL_ACTIONS)["actions"].item() == 0
    ):
        return Section(
            "interventions",
            "Interventions and their impact",
            paragraphs=("No actions were recorded in the intervention log this term.",),
        )
    types = list(dict.fromkeys([*now["type"], *([] if before is None else before["type"])]))
    types = [t for t in types if t != ALL_ACTIONS] + [ALL_ACTIONS]
    rows = []
    for kind in types:
        record = {"Action": kind}
        for period, counts in ((THIS, now), (LAST, before)):
            label = f.label(period).capitalize()
            found = None if counts is None else counts.filter(pl.col("type") == kind)
            if found is None or found.is_empty():
                record[f"Actions, {label}"] = "–" if counts is None else "0"
                record[f"Pupils, {label}"] = "–" if counts is None else "0"
                continue
            row = found.row(0, named=True)
            key = (period, "intervention", kind)
            # An action count can give away a hidden pupil count (one action each), so it goes too.
            record[f"Actions, {label}"] = s.count(row["actions"], key)
            record[f"Pupils, {label}"] = s.count(row["pupils"], key)
        rows.append(record)
    tables = [
        Table(
            "Actions recorded by the attendance team",
            pl.DataFrame(rows),
            "Calls, letters, meetings, home visits, plans, referrals and penalty-notice steps dated in the term, "
            "from the intervention log. A pupil with several kinds of action counts once in All actions.",
        )
    ]
    paragraphs = []
    impact = f.impact if f.impact is not None else pl.DataFrame()
    measured = impact.filter(pl.col("measured") > 0) if impact.height else impact
    if measured.height:
        effects = []
        for row in measured.iter_rows(named=True):
            key = (THIS, "impact", row["type"])
            readable = row["measured"] >= IMPACT_MIN_MEASURED and not s.hidden(key)
            effects.append(
                {
                    "Action": row["type"],
                    "Pupils measured": s.count(row["measured"], key),
                    "Change against similar pupils (points)": s.points(row["effect"], key)
                    if readable
                    else "too few to read",
                    "95% interval": (
                        f"{s.points(row['effect_low'], key)} to {s.points(row['effect_high'], key)}"
                        if readable and row["effect_low"] is not None
                        else "–"
                    ),
                }
            )
        tables.append(
            Table(
                "What changed after each kind of action",
                pl.DataFrame(effects),
                "For each pupil's first action of a kind this term: their attendance in the school weeks after it "
                "against the weeks before, less the change of similar pupils at the school with no such action "
                f"(a difference in differences, in percentage points). Kinds with fewer than {IMPACT_MIN_MEASURED} "
                "pupils measured are too few to read. This is a comparison, not a trial: pupils are chosen for an "
                "action because their attendance is falling, so it can understate what an action does.",
            )
        )
    else:
        paragraphs.append(
            "No action this term has enough school weeks after it yet to see what changed; the next summary will."
        )
    return Section(
        "interventions",
        "Interventions and their impact",
        paragraphs=tuple(paragraphs),
        tables=tuple(tables),
    )


def rewards_section(ctx: Context) -> Section:
    """Rewards as counts only: how many pupils attended every possible session of the term."""
    f, s = ctx.figures, ctx.shown
    rows = []
    for label, cell in (
        ("Pupils with full attendance (every possible session)", "full_attendance"),
        ("Most improved pupils (the top 3 rises in attendance of each form)", "most_improved"),
    ):
        record = {"Measure": label}
        for period in (THIS, LAST):
            data = f.period(period)
            record[f.label(period).capitalize()] = (
                "–" if data is None else s.count(data.rewards[cell], (period, "rewards", cell))
            )
        rows.append(record)
    return Section(
        "rewards",
        "Rewards",
        tables=(
            Table(
                "Rewards",
                pl.DataFrame(rows),
                "Counts only: the pupils themselves are on the Rewards page, for staff. Most improved "
                "compares each pupil's attendance with the same number of days just before the term.",
            ),
        ),
    )


def _facts(ctx: Context) -> Facts:
    f, s = ctx.figures, ctx.shown
    last = f.last.school if f.last else {}
    now = f.this.school

    def headline(column: str, period: str, count: str | None = None) -> float | None:
        data = now if period == THIS else last
        keys = [(period, "pupils")] + ([(period, count)] if count else [])
        return s.value(data.get(column), *keys) if data else None

    ages = f.this.ages[True]
    size = (THIS, "age", True, "pupils")
    gaps_now, gaps_last = _gaps(ctx, THIS), _gaps(ctx, LAST)
    gaps = []
    for (dimension, group), words in (
        (("disadvantaged", "True"), ("disadvantaged pupils", "other pupils")),
        (("sen", "K"), ("pupils with SEN support", "pupils with no SEN")),
        (("sen", "E"), ("pupils with EHC plans", "pupils with no SEN")),
    ):
        gaps.append(
            Gap(
                words[0],
                words[1],
                gaps_now.get((dimension, group), (None, ""))[0],
                gaps_last.get((dimension, group), (None, ""))[0],
            )
        )
    last_groups = (
        {
            r["group"]: r
            for r in f.last.groups.filter(pl.col("dimension") == "year_group").iter_rows(named=True)
        }
        if f.last
        else {}
    )
    year_groups = []
    for row in f.this.groups.filter(pl.col("dimension") == "year_group").iter_rows(named=True):
        before = last_groups.get(row["group"])
        year_groups.append(
            YearGroup(
                row["label"],
                s.value(row["attendance_rate"], (THIS, "year_group", row["group"], "pupils")),
                s.value(before["attendance_rate"], (LAST, "year_group", row["group"], "pupils"))
                if before
                else None,
            )
        )
    national = {k: (b.value if b else None) for k, b in f.national.items()}
    source = f.national.get("attendance_rate")
    behaviour_last = f.last.behaviour if f.last else {}
    return Facts(
        term=f.label(THIS),
        last_term=f.label(LAST) if f.last else None,
        attendance=headline("attendance_rate", THIS),
        attendance_last=headline("attendance_rate", LAST),
        unauthorised=headline("unauthorised_rate", THIS),
        unauthorised_last=headline("unauthorised_rate", LAST),
        persistent=headline("persistent_absence_rate", THIS, "pa"),
        persistent_last=headline("persistent_absence_rate", LAST, "pa"),
        severe=headline("severe_absence_rate", THIS, "sa"),
        severe_last=headline("severe_absence_rate", LAST, "sa"),
        national_phase=_PHASE_WORDS[f.national_phase],
        national_source=f"{source.window_label.lower()} {academic_year_label(source.academic_year)}"
        if source
        else None,
        attendance_5_15=s.value(ages["attendance_rate"], size),
        national_attendance=national.get("attendance_rate"),
        persistent_5_15=s.value(ages["persistent_absence_rate"], size, (THIS, "age", True, "pa")),
        national_persistent=national.get("persistent_absence_rate"),
        gaps=tuple(gaps),
        year_groups=tuple(year_groups),
        suspensions=None
        if s.hidden((THIS, "behaviour", "pupils_suspended"))
        else f.this.behaviour["suspensions"],
        suspensions_last=None
        if not behaviour_last or s.hidden((LAST, "behaviour", "pupils_suspended"))
        else behaviour_last["suspensions"],
        permanent_exclusions=None
        if s.hidden((THIS, "behaviour", "permanent"))
        else f.this.behaviour["permanent_exclusions"],
        running_to=_day(f.this.window.end) if f.in_progress else None,
        running_to_last=_day(f.last.window.end) if f.in_progress and f.last else None,
    )


def summary_section(ctx: Context) -> Section:
    sentences = narrative(_facts(ctx))
    if ctx.shown.hidden((THIS, "pupils")):
        sentences = [
            f"The school had fewer than {ctx.suppression.threshold} pupils on roll in the term, so no figure is shown."
        ]
    return Section("summary", "Summary", bullets=tuple(sentences))


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: `Disadvantaged pupils` -> `disadvantaged pupils`,
    but `SEN support`, `EHC plan` and `Year 9` keep their capitals."""
    first = label.split(" ", 1)[0]
    if sum(c.isupper() for c in first) > 1 or first in ("Year", "Reception", "Nursery"):
        return label
    return label[:1].lower() + label[1:]


def suppression_section(ctx: Context) -> Section:
    threshold = ctx.suppression.threshold
    lines = []
    for key, reason in ctx.suppression.hidden.items():
        if key not in ctx.cells.shown:
            continue
        label = ctx.cells.labels[key]
        if reason.kind == PRIMARY:
            lines.append(f"{label}: fewer than {threshold} {ctx.cells.units.get(key, 'pupils')}.")
        elif reason.kind == LINKED:
            lines.append(
                f"{label}: hidden with {in_sentence(ctx.cells.labels.get(reason.protects, 'a hidden figure').split(',')[0])}."
            )
        else:
            protected = in_sentence(
                ctx.cells.labels.get(reason.protects, "another figure").split(",")[0]
            )
            lines.append(
                f"{label}: hidden as well, so that the figure for {protected} cannot be worked out from the total beside it."
            )
    paragraph = (
        f"Figures about fewer than {threshold} pupils are shown as c, so that no pupil can be recognised. Where hiding one "
        "figure would still let it be worked out by subtracting the others from a total shown beside them, another "
        "figure in the same table is hidden too."
    )
    if not lines:
        lines = [
            f"Nothing needed hiding: every figure in this report is about {threshold} or more pupils, or none."
        ]
    return Section(
        "suppression", "What was suppressed and why", paragraphs=(paragraph,), bullets=tuple(lines)
    )


def about_section(ctx: Context) -> Section:
    f = ctx.figures
    bullets = [
        f"School: {f.school_name} (URN {f.school_urn}), {f.phase}.",
        (
            f"Window: {f.label(THIS)}, {_day(f.this.window.start)} to {_day(f.this.window.end)} (the school's own term dates, "
            "read from its register)."
        ),
    ]
    if f.last:
        bullets.append(
            f"Compared with: {f.label(LAST)}, {_day(f.last.window.start)} to {_day(f.last.window.end)}."
        )
    else:
        bullets.append(
            "No register for the same term last year, so there is no comparison with it."
        )
    bullets += [
        f"Source: the school's registers, behaviour and exclusion records as imported into Rollcall from its MIS, up to {_day(f.last_day) if f.last_day else 'the latest import'}.",
        (
            "Definitions follow DfE's: possible sessions = attended + authorised + unauthorised absence; attendance counts "
            "approved educational activity; a pupil is persistently absent when missing 10% or more of their own possible "
            "sessions, severely absent at 50% or more."
        ),
        "National, regional and local authority figures: DfE's published statistics (Open Government Licence), the newest "
        "Rollcall holds, named with their year and window under their table.",
        "Every figure is for a group of pupils; no pupil is named anywhere in this report.",
    ]
    return Section("about", "About these figures", bullets=tuple(bullets))


#: The report's sections in order. Add a builder here for a new section (for example
#: interventions and their impact): `(Context) -> Section | None`. The suppression notes and
#: "About these figures" always close the report.
SECTIONS: tuple[Callable[[Context], Section | None], ...] = (
    summary_section,
    attendance_section,
    national_section,
    trend_section,
    similar_section,
    groups_section,
    bands_section,
    behaviour_section,
    interventions_section,
    rewards_section,
)
CLOSING_SECTIONS: tuple[Callable[[Context], Section | None], ...] = (
    suppression_section,
    about_section,
)


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def summary_from_figures(figures: TermFigures, threshold: int | None = None) -> GovernorsSummary:
    """Suppress, format and narrate the figures as a report."""
    threshold = setting("suppression_threshold") if threshold is None else threshold
    cells = suppression_cells(figures)
    suppression = suppress(
        cells.counts, cells.constraints, threshold, links=cells.links, keep=cells.keep
    )
    ctx = Context(figures, cells, suppression, Shown(suppression))
    sections = [
        section for build in (*SECTIONS, *CLOSING_SECTIONS) if (section := build(ctx)) is not None
    ]
    term = f"{figures.term} {academic_year_label(figures.academic_year)}"
    running = "; the term is still under way" if figures.in_progress else ""
    return GovernorsSummary(
        title=f"Governors' attendance summary: {figures.school_name}",
        subtitle=f"{term} ({_day(figures.this.window.start)} to {_day(figures.this.window.end)}{running}) · aggregates only, groups under {threshold} pupils shown as c",
        school_name=figures.school_name,
        school_urn=figures.school_urn,
        term=figures.term,
        academic_year=figures.academic_year,
        window=figures.this.window,
        comparison=figures.last.window if figures.last else None,
        sections=tuple(sections),
    )


def governors_summary(
    db: Database, urn: int, academic_year: int, term: str, threshold: int | None = None
) -> GovernorsSummary:
    """The governors' summary of one school's term, ready for the page, the PDF and the HTML."""
    return summary_from_figures(term_figures(db, urn, academic_year, term), threshold)
