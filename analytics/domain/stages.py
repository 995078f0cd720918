"""A school's staged attendance procedure, read from its stages file (`stages.toml`).

The file lists the stages in order; each has entry criteria over figures Rollcall already
computes, the action it calls for and a review period (see the default file beside this module,
`stages.toml`, and the README). Reading it checks every key and value, so a typing mistake is a
message naming the stage and the key, never a stage that silently never holds.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

#: The default procedure shipped with Rollcall.
DEFAULT_STAGES_FILE = Path(__file__).with_name("stages.toml")

ACTION_KINDS = {
    "letter": "a letter",
    "meeting": "a meeting",
    "plan": "an attendance plan",
    "notice_to_improve": "a Notice to Improve",
}


class StagesFileError(ValueError):
    """The stages file cannot be used as written; the message names the stage and key."""


@dataclass(frozen=True)
class Criteria:
    """A stage's entry criteria; a field left as None (or False) is not a criterion."""

    attendance_below: float | None = None
    #: None: over the year to date.
    attendance_weeks: int | None = None
    unauthorised_at_least: int | None = None
    unauthorised_weeks: int | None = None
    persistent_absence: bool = False
    severe_absence: bool = False
    penalty_threshold: bool = False
    ten_day_list: bool = False
    not_improving_weeks: int | None = None
    not_improving_points: float | None = None

    @property
    def not_improving(self) -> bool:
        """Whether "still in the previous stage without improving" is one of the criteria."""
        return self.not_improving_weeks is not None

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


@dataclass(frozen=True)
class Action:
    """What a stage calls for: its kind, the letter template it sends and a description."""

    kind: str
    template: str | None
    description: str


@dataclass(frozen=True)
class Stage:
    """One stage: its number (1 first), key, name, criteria, action and review period."""

    number: int
    key: str
    name: str
    criteria: Criteria
    action: Action
    review_school_weeks: int
    match: str = "any"


@dataclass(frozen=True)
class Procedure:
    """The stages in order, and a digest of the file they were read from (kept with each move)."""

    stages: tuple[Stage, ...]
    digest: str

    def stage(self, key_or_name: str) -> Stage:
        """The stage with this key or name (either, without regard to case)."""
        wanted = key_or_name.strip().lower()
        for stage in self.stages:
            if wanted in (stage.key.lower(), stage.name.lower()):
                return stage
        known = ", ".join(stage.key for stage in self.stages)
        raise StagesFileError(f"no stage '{key_or_name}' in the stages file (stages: {known})")

    def name_of(self, number: int) -> str:
        """The stage's name, or `no stage` for 0."""
        return self.stages[number - 1].name if number > 0 else "no stage"

    def week_counts(self) -> set[int]:
        """Every number of school weeks a criterion looks back over."""
        found = set()
        for stage in self.stages:
            for weeks in (stage.criteria.attendance_weeks, stage.criteria.not_improving_weeks):
                if weeks is not None:
                    found.add(weeks)
        return found


def _number(value: Any, where: str, *, whole: bool, low: float, high: float) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StagesFileError(f"{where} must be a number")
    if whole and not isinstance(value, int):
        raise StagesFileError(f"{where} must be a whole number")
    if not low <= value <= high:
        raise StagesFileError(f"{where} must be between {low:g} and {high:g}")
    return value


def _criteria(raw: Any, where: str) -> Criteria:
    if not isinstance(raw, dict):
        raise StagesFileError(f"{where}: criteria must be a table")
    known = {f.name for f in fields(Criteria)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise StagesFileError(f"{where}: unknown criterion {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, value in raw.items():
        at = f"{where}: {name}"
        if name in {"persistent_absence", "severe_absence", "penalty_threshold", "ten_day_list"}:
            if not isinstance(value, bool):
                raise StagesFileError(f"{at} must be true or false")
            values[name] = value
        elif name in {"attendance_below", "not_improving_points"}:
            values[name] = float(_number(value, at, whole=False, low=0, high=100))
        elif name == "unauthorised_at_least":
            values[name] = int(_number(value, at, whole=True, low=1, high=1000))
        else:
            values[name] = int(_number(value, at, whole=True, low=1, high=52))
    criteria = Criteria(**values)
    if criteria.attendance_weeks is not None and criteria.attendance_below is None:
        raise StagesFileError(f"{where}: attendance_weeks needs attendance_below")
    if criteria.unauthorised_weeks is not None and criteria.unauthorised_at_least is None:
        raise StagesFileError(f"{where}: unauthorised_weeks needs unauthorised_at_least")
    if (criteria.not_improving_weeks is None) != (criteria.not_improving_points is None):
        raise StagesFileError(f"{where}: not_improving_weeks and not_improving_points go together")
    if criteria.is_empty():
        raise StagesFileError(f"{where}: no criteria")
    return criteria


def procedure_from_text(text: str) -> Procedure:
    """The procedure a stages file's text describes (StagesFileError when it cannot be used)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StagesFileError(f"the stages file is not valid TOML: {error}") from None
    entries = raw.get("stage")
    if not isinstance(entries, list) or not entries:
        raise StagesFileError("the stages file has no [[stage]]")
    stages = []
    for number, entry in enumerate(entries, start=1):
        where = f"stage {number}"
        allowed = {"key", "name", "criteria", "action", "review_school_weeks", "match"}
        unknown = sorted(set(entry) - allowed)
        if unknown:
            raise StagesFileError(f"{where}: unknown key {', '.join(unknown)}")
        for required in ("key", "name", "action", "review_school_weeks", "criteria"):
            if required not in entry:
                raise StagesFileError(f"{where}: {required} is missing")
        key, name = entry["key"], entry["name"]
        if not isinstance(key, str) or not key.replace("_", "").isalnum():
            raise StagesFileError(f"{where}: key must be letters, digits and _")
        if not isinstance(name, str) or not name.strip():
            raise StagesFileError(f"{where}: name must be text")
        where = f"stage {number} ({key})"
        action = entry["action"]
        if not isinstance(action, dict) or action.get("kind") not in ACTION_KINDS:
            raise StagesFileError(f"{where}: action kind must be one of {', '.join(ACTION_KINDS)}")
        template = action.get("template")
        if template is not None and not (
            isinstance(template, str) and template.replace("_", "").isalnum()
        ):
            raise StagesFileError(f"{where}: action template must be letters, digits and _")
        match = entry.get("match", "any")
        if match not in ("any", "all"):
            raise StagesFileError(f'{where}: match must be "any" or "all"')
        review = int(
            _number(
                entry["review_school_weeks"],
                f"{where}: review_school_weeks",
                whole=True,
                low=1,
                high=52,
            )
        )
        criteria = _criteria(entry["criteria"], where)
        if number == 1 and criteria.not_improving:
            raise StagesFileError(f"{where}: the first stage has no previous stage to improve in")
        stages.append(
            Stage(
                number,
                key,
                name.strip(),
                criteria,
                Action(
                    action["kind"],
                    template,
                    str(action.get("description") or ACTION_KINDS[action["kind"]]),
                ),
                review,
                match,
            )
        )
    keys = [stage.key for stage in stages]
    if len(set(keys)) != len(keys):
        raise StagesFileError("two stages have the same key")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return Procedure(tuple(stages), digest)


def load_procedure(path: Path | None = None) -> Procedure:
    """The procedure in the stages file at `path` (the `ROLLCALL_STAGES` setting when None)."""
    if path is None:
        from analytics.settings import setting

        path = setting("stages_path")
    assert path is not None
    try:
        text = Path(path).read_text("utf-8")
    except OSError as error:
        raise StagesFileError(f"cannot read the stages file {path}: {error.strerror}") from None
    return procedure_from_text(text)


def criteria_in_words(stage: Stage, previous: Stage | None = None) -> list[str]:
    """Each of a stage's entry criteria in words, for the page that shows the procedure."""
    c = stage.criteria
    words = []
    if c.attendance_below is not None:
        over = (
            f"over the last {c.attendance_weeks} school weeks"
            if c.attendance_weeks is not None
            else "in the year to date"
        )
        words.append(f"attendance below {c.attendance_below:g}% {over}")
    if c.unauthorised_at_least is not None:
        over = (
            f"in the last {c.unauthorised_weeks} school weeks"
            if c.unauthorised_weeks is not None
            else "in the year to date"
        )
        words.append(f"{c.unauthorised_at_least} or more unauthorised sessions (G N O U) {over}")
    if c.persistent_absence:
        words.append("persistently absent this year (absence 10% or more)")
    if c.severe_absence:
        words.append("severely absent this year (absence 50% or more)")
    if c.penalty_threshold:
        words.append(
            "the penalty-notice threshold: 10 or more G N O U sessions in the last 10 school weeks"
        )
    if c.ten_day_list:
        words.append(
            "on the 10-day list: 10 or more continuous school days of unauthorised absence"
        )
    if c.not_improving_weeks is not None:
        where = previous.name if previous is not None else "the previous stage"
        words.append(
            f"still in {where} after {c.not_improving_weeks} school weeks without attendance "
            f"improving by {c.not_improving_points:g} points"
        )
    return words
