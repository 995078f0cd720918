"""The staged procedure at its boundaries: the stages file read and refused, each criterion at its
edge, one stage up a review, down only after a whole review period without the criteria, the
"not improving" criterion at N weeks and M points, holiday weeks skipped, weeks without a
possible session not reviewed, and the moves the same whatever later data holds."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from analytics.domain.stages import (
    DEFAULT_STAGES_FILE,
    StagesFileError,
    load_procedure,
    procedure_from_text,
)
from analytics.pipelines.calendar import school_weeks
from analytics.pipelines.stages import stages_as_of

URN = 100001
#: The Monday of the first school week of 2025/26 in these tests.
FIRST = date(2025, 9, 1)

TWO_STAGES = """
[[stage]]
key = "one"
name = "Stage 1"
action = { kind = "letter", template = "concern" }
review_school_weeks = 2
[stage.criteria]
attendance_below = 90
attendance_weeks = 2

[[stage]]
key = "two"
name = "Stage 2"
action = { kind = "meeting", template = "meeting" }
review_school_weeks = 2
[stage.criteria]
attendance_below = 50
attendance_weeks = 2
not_improving_weeks = 2
not_improving_points = 5
"""


def mondays(count: int, skip: tuple[int, ...] = ()) -> list[date]:
    """`count` school weeks from FIRST, calendar weeks at positions `skip` left out (holidays)."""
    found, week = [], 0
    while len(found) < count:
        if week not in skip:
            found.append(FIRST + timedelta(days=7 * week))
        week += 1
    return found


def run(
    attended: dict[int, list[int]],
    *,
    procedure_text: str = TWO_STAGES,
    unauthorised: dict[int, list[int]] | None = None,
    possible: int = 10,
    skip: tuple[int, ...] = (),
    runs: list[tuple[int, date, date, int]] = (),
    as_of: date | None = None,
    weeks_before: int = 0,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Stages of enrolments whose attended sessions per school week are `attended[id]` (of
    `possible` a week; None in the list: no possible session that week). `weeks_before` school
    weeks of full attendance in the summer term before FIRST come first."""
    count = max(len(v) for v in attended.values())
    week_starts = mondays(count, skip)
    before = [FIRST - timedelta(days=7 * (6 + w)) for w in range(weeks_before)][::-1]
    rows, days = [], []
    for monday in before + week_starts:
        days += [(URN, monday + timedelta(days=d)) for d in range(5)]
    for enrolment, weeks in attended.items():
        for monday in before:
            rows.append((URN, enrolment, monday, possible, possible, 0, 0))
        for i, came in enumerate(weeks):
            if came is None:
                continue
            missed = possible - came
            gnou = (unauthorised or {}).get(enrolment, [0] * count)[i]
            rows.append((URN, enrolment, week_starts[i], possible, came, missed, gnou))
    weekly = pl.LazyFrame(
        rows,
        schema={
            "school_urn": pl.Int32,
            "enrolment_id": pl.Int32,
            "week_start": pl.Date,
            "possible": pl.Int32,
            "attended": pl.Int32,
            "absent": pl.Int32,
            "unauthorised": pl.Int32,
        },
        orient="row",
    )
    days_frame = pl.LazyFrame(days, schema={"school_urn": pl.Int32, "date": pl.Date}, orient="row")
    runs_frame = pl.LazyFrame(
        list(runs),
        schema={
            "enrolment_id": pl.Int32,
            "first_day": pl.Date,
            "last_day": pl.Date,
            "school_days": pl.Int64,
        },
        orient="row",
    )
    end = as_of or week_starts[-1] + timedelta(days=4)
    return stages_as_of(
        weekly.filter(pl.col("week_start") <= end),
        school_weeks(days_frame),
        days_frame,
        runs_frame,
        end,
        procedure_from_text(procedure_text),
    )


def stage_of(state: pl.DataFrame, enrolment: int) -> int:
    found = state.filter(pl.col("enrolment_id") == enrolment)["stage"]
    return int(found[0]) if len(found) else 0


def friday(week: int, skip: tuple[int, ...] = ()) -> date:
    return mondays(week + 1, skip)[week] + timedelta(days=4)


# --- the stages file ----------------------------------------------------------------------------


def test_the_default_stages_file_reads():
    procedure = load_procedure(DEFAULT_STAGES_FILE)
    assert [s.number for s in procedure.stages] == [1, 2, 3, 4]
    assert procedure.stage("notice_to_improve").action.kind == "notice_to_improve"
    assert procedure.stage("Stage 1: concern").key == "concern"
    assert procedure.name_of(0) == "no stage"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("attendance_below = 90", "attendence_below = 90"), "unknown criterion attendence_below"),
        (("attendance_below = 90", "attendance_below = 190"), "between 0 and 100"),
        (("attendance_weeks = 2\n", "attendance_weeks = 2.5\n"), "whole number"),
        (('kind = "letter"', 'kind = "email"'), "action kind must be one of"),
        (("review_school_weeks = 2\n", ""), "review_school_weeks is missing"),
        (("not_improving_points = 5\n", ""), "go together"),
        (('key = "two"', 'key = "one"'), "same key"),
        (("[[stage]]", "[[stage"), "not valid TOML"),
    ],
)
def test_a_stages_file_with_a_mistake_is_refused_naming_it(change, message):
    with pytest.raises(StagesFileError, match=message):
        procedure_from_text(TWO_STAGES.replace(*change, 1))


def test_the_first_stage_cannot_ask_for_a_previous_stage():
    text = TWO_STAGES.replace(
        "attendance_weeks = 2\n",
        "attendance_weeks = 2\nnot_improving_weeks = 2\nnot_improving_points = 1\n",
        1,
    )
    with pytest.raises(StagesFileError, match="first stage"):
        procedure_from_text(text)


# --- moving up ----------------------------------------------------------------------------------


def test_attendance_exactly_at_the_percentage_is_not_below_it():
    # Over the last 2 school weeks: 18 of 20 is 90.0% (not below 90), 17 of 20 is 85%.
    state, moves = run({1: [9, 9], 2: [9, 8]})
    assert stage_of(state, 1) == 0
    assert stage_of(state, 2) == 1
    move = moves.filter(pl.col("enrolment_id") == 2).row(0, named=True)
    assert move["date"] == friday(1)
    assert (move["from_stage"], move["to_stage"]) == (0, 1)
    assert "attendance 85.0% over the last 2 school weeks (below 90%)" in move["reason"]


def test_a_pupil_moves_up_one_stage_a_review():
    # 0 of 10 every week: stage 2's attendance criterion holds from the first week, but a pupil
    # enters stage 1 first and stage 2 at the next review.
    state, moves = run({1: [0, 0, 0]})
    assert moves["to_stage"].to_list() == [1, 2]
    assert moves["date"].to_list() == [friday(0), friday(1)]
    assert stage_of(state, 1) == 2


def test_the_last_n_weeks_skip_holiday_weeks():
    # Calendar week 2 is a holiday: the 2 school weeks before week 3 are weeks 1 and 3.
    state, _ = run({1: [10, 8, 9], 2: [8, 10, 10]}, skip=(2,))
    assert stage_of(state, 1) == 1  # 17 of 20 over its last two school weeks
    assert stage_of(state, 2) == 0


def test_a_week_without_a_possible_session_is_not_a_review():
    state, moves = run({1: [10, 10, 5, None, None]})
    assert moves["to_stage"].to_list() == [1]
    # No review in weeks 3 and 4: the criteria stopped holding nowhere, so the stage stays.
    assert stage_of(state, 1) == 1


def test_the_penalty_threshold_at_ten_sessions():
    procedure = TWO_STAGES.replace(
        "attendance_below = 90\nattendance_weeks = 2", "penalty_threshold = true", 1
    )
    ten = [1] * 10
    nine = [1] * 9 + [0]
    state, moves = run(
        {1: [10] * 10, 2: [10] * 10},
        unauthorised={1: ten, 2: nine},
        procedure_text=procedure,
    )
    assert stage_of(state, 1) == 1 and stage_of(state, 2) == 0
    assert "10 G N O U sessions in the last 10 school weeks" in moves["reason"][0]


def test_unauthorised_sessions_over_the_year_to_date():
    procedure = TWO_STAGES.replace(
        "attendance_below = 90\nattendance_weeks = 2", "unauthorised_at_least = 4", 1
    )
    state, _ = run(
        {1: [10, 10], 2: [10, 10]}, unauthorised={1: [2, 2], 2: [2, 1]}, procedure_text=procedure
    )
    assert stage_of(state, 1) == 1 and stage_of(state, 2) == 0


def test_persistent_absence_at_exactly_ten_percent():
    procedure = TWO_STAGES.replace(
        "attendance_below = 90\nattendance_weeks = 2", "persistent_absence = true", 1
    )
    # 2 of 20 missed is exactly 10%: persistent. 1 of 20 is not.
    state, moves = run({1: [9, 9], 2: [10, 9]}, procedure_text=procedure)
    assert stage_of(state, 1) == 1 and stage_of(state, 2) == 0
    assert "persistent absence this year (10.0% of sessions missed)" in moves["reason"][0]


def test_the_year_to_date_starts_in_august():
    # A summer term of full attendance before September does not count in the year to date.
    procedure = TWO_STAGES.replace(
        "attendance_below = 90\nattendance_weeks = 2", "severe_absence = true", 1
    )
    state, _ = run({1: [5]}, procedure_text=procedure, weeks_before=10)
    assert stage_of(state, 1) == 1  # 5 of 10 missed: 50%, severe


def test_the_ten_day_list():
    procedure = TWO_STAGES.replace(
        "attendance_below = 90\nattendance_weeks = 2", "ten_day_list = true", 1
    )
    monday = FIRST
    # Enrolment 1: a run from the first Monday, going on: 10 school days by the second Friday.
    # Enrolment 2: a run of 10 days that ended the week before the review of week 2.
    state, moves = run(
        {1: [10, 10, 10], 2: [10, 10, 10]},
        procedure_text=procedure,
        runs=[
            (1, monday + timedelta(days=7), monday + timedelta(days=18), 10),
            (2, monday, monday + timedelta(days=11), 10),
        ],
    )
    moved_1 = moves.filter(pl.col("enrolment_id") == 1)
    assert moved_1["date"].to_list() == [friday(2)]  # day 10 of the run is the third Friday
    moved_2 = moves.filter(pl.col("enrolment_id") == 2)
    assert moved_2["date"].to_list() == [friday(1)]  # ended on its 10th day, in week 1
    assert "on the 10-day list" in moved_2["reason"][0]
    assert stage_of(state, 2) == 1  # no review period without it has passed yet


# --- not improving ------------------------------------------------------------------------------


def not_improving(*weeks: int) -> dict[int, list[int]]:
    return {1: list(weeks)}


def test_not_improving_after_exactly_n_weeks_in_the_previous_stage():
    # Enters stage 1 at week 1 (10 + 5 of 20 = 75%). After weeks 2 and 3 in stage 1 at 8 of 10
    # (80%), 5 points up on the 2 weeks before entry: improved by 5, which is not less than 5.
    _, moves = run(not_improving(10, 5, 8, 8))
    assert moves["to_stage"].to_list() == [1]
    # 8 and 7 (75%): no better after 2 weeks in stage 1: up at the review of week 3.
    _, moves = run(not_improving(10, 5, 8, 7))
    assert moves["to_stage"].to_list() == [1, 2]
    assert moves["date"].to_list() == [friday(1), friday(3)]
    assert "0.0 points on the 2 school weeks before" in moves["reason"][1]
    # One week in stage 1 is not enough, however bad it was.
    _, moves = run(not_improving(10, 5, 6))
    assert moves["to_stage"].to_list() == [1]


# --- moving down --------------------------------------------------------------------------------


def test_down_only_after_a_whole_review_period_without_the_criteria():
    # Stage 1 from week 0; week 2's last 2 weeks are 90% (not below 90): the first review without
    # the criteria; week 3 the second: down at week 3 (review period 2).
    state, moves = run({1: [8, 8, 10, 10, 10]})
    assert moves["to_stage"].to_list() == [1, 0]
    assert moves["date"].to_list() == [friday(0), friday(3)]
    assert "have not held for 2 school weeks" in moves["reason"][1]
    assert stage_of(state, 1) == 0
    # A week in which they hold again starts the count afresh.
    # Week 2 without, weeks 3 and 4 with (85%), weeks 5 and 6 without: down at week 6.
    _, moves = run({1: [8, 8, 10, 7, 10, 10, 10]})
    assert moves["to_stage"].to_list() == [1, 0]
    assert moves["date"][1] == friday(6)


def test_a_stage_entered_by_not_improving_holds_while_attendance_does_not_improve():
    # Stage 1 at week 1, stage 2 at week 3 (not improving). Stage 2 then holds while the last 2
    # weeks stay less than 5 points above the 2 weeks before stage 1 (75%).
    state, moves = run(not_improving(10, 5, 8, 7, 8, 7, 8))
    assert moves["to_stage"].to_list() == [1, 2]
    assert stage_of(state, 1) == 2
    # Attendance up to 100% from week 4: 2 reviews at 85% and 100% without it, then down.
    state, moves = run(not_improving(10, 5, 8, 7, 10, 10, 10))
    assert moves["to_stage"].to_list() == [1, 2, 1]
    assert moves["date"][2] == friday(5)


# --- determinism --------------------------------------------------------------------------------


def test_moves_up_to_a_date_are_the_same_whatever_comes_after():
    weeks = {1: [8, 8, 10, 10, 10, 8, 0, 0], 2: [0, 10, 10, 10, 10, 10, 10, 10]}
    _, all_moves = run(weeks)
    as_of = friday(4)
    _, early = run(weeks, as_of=as_of)
    assert early.equals(all_moves.filter(pl.col("date") <= as_of))
    _, again = run(weeks)
    assert again.equals(all_moves)


def test_a_review_as_of_a_midweek_day_uses_that_day():
    state, moves = run({1: [10, 0]}, as_of=FIRST + timedelta(days=9))
    assert moves["date"].to_list() == [FIRST + timedelta(days=9)]


def test_the_readmes_stages_file_reads():
    from analytics.settings import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text("utf-8")
    text = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    procedure = procedure_from_text(text)
    assert [s.key for s in procedure.stages] == ["concern", "meeting"]
    assert procedure.stages[1].criteria.not_improving_points == 2


def test_moves_up_are_the_events_the_impact_of_a_stage_reads():
    from analytics.reports.coordinator.impact import stage_entries

    moves = pl.DataFrame(
        {
            "school_urn": [URN] * 3,
            "enrolment_id": [1, 1, 2],
            "date": [FIRST, FIRST + timedelta(days=7), FIRST],
            "from_stage": [0, 1, 1],
            "to_stage": [1, 0, 2],
            "reason": ["up", "down", "up"],
        },
        schema_overrides={
            "from_stage": pl.Int16,
            "to_stage": pl.Int16,
            "school_urn": pl.Int32,
            "enrolment_id": pl.Int32,
        },
    )
    entries = stage_entries(moves, {1: "Stage 1", 2: "Stage 2"})
    assert entries.select("enrolment_id", "type", "date").rows() == [
        (1, "Stage 1", FIRST),
        (2, "Stage 2", FIRST),
    ]
    assert entries["intervention_id"].to_list() == [1, 2]
