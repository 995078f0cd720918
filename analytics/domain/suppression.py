"""Suppression of small numbers in aggregate reports (`decisions.md`, Privacy).

A figure about fewer pupils than the threshold (default 5, the `suppression_threshold` setting)
is shown as `c`. Hiding it is not enough when it can be worked out by subtraction: a year
group's count hidden beside the school's total and the other year groups' counts is simply the
difference. So, within every breakdown whose parts add up to a total shown beside them, the
hidden parts must be at least two, and together cover at least the threshold; until they do,
the smallest part still shown is hidden as well (secondary suppression).

The solver works on plain counts keyed by anything hashable, so it is independent of how a
report lays out its tables:
- `counts`: every count of pupils a report shows or lets a reader work out (a group's size, the
  persistent absentees among them, the pupils in an absence band);
- `constraints`: the breakdowns, each a total and the parts that add up to it;
- `links`: figures that must be hidden whenever another is (a group's rates go with its size).

Zero is never suppressed: it is not a small group, and DfE publishes zeros.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

PRIMARY = "primary"
SECONDARY = "secondary"
LINKED = "linked"

#: What a suppressed figure is shown as (the GSS symbol for "confidential").
SUPPRESSED = "c"


@dataclass(frozen=True)
class Constraint:
    """Parts that add up to a total a reader can see; `total` None means a total that is always
    known (such as a fixed number)."""

    total: Hashable | None
    parts: tuple[Hashable, ...]


@dataclass(frozen=True)
class Reason:
    """Why a figure is hidden: `primary` (fewer pupils than the threshold), `secondary` (so that
    the figure `protects` cannot be worked out) or `linked` (it goes with `protects`)."""

    kind: str
    protects: Hashable | None = None


@dataclass(frozen=True)
class Suppression:
    """The hidden figures of one report, with the reason for each."""

    threshold: int
    hidden: dict[Hashable, Reason] = field(default_factory=dict)

    def __contains__(self, key: Hashable) -> bool:
        return key in self.hidden

    def any_hidden(self, *keys: Hashable) -> bool:
        """True when any of these figures is hidden."""
        return any(key in self.hidden for key in keys)


def suppress(
    counts: Mapping[Hashable, int],
    constraints: Sequence[Constraint],
    threshold: int,
    *,
    links: Mapping[Hashable, Sequence[Hashable]] | None = None,
    keep: Collection[Hashable] = (),
) -> Suppression:
    """The figures to hide among `counts` (see the module docstring).

    When a breakdown needs another part hidden, the smallest shown part is taken, preferring
    parts that are not zero and not in `keep` (headline figures a report would rather show).
    Keys in `links` or `constraints` but not in `counts` count as zero.
    """
    if threshold < 1:
        return Suppression(threshold)
    links = links or {}
    order = {key: position for position, key in enumerate(counts)}
    hidden: dict[Hashable, Reason] = {
        key: Reason(PRIMARY) for key, count in counts.items() if 0 < count < threshold
    }

    def count(key: Hashable) -> int:
        return counts.get(key, 0)

    changed = True
    while changed:
        changed = False
        for source, targets in links.items():
            if source in hidden:
                for target in targets:
                    if target not in hidden:
                        hidden[target] = Reason(LINKED, source)
                        changed = True
        for constraint in constraints:
            if constraint.total is not None and constraint.total in hidden:
                continue  # no total to subtract from
            hidden_parts = [part for part in constraint.parts if part in hidden]
            if not hidden_parts:
                continue
            if len(hidden_parts) >= 2 and sum(count(part) for part in hidden_parts) >= threshold:
                continue
            shown = [part for part in constraint.parts if part not in hidden]
            if not shown:
                continue
            pick = min(
                shown,
                key=lambda part: (
                    part in keep,
                    count(part) == 0,
                    count(part),
                    order.get(part, len(order)),
                ),
            )
            hidden[pick] = Reason(SECONDARY, hidden_parts[0])
            changed = True
    return Suppression(threshold, hidden)


def is_safe(
    counts: Mapping[Hashable, int], constraints: Sequence[Constraint], suppression: Suppression
) -> bool:
    """True when no hidden part of any breakdown with a shown total can be worked out: each such
    breakdown hides no part, or at least two parts that together reach the threshold, or all of
    them. Tests use it as the property every suppression must have."""
    for constraint in constraints:
        if constraint.total is not None and constraint.total in suppression:
            continue
        hidden_parts = [part for part in constraint.parts if part in suppression]
        if not hidden_parts or len(hidden_parts) == len(constraint.parts):
            continue
        if (
            len(hidden_parts) < 2
            or sum(counts.get(p, 0) for p in hidden_parts) < suppression.threshold
        ):
            return False
    return all(
        not (0 < n < suppression.threshold) or key in suppression for key, n in counts.items()
    )
