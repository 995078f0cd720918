"""Cached calls for the analysis pages (Overview comparisons, Cohorts, Patterns, Behaviour, the
drill-down and the pupil profile), keyed on plain values and the database's data version.

Every figure is read for its scope and window only: the weekly totals, session counts and spells
the store keeps, the behaviour records of the window, and a pupil's own marks; no page reads
every mark. Each page's figures are kept in the app's shared cache (bounded by memory), so
moving back to a view is instant and a new choice computes only what it needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from analytics.access.roles import Capability
from analytics.pipelines.windows import Window
from analytics.reports.analysis import behaviour as behaviour_report
from analytics.reports.analysis import cohorts as cohort_report
from analytics.reports.analysis import overview as overview_report
from analytics.reports.analysis import patterns as patterns_report
from analytics.reports.analysis.pupil import PupilProfile, attendance_by_year, pupil_profile
from analytics.reports.analysis.pupils import (
    GroupFilter,
    measures_by,
    pupil_list,
    scope_behaviour,
    scope_table,
    select_groups,
)
from analytics.reports.comparisons.periods import national_window, same_window_last_year
from analytics.reports.inputs.records import BehaviourRecords, load_behaviour
from analytics.reports.inputs.register import load_register
from analytics.reports.inputs.totals import WindowTotals, load_totals
from analytics.settings import setting
from analytics.store import Database, read
from pages.ui import cached, comparisons
from pages.ui.access import guarded
from pages.ui.cached import Urns, YearGroups
from pages.ui.context import cache_key, database
from pages.ui.filters import Scope
from pages.ui.memo import shared


@dataclass(frozen=True)
class Key:
    """The plain values every cached call is keyed on: database, schools, window, year groups."""

    db_path: str
    version: str
    urns: Urns
    start: date
    end: date
    groups: YearGroups


def key_of(scope: Scope) -> Key:
    """The cache key of a scope (its window label plays no part in any figure)."""
    return Key(
        *cache_key(database()), scope.urns, scope.window.start, scope.window.end, scope.year_groups
    )


@shared
def totals(key: Key) -> WindowTotals:
    """The scope's enrolments and their weekly totals in the window (only guarded calls use it)."""
    window = Window(key.start, key.end)
    return load_totals(Database(key.db_path), key.urns, window, key.groups)


@shared
def _behaviour(key: Key) -> BehaviourRecords:
    """The scope's behaviour incidents and exclusions in the window."""
    return scope_behaviour(Database(key.db_path), key.urns, totals(key))


@guarded(Capability.PUPIL_DATA)
@shared
def enrolments(key: Key) -> pl.DataFrame:
    """One row per enrolment on roll in the window, with groups, figures and behaviour counts."""
    return scope_table(Database(key.db_path), key.urns, totals(key), _behaviour(key))


def last_year_window(key: Key, kind: str, part: str | None, weeks: int | None) -> Window:
    """The same window a year earlier (named terms and half-terms from the register's calendar)."""
    calendar = cached.calendar(key.db_path, key.version, key.urns)
    return same_window_last_year(calendar, kind, Window(key.start, key.end), part, weeks)


@guarded(Capability.ANALYSIS)
@shared
def overview(
    key: Key, kind: str, part: str | None, weeks: int | None
) -> overview_report.OverviewComparison:
    """The Overview's figures (headline, weekly series, per school), each headline figure
    against last year and national (and LA when known), and the 5% bands."""
    window = Window(key.start, key.end)
    return overview_report.overview_comparison(
        Database(key.db_path),
        key.urns,
        window,
        last_year_window(key, kind, part, weeks),
        key.groups,
        national_window(kind, window, part),
        comparisons.comparators(key.db_path, key.version, key.urns),
    )


def fewest_pupils() -> int:
    """Groups with fewer pupils than this are too small to read (a setting)."""
    return setting("small_group_pupils")


@guarded(Capability.ANALYSIS)
@shared
def cohort_table(
    key: Key, characteristic: str, measure: str, national_kind: str, cross: str | None = None
) -> pl.DataFrame:
    """One characteristic's groups (crossed with another when asked) with gaps to rest and national."""
    return cohort_report.cohort_table(
        enrolments(key),
        characteristic,
        measure,
        Window(key.start, key.end).academic_year_start,
        national_kind,
        fewest_pupils(),
        cross,
        comparisons.comparators(key.db_path, key.version, key.urns),
    )


@guarded(Capability.ANALYSIS)
@shared
def widest_gaps(key: Key, measure: str, national_kind: str) -> pl.DataFrame:
    """Every readable group of every characteristic, widest adverse gap to national first."""
    return cohort_report.widest_gaps(
        enrolments(key),
        measure,
        Window(key.start, key.end).academic_year_start,
        national_kind,
        fewest_pupils(),
        compare=comparisons.comparators(key.db_path, key.version, key.urns),
    )


@guarded(Capability.ANALYSIS)
@shared
def cohort_trend(key: Key, characteristic: str, group: str) -> pl.DataFrame:
    """A group's weekly attendance against the rest of the school."""
    return cohort_report.cohort_trend(
        totals(key).weeks.lazy(), enrolments(key), characteristic, group
    )


@guarded(Capability.ANALYSIS)
@shared
def patterns(key: Key) -> patterns_report.Patterns:
    """Weekday, lateness, reasons, half-term edges and spells."""
    calendar = cached.calendar(key.db_path, key.version, key.urns)
    sources = patterns_report.pattern_sources(
        Database(key.db_path), key.urns, Window(key.start, key.end), key.groups
    )
    return patterns_report.patterns(sources, calendar)


@guarded(Capability.ANALYSIS)
@shared
def behaviour(key: Key, characteristic: str) -> behaviour_report.BehaviourFigures:
    """Behaviour beside attendance, grouped by a characteristic."""
    return behaviour_report.behaviour_figures(
        totals(key).weeks.lazy(),
        _behaviour(key),
        Window(key.start, key.end),
        enrolments(key),
        characteristic,
        comparisons.comparators(key.db_path, key.version, key.urns),
    )


@guarded(Capability.ANALYSIS)
@shared
def groups_of(key: Key, characteristic: str, where: GroupFilter = ()) -> pl.DataFrame:
    """The figures of each group of a characteristic among the enrolments in `where`."""
    return measures_by(select_groups(enrolments(key), where), characteristic)


@guarded(Capability.PUPIL_DATA)
@shared
def pupils(key: Key, where: GroupFilter = ()) -> pl.DataFrame:
    """The pupil list of the enrolments in `where` (every pupil when empty)."""
    return pupil_list(enrolments(key), where)


@guarded(Capability.PUPIL_DATA)
@shared
def profile(key: Key, enrolment_id: int) -> PupilProfile | None:
    """One pupil's profile for the window (any year group of the chosen schools)."""
    db = Database(key.db_path)
    school = read.school_of_enrolment(db, enrolment_id)
    if school is None or (key.urns is not None and school not in key.urns):
        return None
    window = Window(key.start, key.end)
    register = load_register(db, (school,), window, [enrolment_id])
    records = load_behaviour(db, (school,), window, [enrolment_id])
    days = cached.calendar(key.db_path, key.version, (school,)).days
    return pupil_profile(register, records, enrolment_id, window, days)


@guarded(Capability.PUPIL_DATA)
@shared
def pupil_years(db_path: str, version: str, enrolment_id: int, through: date) -> pl.DataFrame:
    """One pupil's attendance in each academic year on roll at their school, to `through`."""
    return attendance_by_year(Database(db_path), enrolment_id, through)
