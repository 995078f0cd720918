"""What each page asks of `analytics` for one interaction (the filters, then the page's figures),
called as the pages' cached functions call it but without Streamlit, so that the benchmark can
time it cold (in a fresh process) and warm. `python -m analytics.bench.pages DB JSON` times one
interaction in a fresh process and prints the seconds and peak memory as JSON."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date

import polars as pl

from analytics.bench.measure import peak_mb, reset_peak
from analytics.pipelines.windows import Window
from analytics.reports.analysis.behaviour import behaviour_figures
from analytics.reports.analysis.cohorts import cohort_table, cohort_trend, widest_gaps
from analytics.reports.analysis.patterns import pattern_sources, patterns
from analytics.reports.analysis.pupil import pupil_profile
from analytics.reports.analysis.pupils import measures_by, pupil_list, scope_behaviour, scope_table
from analytics.reports.coordinator.impact import intervention_impact
from analytics.reports.coordinator.targets import coordinator_inputs, target_lists
from analytics.reports.inputs.calendar import school_calendar
from analytics.reports.inputs.records import load_behaviour
from analytics.reports.inputs.register import load_register
from analytics.reports.inputs.totals import WindowTotals, load_totals
from analytics.reports.comparisons.periods import (
    YEAR_TO_DATE,
    national_window,
    same_window_last_year,
)
from analytics.reports.analysis.overview import overview_comparison
from analytics.reports.inputs.register import year_groups_on_roll
from analytics.store import Database, read
from analytics.store.database import keep_open_when_idle


@dataclass(frozen=True)
class Interaction:
    """One page view: which page, for which schools (None = all), window and year groups."""

    page: str
    label: str
    urns: tuple[int, ...] | None
    start: date
    end: date
    year_groups: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps(
            {**asdict(self), "start": self.start.isoformat(), "end": self.end.isoformat()}
        )

    @classmethod
    def from_json(cls, text: str) -> Interaction:
        raw = json.loads(text)
        return cls(
            raw["page"],
            raw["label"],
            tuple(raw["urns"]) if raw["urns"] is not None else None,
            date.fromisoformat(raw["start"]),
            date.fromisoformat(raw["end"]),
            tuple(raw["year_groups"]),
        )


def overview(db: Database, view: Interaction) -> dict:
    """The sidebar's calls (schools, the calendar, year groups on roll) and the Overview page's:
    its figures and its comparisons with the same window last year and national, all from the
    weekly totals (`overview_comparison`, as `pages/ui/analysis.py` calls it)."""
    window = Window(view.start, view.end)
    read.schools(db)
    calendar = school_calendar(db, view.urns)
    year_groups_on_roll(db, view.urns, window)
    last = same_window_last_year(calendar, YEAR_TO_DATE, window)
    shown = overview_comparison(
        db, view.urns, window, last, view.year_groups, national_window(YEAR_TO_DATE, window)
    )
    return shown.figures.headline


def _scope(db: Database, view: Interaction) -> tuple[WindowTotals, pl.DataFrame]:
    """What the analysis pages share for a scope: its weekly totals and its enrolment table."""
    totals = load_totals(db, view.urns, Window(view.start, view.end), view.year_groups)
    return totals, scope_table(db, view.urns, totals, scope_behaviour(db, view.urns, totals))


def cohorts(db: Database, view: Interaction) -> dict:
    """The Cohorts page as first opened: the groups of disadvantage with gaps to the rest and
    national, the widest gaps, and the disadvantaged group's weekly trend."""
    totals, enrolments = _scope(db, view)
    academic_year = totals.window.academic_year_start
    national = national_window(YEAR_TO_DATE, totals.window)
    measure = "persistent_absence_rate"
    table = cohort_table(enrolments, "disadvantaged", measure, academic_year, national, 10)
    widest_gaps(enrolments, measure, academic_year, national, 10)
    cohort_trend(totals.weeks.lazy(), enrolments, "disadvantaged", "Disadvantaged")
    return {"groups": table.height}


def patterns_page(db: Database, view: Interaction) -> dict:
    """The Patterns page: weekday and session, lateness, reasons, half-term edges and spells."""
    window = Window(view.start, view.end)
    sources = pattern_sources(db, view.urns, window, view.year_groups)
    found = patterns(sources, school_calendar(db, view.urns))
    return {"pupils": found.pupils_counted}


def behaviour(db: Database, view: Interaction) -> dict:
    """The Behaviour page by year group."""
    totals, enrolments = _scope(db, view)
    records = scope_behaviour(db, view.urns, totals)
    figures = behaviour_figures(
        totals.weeks.lazy(), records, totals.window, enrolments, "year_group"
    )
    return {"pupils": figures.pupils.height}


def pupils(db: Database, view: Interaction) -> dict:
    """The Pupils page: year groups, then every pupil of the scope, lowest attendance first."""
    _, enrolments = _scope(db, view)
    measures_by(enrolments, "year_group")
    return {"pupils": pupil_list(enrolments).height}


def profile(db: Database, view: Interaction) -> dict:
    """A pupil's profile (the pupil with the lowest attendance in the scope)."""
    window = Window(view.start, view.end)
    measures = load_totals(db, view.urns, window).enrolment_measures().collect()
    chosen = measures.filter(pl.col("possible") > 0).sort("attendance_rate", "enrolment_id")
    enrolment_id, school = chosen.row(0, named=True)["enrolment_id"], chosen["school_urn"][0]
    register = load_register(db, (school,), window, [enrolment_id])
    records = load_behaviour(db, (school,), window, [enrolment_id])
    days = school_calendar(db, (school,)).days
    found = pupil_profile(register, records, enrolment_id, window, days)
    return {"sessions": 0 if found is None else found.register.height}


def targets(db: Database, view: Interaction) -> dict:
    """Who needs action: every list for the scope as of the window's last register day."""
    lists = target_lists(coordinator_inputs(db), Window(view.start, view.end), urns=view.urns)
    return {t.key: t.rows.height for t in lists.lists}


def impact(db: Database, view: Interaction) -> dict:
    """The Impact page for the actions dated in the window."""
    found = intervention_impact(
        coordinator_inputs(db), Window(view.start, view.end), urns=view.urns
    )
    return {"actions": found.actions.height}


def import_log(db: Database, view: Interaction) -> dict:
    """The Import page: the import log."""
    return {"imports": read.imports(db).height}


PAGES: dict[str, Callable[[Database, Interaction], dict]] = {
    "overview": overview,
    "cohorts": cohorts,
    "patterns": patterns_page,
    "behaviour": behaviour,
    "pupils": pupils,
    "pupil profile": profile,
    "who needs action": targets,
    "impact": impact,
    "import": import_log,
}


def interactions(db: Database, today: date) -> list[Interaction]:
    """The interactions the benchmark times: the Overview as first opened (whole trust, year to
    date), one school's half-term, the last four school weeks, two year groups, last year; every
    other analysis and coordinator page for the whole trust, year to date; and the Import page."""
    calendar = school_calendar(db, None)
    year = calendar.academic_years()[0]
    ytd = Window.year_to_date(today)
    first_urn = int(read.schools(db)["urn"].sort()[0])
    half = school_calendar(db, (first_urn,)).windows(year, "half")[0]
    weeks = calendar.last_weeks(4, today)
    assert weeks is not None  # the demo trust has four school weeks
    groups = tuple(year_groups_on_roll(db, None, ytd)[-2:])
    views = [
        Interaction("overview", "whole trust, year to date", None, ytd.start, ytd.end),
        Interaction("overview", "one school, a half-term", (first_urn,), half.start, half.end),
        Interaction("overview", "whole trust, last 4 school weeks", None, weeks.start, weeks.end),
        Interaction(
            "overview",
            f"whole trust, year groups {' and '.join(groups)}",
            None,
            ytd.start,
            ytd.end,
            groups,
        ),
    ]
    if len(calendar.academic_years()) > 1:
        last = Window.academic_year(year - 1)
        views.append(
            Interaction("overview", "whole trust, last academic year", None, last.start, last.end)
        )
    for page in (
        "cohorts",
        "patterns",
        "behaviour",
        "pupils",
        "pupil profile",
        "who needs action",
        "impact",
    ):
        views.append(Interaction(page, "whole trust, year to date", None, ytd.start, ytd.end))
    views.append(Interaction("import", "import log", None, ytd.start, ytd.end))
    return views


def time_view(db: Database, view: Interaction) -> tuple[float, float]:
    """Seconds and peak memory (MB) of one interaction."""
    reset_peak()
    started = time.perf_counter()
    with db.held():  # as app.py holds the file for one run of a page
        PAGES[view.page](db, view)
    return time.perf_counter() - started, peak_mb()


if __name__ == "__main__":
    # The app runs inside Streamlit, which has pandas loaded before any page runs; DuckDB loads
    # it on the first query with parameters, so it is loaded here before the clock starts.
    import pandas  # noqa: F401

    keep_open_when_idle(30.0)  # as the app keeps its database open between page runs
    seconds, peak = time_view(Database(sys.argv[1]), Interaction.from_json(sys.argv[2]))
    print(json.dumps({"seconds": seconds, "peak_mb": peak}))
