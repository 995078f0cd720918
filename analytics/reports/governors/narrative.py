"""The governors' summary in words: sentences written by fixed rules from the figures shown.

No language model is involved. Each rule takes figures that the report already shows (a hidden
figure reaches the rules as None, so no sentence can repeat it) and returns a sentence, or None
when the figures it needs are missing. Changes and gaps are worked out before rounding and then
rounded half-up to one decimal place, as the tables show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from analytics.domain.rounding import round_half_up


def one_dp(value: float) -> Decimal:
    """A figure as shown: half-up to one decimal place."""
    return round_half_up(value, 1)


def pct(value: float) -> str:
    """`95.1%`."""
    return f"{one_dp(value)}%"


def points(value: float) -> str:
    """A difference in percentage points, unsigned: `0.8 points`, `1 point` never (always 1 dp)."""
    return f"{abs(one_dp(value))} points"


@dataclass(frozen=True)
class Gap:
    """A group's attendance against its comparison group, now and in the same term last year
    (`group − comparison`, in points; None when hidden or missing)."""

    group: str  # "disadvantaged pupils"
    comparison: str  # "other pupils"
    now: float | None
    last: float | None


@dataclass(frozen=True)
class YearGroup:
    """A year group's attendance now and in the same term last year (None when hidden)."""

    label: str  # "Year 9"
    attendance: float | None
    attendance_last: float | None


@dataclass(frozen=True)
class Facts:
    """The figures the narrative may use: only those the report shows."""

    term: str  # "autumn term 2025/26"
    last_term: str | None  # "autumn term 2024/25"
    attendance: float | None
    attendance_last: float | None = None
    unauthorised: float | None = None
    unauthorised_last: float | None = None
    persistent: float | None = None
    persistent_last: float | None = None
    severe: float | None = None
    severe_last: float | None = None
    national_phase: str | None = None  # "primary schools"
    national_source: str | None = None  # "autumn term 2024/25"
    attendance_5_15: float | None = None
    national_attendance: float | None = None
    persistent_5_15: float | None = None
    national_persistent: float | None = None
    gaps: tuple[Gap, ...] = ()
    year_groups: tuple[YearGroup, ...] = ()
    suspensions: int | None = None
    suspensions_last: int | None = None
    permanent_exclusions: int | None = None
    running_to: str | None = None  # "20 Nov 2026" when the term is still under way
    running_to_last: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def _moved(now: float, before: float, up: str = "up", down: str = "down") -> str:
    change = one_dp(now - before)
    if change == 0:
        return "the same as in"
    return f"{up if change > 0 else down} {points(now - before)} on"


def attendance_sentence(facts: Facts) -> str | None:
    """ "Attendance was 95.1%, up 0.8 points on autumn term 2024/25 (94.3%)."""
    if facts.attendance is None:
        return None
    sentence = f"Attendance in {facts.term} was {pct(facts.attendance)}"
    if facts.attendance_last is not None and facts.last_term:
        sentence += f", {_moved(facts.attendance, facts.attendance_last)} {facts.last_term} ({pct(facts.attendance_last)})"
    return sentence + "."


def national_sentence(facts: Facts) -> str | None:
    """ "Pupils aged 5 to 15 attended 95.3% of sessions, 0.5 points above the national figure
    for primary schools (94.8%, autumn term 2024/25)."""
    if (
        facts.attendance_5_15 is None
        or facts.national_attendance is None
        or not facts.national_phase
    ):
        return None
    difference = one_dp(facts.attendance_5_15 - facts.national_attendance)
    if difference == 0:
        where = "the same as"
    else:
        where = f"{points(facts.attendance_5_15 - facts.national_attendance)} {'above' if difference > 0 else 'below'}"
    return (
        f"Pupils aged 5 to 15 attended {pct(facts.attendance_5_15)} of their sessions, {where} the national "
        f"figure for {facts.national_phase} ({pct(facts.national_attendance)}, {facts.national_source})."
    )


def persistent_sentence(facts: Facts) -> str | None:
    """ "14.2% of pupils were persistently absent (missed 10% or more of their sessions), down
    from 16.0% in autumn term 2024/25; nationally 15.8% of pupils aged 5 to 15."""
    if facts.persistent is None:
        return None
    sentence = f"{pct(facts.persistent)} of pupils were persistently absent (missed 10% or more of their sessions)"
    if facts.persistent_last is not None and facts.last_term:
        change = one_dp(facts.persistent - facts.persistent_last)
        if change == 0:
            sentence += f", the same as in {facts.last_term}"
        else:
            sentence += f", {'up' if change > 0 else 'down'} from {pct(facts.persistent_last)} in {facts.last_term}"
    if (
        facts.persistent_5_15 is not None
        and facts.national_persistent is not None
        and facts.national_phase
    ):
        sentence += (
            f"; among pupils aged 5 to 15 it was {pct(facts.persistent_5_15)}, against "
            f"{pct(facts.national_persistent)} nationally"
        )
    return sentence + "."


def severe_sentence(facts: Facts) -> str | None:
    """ "1.2% of pupils were severely absent (missed half or more of their sessions)..." """
    if facts.severe is None:
        return None
    sentence = f"{pct(facts.severe)} of pupils were severely absent (missed half or more of their sessions)"
    if facts.severe_last is not None and facts.last_term:
        sentence += f", against {pct(facts.severe_last)} in {facts.last_term}"
    return sentence + "."


def gap_sentence(gap: Gap, last_term: str | None) -> str | None:
    """ "The attendance gap between disadvantaged pupils and other pupils narrowed from 5.1 to
    4.3 points." (A gap is how far the group's attendance is below its comparison's.)"""
    if gap.now is None:
        return None
    behind_now = -gap.now
    rounded_now = one_dp(behind_now)
    if gap.last is None or not last_term:
        if rounded_now == 0:
            return f"Attendance of {gap.group} was the same as that of {gap.comparison}."
        side = "below" if rounded_now > 0 else "above"
        return (
            f"Attendance of {gap.group} was {points(behind_now)} {side} that of {gap.comparison}."
        )
    behind_last = -gap.last
    rounded_last = one_dp(behind_last)
    if rounded_now > 0 and rounded_last > 0:
        if rounded_now == rounded_last:
            trend = f"stayed at {abs(rounded_now)} points, as in {last_term}"
        else:
            trend = (
                f"{'narrowed' if rounded_now < rounded_last else 'widened'} from {abs(rounded_last)} points in "
                f"{last_term} to {abs(rounded_now)} points"
            )
        return f"The attendance gap between {gap.group} and {gap.comparison} {trend}."
    if rounded_now <= 0 and rounded_last <= 0:
        side = "the same as" if rounded_now == 0 else f"{points(behind_now)} above"
        return f"Attendance of {gap.group} was {side} that of {gap.comparison}, as in {last_term}."
    if rounded_now > 0:
        return (
            f"Attendance of {gap.group} fell behind that of {gap.comparison}: {points(behind_now)} below, "
            f"having been {'level' if rounded_last == 0 else f'{points(behind_last)} above'} in {last_term}."
        )
    return (
        f"Attendance of {gap.group} caught up with that of {gap.comparison}: "
        f"{'level' if rounded_now == 0 else f'{points(behind_now)} above'}, from {points(behind_last)} below in {last_term}."
    )


def year_group_sentence(facts: Facts) -> str | None:
    """The year group with the lowest attendance, and the one whose attendance changed most."""
    # (year group, figure) pairs, so that the figure is known to be present.
    shown = [(y, y.attendance) for y in facts.year_groups if y.attendance is not None]
    if len(shown) < 2:
        return None
    lowest, lowest_attendance = min(shown, key=lambda s: (one_dp(s[1]), s[0].label))
    sentence = f"{lowest.label} had the lowest attendance ({pct(lowest_attendance)})"
    compared = [(y, now - y.attendance_last) for y, now in shown if y.attendance_last is not None]
    if compared and facts.last_term:
        biggest, difference = max(compared, key=lambda c: (abs(one_dp(c[1])), c[0].label))
        change = one_dp(difference)
        moved = f"{'up' if change > 0 else 'down'} {points(difference)}"
        if change != 0 and biggest is lowest:
            sentence += f", and the largest change on {facts.last_term}: {moved}"
        elif change != 0:
            sentence += f"; the largest change on {facts.last_term} was {biggest.label}'s, {moved}"
    return sentence + "."


def behaviour_sentence(facts: Facts) -> str | None:
    """ "There were 23 suspensions (15 in autumn term 2024/25) and no permanent exclusions." """
    parts = []
    if facts.suspensions is not None:
        text = (
            f"{facts.suspensions} suspension{'s' if facts.suspensions != 1 else ''}"
            if facts.suspensions
            else "no suspensions"
        )
        if facts.suspensions_last is not None and facts.last_term:
            text += f" ({facts.suspensions_last} in {facts.last_term})"
        parts.append(text)
    if facts.permanent_exclusions is not None:
        n = facts.permanent_exclusions
        parts.append(
            "no permanent exclusions"
            if n == 0
            else f"{n} permanent exclusion{'s' if n != 1 else ''}"
        )
    if not parts:
        return None
    verb = "was" if parts[0].startswith("1 ") else "were"
    return f"There {verb} {' and '.join(parts)} in {facts.term}."


def progress_sentence(facts: Facts) -> str | None:
    """Says when the term is still under way, and what it is compared with."""
    if not facts.running_to:
        return None
    sentence = f"The term is still under way: figures run to {facts.running_to}"
    if facts.running_to_last and facts.last_term:
        sentence += f", and are compared with {facts.last_term} up to {facts.running_to_last}"
    return sentence + "."


RULES = (
    progress_sentence,
    attendance_sentence,
    national_sentence,
    persistent_sentence,
    severe_sentence,
)


def narrative(facts: Facts) -> list[str]:
    """The summary's sentences, in order; rules whose figures are missing say nothing."""
    sentences = [rule(facts) for rule in RULES]
    sentences += [gap_sentence(gap, facts.last_term) for gap in facts.gaps]
    sentences += [year_group_sentence(facts), behaviour_sentence(facts)]
    return [s for s in sentences if s] + list(facts.notes)
