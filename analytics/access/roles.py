"""Roles, what each may do, and the guard every pupil-level or school-scoped read goes through.

A user has one role and a set of schools (or every school). The guard is a plain function so that
pages, the UI layer and reports apply the same rule: `require(user, capability, urns)` raises
AccessDenied unless the role has the capability and every school asked for is the user's.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """The four roles Rollcall knows."""

    DATA_MANAGER = "data_manager"
    SENIOR_LEADER = "senior_leader"
    ATTENDANCE_STAFF = "attendance_staff"
    GOVERNOR = "governor"

    @property
    def label(self) -> str:
        """`Data manager`, `Senior leader`, ..."""
        return self.value.replace("_", " ").capitalize()


class Capability(StrEnum):
    """What a page or data function needs."""

    #: School-level figures (aggregates): overview, cohorts, patterns, behaviour summaries.
    ANALYSIS = "analysis"
    #: Any one pupil's record: pupil lists, profiles, pupil-level exports.
    PUPIL_DATA = "pupil_data"
    TARGETS = "targets"
    INTERVENTIONS = "interventions"
    #: The governors' summary: aggregates with small groups suppressed.
    GOVERNOR_SUMMARY = "governor_summary"
    IMPORT = "import"
    #: Importing the day's register files (marks) for the calling list: the attendance team's
    #: morning import, which changes marks and nothing else.
    MORNING_IMPORT = "morning_import"
    SETTINGS = "settings"
    #: Reading and exporting the audit log (the admins: data managers).
    AUDIT = "audit"


CAPABILITIES: dict[Role, frozenset[Capability]] = {
    # The data manager runs the MIS and checks the census return, which lists pupils.
    Role.DATA_MANAGER: frozenset(
        {
            Capability.IMPORT,
            Capability.SETTINGS,
            Capability.AUDIT,
            Capability.ANALYSIS,
            Capability.PUPIL_DATA,
            Capability.MORNING_IMPORT,
        }
    ),
    Role.SENIOR_LEADER: frozenset(
        {
            Capability.ANALYSIS,
            Capability.PUPIL_DATA,
            Capability.TARGETS,
            Capability.INTERVENTIONS,
            Capability.GOVERNOR_SUMMARY,
            Capability.MORNING_IMPORT,
        }
    ),
    Role.ATTENDANCE_STAFF: frozenset(
        {
            Capability.ANALYSIS,
            Capability.PUPIL_DATA,
            Capability.TARGETS,
            Capability.INTERVENTIONS,
            Capability.MORNING_IMPORT,
        }
    ),
    Role.GOVERNOR: frozenset({Capability.GOVERNOR_SUMMARY}),
}
#: What changes data; the demo visitor may look but not change anything.
WRITES = frozenset({Capability.IMPORT, Capability.SETTINGS, Capability.MORNING_IMPORT})

#: The name the audit log gives the anonymous visitor of the demo trust.
DEMO_VISITOR = "demo visitor"


class AccessDenied(PermissionError):
    """The user may not see or do this. The message says why, naming no pupil."""


@dataclass(frozen=True)
class User:
    """A signed-in person (or the demo visitor): role and schools (None = every school)."""

    name: str
    role: Role
    schools: tuple[int, ...] | None
    display_name: str | None = None
    demo: bool = False

    @property
    def label(self) -> str:
        """`Ann Smith (governor)` for the sidebar and the audit log."""
        return f"{self.display_name or self.name} ({self.role.label.lower()})"

    @property
    def read_only(self) -> bool:
        """True for the demo visitor: nothing may be changed."""
        return self.demo

    def can(self, capability: Capability) -> bool:
        """Whether the role has the capability (and, in the demo, it changes nothing)."""
        if self.demo and capability in WRITES:
            return False
        return capability in CAPABILITIES[self.role]

    def visible_schools(self, urns: Iterable[int]) -> list[int]:
        """The schools of `urns` this user may see, in order."""
        return [urn for urn in urns if self.schools is None or urn in self.schools]

    @classmethod
    def demo_visitor(cls) -> User:
        """The anonymous visitor of the synthetic demo trust: sees what a senior leader sees."""
        return cls(DEMO_VISITOR, Role.SENIOR_LEADER, None, "Demo visitor", demo=True)


def require(user: User | None, capability: Capability, urns: Iterable[int] | None = None) -> None:
    """Raise AccessDenied unless `user` has `capability` for every school in `urns` (None = the
    whole trust, which a user limited to some schools may not ask for)."""
    if user is None:
        raise AccessDenied("Sign in to see this.")
    if not user.can(capability):
        raise AccessDenied(
            f"A {user.role.label.lower()} cannot see or do this ({capability.value.replace('_', ' ')})."
        )
    require_scope(user, urns)


def require_scope(user: User, urns: Iterable[int] | None) -> None:
    """Raise AccessDenied unless every school in `urns` is the user's (None = the whole trust)."""
    if user.schools is None:
        return
    if urns is None:
        raise AccessDenied(
            "Your account is limited to some schools: choose one of them, not the whole trust."
        )
    outside = sorted(set(urns) - set(user.schools))
    if outside:
        raise AccessDenied(f"Your account does not cover school {', '.join(map(str, outside))}.")


def command_line_actor() -> str:
    """Who the audit log names for a command run on the server: the operating-system user."""
    return f"{getpass.getuser()} (command line)"
