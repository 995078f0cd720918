"""The Impact page: for each intervention type, attendance before and after against matched
comparison pupils, with counts and a 95% interval (`analytics.pipelines.impact` says how)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from math import sqrt

import polars as pl
from scipy.stats import t as student_t

from analytics.domain.calendar import academic_year_expr
from analytics.domain.interventions import BUILT_IN_LABELS
from analytics.domain.rounding import round_half_up
from analytics.pipelines.calendar import school_weeks
from analytics.pipelines.cohorts import effective_disadvantaged, with_cohorts
from analytics.pipelines.impact import (
    PRIOR_SPANS,
    event_weeks,
    first_of_type_each_year,
    matched_effects,
    weekly_attendance,
)
from analytics.pipelines.windows import Window
from analytics.reports.coordinator.targets import CoordinatorInputs
from analytics.store import aggregates

DEFAULT_WEEKS = 6
#: Fewer measured actions than this and the page says the estimate cannot be read.
MIN_MEASURED = 5
#: The counts the summary reports per type, in order, with their labels.
STATUS_LABELS = {
    "measured": "measured",
    "no comparison": "no comparable pupil",
    "too recent": "too recent",
    "too few sessions": "not on roll for enough of the weeks",
}


@dataclass(frozen=True)
class Impact:
    """Per type (`summary`) and per action (`actions`), for interventions dated in `window`."""

    window: Window
    weeks: int
    summary: pl.DataFrame
    actions: pl.DataFrame


def _type_order(label: str) -> tuple[int, str]:
    return (
        (BUILT_IN_LABELS.index(label), label)
        if label in BUILT_IN_LABELS
        else (len(BUILT_IN_LABELS), label)
    )


def _summary(actions: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for (kind,), group in actions.group_by("type"):
        measured = group.filter(pl.col("status") == "measured")
        n = measured.height
        effect = measured["effect"]
        mean = effect.mean() if n else None
        low = high = None
        if n >= 2:
            spread = effect.std()
            assert isinstance(mean, float) and isinstance(spread, float)
            half = float(student_t.ppf(0.975, n - 1)) * float(spread) / sqrt(n)
            low, high = mean - half, mean + half
        rows.append(
            {
                "type": kind,
                "actions": group.height,
                **{
                    f"{status.replace(' ', '_')}": int((group["status"] == status).sum())
                    for status in STATUS_LABELS
                },
                "comparison_pupils": int(measured["controls"].sum()) if n else 0,
                "pupil_before": measured["before_rate"].mean() if n else None,
                "pupil_after": measured["after_rate"].mean() if n else None,
                "comparison_before": measured["control_before_rate"].mean() if n else None,
                "comparison_after": measured["control_after_rate"].mean() if n else None,
                "effect": mean,
                "effect_low": low,
                "effect_high": high,
            }
        )
    schema = {
        "type": pl.String,
        "actions": pl.Int64,
        "measured": pl.Int64,
        "no_comparison": pl.Int64,
        "too_recent": pl.Int64,
        "too_few_sessions": pl.Int64,
        "comparison_pupils": pl.Int64,
        "pupil_before": pl.Float64,
        "pupil_after": pl.Float64,
        "comparison_before": pl.Float64,
        "comparison_after": pl.Float64,
        "effect": pl.Float64,
        "effect_low": pl.Float64,
        "effect_high": pl.Float64,
    }
    frame = pl.DataFrame(rows, schema=schema)
    order = sorted(frame["type"].to_list(), key=_type_order)
    return (
        frame.with_columns(
            pl.col("type")
            .replace_strict({t: i for i, t in enumerate(order)}, return_dtype=pl.Int32)
            .alias("_order")
        )
        .sort("_order")
        .drop("_order")
    )


def intervention_impact(
    inputs: CoordinatorInputs,
    window: Window,
    *,
    weeks: int = DEFAULT_WEEKS,
    urns: Sequence[int] | None = None,
    year_groups: Sequence[str] = (),
) -> Impact:
    """Impact of the interventions dated in the window at these schools (all when None), for
    pupils in these year groups (in the window's academic year; all when empty), from the
    weekly totals of those schools (comparison pupils come from the same schools) over the
    school weeks the actions' spans need."""
    weeks_table = school_weeks(inputs.days.lazy()).collect()
    events = _events(
        weeks_table, inputs.enrolments, inputs.interventions, window, urns, year_groups
    )
    needed = _needed_weeks(weeks_table, events.collect(), weeks)
    if needed.is_empty():
        first = last = window.start
    else:
        earliest, latest = needed["first"].min(), needed["last"].max()
        assert isinstance(earliest, date) and isinstance(latest, date)
        first, last = earliest, latest + timedelta(days=6)
    weekly = aggregates.window_weeks(inputs.db, urns, first, last, ("possible", "attended")).lazy()
    schools = inputs.enrolments.lazy().select("enrolment_id", "school_urn")
    return impact_of(
        weekly.join(schools, on="enrolment_id"),
        inputs.days.lazy(),
        inputs.enrolments,
        inputs.interventions,
        window,
        weeks=weeks,
        urns=urns,
        year_groups=year_groups,
    )


def _events(
    weeks_table: pl.DataFrame,
    enrolments: pl.DataFrame,
    interventions: pl.DataFrame,
    window: Window,
    urns: Sequence[int] | None,
    year_groups: Sequence[str],
) -> pl.LazyFrame:
    """The actions measured: each pupil's first of each type each year, dated in the window."""
    logged = interventions.lazy().with_columns(
        academic_year_expr(pl.col("date")).alias("academic_year")
    )
    chosen = event_weeks(logged, weeks_table.lazy()).filter(
        pl.col("date").is_between(window.start, window.end)
    )
    if urns is not None:
        chosen = chosen.filter(pl.col("school_urn").is_in(list(urns)))
    if year_groups:
        in_groups = with_cohorts(enrolments.lazy(), window.academic_year_start).filter(
            pl.col("year_group").is_in(list(year_groups))
        )
        chosen = chosen.join(in_groups.select("enrolment_id"), on="enrolment_id", how="semi")
    return first_of_type_each_year(chosen)


def _needed_weeks(weeks_table: pl.DataFrame, events: pl.DataFrame, weeks: int) -> pl.DataFrame:
    """Per school, the first and last week (Mondays) any measured action's spans reach: from the
    week before the longest record before the earliest action to the N weeks after the latest.
    Running totals started there differ from totals from the first week by the same amount at
    every week a span reads, so every span is the same."""
    reach = events.group_by("school_urn").agg(
        (pl.col("event_week").min() - PRIOR_SPANS * weeks - 1).alias("from_week"),
        (pl.col("event_week").max() + weeks).alias("to_week"),
    )
    return (
        weeks_table.join(reach, on="school_urn")
        .filter(pl.col("school_week_number").is_between(pl.col("from_week"), pl.col("to_week")))
        .group_by("school_urn")
        .agg(pl.col("week_start").min().alias("first"), pl.col("week_start").max().alias("last"))
    )


def impact_of(
    weekly: pl.LazyFrame,
    days: pl.LazyFrame,
    enrolments: pl.DataFrame,
    interventions: pl.DataFrame,
    window: Window,
    *,
    weeks: int = DEFAULT_WEEKS,
    urns: Sequence[int] | None = None,
    year_groups: Sequence[str] = (),
) -> Impact:
    """`intervention_impact` from session totals per enrolment and week (`enrolment_id,
    school_urn, week_start, possible, attended`) and the school days (`school_urn, date`)."""
    weeks_table = school_weeks(days).collect()
    events = _events(weeks_table, enrolments, interventions, window, urns, year_groups).collect()
    needed = _needed_weeks(weeks_table, events, weeks)
    # Only the weeks the spans read, each school's own: collected once, read many times below.
    weekly = weekly.join(needed.lazy(), on="school_urn").filter(
        pl.col("week_start").is_between(pl.col("first"), pl.col("last"))
    )
    weekly = weekly_attendance(weekly.drop("first", "last"), weeks_table.lazy()).collect().lazy()
    last_weeks = (
        weeks_table.lazy()
        .group_by("school_urn")
        .agg(pl.col("school_week_number").max().alias("last_week"))
    )
    cohorts = enrolments.lazy().select(
        "enrolment_id",
        effective_disadvantaged().fill_null(False).alias("disadvantaged"),
        (pl.col("sen").fill_null("N") != "N").alias("sen"),
        pl.lit(None, pl.Float64).alias("last_year_rate"),
    )
    logged = interventions.lazy().with_columns(
        academic_year_expr(pl.col("date")).alias("academic_year")
    )
    all_events = event_weeks(logged, weeks_table.lazy())
    actions = (
        matched_effects(events.lazy(), all_events, weekly, cohorts, last_weeks, weeks)
        .sort("date", "intervention_id")
        .collect()
    )
    return Impact(window, weeks, _summary(actions), actions)


def describe_impact(row: dict, weeks: int) -> str:
    """One sentence on one type's measured impact, with its interval, in words."""
    kind, n = row["type"], row["measured"]
    if n < MIN_MEASURED:
        return f"{kind}: {n} action{'s' if n != 1 else ''} could be measured, too few to say whether it helps."
    effect, low, high = row["effect"], row["effect_low"], row["effect_high"]
    if low > 0:
        verdict = "attendance rose more than for comparable pupils"
    elif high < 0:
        verdict = "attendance rose less (or fell more) than for comparable pupils"
    else:
        verdict = "no clear difference from comparable pupils"
    return (
        f"{kind}: {verdict}. Over the {weeks} school weeks after, pupils' attendance went from "
        f"{round_half_up(row['pupil_before'], 1)}% to {round_half_up(row['pupil_after'], 1)}%; comparable pupils' from "
        f"{round_half_up(row['comparison_before'], 1)}% to {round_half_up(row['comparison_after'], 1)}%. Difference "
        f"{_signed(effect)} points (95% interval {_signed(low)} to {_signed(high)}), from {n:,} actions against "
        f"{row['comparison_pupils']:,} comparison pupils."
    )


def _signed(value: float) -> str:
    rounded = round_half_up(value, 1)
    if rounded == 0:
        return "0.0"
    return f"+{rounded}" if rounded > 0 else str(rounded)


def stage_entries(moves: pl.DataFrame, names: dict[int, str]) -> pl.DataFrame:
    """Each move up a stage as an event the impact measure can read: `intervention_id` (a
    number of its own), `school_urn, enrolment_id, date` and `type` (the stage's name)."""
    mapping = pl.DataFrame(
        {"to_stage": list(names), "type": list(names.values())},
        schema={"to_stage": pl.Int16, "type": pl.String},
    )
    return (
        moves.filter(pl.col("to_stage") > pl.col("from_stage"))
        .join(mapping, on="to_stage")
        .sort("date", "enrolment_id")
        .with_row_index("intervention_id", offset=1)
        .select(
            pl.col("intervention_id").cast(pl.Int32),
            "school_urn",
            "enrolment_id",
            "type",
            "date",
        )
    )


def stage_impact(
    inputs: CoordinatorInputs,
    moves: pl.DataFrame,
    names: dict[int, str],
    window: Window,
    *,
    weeks: int = DEFAULT_WEEKS,
    urns: Sequence[int] | None = None,
    year_groups: Sequence[str] = (),
) -> Impact:
    """Impact of entering each stage, measured as an intervention type is: attendance before and
    after each pupil's first entry to the stage in a year, against comparable pupils of the same
    school who did not enter it in those weeks. `moves` are the stage moves of the years asked
    for; `names` the stages' names by number."""
    entries = stage_entries(moves, names)
    weeks_table = school_weeks(inputs.days.lazy()).collect()
    events = _events(weeks_table, inputs.enrolments, entries, window, urns, year_groups)
    needed = _needed_weeks(weeks_table, events.collect(), weeks)
    first: date = window.start
    last: date = window.start
    if not needed.is_empty():
        first = needed["first"].cast(pl.Date).min()  # type: ignore[assignment]
        last = needed["last"].cast(pl.Date).max() + timedelta(days=6)  # type: ignore[operator, assignment]
    weekly = aggregates.window_weeks(inputs.db, urns, first, last, ("possible", "attended")).lazy()
    schools = inputs.enrolments.lazy().select("enrolment_id", "school_urn")
    return impact_of(
        weekly.join(schools, on="enrolment_id"),
        inputs.days.lazy(),
        inputs.enrolments,
        entries,
        window,
        weeks=weeks,
        urns=urns,
        year_groups=year_groups,
    )
