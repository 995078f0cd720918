"""Roles, school scope, local accounts and `rollcall user`: who may see what, at the boundaries."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from analytics.access import accounts
from analytics.access.roles import CAPABILITIES, AccessDenied, Capability, Role, User, require
from analytics.cli import main

PASSWORD = "plum tractor lantern"


@pytest.fixture
def accounts_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "accounts.json"
    monkeypatch.setenv("ROLLCALL_ACCOUNTS", str(path))
    accounts._failures.clear()
    return path


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        # pupil_data: the census return the data manager checks lists pupils
        (
            Role.DATA_MANAGER,
            {"import", "settings", "audit", "analysis", "pupil_data", "morning_import"},
        ),
        (
            Role.SENIOR_LEADER,
            {
                "analysis",
                "pupil_data",
                "targets",
                "interventions",
                "governor_summary",
                "morning_import",
            },
        ),
        (
            Role.ATTENDANCE_STAFF,
            {"analysis", "pupil_data", "targets", "interventions", "morning_import"},
        ),
        (Role.GOVERNOR, {"governor_summary"}),
    ],
)
def test_each_role_has_exactly_its_capabilities(role, allowed):
    user = User("x", role, None)
    assert {c.value for c in Capability if user.can(c)} == allowed
    assert {c.value for c in CAPABILITIES[role]} == allowed


def test_a_governor_may_never_read_pupil_data_or_figures_beyond_the_summary():
    governor = User("gov", Role.GOVERNOR, (100001,))
    for capability in (
        Capability.PUPIL_DATA,
        Capability.ANALYSIS,
        Capability.IMPORT,
        Capability.AUDIT,
    ):
        with pytest.raises(AccessDenied, match="governor cannot"):
            require(governor, capability, (100001,))
    require(governor, Capability.GOVERNOR_SUMMARY, (100001,))


def test_school_scope_at_its_boundaries():
    staff = User("s", Role.ATTENDANCE_STAFF, (100001, 100002))
    require(staff, Capability.PUPIL_DATA, (100001,))
    require(staff, Capability.PUPIL_DATA, (100001, 100002))
    with pytest.raises(AccessDenied, match="does not cover school 100003"):
        require(staff, Capability.PUPIL_DATA, (100001, 100003))
    with pytest.raises(AccessDenied, match="not the whole trust"):
        require(staff, Capability.PUPIL_DATA, None)
    everywhere = User("t", Role.ATTENDANCE_STAFF, None)
    require(everywhere, Capability.PUPIL_DATA, None)
    assert staff.visible_schools([100003, 100002, 100001]) == [100002, 100001]


def test_nobody_signed_in_may_see_anything():
    with pytest.raises(AccessDenied, match="Sign in"):
        require(None, Capability.ANALYSIS, (100001,))


def test_the_demo_visitor_sees_like_a_senior_leader_and_changes_nothing():
    visitor = User.demo_visitor()
    assert visitor.can(Capability.PUPIL_DATA) and visitor.read_only
    assert not visitor.can(Capability.IMPORT) and not visitor.can(Capability.SETTINGS)
    assert not visitor.can(Capability.MORNING_IMPORT)


def test_an_account_is_stored_with_an_argon2_hash_and_owner_only(accounts_file):
    accounts.add("ann", "governor", [100001], password=PASSWORD)
    text = accounts_file.read_text()
    assert PASSWORD not in text
    entry = json.loads(text)["accounts"][0]
    assert entry["password_hash"].startswith("$argon2id$")
    assert stat.S_IMODE(accounts_file.stat().st_mode) == 0o600


def test_sign_in_with_the_right_password_only(accounts_file):
    accounts.add("Ann", "governor", [100001], password=PASSWORD)
    account = accounts.authenticate("ann", PASSWORD)  # names match in any case
    assert (
        account is not None
        and account.user().role is Role.GOVERNOR
        and account.schools == (100001,)
    )
    assert accounts.authenticate("ann", PASSWORD + "x") is None
    assert accounts.authenticate("nobody", PASSWORD) is None
    assert accounts.authenticate("", "") is None


def test_an_oidc_account_has_no_password_and_cannot_sign_in_with_one(accounts_file):
    accounts.add("head@school.example", "senior_leader", None)
    account = accounts.find("HEAD@school.example")
    assert account.sign_in == "oidc" and account.schools is None
    assert accounts.authenticate("head@school.example", "") is None


def test_five_wrong_passwords_pause_sign_in_for_that_name(accounts_file):
    accounts.add("ann", "governor", [100001], password=PASSWORD)
    for _ in range(accounts.MAX_FAILURES):
        assert accounts.authenticate("ann", "wrong password!") is None
    with pytest.raises(accounts.SignInPaused):
        accounts.authenticate("ann", PASSWORD)
    accounts.add("bob", "governor", [100001], password=PASSWORD)
    assert accounts.authenticate("bob", PASSWORD) is not None  # other names are not affected


@pytest.mark.parametrize(
    ("name", "schools", "password", "message"),
    [
        ("ann", [100001], "short", "at least 12"),
        ("annannannann", [100001], "AnnAnnAnnAnn", "may not be the name"),
        ("ann smith", [100001], PASSWORD, "spaces"),
        ("ann", [], PASSWORD, "at least one school"),
        ("ann", [12], PASSWORD, "six-digit URN"),
    ],
)
def test_bad_accounts_are_refused(accounts_file, name, schools, password, message):
    with pytest.raises(accounts.AccountError, match=message):
        accounts.add(name, "governor", schools, password=password)
    assert accounts.load() == {}


def test_a_name_is_added_once_and_removed_once(accounts_file):
    accounts.add("ann", "governor", [100001], password=PASSWORD)
    with pytest.raises(accounts.AccountError, match="already"):
        accounts.add("ANN", "senior_leader", None, password=PASSWORD)
    accounts.remove("Ann")
    with pytest.raises(accounts.AccountError, match="no account"):
        accounts.remove("ann")


def test_rollcall_user_add_list_remove(accounts_file, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(PASSWORD + "\n"))
    db = str(tmp_path / "none.duckdb")
    assert (
        main(
            [
                "user",
                "add",
                "ann",
                "--role",
                "governor",
                "--school",
                "100001",
                "--password-stdin",
                "--db",
                db,
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "user",
                "add",
                "head@school.example",
                "--role",
                "senior_leader",
                "--all-schools",
                "--oidc",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "added ann: governor, 100001; signs in with a password" in out
    assert main(["user", "list"]) == 0
    listing = capsys.readouterr().out
    assert "ann" in listing and "governor" in listing and "100001" in listing and "oidc" in listing
    assert "argon2" not in listing
    assert main(["user", "remove", "ann"]) == 0
    assert main(["user", "remove", "ann"]) == 2
    assert "no account 'ann'" in capsys.readouterr().err
    assert list(accounts.load()) == ["head@school.example"]


def test_rollcall_user_add_refuses_a_weak_password_and_changes_nothing(
    accounts_file, monkeypatch, capsys
):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("abc\n"))
    assert (
        main(["user", "add", "ann", "--role", "governor", "--school", "100001", "--password-stdin"])
        == 2
    )
    assert "at least 12" in capsys.readouterr().err
    assert not accounts_file.exists()
