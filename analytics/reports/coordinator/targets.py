"""Who needs action: the attendance coordinator's lists (the Targets page) and
`rollcall export targets`.

Each list reads only what it needs, for the schools asked for, and never every mark: the day's
marks (first-day calls), the window's weekly totals (persistent and severe absence, most
improved), the sessions coded `G N O U` from a year before the window (the penalty window may
reach back that far) and those coded `N` in it, and the risk scores, which are computed for
every school at once from the weekly totals (a pupil's risk is the same whichever school is
shown). The lists are then cut to the year groups and forms asked for. Each row names the pupil,
says in words why they are on the list, and shows the latest action in the intervention log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from analytics.domain.calendar import academic_year_of
from analytics.domain.codes import NOT_YET_KNOWN
from analytics.domain.rounding import percent_text, rounded_text
from analytics.pipelines.calendar import school_weeks
from analytics.pipelines.cohorts import with_cohorts
from analytics.pipelines.measures import PERSISTENT_ABSENCE_PERCENT
from analytics.pipelines.penalty import (
    PENALTY_SCHOOL_WEEKS,
    PENALTY_SESSIONS,
    latest_school_weeks,
    penalty_sessions_latest_window,
    penalty_threshold,
    penalty_window_counts,
)
from analytics.pipelines.penalty_notices import with_notices
from analytics.pipelines.targets import (
    attendance_change,
    on_roll_on,
    unexplained_absences,
    unresolved_n_codes,
)
from analytics.pipelines.windows import Window
from analytics.reports.coordinator.risk import (
    ActiveModel,
    active_model,
    end_of,
    risk_inputs,
    scores_of,
)
from analytics.reports.inputs.register import Register
from analytics.reports.inputs.totals import load_totals
from analytics.settings import setting
from analytics.store import Database, aggregates, read
from analytics.store import interventions as intervention_store

#: Rising risk: a risk at least this high now, up at least this much over the last school weeks.
RISING_MIN_RISK = 0.3
RISING_MIN_RISE = 0.1
RISING_WEEKS = 4
#: Most improved: attendance up at least this many points on the weeks before.
IMPROVED_MIN_POINTS = 5.0
#: How far back the penalty window's sessions are read before the window starts (10 school weeks
#: with every holiday between them fit in well under a year).
_PENALTY_LOOKBACK_DAYS = 366

TARGETS_EXPORT_COLUMNS = (
    "school_urn",
    "upn",
    "attendance_rate",
    "persistent_absence",
    "severe_absence",
    "penalty_threshold_met",
    "penalty_threshold_date",
    "unauthorised_last_10_weeks",
    "risk_score",
    "reasons",
    "year_group",
    "form",
    "sessions_possible",
    "sessions_absent",
    "sessions_unauthorised",
    "unresolved_n_codes",
    "risk_basis",
    "latest_action",
    "latest_action_date",
    "next_review",
    "notices_last_3_years",
    "next_notice",
)


@dataclass(frozen=True)
class CoordinatorInputs:
    """What the coordinator's lists and pages start from, for every school: its pupils and their
    spells on roll, its school days, the intervention log and the active risk model. Marks and
    totals are read from `db` for each list's own schools and window."""

    db: Database
    schools: pl.DataFrame
    enrolments: pl.DataFrame
    spells: pl.DataFrame
    days: pl.DataFrame
    interventions: pl.DataFrame
    model: ActiveModel

    @property
    def last_day(self) -> date | None:
        """The latest school day in the register."""
        if self.days.is_empty():
            return None
        last = self.days["date"].max()
        assert isinstance(last, date)
        return last


def coordinator_inputs(db: Database) -> CoordinatorInputs:
    """Read every school's pupils, spells and school days, the intervention log and the active
    risk model (small: no mark is read)."""
    return CoordinatorInputs(
        db,
        read.schools(db),
        read.enrolments(db),
        read.spells(db),
        aggregates.school_days(db),
        intervention_store.interventions(db),
        active_model(db),
    )


def pupils(inputs: CoordinatorInputs | Register, academic_year: int) -> pl.LazyFrame:
    """One row per enrolment: `enrolment_id, school_urn, school, upn, name, year_group, form`
    (year group in `academic_year`)."""
    return pupil_names(inputs.schools, inputs.enrolments, academic_year)


def pupil_names(
    schools: pl.DataFrame, enrolments: pl.DataFrame, academic_year: int
) -> pl.LazyFrame:
    """`pupils` from the schools and enrolments tables themselves."""
    named = schools.select(pl.col("urn").alias("school_urn"), pl.col("name").alias("school"))
    return (
        with_cohorts(enrolments.lazy(), academic_year)
        .join(named.lazy(), on="school_urn", how="left")
        .select(
            "enrolment_id",
            "school_urn",
            "school",
            "upn",
            pl.format("{}, {}", pl.col("surname"), pl.col("forename")).alias("name"),
            "year_group",
            "form",
        )
    )


def latest_actions(interventions: pl.DataFrame, as_of: date) -> pl.LazyFrame:
    """One row per enrolment with an action on or before `as_of`: `latest_action` (its type),
    `latest_action_date` and `next_review` (the earliest review still open among its actions)."""
    done = interventions.lazy().filter(pl.col("date") <= as_of)
    latest = (
        done.sort("date", "intervention_id")
        .group_by("enrolment_id")
        .agg(
            pl.col("type").last().alias("latest_action"),
            pl.col("date").last().alias("latest_action_date"),
        )
    )
    reviews = (
        done.filter(pl.col("next_review").is_not_null())
        .group_by("enrolment_id")
        .agg(pl.col("next_review").max().alias("next_review"))
    )
    return latest.join(reviews, on="enrolment_id", how="left")


@dataclass(frozen=True)
class TargetList:
    """One list: its title, what puts a pupil on it, and its rows (pupil columns first)."""

    key: str
    title: str
    rule: str
    rows: pl.DataFrame


@dataclass(frozen=True)
class TargetLists:
    """The coordinator's lists at one as-of date. `persistent_left`: pupils persistently absent
    in the window who were no longer on roll on the as-of date (the Overview counts them; the
    lists, of pupils to act on, do not). `earlier`: the day the lists were compared with to mark
    who is new on them (`with_new_since`), when they were."""

    as_of: date
    window: Window
    risk_basis: str
    risk_note: str
    lists: tuple[TargetList, ...]
    persistent_left: int = 0
    earlier: date | None = None

    def __getitem__(self, key: str) -> TargetList:
        return next(item for item in self.lists if item.key == key)


#: The lists on which a pupil can be new since last week (first-day calls are a new list each day).
WEEKLY_LISTS = ("persistent", "severe", "penalty", "unresolved_n", "rising_risk", "most_improved")
NEW = "new_since_earlier"


def with_new_since(current: TargetLists, earlier: TargetLists | None) -> TargetLists:
    """`current` with a `new_since_earlier` column on each weekly list: True for a pupil who was
    not on the same list at `earlier`'s as-of date (a week before, say), False for one who was;
    null on first-day calls, and everywhere when there is nothing earlier to compare with."""
    lists = []
    for target in current.lists:
        if earlier is None or target.key not in WEEKLY_LISTS:
            new = pl.lit(None, pl.Boolean)
        else:
            before = earlier[target.key].rows["enrolment_id"].implode()
            new = ~pl.col("enrolment_id").is_in(before)
        lists.append(
            TargetList(
                target.key, target.title, target.rule, target.rows.with_columns(new.alias(NEW))
            )
        )
    return TargetLists(
        current.as_of,
        current.window,
        current.risk_basis,
        current.risk_note,
        tuple(lists),
        current.persistent_left,
        None if earlier is None else earlier.as_of,
    )


def _scope(
    frame: pl.LazyFrame,
    urns: Sequence[int] | None,
    year_groups: Sequence[str],
    forms: Sequence[str],
) -> pl.LazyFrame:
    if urns is not None:
        frame = frame.filter(pl.col("school_urn").is_in(list(urns)))
    if year_groups:
        frame = frame.filter(pl.col("year_group").is_in(list(year_groups)))
    if forms:
        frame = frame.filter(pl.col("form").is_in(list(forms)))
    return frame


def _with_pupil(rows: pl.LazyFrame, people: pl.LazyFrame, actions: pl.LazyFrame) -> pl.LazyFrame:
    return people.join(rows, on="enrolment_id", how="inner").join(
        actions, on="enrolment_id", how="left"
    )


def _first_possible_sessions(
    inputs: CoordinatorInputs,
    urns: Sequence[int] | None,
    enrolment_ids: pl.Series,
    weeks: pl.DataFrame,
    window: Window,
) -> pl.LazyFrame:
    """Each of these enrolments' first possible session in the window (up to its end): found in
    its first week with a possible session (`weeks`, the window's weekly totals)."""
    first_weeks = (
        weeks.filter(
            pl.col("enrolment_id").is_in(enrolment_ids.implode()) & (pl.col("possible") > 0)
        )
        .group_by("enrolment_id")
        .agg(pl.col("week_start").min())
    )
    if first_weeks.is_empty():
        return pl.LazyFrame(
            schema={
                "enrolment_id": pl.Int32,
                "school_urn": pl.Int32,
                "date": pl.Date,
                "session": pl.String,
            }
        )
    earliest, latest = first_weeks["week_start"].min(), first_weeks["week_start"].max()
    assert isinstance(earliest, date) and isinstance(latest, date)
    start = max(window.start, earliest)
    end = min(window.end, latest + timedelta(days=6))
    possible = read.counted_sessions(
        inputs.db, urns, start, end, flagged="possible", enrolment_ids=first_weeks["enrolment_id"]
    )
    return (
        possible.lazy()
        .join(first_weeks.lazy(), on="enrolment_id")
        .filter(pl.col("date") < pl.col("week_start") + timedelta(days=7))
        .sort("date", "session")
        .group_by("enrolment_id")
        .agg(pl.col("school_urn", "date", "session").first())
    )


def penalty_status(
    inputs: CoordinatorInputs,
    window: Window,
    as_of: date,
    urns: Sequence[int] | None = None,
    weeks: pl.DataFrame | None = None,
) -> pl.LazyFrame:
    """Per enrolment of these schools: `penalty_threshold_date`, `penalty_threshold_session`
    (the first possible session in the window, up to `as_of`, at which the threshold was met)
    and `unauthorised_last_10_weeks`.

    Only `G N O U` sessions can raise the count, so the threshold is first met at one of them or,
    carried over from sessions before the window, at the pupil's first possible session in it:
    those are the only sessions read. `weeks` are the window's weekly totals, when already read."""
    within = Window(window.start, min(window.end, as_of))
    unauthorised = read.counted_sessions(
        inputs.db,
        urns,
        window.start - timedelta(days=_PENALTY_LOOKBACK_DAYS),
        as_of,
        flagged="unauthorised",
    )
    before = unauthorised.filter(pl.col("date") < window.start)["enrolment_id"].unique()
    if weeks is None:
        weeks = aggregates.window_weeks(inputs.db, urns, within.start, within.end, ("possible",))
    carried = _first_possible_sessions(inputs, urns, before, weeks, within).with_columns(
        pl.lit(0, pl.UInt8).alias("unauthorised")
    )
    rows = pl.concat(
        [
            unauthorised.lazy().select(
                "school_urn", "enrolment_id", "date", "session", "unauthorised"
            ),
            carried.join(
                unauthorised.lazy(), on=["enrolment_id", "date", "session"], how="anti"
            ).select("school_urn", "enrolment_id", "date", "session", "unauthorised"),
        ]
    )
    school_weeks_of = school_weeks(inputs.days.lazy())
    counted = penalty_window_counts(rows, school_weeks_of)
    met = penalty_threshold(counted, within)
    latest = penalty_sessions_latest_window(unauthorised.lazy(), school_weeks_of, as_of)
    return met.join(latest, on="enrolment_id", how="full", coalesce=True).with_columns(
        pl.col("unauthorised_last_10_weeks").fill_null(0)
    )


def risk_rows(inputs: CoordinatorInputs, as_of: date, weeks: int = RISING_WEEKS) -> pl.DataFrame:
    """Every enrolment's risk now (end of `as_of`) and at the start of the last `weeks` school
    weeks (`earlier_risk_score`, `earlier_as_of`), from the weekly totals; with drivers in words
    for risks of RISING_MIN_RISK or more (the only ones a list or the export shows)."""
    days = inputs.days.filter(pl.col("date") <= as_of)
    mondays = days.select(pl.col("date").dt.truncate("1w").unique().sort(descending=True))["date"]
    earlier_as_of = mondays[weeks - 1] if len(mondays) >= weeks else None
    first = academic_year_of(earlier_as_of or as_of) - 1
    risk = risk_inputs(
        inputs.db, range(first, academic_year_of(end_of(as_of)) + 1), as_of=end_of(as_of)
    )
    if earlier_as_of is None:
        now = scores_of(
            risk.features(end_of(as_of)).collect(), inputs.model, drivers_from=RISING_MIN_RISK
        )
        return now.with_columns(
            pl.lit(None, pl.Float64).alias("earlier_risk_score"),
            pl.lit(None, pl.Date).alias("earlier_as_of"),
        )
    # Both points' features in one go: Polars shares their common work and runs them together.
    features_now, features_then = pl.collect_all(
        [risk.features(end_of(as_of)), risk.features(earlier_as_of)]
    )
    now = scores_of(features_now, inputs.model, drivers_from=RISING_MIN_RISK)
    earlier = scores_of(features_then, inputs.model, drivers_from=None).select(
        "enrolment_id", pl.col("risk_score").alias("earlier_risk_score")
    )
    return now.join(earlier, on="enrolment_id", how="left").with_columns(
        pl.lit(earlier_as_of).alias("earlier_as_of")
    )


def _up_to(weeks: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The weekly totals of the weeks that began by `as_of`."""
    return weeks.filter(pl.col("week_start") <= as_of)


def _weekly_up_to(
    inputs: CoordinatorInputs, urns: Sequence[int] | None, as_of: date, school_weeks_back: int
) -> pl.LazyFrame:
    """Attendance per enrolment and week over each school's last school weeks up to `as_of`:
    `school_urn, enrolment_id, week_start, possible, attended`."""
    latest = latest_school_weeks(
        school_weeks(inputs.days.lazy()), as_of, school_weeks_back
    ).collect()
    if latest.is_empty():
        return pl.LazyFrame(
            schema={
                "school_urn": pl.Int32,
                "enrolment_id": pl.Int32,
                "week_start": pl.Date,
                "possible": pl.UInt8,
                "attended": pl.UInt8,
            }
        )
    first = latest["week_start"].min()
    assert isinstance(first, date)
    weekly = aggregates.window_weeks(inputs.db, urns, first, as_of, ("possible", "attended"))
    schools = inputs.enrolments.lazy().select("enrolment_id", "school_urn")
    return weekly.lazy().join(schools, on="enrolment_id")


def target_lists(
    inputs: CoordinatorInputs,
    window: Window,
    *,
    urns: Sequence[int] | None = None,
    year_groups: Sequence[str] = (),
    forms: Sequence[str] = (),
    improved_weeks: int = 4,
    risk: pl.DataFrame | None = None,
) -> TargetLists:
    """Every list at the window's end (or the last register day before it), for the pupils on
    roll that day at these schools (all when None), in these year groups and forms (all when
    empty). `risk` is `risk_rows` at that day, when already computed."""
    last = inputs.last_day or window.end
    as_of = min(window.end, last)
    on_roll = on_roll_on(inputs.spells.lazy(), as_of)
    # Pupils who have left need no action: every list is of pupils on roll on the as-of date.
    everyone = _scope(pupils(inputs, window.academic_year_start), urns, year_groups, forms)
    people = everyone.join(on_roll, on="enrolment_id", how="semi")
    actions = latest_actions(inputs.interventions, as_of)

    todays_marks = read.marks(inputs.db, urns, as_of, as_of)
    first_day = unexplained_absences(
        todays_marks.lazy(), inputs.enrolments.lazy(), inputs.spells.lazy(), as_of
    )
    first_day = (
        _with_pupil(first_day.drop("school_urn"), people, actions)
        .with_columns(pl.format("{}: {}", pl.col("session"), pl.col("reason")).alias("reason"))
        .sort("session", "school", "year_group", "form", "name", "upn")
    )

    totals = load_totals(inputs.db, urns, window)
    measures = totals.enrolment_measures().select(
        "enrolment_id",
        "possible",
        "absent",
        "unauthorised",
        "attendance_rate",
        "persistent_absence",
        "severe_absence",
    )
    missed = pl.format(
        "attendance {} in {} ({} of {} sessions missed)",
        percent_text(pl.col("attendance_rate")),
        pl.lit(window.label or str(window)),
        pl.col("absent"),
        pl.col("possible"),
    )
    persistent = (
        _with_pupil(measures.filter(pl.col("persistent_absence")), people, actions)
        .with_columns(missed.alias("reason"))
        .sort("attendance_rate", "name", "upn")
    )
    severe = persistent.filter(pl.col("severe_absence")).with_columns(
        (pl.col("reason") + pl.lit(" (severe absence)")).alias("reason")
    )

    penalty = (
        penalty_status(inputs, window, as_of, urns, _up_to(totals.weeks, as_of))
        .filter(pl.col("penalty_threshold_date").is_not_null())
        .join(measures.select("enrolment_id", "unauthorised"), on="enrolment_id", how="left")
        .join(
            inputs.interventions.lazy()
            .filter((pl.col("type") == "Penalty notice considered") & (pl.col("date") <= as_of))
            .group_by("enrolment_id")
            .agg(pl.col("date").max().alias("penalty_notice_considered")),
            on="enrolment_id",
            how="left",
        )
    )
    penalty = (
        with_notices(_with_pupil(penalty, people, actions), inputs.interventions, as_of)
        .with_columns(
            (pl.col("unauthorised_last_10_weeks") >= PENALTY_SESSIONS).alias(
                "met_in_latest_window"
            ),
            pl.format(
                "threshold met on {} ({}); {} G N O U sessions in the last {} school weeks{}",
                pl.col("penalty_threshold_date").dt.strftime("%a %d/%m/%Y"),
                pl.col("penalty_threshold_session"),
                pl.col("unauthorised_last_10_weeks"),
                pl.lit(PENALTY_SCHOOL_WEEKS),
                pl.when(pl.col("penalty_notice_considered") >= pl.col("penalty_threshold_date"))
                .then(
                    pl.format(
                        "; penalty notice considered on {}",
                        pl.col("penalty_notice_considered").dt.strftime("%d/%m/%Y"),
                    )
                )
                .otherwise(pl.lit("; not yet recorded as considered")),
            ).alias("reason"),
        )
        .sort("penalty_threshold_date", "name", "upn", descending=[True, False, False])
    )

    older_than = setting("n_code_followup_school_days")
    n_codes = (
        unresolved_n_codes(
            read.counted_sessions(
                inputs.db, urns, window.start, as_of, codes=[NOT_YET_KNOWN]
            ).lazy(),
            inputs.days.lazy(),
            as_of,
            older_than,
        )
        .join(on_roll, on="enrolment_id", how="semi")
        .group_by("enrolment_id")
        .agg(
            pl.len().alias("unresolved_n_codes"),
            pl.col("date").min().alias("oldest_n_code"),
            pl.col("school_days_old").max().alias("oldest_school_days"),
        )
    )
    n_codes = (
        _with_pupil(n_codes, people, actions)
        .with_columns(
            pl.format(
                "{} N code{} over {} school days old, the oldest from {} ({} school days)",
                pl.col("unresolved_n_codes"),
                pl.when(pl.col("unresolved_n_codes") == 1).then(pl.lit("")).otherwise(pl.lit("s")),
                pl.lit(older_than),
                pl.col("oldest_n_code").dt.strftime("%d/%m/%Y"),
                pl.col("oldest_school_days"),
            ).alias("reason")
        )
        .sort("oldest_n_code", "name", "upn")
    )

    scores = (risk if risk is not None else risk_rows(inputs, as_of)).lazy()
    rising = (
        scores.join(on_roll, on="enrolment_id", how="semi")
        .join(
            measures.select("enrolment_id", "persistent_absence", "attendance_rate"),
            on="enrolment_id",
            how="left",
        )
        .with_columns((pl.col("risk_score") - pl.col("earlier_risk_score")).alias("risk_change"))
        .filter(
            (pl.col("risk_score") >= RISING_MIN_RISK)
            & (pl.col("risk_change") >= RISING_MIN_RISE)
            & ~pl.col("persistent_absence").fill_null(False)
        )
    )
    rising = (
        _with_pupil(rising, people, actions)
        .with_columns(
            pl.format(
                "risk {} (up {} points since {}): {}",
                percent_text(pl.col("risk_score") * 100, 0),
                rounded_text(pl.col("risk_change") * 100, 0),
                pl.col("earlier_as_of").dt.strftime("%d/%m/%Y"),
                pl.col("drivers").list.join("; "),
            ).alias("reason")
        )
        .sort("risk_change", "upn", descending=[True, False])
    )

    weeks = school_weeks(inputs.days.lazy())
    weekly = _weekly_up_to(inputs, urns, as_of, 2 * improved_weeks)
    change = attendance_change(weekly, weeks, as_of, improved_weeks).join(
        on_roll, on="enrolment_id", how="semi"
    )
    improved = (
        _with_pupil(
            change.filter(
                (pl.col("change_points") >= IMPROVED_MIN_POINTS)
                & (
                    pl.col("earlier_attended") * 100
                    <= pl.col("earlier_possible") * (100 - PERSISTENT_ABSENCE_PERCENT)
                )
            ),
            people,
            actions,
        )
        .with_columns(
            pl.format(
                "attendance {} in the last {} school weeks, up {} points on the {} before ({})",
                percent_text(pl.col("recent_rate")),
                pl.lit(improved_weeks),
                rounded_text(pl.col("change_points")),
                pl.lit(improved_weeks),
                percent_text(pl.col("earlier_rate")),
            ).alias("reason")
        )
        .sort("change_points", "upn", descending=[True, False])
    )

    left = (
        measures.filter(pl.col("persistent_absence"))
        .join(everyone, on="enrolment_id", how="semi")
        .join(on_roll, on="enrolment_id", how="anti")
        .select(pl.len())
    )
    collected = pl.collect_all(
        [first_day, persistent, severe, penalty, n_codes, rising, improved, left]
    )
    rules = (
        TargetList(
            "first_day",
            "First-day calls",
            f"Sessions on {as_of:%a %d %b %Y} coded N or with no mark (for sessions the school has registered).",
            collected[0],
        ),
        TargetList(
            "persistent",
            "Persistent absence",
            "Pupils on roll with attendance 90% or less in the window (absence of 10% or more of possible sessions).",
            collected[1],
        ),
        TargetList(
            "severe",
            "Severe absence",
            "Pupils on roll with attendance 50% or less in the window.",
            collected[2],
        ),
        TargetList(
            "penalty",
            "Penalty-notice threshold",
            f"{PENALTY_SESSIONS} or more sessions coded G N O U within {PENALTY_SCHOOL_WEEKS} consecutive school weeks (holiday weeks skipped), first met in the window.",
            collected[3],
        ),
        TargetList(
            "unresolved_n",
            "N codes unresolved",
            f"Sessions still coded N more than {older_than} school days after the day.",
            collected[4],
        ),
        TargetList(
            "rising_risk",
            "Rising risk",
            f"Not yet persistently absent, risk of being so over the rest of the year at least {RISING_MIN_RISK:.0%} and up {RISING_MIN_RISE * 100:.0f} points or more over the last {RISING_WEEKS} school weeks.",
            collected[5],
        ),
        TargetList(
            "most_improved",
            "Most improved",
            f"Attendance 90% or less in the {improved_weeks} school weeks before the last {improved_weeks}, and at least "
            f"{IMPROVED_MIN_POINTS:.0f} points higher since.",
            collected[6],
        ),
    )
    return TargetLists(
        as_of, window, inputs.model.kind, inputs.model.reason, rules, collected[7].item()
    )


def targets_export(
    inputs: CoordinatorInputs, as_of: date, urns: Sequence[int] | None = None
) -> pl.DataFrame:
    """`rollcall export targets`: one row per enrolment on roll on `as_of`, for the academic
    year to date, with TARGETS_EXPORT_COLUMNS (unrounded rates; dates ISO)."""
    window = Window.year_to_date(as_of)
    risk = risk_rows(inputs, as_of)
    lists = target_lists(inputs, window, urns=urns, risk=risk)
    on_roll = on_roll_on(inputs.spells.lazy(), as_of)
    people = _scope(pupils(inputs, window.academic_year_start), urns, (), ())
    totals = load_totals(inputs.db, urns, window)
    measures = totals.enrolment_measures().select(
        "enrolment_id",
        "possible",
        "absent",
        "unauthorised",
        "attendance_rate",
        "persistent_absence",
        "severe_absence",
    )
    scores = risk.lazy()
    reasons = pl.concat(
        [
            target.rows.lazy().select(
                "enrolment_id",
                pl.format("{}: {}", pl.lit(target.title.lower()), pl.col("reason")).alias("reason"),
            )
            for target in lists.lists
            if target.key != "most_improved" and not target.rows.is_empty()
        ]
        or [pl.LazyFrame(schema={"enrolment_id": pl.Int32, "reason": pl.String})]
    )
    drivers = scores.filter(
        (pl.col("risk_score") >= RISING_MIN_RISK) & (pl.col("drivers").list.len() > 0)
    ).select(
        "enrolment_id",
        pl.format(
            "risk {}: {}",
            percent_text(pl.col("risk_score") * 100, 0),
            pl.col("drivers").list.join("; "),
        ).alias("reason"),
    )
    reasons = (
        pl.concat([reasons, drivers], how="vertical_relaxed")
        .group_by("enrolment_id", maintain_order=True)
        .agg(pl.col("reason").str.join(" | ").alias("reasons"))
    )
    n_codes = lists["unresolved_n"].rows.lazy().select("enrolment_id", "unresolved_n_codes")
    table = (
        people.join(on_roll, on="enrolment_id", how="semi")
        .join(measures, on="enrolment_id", how="left")
        .join(
            penalty_status(inputs, window, as_of, urns, _up_to(totals.weeks, as_of)),
            on="enrolment_id",
            how="left",
        )
        .join(
            scores.select("enrolment_id", "risk_score", "risk_basis"), on="enrolment_id", how="left"
        )
        .join(reasons, on="enrolment_id", how="left")
        .join(n_codes, on="enrolment_id", how="left")
        .join(latest_actions(inputs.interventions, as_of), on="enrolment_id", how="left")
        .pipe(with_notices, inputs.interventions, as_of)
        .with_columns(
            pl.col("penalty_threshold_date").is_not_null().alias("penalty_threshold_met"),
            pl.col("unauthorised_last_10_weeks").fill_null(0),
            pl.col("unresolved_n_codes").fill_null(0),
            pl.col("reasons").fill_null(""),
            pl.col("possible").fill_null(0).alias("sessions_possible"),
            pl.col("absent").fill_null(0).alias("sessions_absent"),
            pl.col("unauthorised").fill_null(0).alias("sessions_unauthorised"),
            pl.col("persistent_absence").fill_null(False),
            pl.col("severe_absence").fill_null(False),
            pl.col("risk_basis").fill_null(inputs.model.kind),
        )
        .select(TARGETS_EXPORT_COLUMNS)
        .sort("school_urn", "upn")
    )
    return table.collect()
