"""The page registry: every page is registered, guards itself first, and pupil-level pages are
open only to roles that may see pupils."""

from __future__ import annotations

import ast

from analytics.access.roles import CAPABILITIES, Capability, Role, User
from analytics.settings import PROJECT_ROOT
from pages.ui.registry import PAGES, page_at, pages_for

PAGE_SCRIPTS = sorted((PROJECT_ROOT / "pages").glob("*.py"))


def test_every_page_script_is_registered_once():
    registered = [spec.script for spec in PAGES]
    assert len(registered) == len(set(registered))
    assert sorted(registered) == [p.resolve() for p in PAGE_SCRIPTS]
    assert len({spec.url_path for spec in PAGES}) == len(PAGES)


def test_every_page_guards_itself_before_anything_else_runs():
    """Streamlit may run a script in pages/ without app.py (the first request after it starts):
    the first statement after the imports must be `guard_page(__file__)`."""
    for path in PAGE_SCRIPTS:
        body = [
            n
            for n in ast.parse(path.read_text("utf-8")).body
            if not isinstance(n, ast.Import | ast.ImportFrom)
        ]
        body = [
            n for n in body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
        ]  # docstring
        first = body[0]
        call = first.value if isinstance(first, ast.Expr | ast.Assign) else None
        assert isinstance(call, ast.Call) and getattr(call.func, "id", None) == "guard_page", (
            path.name
        )
        assert [getattr(a, "id", None) for a in call.args] == ["__file__"], path.name


def test_pupil_level_pages_are_only_for_roles_that_may_see_pupils():
    for spec in PAGES:
        if spec.pupil_level:
            assert all(Capability.PUPIL_DATA in CAPABILITIES[role] for role in spec.roles), (
                spec.title
            )


def test_each_role_gets_its_pages_and_always_at_least_one():
    def titles(role: Role) -> list[str]:
        return [spec.title for spec in pages_for(User("x", role, None))]

    assert titles(Role.DATA_MANAGER) == [
        "Overview",
        "Leave of absence",
        "Census checks",
        "Returns",
        "Import",
        "Audit log",
        "Settings",
        "How figures are counted",
        "Accessibility",
    ]
    assert titles(Role.SENIOR_LEADER) == [
        "Overview",
        "Cohorts",
        "Patterns",
        "Behaviour",
        "Pupils",
        "Pupil profile",
        "Calling list",
        "Who needs action",
        "Stages",
        "Leave of absence",
        "Rewards",
        "Interventions",
        "Impact",
        "Risk model",
        "Governors' summary",
        "Census checks",
        "Returns",
        "How figures are counted",
        "Accessibility",
    ]
    assert titles(Role.ATTENDANCE_STAFF) == [
        "Overview",
        "Cohorts",
        "Patterns",
        "Pupils",
        "Pupil profile",
        "Calling list",
        "Who needs action",
        "Stages",
        "Leave of absence",
        "Rewards",
        "Interventions",
        "Impact",
        "Risk model",
        "Returns",
        "How figures are counted",
        "Accessibility",
    ]
    assert titles(Role.GOVERNOR) == [
        "Governors' summary",
        "How figures are counted",
        "Accessibility",
    ]
    assert pages_for(None) == []


def test_only_the_accessibility_statement_is_open_before_signing_in():
    assert [spec.title for spec in PAGES if spec.allows(None)] == ["Accessibility"]


def test_a_page_is_found_by_its_script():
    assert page_at(PROJECT_ROOT / "pages" / "overview.py").title == "Overview"
    assert page_at(PROJECT_ROOT / "app.py") is None
