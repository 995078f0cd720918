"""Who is new on the coordinator's lists since last week (`with_new_since`)."""

from __future__ import annotations

from datetime import date

import polars as pl

from analytics.pipelines.windows import Window
from analytics.reports.coordinator.targets import NEW, TargetList, TargetLists, with_new_since


def lists(as_of: date, **rows: list[int]) -> TargetLists:
    return TargetLists(
        as_of,
        Window(date(2026, 9, 1), as_of),
        "rules",
        "",
        tuple(
            TargetList(
                key, key, "", pl.DataFrame({"enrolment_id": ids}, schema={"enrolment_id": pl.Int32})
            )
            for key, ids in rows.items()
        ),
    )


def test_a_pupil_not_on_the_list_a_week_earlier_is_new():
    now = lists(date(2026, 11, 20), persistent=[1, 2, 3], first_day=[1, 4], penalty=[])
    before = lists(date(2026, 11, 13), persistent=[2, 5], first_day=[4], penalty=[1])
    marked = with_new_since(now, before)
    assert marked.earlier == date(2026, 11, 13)
    assert marked["persistent"].rows[NEW].to_list() == [True, False, True]
    assert marked["penalty"].rows.height == 0  # off a list, or never on it: nothing to mark
    # First-day calls are a new list every day: "new" means nothing there.
    assert marked["first_day"].rows[NEW].to_list() == [None, None]


def test_with_nothing_earlier_nobody_is_called_new():
    marked = with_new_since(lists(date(2026, 9, 4), persistent=[1]), None)
    assert marked.earlier is None and marked["persistent"].rows[NEW].to_list() == [None]
