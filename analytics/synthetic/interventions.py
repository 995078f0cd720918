"""The demo trust's intervention log: what an attendance coordinator did, week by week, for
pupils who fell under 90%, and what it changed.

Each school's coordinator looks at the register every Friday. A pupil whose attendance this year
has fallen to 90% or less moves up the usual ladder (a letter, a meeting, an attendance action
plan, a home visit or an Early Help referral, a referral to the local authority) a few weeks
apart while it stays low; families are phoned after a week with several days off; a penalty
notice is considered when the national threshold is met (10 `G N O U` sessions in 10 school
weeks), followed by a notice to improve or, for term-time holidays, a penalty notice. Some
entries are corrected or deleted later, as a real log is.

Effects are plausible and modest: after an action some of the pupil's avoidable absences (other
unauthorised absence, and some illness) over the next six weeks become attendance, more after a
meeting or a plan than after a letter, and less for pupils who are severely absent. Everything is
drawn from its own seeded stream, so the rest of the demo is unchanged by it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

import numpy as np
import polars as pl

from analytics.domain.codes import AUTHORISED, UNAUTHORISED, rule_for
from analytics.domain.interventions import Entry

#: How long an action's effect lasts, in school days, and how it fades.
EFFECT_DAYS = 30
#: Share of the pupil's avoidable absences an action turns into attendance while it lasts. Kept
#: modest: the national figures the demo is tuned to already include what schools do, and over
#: a year these lower the demo's absence by a few tenths of a point.
EFFECT = {
    "Phone call": 0.05,
    "Text message": 0.03,
    "Letter": 0.12,
    "Meeting": 0.22,
    "Attendance action plan": 0.28,
    "Home visit": 0.25,
    "Early Help referral": 0.18,
    "EWO/LA referral": 0.22,
    "SARM": 0.25,
    "Fast-track": 0.25,
    "Penalty notice considered": 0.03,
    "Notice to improve": 0.28,
    "Penalty notice issued": 0.25,
}
#: The school's own types the demo's schools added (Westbrook holds attendance review meetings,
#: Brookside runs a fast-track with the local authority).
SCHOOL_TYPES = {
    990135: (("SARM", "School attendance review meeting with the head of year and the family."),),
    990127: (
        ("Fast-track", "An eight-week fast-track with the local authority's attendance service."),
    ),
}
#: Weeks to wait before the next step of the ladder; and the share of the pupils due a step
#: whom the coordinator reaches in a week (there is never time for everyone at once, which is
#: also what lets the Impact page compare pupils who had a step with pupils still waiting).
STEP_WEEKS = 3
WEEKLY_CAPACITY = 0.35
_OUTCOMES = {
    "Phone call": (
        "Spoke to parent or carer",
        "No answer, message left",
        "Reason given: illness",
        "Spoke to parent or carer",
    ),
    "Text message": ("Sent",),
    "Letter": ("Sent",),
    "Meeting": ("Plan agreed", "Plan agreed", "Parent did not attend", "Spoke to parent or carer"),
    "Attendance action plan": ("Plan agreed",),
    "Home visit": ("Spoke to parent or carer", "Not at home", "Spoke to parent or carer"),
    "Early Help referral": (
        "Referral accepted",
        "Referral accepted",
        "Referral declined by family",
    ),
    "EWO/LA referral": ("Referral accepted",),
    "SARM": ("Plan agreed", "Parent did not attend"),
    "Fast-track": ("Referral accepted",),
    "Penalty notice considered": (
        "Notice to improve to be issued",
        "Penalty notice to be issued",
        "Not issued: support in place",
    ),
    "Notice to improve": ("Issued",),
    "Penalty notice issued": ("Issued",),
}
_NOTES = {
    "Letter": "Attendance concern letter (stage 1) sent home with the attendance to date.",
    "Meeting": "Met parent to discuss barriers to attendance; agreed a morning routine and a check-in with the tutor.",
    "Attendance action plan": "Attendance action plan agreed with the family; targets and support set; review booked.",
    "Home visit": "Home visit after continued absence; welfare check completed.",
    "Early Help referral": "Referred to Early Help with the family's consent.",
    "EWO/LA referral": "Referred to the local authority attendance service after support did not improve attendance.",
    "SARM": "School attendance review meeting held; expectations and support set out in writing.",
    "Fast-track": "Fast-track started with the local authority; review in eight weeks.",
    "Penalty notice considered": "National threshold met (10 or more unauthorised sessions in 10 school weeks); penalty notice considered.",
    "Notice to improve": "Notice to improve issued; attendance to be monitored for the next weeks.",
    "Penalty notice issued": "Penalty notice issued for unauthorised term-time holiday.",
}
#: Actions with a review booked, and how many school weeks later.
_REVIEW_WEEKS = {
    "Meeting": 4,
    "Attendance action plan": 6,
    "Home visit": 4,
    "Early Help referral": 8,
    "EWO/LA referral": 8,
    "SARM": 6,
    "Fast-track": 8,
    "Notice to improve": 4,
}


def _categories(codes: Sequence[str], year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each code position, in an academic year: possible, absent, unauthorised (G N O U)."""
    day = date(year, 10, 1)
    rules = [rule_for(code, day) for code in codes]
    possible = np.array([bool(r and r.counts_as_possible) for r in rules])
    absent = np.array([bool(r and r.category in (AUTHORISED, UNAUTHORISED)) for r in rules])
    unauthorised = np.array([bool(r and r.category == UNAUTHORISED) for r in rules])
    return possible, absent, unauthorised


def simulate(
    rng: np.random.Generator,
    *,
    urn: int,
    codes: Sequence[str],
    days: np.ndarray,
    years: np.ndarray,
    marks: np.ndarray,
    on_roll: np.ndarray,
    severe: np.ndarray,
    first_year: int,
    needs_support: np.ndarray,
    staff: Sequence[str],
    today: date,
) -> pl.DataFrame:
    """Run the coordinator's weeks over one school's register (`marks[session, day, enrolment]`
    as positions in `codes`), changing later marks by each action's effect. Returns one row per
    action: `enrolment_index, day, type, owner, outcome, notes, review_weeks`."""
    index = {code: i for i, code in enumerate(codes)}
    avoidable = np.zeros(len(codes))
    for code, share in (("O", 1.0), ("I", 0.6), ("N", 1.0)):
        avoidable[index[code]] = share
    n_days, n = on_roll.shape
    monday = (days.astype("datetime64[D]").view("int64") + 3) // 7  # weeks since a Monday in 1970
    coordinator, head_of_year, family_worker = staff[0], staff[1], staff[2]
    stage = np.zeros(n, dtype=np.int64)
    last_step = np.full(n, -1000)
    last_penalty = np.full(n, -1000)
    # G N O U sessions per school week, over the last 10 school weeks (across terms and years).
    recent_gnou: deque[np.ndarray] = deque(maxlen=10)
    this_week_gnou = np.zeros(n, dtype=np.int64)
    actions: list[tuple] = []
    for year in np.unique(years):
        positions = np.flatnonzero(years == year)
        possible_of, absent_of, unauthorised_of = _categories(codes, int(year))
        ytd_possible = np.zeros(n, dtype=np.int64)
        ytd_absent = np.zeros(n, dtype=np.int64)
        days_off_this_week = np.zeros(n, dtype=np.int64)
        stage[:] = 0  # each year's ladder starts again from a letter
        for pos_in_year, d in enumerate(positions):
            todays, counted = marks[:, d, :], on_roll[d]
            ytd_possible += possible_of[todays].sum(axis=0) * counted
            ytd_absent += absent_of[todays].sum(axis=0) * counted
            this_week_gnou += unauthorised_of[todays].sum(axis=0) * counted
            days_off_this_week += (absent_of[todays].sum(axis=0) == 2) & counted
            if d + 1 < n_days and monday[d + 1] == monday[d]:
                continue  # the coordinator reviews the register on the last school day of a week
            recent_gnou.append(this_week_gnou.copy())
            this_week_gnou[:] = 0
            if pos_in_year >= 10:  # two weeks in: the penalty threshold may be met already
                window_gnou = np.sum(recent_gnou, axis=0)
                concern = counted & (ytd_possible >= 60) & (ytd_absent * 10 >= ytd_possible)
                for e in np.flatnonzero(counted & (concern | (window_gnou >= 10))):
                    chosen = _choose(
                        rng,
                        urn,
                        e,
                        d,
                        window_gnou[e],
                        stage,
                        last_step,
                        last_penalty,
                        days_off_this_week[e],
                        bool(needs_support[e]),
                        bool(concern[e]),
                        marks,
                        positions[max(0, pos_in_year - 50)],
                        index["G"],
                    )
                    if not chosen:
                        continue
                    act_day = min(d + int(rng.integers(1, 3)), n_days - 1)
                    if not on_roll[act_day, e] or days[act_day] > np.datetime64(today):
                        act_day = d
                    for kind, role in chosen:
                        owner = {
                            "coordinator": coordinator,
                            "head of year": head_of_year,
                            "family worker": family_worker,
                        }[role]
                        outcome = _OUTCOMES[kind][int(rng.integers(0, len(_OUTCOMES[kind])))]
                        actions.append(
                            (
                                int(e),
                                int(act_day),
                                kind,
                                owner,
                                outcome,
                                _NOTES.get(kind),
                                _REVIEW_WEEKS.get(kind),
                            )
                        )
                        strength = EFFECT[kind] * (
                            0.4 if severe[e, int(year) - first_year] else 1.0
                        )
                        _apply_effect(
                            rng,
                            marks,
                            int(e),
                            act_day,
                            strength,
                            avoidable,
                            index["/"],
                            index["\\"],
                            on_roll,
                        )
            days_off_this_week[:] = 0
    frame = pl.DataFrame(
        actions,
        schema={
            "enrolment_index": pl.Int32,
            "day": pl.Int32,
            "type": pl.String,
            "owner": pl.String,
            "outcome": pl.String,
            "notes": pl.String,
            "review_weeks": pl.Int32,
        },
        orient="row",
    )
    return frame.with_columns(_reviews(rng, frame, marks, on_roll, codes))


def _reviews(
    rng: np.random.Generator,
    actions: pl.DataFrame,
    marks: np.ndarray,
    on_roll: np.ndarray,
    codes: Sequence[str],
) -> list[pl.Series]:
    """When each action's review was held (`reviewed_day`, null while it is still due) and what
    it found (`review_outcome`): attendance since the action against the four weeks before it.
    Reviews falling in the last week of the register are mostly still waiting."""
    absent_of = _categories(codes, 2025)[1]
    n_days = marks.shape[1]
    reviewed: list[int | None] = []
    outcomes: list[str | None] = []
    for e, day, weeks in actions.select("enrolment_index", "day", "review_weeks").iter_rows():
        at = None if weeks is None else day + weeks * 5
        if (
            at is None
            or at >= n_days
            or not on_roll[at, e]
            or (at >= n_days - 5 and rng.random() < 0.6)
        ):
            reviewed.append(None)
            outcomes.append(None)
            continue
        since = absent_of[marks[:, day + 1 : at + 1, e]].mean()
        before = absent_of[marks[:, max(0, day - 20) : day + 1, e]].mean()
        reviewed.append(at)
        outcomes.append(
            "Reviewed: improvement seen" if since < before else "Reviewed: no improvement"
        )
    return [
        pl.Series("reviewed_day", reviewed, dtype=pl.Int32),
        pl.Series("review_outcome", outcomes, dtype=pl.String),
    ]


def _choose(
    rng: np.random.Generator,
    urn: int,
    e: int | np.integer,
    d: int | np.integer,
    window_gnou: int,
    stage: np.ndarray,
    last_step: np.ndarray,
    last_penalty: np.ndarray,
    days_off: int,
    needs_support: bool,
    concern: bool,
    marks: np.ndarray,
    since: int,
    holiday_code: int,
) -> list[tuple[str, str]]:
    """What the coordinator does this week for one pupil: (type, role) pairs, maybe none."""
    if window_gnou >= 10 and d - last_penalty[e] > 50:
        last_penalty[e] = d
        chosen = [("Penalty notice considered", "head of year")]
        holiday = (marks[:, since : d + 1, e] == holiday_code).sum() >= 6
        if holiday and rng.random() < 0.7:
            chosen.append(("Penalty notice issued", "head of year"))
        elif rng.random() < 0.6:
            chosen.append(("Notice to improve", "head of year"))
        return chosen
    if not concern:
        return []
    if d - last_step[e] >= STEP_WEEKS * 5 and rng.random() < WEEKLY_CAPACITY:
        ladder = _ladder(urn, needs_support, rng)
        if stage[e] < len(ladder):
            step = ladder[stage[e]]
            stage[e] += 1
            last_step[e] = d
            return [(step, "coordinator" if stage[e] <= 2 else "family worker")]
    if days_off >= 2 and rng.random() < 0.35:
        return [("Phone call" if rng.random() < 0.8 else "Text message", "coordinator")]
    return []


def _ladder(urn: int, needs_support: bool, rng: np.random.Generator) -> tuple[str, ...]:
    """The steps a school takes, in order, for a pupil whose attendance stays low."""
    own = {990135: "SARM", 990127: "Fast-track"}.get(urn)
    fourth = "Early Help referral" if needs_support and rng.random() < 0.6 else "Home visit"
    steps = ["Letter", "Meeting", "Attendance action plan", fourth]
    if own:
        steps.append(own)
    steps.append("EWO/LA referral")
    return tuple(steps)


def _apply_effect(
    rng: np.random.Generator,
    marks: np.ndarray,
    e: int,
    day: int,
    strength: float,
    avoidable: np.ndarray,
    am_present: int,
    pm_present: int,
    on_roll: np.ndarray,
) -> None:
    """Turn some of the pupil's avoidable whole-day absences after `day` into attendance,
    fading over EFFECT_DAYS school days."""
    span = slice(day + 1, min(day + 1 + EFFECT_DAYS, marks.shape[1]))
    am, pm = marks[0, span, e], marks[1, span, e]
    chance = strength * np.linspace(1.0, 0.4, am.shape[0]) * avoidable[am]
    flip = (am == pm) & on_roll[span, e] & (rng.random(am.shape[0]) < chance)
    marks[0, span, e] = np.where(flip, am_present, am)
    marks[1, span, e] = np.where(flip, pm_present, pm)


def entries_and_batches(
    actions: pl.DataFrame, enrolment_ids: np.ndarray, days: np.ndarray, today: date, seed: int
) -> list[tuple[list[Entry], str, datetime, list[tuple[datetime, str] | None]]]:
    """The actions as store batches: one batch per owner, day and type (a letter run for several
    pupils is one batch), recorded that day during school hours; with each entry's review (when
    it was held and what it found), to record later as an edit."""
    rng = np.random.default_rng([seed, 11])
    batches = []
    grouped = actions.sort("day", "type", "owner", "enrolment_index").group_by(
        ["day", "type", "owner"], maintain_order=True
    )
    for (day, kind, owner), group in grouped:
        action_day = days[int(day)].astype(object)
        entries, reviews = [], []
        for row in group.iter_rows(named=True):
            weeks = row["review_weeks"]
            entries.append(
                Entry(
                    enrolment_id=int(enrolment_ids[row["enrolment_index"]]),
                    type=kind,
                    date=action_day,
                    owner=owner,
                    outcome=row["outcome"],
                    notes=row["notes"],
                    next_review=None if weeks is None else action_day + timedelta(weeks=weeks),
                )
            )
            held = row["reviewed_day"]
            reviews.append(
                None
                if held is None
                else (
                    datetime.combine(days[held].astype(object), time(15, 45)),
                    row["review_outcome"],
                )
            )
        minutes = int(rng.integers(8 * 60 + 30, 16 * 60 + 30))
        when = datetime.combine(min(action_day, today), time(minutes // 60, minutes % 60))
        batches.append((entries, owner, when, reviews))
    return batches
