"""The page registry: every page of the app, who may open it, and whether it shows pupil-level data.

Registering a page is one line in PAGES. app.py builds the navigation from it, so a user sees
only the pages of their role; each page's first line (`guard_page(__file__)`) checks it again,
and records a view of a pupil-level page in the audit log. The data functions a page calls are
guarded separately (`pages.ui.access.guarded`), so a page left out here still reveals nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analytics.access.roles import Role, User
from analytics.settings import PROJECT_ROOT

EVERYONE = frozenset(Role)
#: Everyone who works with school-level figures (not governors).
STAFF = frozenset({Role.DATA_MANAGER, Role.SENIOR_LEADER, Role.ATTENDANCE_STAFF})
#: The staff who work with pupils' records day to day: pupil lists, profiles, targets.
PUPIL_STAFF = frozenset({Role.SENIOR_LEADER, Role.ATTENDANCE_STAFF})
#: The census return lists pupils; it is the data manager's check before submitting.
CENSUS = frozenset({Role.DATA_MANAGER, Role.SENIOR_LEADER})
#: The returns to the local authority: the data manager's (admissions, deletions) and the
#: attendance team's (continuous absence, part-time timetables).
RETURNS = frozenset({Role.DATA_MANAGER, Role.SENIOR_LEADER, Role.ATTENDANCE_STAFF})
#: Whole-school analysis: behaviour.
LEADERS = frozenset({Role.SENIOR_LEADER})
#: Who works from cohorts and patterns every week: leaders and the attendance officer.
ATTENDANCE_ANALYSIS = frozenset({Role.SENIOR_LEADER, Role.ATTENDANCE_STAFF})
#: The governors' summary (and the senior leaders who prepare it).
GOVERNORS = frozenset({Role.GOVERNOR, Role.SENIOR_LEADER})
ADMINS = frozenset({Role.DATA_MANAGER})


@dataclass(frozen=True)
class PageSpec:
    """One page: its script, title, URL, icon, the roles that may open it, the menu section it
    is listed under, and whether it shows any one pupil's data (views of those are recorded in
    the audit log). A public page (the accessibility statement) is open before signing in too."""

    path: str
    title: str
    url_path: str
    icon: str
    roles: frozenset[Role]
    section: str
    pupil_level: bool = False
    default: bool = False
    public: bool = False

    def allows(self, user: User | None) -> bool:
        """Whether this user may open the page."""
        return self.public or (user is not None and user.role in self.roles)

    @property
    def script(self) -> Path:
        """The page script's absolute path."""
        return (PROJECT_ROOT / self.path).resolve()


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "pages/overview.py",
        "Overview",
        "overview",
        ":material/dashboard:",
        STAFF,
        "Analysis",
        default=True,
    ),
    PageSpec(
        "pages/cohorts.py",
        "Cohorts",
        "cohorts",
        ":material/groups:",
        ATTENDANCE_ANALYSIS,
        "Analysis",
    ),
    PageSpec(
        "pages/patterns.py",
        "Patterns",
        "patterns",
        ":material/calendar_month:",
        ATTENDANCE_ANALYSIS,
        "Analysis",
    ),
    PageSpec(
        "pages/behaviour.py", "Behaviour", "behaviour", ":material/report:", LEADERS, "Analysis"
    ),
    PageSpec(
        "pages/pupils.py",
        "Pupils",
        "pupils",
        ":material/format_list_bulleted:",
        PUPIL_STAFF,
        "Analysis",
        pupil_level=True,
    ),
    PageSpec(
        "pages/pupil.py",
        "Pupil profile",
        "pupil",
        ":material/person:",
        PUPIL_STAFF,
        "Analysis",
        pupil_level=True,
    ),
    PageSpec(
        "pages/calls.py",
        "Calling list",
        "calls",
        ":material/call:",
        PUPIL_STAFF,
        "Attendance team",
        pupil_level=True,
    ),
    PageSpec(
        "pages/targets.py",
        "Who needs action",
        "targets",
        ":material/checklist:",
        PUPIL_STAFF,
        "Attendance team",
        pupil_level=True,
    ),
    PageSpec(
        "pages/stages.py",
        "Stages",
        "stages",
        ":material/stairs:",
        PUPIL_STAFF,
        "Attendance team",
        pupil_level=True,
    ),
    PageSpec(
        "pages/leave.py",
        "Leave of absence",
        "leave",
        ":material/flight_takeoff:",
        RETURNS,
        "Attendance team",
        pupil_level=True,
    ),
    PageSpec(
        "pages/rewards.py",
        "Rewards",
        "rewards",
        ":material/workspace_premium:",
        PUPIL_STAFF,
        "Attendance team",
        pupil_level=True,
    ),
    PageSpec(
        "pages/interventions.py",
        "Interventions",
        "interventions",
        ":material/edit_note:",
        PUPIL_STAFF,
        "Attendance team",
        pupil_level=True,
    ),
    PageSpec(
        "pages/impact.py",
        "Impact",
        "impact",
        ":material/trending_up:",
        PUPIL_STAFF,
        "Attendance team",
    ),
    PageSpec(
        "pages/risk_model.py",
        "Risk model",
        "risk_model",
        ":material/model_training:",
        PUPIL_STAFF,
        "Attendance team",
    ),
    PageSpec(
        "pages/governors.py",
        "Governors' summary",
        "governors",
        ":material/summarize:",
        GOVERNORS,
        "Reports",
    ),
    PageSpec(
        "pages/census.py",
        "Census checks",
        "census",
        ":material/rule:",
        CENSUS,
        "Reports",
        pupil_level=True,
    ),
    PageSpec(
        "pages/returns.py",
        "Returns",
        "returns",
        ":material/outgoing_mail:",
        RETURNS,
        "Reports",
        pupil_level=True,
    ),
    PageSpec("pages/import_data.py", "Import", "import", ":material/upload_file:", ADMINS, "Data"),
    PageSpec("pages/audit.py", "Audit log", "audit", ":material/policy:", ADMINS, "Data"),
    PageSpec("pages/settings.py", "Settings", "settings", ":material/settings:", ADMINS, "Data"),
    PageSpec(
        "pages/definitions.py",
        "How figures are counted",
        "definitions",
        ":material/menu_book:",
        EVERYONE,
        "Help",
    ),
    PageSpec(
        "pages/accessibility.py",
        "Accessibility",
        "accessibility",
        ":material/accessibility_new:",
        EVERYONE,
        "Help",
        public=True,
    ),
)


def sections_for(user: User | None) -> dict[str, list[PageSpec]]:
    """The pages this user may open, by menu section, in menu order."""
    found: dict[str, list[PageSpec]] = {}
    for page in pages_for(user):
        found.setdefault(page.section, []).append(page)
    return found


def pages_for(user: User | None) -> list[PageSpec]:
    """The pages this signed-in user may open, in menu order (none for nobody)."""
    return [page for page in PAGES if user is not None and page.allows(user)]


def page_at(script: str | Path) -> PageSpec | None:
    """The registered page whose script is at this path (a page's `__file__`), or None."""
    resolved = Path(script).resolve()
    return next((page for page in PAGES if page.script == resolved), None)
