"""Each pupil's top drivers in words, written from their own numbers ("attendance fell 6 points
in the last 4 weeks", "9 of 12 absences on Mondays").

A driver is a feature that raises the pupil's risk (a positive contribution, from the model or
from the rules); the words say what in the pupil's record it stands for. A feature with nothing
to say for this pupil (a rise driven by the absence of a history, say) is described as such.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from analytics.domain.rounding import round_half_up
from analytics.pipelines.risk_features import WEEKDAY_MIN_ABSENCES, WEEKDAYS

TOP_DRIVERS = 3


def _points(value: float) -> str:
    rounded = round_half_up(abs(value), 0)
    return f"{rounded} point{'' if rounded == 1 else 's'}"


def _pct(value: float) -> str:
    return f"{round_half_up(value, 1)}%"


def _times(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def describe(feature: str, row: Mapping) -> str | None:
    """The words for one feature of one pupil's features row, or None when it says nothing."""
    possible, absent = int(row["possible"]), int(row["absent"])
    if feature == "absence_rate":
        if possible == 0:
            return None
        return f"attendance this year {_pct(100 - row['absence_rate'])} ({absent} of {possible} sessions missed)"
    if feature == "absence_last_4_weeks":
        return (
            f"attendance {_pct(100 - row['absence_last_4_weeks'])} in the last 4 school weeks"
            if row["possible_last_4"]
            else None
        )
    if feature in ("change_4_weeks", "change_8_weeks"):
        weeks = 4 if feature == "change_4_weeks" else 8
        change = row[feature]
        if change <= 0:
            return None
        return f"attendance fell {_points(change)} in the last {weeks} weeks"
    if feature == "absence_last_year":
        if not row.get("possible_last_year"):
            return None
        rate = row["absence_last_year"]
        tail = (
            " (persistently absent)"
            if 10 * int(row["absent_last_year"]) >= int(row["possible_last_year"])
            else ""
        )
        return f"missed {_pct(rate)} of sessions last year{tail}"
    if feature == "no_last_year":
        return "no register from last year to go on" if row["no_last_year"] else None
    if feature == "illness_rate":
        illness = int(row["illness"])
        return f"{illness} of {absent} absences for illness" if illness else None
    if feature == "unauthorised_rate":
        unauthorised = int(row["unauthorised"])
        return (
            f"{_times(unauthorised, 'unauthorised absence')} (G N O U) this year"
            if unauthorised
            else None
        )
    if feature == "late_rate":
        before, after = int(row["late_before_close"]), int(row["late_after_close"])
        if before + after == 0:
            return None
        return f"late {_times(before + after, 'time')} this year ({before} before and {after} after registers closed)"
    if feature == "weekday_concentration":
        if absent < WEEKDAY_MIN_ABSENCES:
            return None
        counts = [int(row[f"absent_{day.lower()}"]) for day in WEEKDAYS]
        top = max(counts)
        return f"{top} of {absent} absences on {WEEKDAYS[counts.index(top)]}s"
    if feature == "negative_incidents_per_week":
        incidents = int(row["negative_incidents"])
        return (
            f"{_times(incidents, 'negative behaviour incident')} this year" if incidents else None
        )
    if feature == "suspensions_this_year":
        count = int(row["suspensions"])
        return (
            f"{_times(count, 'suspension')} this year ({int(row['suspension_sessions'])} sessions)"
            if count
            else None
        )
    if feature == "suspensions_last_year":
        count = int(row["suspensions_last_year"])
        return f"{_times(count, 'suspension')} last year" if count else None
    if feature == "disadvantaged":
        return (
            "disadvantaged (a group with more persistent absence)" if row["disadvantaged"] else None
        )
    if feature == "sen_support":
        return "SEN support" if row["sen_support"] else None
    if feature == "ehc_plan":
        return "an EHC plan" if row["ehc_plan"] else None
    if feature == "year_group_rank":
        rank = int(row["year_group_rank"])
        return f"in Year {rank} (absence rises through secondary school)" if rank >= 9 else None
    if feature == "joined_this_year":
        return "joined the school this year" if row["joined_this_year"] else None
    if feature == "changes_of_school":
        changes = int(row["changes_of_school"])
        return (
            f"{_times(changes, 'earlier change', 'earlier changes')} of school or readmission"
            if changes
            else None
        )
    if feature == "sessions_so_far":
        return f"only {possible} sessions on roll so far this year" if possible < 40 else None
    return None


def drivers_in_words(
    row: Mapping, ranked: Sequence[tuple[str, float]], limit: int = TOP_DRIVERS
) -> list[str]:
    """Up to `limit` sentences for the features that raise this pupil's risk most (`ranked`:
    (feature, contribution), largest first); features with nothing to say are skipped."""
    words: list[str] = []
    for feature, contribution in ranked:
        if contribution <= 0 or len(words) >= limit:
            break
        sentence = describe(feature, row)
        if sentence and sentence not in words:
            words.append(sentence)
    return words
