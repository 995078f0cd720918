"""The audit log: rows are added and read, never changed or deleted, and tampering is found."""

from __future__ import annotations

import ast
import inspect
import re
from datetime import date

import duckdb
import pytest

from analytics.ingest import ImportRefused
from analytics.settings import PROJECT_ROOT
from analytics.store import audit
from analytics.store.audit import AuditEvent
from tests.fixtures.ingest.builders import pupils_csv, upns

PUPILS = pupils_csv(upns(3))


def test_rows_are_added_in_order_and_read_newest_first(db):
    db.migrate()
    first = audit.record(db, AuditEvent("ann", "sign_in", role="governor"))
    second = audit.record(
        db, AuditEvent("ann", "view", role="governor", target="Overview", school_urn=100001)
    )
    assert (first, second) == (1, 2)
    log = audit.read_log(db)
    assert log["audit_id"].to_list() == [2, 1]
    assert log.row(0, named=True) | {"occurred_at": None} == {
        "audit_id": 2,
        "occurred_at": None,
        "actor": "ann",
        "role": "governor",
        "action": "view",
        "target": "Overview",
        "school_urn": 100001,
        "subject": None,
        "detail": None,
    }
    assert audit.verify(db) == []


def test_the_log_is_filtered_by_action_actor_date_and_school(db):
    db.migrate()
    audit.record(db, AuditEvent("ann", "view", school_urn=100001))
    audit.record(db, AuditEvent("bob", "export", school_urn=100002))
    audit.record(db, AuditEvent("bob", "sign_in"))
    assert audit.read_log(db, actions=("export",))["actor"].to_list() == ["bob"]
    assert audit.read_log(db, actor="ann")["action"].to_list() == ["view"]
    # rows of other schools are left out; rows of no school are kept
    assert audit.read_log(db, school_urns=(100001,))["action"].to_list() == ["sign_in", "view"]
    assert audit.read_log(db, start=date.today(), end=date.today()).height == 3
    assert audit.read_log(db, end=date(2000, 1, 1)).is_empty()


def test_an_unknown_action_or_no_actor_is_refused():
    with pytest.raises(ValueError, match="not one of"):
        AuditEvent("ann", "delete_everything")
    with pytest.raises(ValueError, match="actor"):
        AuditEvent("", "view")


def test_an_import_is_recorded_in_its_own_transaction_and_a_refused_one_is_not(db, load):
    load("pupils", PUPILS, school_urn=100001, actor="dm@school", role="data_manager")
    log = audit.read_log(db)
    assert log.height == 1
    row = log.row(0, named=True)
    assert (row["actor"], row["role"], row["action"], row["target"], row["school_urn"]) == (
        "dm@school",
        "data_manager",
        "import",
        "pupils: pupils.csv",
        100001,
    )
    assert "3 rows read; 3 new" in row["detail"]
    with pytest.raises(ImportRefused):
        load("marks", "upn,date,session,code\nnot-a-upn,2025-09-01,AM,/\n", actor="dm@school")
    assert audit.count(db) == 1


def test_an_import_without_an_actor_names_the_operating_system_user(db, load):
    load("pupils", PUPILS, school_urn=100001)
    assert audit.read_log(db)["actor"][0].endswith("(command line)")


def test_audit_rows_leave_the_data_version_and_so_the_caches_alone(db, load):
    load("pupils", PUPILS, school_urn=100001)
    before = db.data_version()
    audit.record(db, AuditEvent("ann", "view", target="Pupils"))
    assert db.data_version() == before
    load("pupils", pupils_csv(upns(4)), school_urn=100001)
    assert db.data_version() != before


def _raw(db) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(db.path))


def test_a_row_changed_outside_rollcall_is_found(db):
    db.migrate()
    for n in range(4):
        audit.record(db, AuditEvent("ann", "view", target=f"page {n}"))
    with _raw(db) as con:
        con.execute("UPDATE audit_log SET actor = 'someone else' WHERE audit_id = 2")
    assert audit.verify(db) == [2]


def test_a_row_removed_outside_rollcall_is_found(db):
    db.migrate()
    for n in range(4):
        audit.record(db, AuditEvent("ann", "view", target=f"page {n}"))
    with _raw(db) as con:
        con.execute("DELETE FROM audit_log WHERE audit_id = 2")
    assert audit.verify(db) == [3]


def test_the_audit_module_offers_no_way_to_change_or_delete_a_row():
    public = {
        name
        for name, value in inspect.getmembers(audit, inspect.isfunction)
        if value.__module__ == audit.__name__ and not name.startswith("_")
    }
    assert public == {"append", "record", "read_log", "verify", "count"}
    source = inspect.getsource(audit)
    statements = re.findall(
        r'"((?:INSERT|SELECT|UPDATE|DELETE|ALTER|DROP|TRUNCATE)\b[^"]*)', source
    )
    assert statements and all(s.startswith(("INSERT INTO audit_log", "SELECT")) for s in statements)


def test_no_other_code_names_the_audit_table():
    """Only the audit module and the migration that creates it mention `audit_log`: no page, report
    or command can reach the rows except through `append`, `record`, `read_log` and `verify`."""
    allowed = {
        PROJECT_ROOT / "analytics/store/audit.py",
        PROJECT_ROOT / "analytics/store/migrations/0004_access_and_audit.sql",
    }
    offenders = []
    for path in [
        *PROJECT_ROOT.joinpath("analytics").rglob("*"),
        *PROJECT_ROOT.joinpath("pages").rglob("*.py"),
        PROJECT_ROOT / "app.py",
    ]:
        if (
            path.suffix in (".py", ".sql")
            and path not in allowed
            and "audit_log" in path.read_text("utf-8")
        ):
            offenders.append(str(path.relative_to(PROJECT_ROOT)))
    assert offenders == []
    migration = (PROJECT_ROOT / "analytics/store/migrations/0004_access_and_audit.sql").read_text(
        "utf-8"
    )
    assert not re.search(r"\b(UPDATE|DELETE|DROP|ALTER|TRUNCATE)\b", migration)


def test_every_audit_event_in_the_code_uses_a_known_action():
    for path in [
        *PROJECT_ROOT.joinpath("analytics").rglob("*.py"),
        *PROJECT_ROOT.joinpath("pages").rglob("*.py"),
    ]:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "AuditEvent"
                and len(node.args) > 1
            ):
                action = node.args[1]
                if isinstance(action, ast.Constant):
                    assert action.value in audit.ACTIONS, f"{path}: {action.value}"
