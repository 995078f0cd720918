"""The staged attendance procedure: which stage each pupil is in, and every move between stages.

Stages are reviewed at the end of each school week of the pupil's school (its last school day,
or the as-of date in the week holding it), from the first school week of the academic year, when
no pupil is in a stage. At each review a pupil in stage k (0: none):

- moves **up** to stage k+1 when its criteria hold (one stage a review, so each stage's action
  is taken in turn);
- else moves **down** to stage k-1 once stage k's criteria have not held at `review_school_weeks`
  reviews in a row.

A criterion "still in the previous stage after N school weeks without improving by M points"
holds for a pupil in stage k after N reviews there when their attendance over the last N
school weeks is less than M points above their attendance over the N school weeks before they
entered stage k. Deciding whether stage k still holds for a pupil in it, the same criterion asks
whether their attendance over the last N school weeks is still less than M points above the
weeks before they entered stage k-1.

Figures are over the pupil's own school weeks (holiday weeks skipped, so "the last 6 school weeks"
may reach back into the summer term): attendance and unauthorised sessions over the last N school
weeks or the year to date, persistent and severe absence in the year to date, the penalty
threshold (10 or more `G N O U` sessions in the last 10 school weeks), and the 10-day list (in a
run of 10 or more continuous school days of unauthorised absence at the review). A week in which
the pupil had no possible session (not yet on roll, left) is not a review: their stage stays.

The moves are recomputed from the register each time, so they are the same for the same register
and stages file whatever day they are computed on. Polars does the work for all pupils at once;
only the reviews are stepped through in order, since each depends on the one before.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from analytics.domain.calendar import academic_year_expr
from analytics.domain.rounding import percent_text, rounded_text
from analytics.domain.stages import Procedure, Stage
from analytics.pipelines.measures import (
    PERSISTENT_ABSENCE_PERCENT,
    SEVERE_ABSENCE_PERCENT,
    at_least_percent,
    rate,
)
from analytics.pipelines.penalty import PENALTY_SCHOOL_WEEKS, PENALTY_SESSIONS

#: The weekly totals the stages read.
TOTALS = ("possible", "attended", "absent", "unauthorised")

MOVES_SCHEMA = pl.Schema(
    {
        "school_urn": pl.Int32(),
        "enrolment_id": pl.Int32(),
        "date": pl.Date(),
        "from_stage": pl.Int16(),
        "to_stage": pl.Int16(),
        "reason": pl.String(),
    }
)
STATE_SCHEMA = pl.Schema(
    {
        "enrolment_id": pl.Int32(),
        "stage": pl.Int16(),
        "since": pl.Date(),
        "previous_stage": pl.Int16(),
        "weeks_in_stage": pl.Int32(),
        "weeks_not_holding": pl.Int32(),
        #: Attendance over the weeks before entering the stage (its next stage's `not_improving_weeks`).
        "entry_rate": pl.Float64(),
        #: The same, kept from the previous stage (for this stage's own `not_improving_weeks`).
        "previous_entry_rate": pl.Float64(),
        "reason": pl.String(),
    }
)


def review_weeks(weeks: pl.LazyFrame, days: pl.LazyFrame, as_of: date) -> pl.LazyFrame:
    """One row per school and school week of the academic year of `as_of` that began by then:
    `school_urn, week_start, school_week_number, review_date` (the week's last school day, or
    `as_of` when earlier). `weeks` are `calendar.school_weeks`, `days` the school days."""
    last_days = (
        days.filter(pl.col("date") <= as_of)
        .group_by("school_urn", pl.col("date").dt.truncate("1w").alias("week_start"))
        .agg(pl.col("date").max().alias("review_date"))
    )
    return (
        weeks.filter(
            (pl.col("week_start") <= as_of)
            & (academic_year_expr(pl.col("week_start") + pl.duration(days=4)) == _year_of(as_of))
        )
        .join(last_days, on=["school_urn", "week_start"], how="inner")
        .select("school_urn", "week_start", "school_week_number", "review_date")
    )


def _year_of(day: date) -> int:
    return day.year if day.month >= 8 else day.year - 1


def week_grid(weekly: pl.LazyFrame, weeks: pl.LazyFrame) -> pl.LazyFrame:
    """One row per enrolment and school week of its school from its first week in `weekly`:
    `school_urn, enrolment_id, week_start, school_week_number` and TOTALS (0 for a school week
    with no session of the pupil's). `weekly` holds TOTALS per `school_urn, enrolment_id,
    week_start`."""
    first = weekly.group_by("enrolment_id", "school_urn").agg(
        pl.col("week_start").min().alias("_first")
    )
    return (
        first.join(weeks.select("school_urn", "week_start", "school_week_number"), on="school_urn")
        .filter(pl.col("week_start") >= pl.col("_first"))
        .drop("_first")
        .join(
            weekly.select("enrolment_id", "week_start", *TOTALS),
            on=["enrolment_id", "week_start"],
            how="left",
        )
        .with_columns(pl.col(t).fill_null(0).cast(pl.Int32) for t in TOTALS)
        .sort("enrolment_id", "week_start")
    )


def _over_weeks(column: str, weeks: int | None) -> str:
    return f"{column}_{weeks}w" if weeks is not None else f"{column}_ytd"


def _week_counts(procedure: Procedure) -> set[int]:
    counts = procedure.week_counts() | {PENALTY_SCHOOL_WEEKS}
    for stage in procedure.stages:
        if stage.criteria.unauthorised_weeks is not None:
            counts.add(stage.criteria.unauthorised_weeks)
    return counts


def week_measures(grid: pl.LazyFrame, procedure: Procedure) -> pl.LazyFrame:
    """One row per row of `week_grid`, adding each total over the year to date (`possible_ytd`,
    ...) and over every number N of school weeks the procedure looks back over (`possible_6w`,
    ...: the N school weeks ending with this one), and `attendance_ytd`, `attendance_6w`, ...
    (null with no possible session)."""
    year = academic_year_expr(pl.col("week_start") + pl.duration(days=4))
    sums = [pl.col(t).cum_sum().over("enrolment_id", year).alias(f"{t}_ytd") for t in TOTALS]
    for count in sorted(_week_counts(procedure)):
        sums += [
            pl.col(t).rolling_sum(count, min_samples=1).over("enrolment_id").alias(f"{t}_{count}w")
            for t in TOTALS
        ]
    measured = grid.sort("enrolment_id", "week_start").with_columns(sums)
    rates = [rate("attended_ytd", "possible_ytd").alias("attendance_ytd")]
    rates += [
        rate(f"attended_{n}w", f"possible_{n}w").alias(f"attendance_{n}w")
        for n in sorted(_week_counts(procedure))
    ]
    return measured.with_columns(rates)


def on_ten_day_list(reviews: pl.LazyFrame, runs: pl.LazyFrame, days: pl.LazyFrame) -> pl.LazyFrame:
    """One row per review row (`school_urn, enrolment_id, review_date`) in a run of 10 or more
    continuous school days of unauthorised absence: `enrolment_id, review_date, ten_day_since`
    (the run's first day).

    The run must reach into the review's week and have lasted 10 school days by the review:
    its own count when it ended by then, else its school's school days from its first day."""
    numbered = days.sort("school_urn", "date").with_columns(
        pl.col("date").rank("dense").over("school_urn").cast(pl.Int32).alias("_day")
    )
    at_first = numbered.select("school_urn", pl.col("date").alias("first_day"), "_day")
    at_review = numbered.select(
        "school_urn", pl.col("date").alias("review_date"), pl.col("_day").alias("_review_day")
    )
    return (
        reviews.select("school_urn", "enrolment_id", "review_date")
        .join(
            runs.select("enrolment_id", "first_day", "last_day", "school_days"), on="enrolment_id"
        )
        .filter(
            (pl.col("first_day") <= pl.col("review_date"))
            & (pl.col("last_day") >= pl.col("review_date").dt.truncate("1w"))
        )
        .join(at_first, on=["school_urn", "first_day"], how="left")
        .join(at_review, on=["school_urn", "review_date"], how="left")
        .with_columns(
            pl.when(pl.col("last_day") <= pl.col("review_date"))
            .then(pl.col("school_days"))
            .otherwise(pl.col("_review_day") - pl.col("_day") + 1)
            .alias("_days_by_review")
        )
        .filter(pl.col("_days_by_review") >= 10)
        .group_by("enrolment_id", "review_date")
        .agg(pl.col("first_day").min().alias("ten_day_since"))
    )


def _plain_criteria(stage: Stage) -> list[tuple[pl.Expr, pl.Expr]]:
    """The stage's criteria other than "not improving", each as (holds, in words)."""
    c = stage.criteria
    found: list[tuple[pl.Expr, pl.Expr]] = []
    if c.attendance_below is not None:
        attendance = pl.col(_over_weeks("attendance", c.attendance_weeks))
        over = (
            f"over the last {c.attendance_weeks} school weeks"
            if c.attendance_weeks is not None
            else "in the year to date"
        )
        found.append(
            (
                attendance < c.attendance_below,
                pl.format(
                    "attendance {} {} (below {}%)",
                    percent_text(attendance),
                    pl.lit(over),
                    pl.lit(f"{c.attendance_below:g}"),
                ),
            )
        )
    if c.unauthorised_at_least is not None:
        sessions = pl.col(_over_weeks("unauthorised", c.unauthorised_weeks))
        over = (
            f"in the last {c.unauthorised_weeks} school weeks"
            if c.unauthorised_weeks is not None
            else "in the year to date"
        )
        found.append(
            (
                sessions >= c.unauthorised_at_least,
                pl.format(
                    "{} unauthorised sessions {} ({} or more)",
                    sessions,
                    pl.lit(over),
                    pl.lit(c.unauthorised_at_least),
                ),
            )
        )
    absence = percent_text(rate("absent_ytd", "possible_ytd"))
    if c.persistent_absence:
        found.append(
            (
                at_least_percent(
                    pl.col("absent_ytd"), pl.col("possible_ytd"), PERSISTENT_ABSENCE_PERCENT
                ),
                pl.format("persistent absence this year ({} of sessions missed)", absence),
            )
        )
    if c.severe_absence:
        found.append(
            (
                at_least_percent(
                    pl.col("absent_ytd"), pl.col("possible_ytd"), SEVERE_ABSENCE_PERCENT
                ),
                pl.format("severe absence this year ({} of sessions missed)", absence),
            )
        )
    if c.penalty_threshold:
        penalty = pl.col(f"unauthorised_{PENALTY_SCHOOL_WEEKS}w")
        found.append(
            (
                penalty >= PENALTY_SESSIONS,
                pl.format(
                    "penalty-notice threshold: {} G N O U sessions in the last {} school weeks",
                    penalty,
                    pl.lit(PENALTY_SCHOOL_WEEKS),
                ),
            )
        )
    if c.ten_day_list:
        found.append(
            (
                pl.col("ten_day_since").is_not_null(),
                pl.format(
                    "on the 10-day list (unauthorised absence every school day since {})",
                    pl.col("ten_day_since").dt.strftime("%d/%m/%Y"),
                ),
            )
        )
    return found


def stage_criteria(measures: pl.LazyFrame, procedure: Procedure) -> pl.LazyFrame:
    """The review rows of `week_measures` (joined to the review dates and `ten_day_since`),
    adding per stage k `plain_k` (its criteria other than "not improving" hold, combined by its
    `match`; for "all" with no such criteria, true) and `because_k` (those that hold, in words)."""
    columns = []
    for stage in procedure.stages:
        parts = _plain_criteria(stage)
        holds = [h.fill_null(False) for h, _ in parts]
        if not holds:
            plain = pl.lit(stage.match == "all")
        elif stage.match == "all":
            plain = pl.all_horizontal(holds)
        else:
            plain = pl.any_horizontal(holds)
        words = [pl.when(h).then(text) for h, (_, text) in zip(holds, parts, strict=True)]
        because = (
            pl.concat_list(words).list.drop_nulls().list.join("; ")
            if words
            else pl.lit("", pl.String)
        )
        columns += [plain.alias(f"plain_{stage.number}"), because.alias(f"because_{stage.number}")]
    return measures.with_columns(columns)


def _not_improving(
    stage: Stage, weeks_in_stage: pl.Expr, since: pl.Expr
) -> tuple[pl.Expr, pl.Expr]:
    """Whether attendance over the stage's `not_improving_weeks` is less than its points above
    `since` (a rate), after `weeks_in_stage` reviews; and the words for it."""
    c = stage.criteria
    assert c.not_improving_weeks is not None and c.not_improving_points is not None
    now = pl.col(f"attendance_{c.not_improving_weeks}w")
    holds = (
        (weeks_in_stage >= c.not_improving_weeks) & (now - since < c.not_improving_points)
    ).fill_null(False)
    words = pl.format(
        "attendance {} over the last {} school weeks, {} points on the {} school weeks before (less than {} up)",
        percent_text(now),
        pl.lit(c.not_improving_weeks),
        rounded_text(now - since),
        pl.lit(c.not_improving_weeks),
        pl.lit(f"{c.not_improving_points:g}"),
    )
    return holds, words


def _combined(stage: Stage, plain: pl.Expr, stuck: pl.Expr | None) -> pl.Expr:
    if stuck is None:
        return plain
    return (plain & stuck) if stage.match == "all" else (plain | stuck)


def _entry_rate(procedure: Procedure, stage: pl.Expr) -> pl.Expr:
    """Attendance over the weeks the next stage's "not improving" criterion compares with, for
    a pupil entering `stage` now."""
    expr = pl.lit(None, pl.Float64)
    for k in range(len(procedure.stages) - 1, -1, -1):
        following = procedure.stages[k]  # stage k + 1 follows stage k
        if following.criteria.not_improving:
            expr = (
                pl.when(stage == k)
                .then(pl.col(f"attendance_{following.criteria.not_improving_weeks}w"))
                .otherwise(expr)
            )
    return expr


def review(
    rows: pl.DataFrame, state: pl.DataFrame, procedure: Procedure
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One review: `rows` are one week's rows of `stage_criteria` (one per enrolment reviewed),
    `state` every enrolment's stage so far (STATE_SCHEMA). Returns the new state and the
    week's moves (MOVES_SCHEMA)."""
    stage = pl.col("stage")
    joined = rows.join(state, on="enrolment_id", how="left").with_columns(
        stage.fill_null(0),
        pl.col("weeks_in_stage").fill_null(0) + 1,
        pl.col("weeks_not_holding").fill_null(0),
    )
    up: pl.Expr = pl.lit(False)
    own: pl.Expr = pl.lit(False)
    up_words: pl.Expr = pl.lit(None, pl.String)
    own_words: pl.Expr = pl.lit(None, pl.String)
    for s in procedure.stages:
        k = s.number
        plain, because = pl.col(f"plain_{k}"), pl.col(f"because_{k}")
        stuck: pl.Expr | None = None
        stays: pl.Expr | None = None
        stuck_words = stays_words = pl.lit(None, pl.String)
        if s.criteria.not_improving:
            stuck, stuck_words = _not_improving(s, pl.col("weeks_in_stage"), pl.col("entry_rate"))
            stays, stays_words = _not_improving(s, pl.lit(1_000), pl.col("previous_entry_rate"))
        enters = _combined(s, plain, stuck)
        holds = _combined(s, plain, stays)
        enter_words = (
            pl.concat_list(
                pl.when(plain & (because != "")).then(because),
                pl.when(stuck if stuck is not None else pl.lit(False)).then(stuck_words),
            )
            .list.drop_nulls()
            .list.join("; ")
        )
        stay_words = (
            pl.concat_list(
                pl.when(plain & (because != "")).then(because),
                pl.when(stays if stays is not None else pl.lit(False)).then(stays_words),
            )
            .list.drop_nulls()
            .list.join("; ")
        )
        up = pl.when(stage == k - 1).then(enters).otherwise(up)
        up_words = pl.when(stage == k - 1).then(enter_words).otherwise(up_words)
        own = pl.when(stage == k).then(holds).otherwise(own)
        own_words = pl.when(stage == k).then(stay_words).otherwise(own_words)
    review_weeks = pl.lit(None, pl.Int32)
    for s in procedure.stages:
        review_weeks = (
            pl.when(stage == s.number).then(pl.lit(s.review_school_weeks)).otherwise(review_weeks)
        )
    decided = joined.with_columns(
        up.fill_null(False).alias("_up"),
        up_words.alias("_up_words"),
        own.fill_null(False).alias("_own"),
        own_words.alias("_own_words"),
        review_weeks.alias("_review_weeks"),
    ).with_columns(
        pl.when(pl.col("_up") | (stage == 0) | pl.col("_own"))
        .then(0)
        .otherwise(pl.col("weeks_not_holding") + 1)
        .alias("weeks_not_holding")
    )
    down = ~pl.col("_up") & (stage > 0) & (pl.col("weeks_not_holding") >= pl.col("_review_weeks"))
    moved = decided.with_columns(
        pl.when(pl.col("_up"))
        .then(stage + 1)
        .when(down)
        .then(stage - 1)
        .otherwise(stage)
        .cast(pl.Int16)
        .alias("_to"),
        pl.when(pl.col("_up"))
        .then(pl.format("up: {}", pl.col("_up_words")))
        .when(down)
        .then(
            pl.format(
                "down: the criteria of the stage have not held for {} school weeks",
                pl.col("_review_weeks"),
            )
        )
        .alias("_move_reason"),
    )
    changed = pl.col("_to") != stage
    moves = moved.filter(changed).select(
        "school_urn",
        "enrolment_id",
        pl.col("review_date").alias("date"),
        stage.cast(pl.Int16).alias("from_stage"),
        pl.col("_to").alias("to_stage"),
        pl.col("_move_reason").alias("reason"),
    )
    reviewed = moved.select(
        "enrolment_id",
        pl.col("_to").alias("stage"),
        pl.when(changed).then(pl.col("review_date")).otherwise(pl.col("since")).alias("since"),
        pl.when(changed)
        .then(stage)
        .otherwise(pl.col("previous_stage"))
        .cast(pl.Int16)
        .alias("previous_stage"),
        pl.when(changed)
        .then(0)
        .otherwise(pl.col("weeks_in_stage"))
        .cast(pl.Int32)
        .alias("weeks_in_stage"),
        pl.when(changed)
        .then(0)
        .otherwise(pl.col("weeks_not_holding"))
        .cast(pl.Int32)
        .alias("weeks_not_holding"),
        pl.when(changed)
        .then(_entry_rate(procedure, pl.col("_to")))
        .otherwise(pl.col("entry_rate"))
        .cast(pl.Float64)
        .alias("entry_rate"),
        pl.when(pl.col("_up"))
        .then(pl.col("entry_rate"))
        .when(changed)
        .then(pl.lit(None, pl.Float64))
        .otherwise(pl.col("previous_entry_rate"))
        .cast(pl.Float64)
        .alias("previous_entry_rate"),
        pl.when(changed).then(pl.col("_move_reason")).otherwise(pl.col("reason")).alias("reason"),
    )
    kept = state.join(reviewed, on="enrolment_id", how="anti")
    return pl.concat([kept, reviewed.cast(STATE_SCHEMA)]), moves.cast(MOVES_SCHEMA)


def stage_history(
    criteria: pl.DataFrame, procedure: Procedure
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every review of `criteria` (the rows of `stage_criteria` for the weeks reviewed, with
    `review_date`), in date order: each enrolment's stage at the end (STATE_SCHEMA) and every
    move (MOVES_SCHEMA), sorted by date and enrolment."""
    state = pl.DataFrame(schema=STATE_SCHEMA)
    moves = [pl.DataFrame(schema=MOVES_SCHEMA)]
    reviewed = criteria.filter(pl.col("possible") > 0).sort("week_start", "enrolment_id")
    for week in reviewed.partition_by("week_start", maintain_order=True):
        state, moved = review(week, state, procedure)
        moves.append(moved)
    return state.sort("enrolment_id"), pl.concat(moves).sort("date", "enrolment_id")


def stages_as_of(
    weekly: pl.LazyFrame,
    weeks: pl.LazyFrame,
    days: pl.LazyFrame,
    runs: pl.LazyFrame,
    as_of: date,
    procedure: Procedure,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each enrolment's stage at the end of `as_of` and every move of its academic year up to
    then: `weekly` holds TOTALS per `school_urn, enrolment_id, week_start` up to `as_of` (from
    far enough back for the longest look-back), `weeks` the school weeks, `days` the school
    days, `runs` the 10-day runs (`enrolment_id, first_day, last_day, school_days`)."""
    reviews = review_weeks(weeks, days, as_of)
    measures = week_measures(week_grid(weekly, weeks), procedure).join(
        reviews.select("school_urn", "week_start", "review_date"),
        on=["school_urn", "week_start"],
        how="inner",
    )
    listed = on_ten_day_list(measures, runs, days)
    criteria = stage_criteria(
        measures.join(listed, on=["enrolment_id", "review_date"], how="left"), procedure
    )
    return stage_history(criteria.collect(), procedure)
