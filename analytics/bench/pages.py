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

from analytics.bench.measure import peak_mb, reset_peak
from analytics.pipelines.windows import Window
from analytics.reports.inputs.calendar import school_calendar
from analytics.reports.comparisons.periods import (
    YEAR_TO_DATE,
    national_window,
    same_window_last_year,
)
from analytics.reports.analysis.overview import overview_comparison
from analytics.reports.inputs.register import year_groups_on_roll
from analytics.store import Database, read


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


def import_log(db: Database, view: Interaction) -> dict:
    """The Import page: the import log."""
    return {"imports": read.imports(db).height}


PAGES: dict[str, Callable[[Database, Interaction], dict]] = {
    "overview": overview,
    "import": import_log,
}


def interactions(db: Database, today: date) -> list[Interaction]:
    """The interactions the benchmark times: the Overview as first opened (whole trust, year to
    date), one school's half-term, the last four school weeks, two year groups, last year, and
    the Import page."""
    calendar = school_calendar(db, None)
    year = calendar.academic_years()[0]
    ytd = Window.year_to_date(today)
    first_urn = int(read.schools(db)["urn"].sort()[0])
    half = school_calendar(db, (first_urn,)).windows(year, "half")[0]
    weeks = calendar.last_weeks(4, today)
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

    seconds, peak = time_view(Database(sys.argv[1]), Interaction.from_json(sys.argv[2]))
    print(json.dumps({"seconds": seconds, "peak_mb": peak}))
