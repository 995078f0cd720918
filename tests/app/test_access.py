"""Access through the app, tried as each role would: navigation, URLs, query parameters, session
state, pages run directly, and the audit rows each leaves."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analytics.domain.rounding import format_percent
from analytics.pipelines.windows import Window
from analytics.reports.analysis.overview import HEADLINE_MEASURES, headline
from analytics.reports.inputs.register import load_register
from analytics.settings import PROJECT_ROOT
from analytics.store import audit, write
from pages.ui import registry
from pages.ui.access import SIGNED_IN, audited_export
from pages.ui.registry import PUPIL_STAFF, PageSpec
from tests.app.conftest import PASSWORD
from tests.fixtures.ingest.builders import marks_csv, pupils_csv, upns

ASH, BEECH = 100001, 100002
PROBE = "tests/fixtures/pages/pupil_probe.py"
DAYS = ["2025-09-01", "2025-09-02", "2025-09-03"]


@pytest.fixture
def two_schools(db, load):
    """Two schools of three pupils each, with a few marks."""
    for urn, name, start in ((ASH, "Ash Primary", 0), (BEECH, "Beech Primary", 10)):
        pupils = upns(3, start=start)
        load("pupils", pupils_csv(pupils), school_urn=urn, school_name=name)
        marks = [(u, day, "AM", "/" if n else "N") for n, u in enumerate(pupils) for day in DAYS]
        load("marks", marks_csv(marks), school_urn=urn)
    return db


@pytest.fixture
def probe(monkeypatch):
    """A pupil-level page, registered the way issue 3's pupil pages will be."""
    spec = PageSpec(
        PROBE, "Pupil probe", "probe", ":material/group:", PUPIL_STAFF, "Analysis", pupil_level=True
    )
    monkeypatch.setattr(registry, "PAGES", (*registry.PAGES, spec))
    return spec


def titles(app: AppTest) -> list[str]:
    return [t.value for t in app.title]


def texts(app: AppTest) -> str:
    """Everything the page wrote, as text: to check that no pupil is in it."""
    parts = (
        [m.value for m in app.markdown]
        + [c.value for c in app.caption]
        + [e.value for e in app.error]
    )
    parts += [str(d.value) for d in app.dataframe] + [str(m.value) for m in app.metric]
    return "\n".join(parts)


def sign_in(app: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    app.text_input(key="sign_in_name").set_value(name)
    app.text_input(key="sign_in_password").set_value(password)
    return app.button(key="sign_in_submit").click().run()


def test_signed_out_only_the_sign_in_page_exists(open_app, two_schools):
    app = open_app(two_schools, as_role=None, school=str(ASH), window="year")
    assert not app.exception
    assert titles(app) == ["Sign in to Rollcall"]
    assert not app.metric and not app.dataframe
    for page in (
        "pages/overview.py",
        "pages/import_data.py",
        "pages/audit.py",
        "pages/definitions.py",
    ):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(page)


def test_sign_in_with_a_password_and_sign_out_are_recorded(open_app, account, two_schools):
    account("senior_leader", None, name="head")
    app = sign_in(open_app(two_schools, as_role=None), "head")
    assert not app.exception
    assert titles(app) == ["Overview"] and app.metric
    assert "Signed in as head (senior leader)" in [c.value for c in app.sidebar.caption]
    app.sidebar.button(key="sign_out").click().run()
    assert titles(app) == ["Sign in to Rollcall"]
    log = audit.read_log(two_schools)
    assert log.select("actor", "action").rows()[:2] == [("head", "sign_out"), ("head", "sign_in")]


def test_a_wrong_password_is_refused_and_recorded_without_keeping_an_unknown_name(
    open_app, account, two_schools
):
    account("governor", [ASH], name="gov")
    app = sign_in(open_app(two_schools, as_role=None), "gov", "not the password")
    assert "Wrong name or password." in app.error[0].value
    assert titles(app) == ["Sign in to Rollcall"]
    app = sign_in(app, "plum tractor lantern", "x")  # a password typed into the name box
    log = audit.read_log(two_schools, actions=("sign_in_refused",))
    assert log["actor"].to_list() == ["(unknown name)", "gov"]


def test_five_wrong_passwords_pause_sign_in(open_app, account, two_schools):
    account("governor", [ASH], name="gov")
    app = open_app(two_schools, as_role=None)
    for _ in range(5):
        app = sign_in(app, "gov", "wrong wrong wrong")
    app = sign_in(app, "gov")
    assert "paused" in app.error[0].value and titles(app) == ["Sign in to Rollcall"]


def test_a_governor_sees_no_figures_and_cannot_reach_another_page(open_app, two_schools, probe):
    app = open_app(two_schools, as_role="governor", schools=[ASH], school=str(ASH), window="year")
    assert not app.exception
    assert titles(app) == [
        "Governors' attendance summary: Ash Primary"
    ]  # their page, aggregates only
    assert not app.dataframe  # the summary's tables are static, suppressed aggregates
    pages = (
        "pages/overview.py",
        "pages/cohorts.py",
        "pages/pupils.py",
        "pages/pupil.py",
        "pages/census.py",
    )
    for page in (*pages, "pages/import_data.py", "pages/audit.py", "pages/settings.py", PROBE):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(page)


@pytest.mark.parametrize(
    "page",
    ["pages/overview.py", "pages/import_data.py", "pages/audit.py", "pages/settings.py", PROBE],
)
def test_a_page_run_on_its_own_checks_the_user_itself(
    open_app, account, two_schools, probe, page, monkeypatch
):
    """Streamlit runs a script in pages/ directly for the first request after it starts (and AppTest
    does on reruns): the page's own first line must refuse a governor and a signed-out visitor."""
    monkeypatch.setenv("ROLLCALL_DB", str(two_schools.path))
    governor = account("governor", [ASH])
    app = AppTest.from_file(str(PROJECT_ROOT / page), default_timeout=60)
    app.session_state[SIGNED_IN] = governor
    app.query_params["school"] = str(ASH)
    app.run()
    assert not app.exception
    assert "Your account cannot open this page." in app.error[0].value
    assert not app.metric and not app.dataframe
    assert audit.read_log(two_schools, actions=("access_refused",))["actor"].to_list() == [governor]
    signed_out = AppTest.from_file(str(PROJECT_ROOT / page), default_timeout=60).run()
    assert titles(signed_out) == ["Sign in to Rollcall"] and not signed_out.dataframe


GUARDED_CALLS = """
from datetime import date
import streamlit as st
from pages.ui import analysis, cached
from pages.ui.context import cache_key, database
st.session_state["role"] = "senior_leader"  # nothing a session holds chooses a role
st.session_state["filter_school"] = "{urn}"
key = cache_key(database())
{call}
st.write("reached the data")
"""


@pytest.mark.parametrize(
    ("role", "schools", "call", "message"),
    [
        (
            "governor",
            [ASH],
            "analysis.overview(analysis.Key(*key, ({ASH},), date(2025, 9, 1), date(2025, 9, 5), ()), 'custom', None, None)",
            "governor cannot",
        ),
        ("governor", [ASH], "cached.import_log(*key, ({ASH},))", "governor cannot"),
        (
            "attendance_staff",
            [ASH],
            "analysis.enrolments(analysis.Key(*key, ({BEECH},), date(2025, 9, 1), date(2025, 9, 5), ()))",
            "does not cover school 100002",
        ),
        (
            "attendance_staff",
            [ASH],
            "analysis.enrolments(analysis.Key(*key, None, date(2025, 9, 1), date(2025, 9, 5), ()))",
            "not the whole trust",
        ),
        (
            "attendance_staff",
            [ASH],
            "cached.calendar(*key, ({ASH}, {BEECH}))",
            "does not cover school 100002",
        ),
        (
            "data_manager",
            [ASH],
            "cached.import_log(*key, ({BEECH},))",
            "does not cover school 100002",
        ),
    ],
)
def test_guarded_data_calls_refuse_whatever_the_session_holds(
    account, two_schools, monkeypatch, role, schools, call, message
):
    monkeypatch.setenv("ROLLCALL_DB", str(two_schools.path))
    script = (
        GUARDED_CALLS.replace("{call}", call)
        .replace("{ASH}", str(ASH))
        .replace("{BEECH}", str(BEECH))
        .replace("{urn}", str(BEECH))
    )
    app = AppTest.from_string(script, default_timeout=60)
    app.session_state[SIGNED_IN] = account(role, schools)
    app.run()
    assert not app.exception
    assert message in app.error[0].value
    assert "reached the data" not in texts(app)


def test_staff_of_one_school_are_offered_only_that_school_whatever_the_url(open_app, two_schools):
    app = open_app(
        two_schools,
        as_role="attendance_staff",
        schools=[ASH],
        school=str(BEECH),
        year="2025",
        window="year",
    )
    assert not app.exception
    assert app.sidebar.selectbox(key="filter_school").options == [f"Ash Primary ({ASH})"]
    assert app.caption[0].value.startswith("Ash Primary")
    window = Window.academic_year(2025)
    figures = headline(load_register(two_schools, (ASH,), window), window)
    assert {m.label: m.value for m in app.metric} == {
        m.label: format_percent(figures[m.column]) for m in HEADLINE_MEASURES
    }


def test_staff_of_some_schools_get_all_of_theirs_but_never_the_whole_trust(
    open_app, two_schools, load
):
    load("pupils", pupils_csv(upns(2, start=20)), school_urn=100003, school_name="Cedar Primary")
    app = open_app(two_schools, as_role="senior_leader", schools=[ASH, BEECH])
    options = app.sidebar.selectbox(key="filter_school").options
    assert options == ["All your schools", f"Ash Primary ({ASH})", f"Beech Primary ({BEECH})"]
    assert app.caption[0].value.startswith("All your schools")


def test_a_data_manager_of_one_school_imports_only_into_it(open_app, two_schools):
    app = (
        open_app(two_schools, as_role="data_manager", schools=[ASH])
        .switch_page("pages/import_data.py")
        .run()
    )
    assert not app.exception
    assert app.selectbox(key="import_school").options == [
        f"Ash Primary ({ASH})"
    ]  # no other, no new school
    assert app.dataframe[0].value["school_urn"].unique().tolist() == [ASH]


def test_every_pupil_level_view_is_recorded_once_per_view(open_app, two_schools, probe):
    app = open_app(two_schools, as_role="attendance_staff", schools=[ASH])
    app.query_params["pupil"] = "2"  # a pupil page opened from a link
    app.switch_page(PROBE).run()
    assert not app.exception
    shown = app.dataframe[0].value
    assert set(shown["school_urn"]) == {ASH} and len(shown) == 3
    app.run()  # the same view redrawn
    views = audit.read_log(two_schools, actions=("view",))
    assert views.height == 1
    row = views.row(0, named=True)
    assert (row["target"], row["role"], row["subject"]) == (
        "Pupil probe",
        "attendance_staff",
        "enrolment 2",
    )
    app.query_params["pupil"] = "3"  # another pupil: a new view
    app.run()
    assert audit.read_log(two_schools, actions=("view",))["subject"].to_list() == [
        "enrolment 3",
        "enrolment 2",
    ]
    app.switch_page("pages/overview.py").run()
    assert "rollcall_last_view" not in app.session_state  # coming back will be a new view


def test_an_export_of_pupil_data_is_recorded_when_it_is_made(two_schools, monkeypatch):
    from analytics.access.roles import Role, User

    monkeypatch.setenv("ROLLCALL_DB", str(two_schools.path))
    build = audited_export(
        User("ann", Role.ATTENDANCE_STAFF, (ASH,)),
        "pupils.csv",
        lambda: b"x",
        school_urn=ASH,
        rows=3,
    )
    assert audit.read_log(
        two_schools, actions=("export",)
    ).is_empty()  # nothing until it is downloaded
    assert build() == b"x"
    row = audit.read_log(two_schools, actions=("export",)).row(0, named=True)
    assert (row["actor"], row["target"], row["school_urn"], row["detail"]) == (
        "ann",
        "pupils.csv",
        ASH,
        "3 rows",
    )


def test_the_audit_log_page_is_for_data_managers(open_app, two_schools):
    app = open_app(two_schools, as_role="data_manager").switch_page("pages/audit.py").run()
    assert not app.exception
    shown = app.dataframe[0].value
    assert set(shown["action"]) >= {"import"}
    assert "nothing has been changed or removed" in app.success[0].value


def test_the_settings_page_shows_the_accounts_and_never_a_secret(
    open_app, account, two_schools, monkeypatch
):
    monkeypatch.setenv("ROLLCALL_BACKUP_KEY", "a secret that must not show")
    account("governor", [ASH], name="gov")
    app = (
        open_app(two_schools, as_role="data_manager", schools=[ASH])
        .switch_page("pages/settings.py")
        .run()
    )
    assert not app.exception
    people = app.dataframe[0].value
    assert "gov" in people["name"].tolist() and "argon2" not in texts(app)
    settings = app.dataframe[1].value.set_index("setting")["value"]
    assert settings["ROLLCALL_BACKUP_KEY"] == "set" and settings["ROLLCALL_DB_KEY"] == "not set"
    assert "a secret that must not show" not in texts(app)
    assert any("**Encrypted:** no" in m.value for m in app.markdown)


def test_demo_mode_needs_the_setting_and_an_untouched_demo_database(open_app, two_schools):
    app = open_app(two_schools, as_role=None, demo=True)
    assert titles(app) == ["Sign in to Rollcall"]
    assert "was not built by `rollcall demo`" in app.warning[0].value
    with two_schools.transaction() as con:
        write.mark_as_demo(con, seed=1, upn_la_prefix="80")  # the builders' made-up LA
    app = open_app(two_schools, as_role=None, demo=True)
    assert titles(app) == ["Overview"] and app.metric
    assert "Demo: synthetic data only" in app.info[0].value
    app.switch_page("pages/definitions.py").run()
    assert "Demo: synthetic data only" in app.info[0].value  # on every page
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("pages/import_data.py")  # its URL shows why it is refused (browser test)


def test_a_demo_database_with_a_file_imported_since_needs_sign_in(open_app, two_schools, load):
    with two_schools.transaction() as con:
        write.mark_as_demo(con, seed=1, upn_la_prefix="80")
    load("marks", marks_csv([(upns(1)[0], "2025-09-04", "AM", "/")]), school_urn=ASH)
    app = open_app(two_schools, as_role=None, demo=True)
    assert titles(app) == ["Sign in to Rollcall"]
    assert "imported into this database since the demo was built" in app.warning[0].value


@pytest.mark.slow
def test_the_demo_trust_is_served_without_sign_in_when_asked(open_app, demo_db):
    app = open_app(demo_db, as_role=None, demo=True)
    assert not app.exception and app.metric
    assert "Demo: synthetic data only" in app.info[0].value


AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test cookie secret",
    "microsoft": {
        "client_id": "id",
        "client_secret": "secret",
        "server_metadata_url": "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
    },
}


def oidc_app(db, **user) -> AppTest:
    app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    app.secrets["auth"] = AUTH
    app.user = user
    return app.run()


def test_with_auth_configured_people_sign_in_with_their_school_account(
    two_schools, accounts_file, monkeypatch
):
    monkeypatch.setenv("ROLLCALL_DB", str(two_schools.path))
    app = oidc_app(two_schools, is_logged_in=False)
    assert titles(app) == ["Sign in to Rollcall"]
    assert [b.label for b in app.button] == ["Sign in with Microsoft"]
    assert not app.text_input  # no password box when the school's accounts are used


def test_an_oidc_user_gets_the_role_and_schools_of_their_account(
    two_schools, accounts_file, monkeypatch
):
    from analytics.access import accounts

    monkeypatch.setenv("ROLLCALL_DB", str(two_schools.path))
    accounts.add("Head@Ash.example", "attendance_staff", [ASH])
    app = oidc_app(two_schools, is_logged_in=True, email="head@ash.example", name="Pat Head")
    assert not app.exception
    assert titles(app) == ["Overview"]
    assert "Signed in as Pat Head (attendance staff)" in [c.value for c in app.sidebar.caption]
    assert app.sidebar.selectbox(key="filter_school").options == [f"Ash Primary ({ASH})"]
    app.run()  # one sign-in per session, not per run
    log = audit.read_log(two_schools, actions=("sign_in",))
    assert log.select("actor", "detail").rows() == [("Head@Ash.example", "OIDC")]


def test_an_oidc_user_without_an_account_sees_nothing(two_schools, accounts_file, monkeypatch):
    monkeypatch.setenv("ROLLCALL_DB", str(two_schools.path))
    app = oidc_app(two_schools, is_logged_in=True, email="stranger@example.com")
    assert titles(app) == ["Sign in to Rollcall"]
    assert "stranger@example.com has no Rollcall account" in app.error[0].value
    assert not app.metric
    app.run()
    assert audit.read_log(two_schools, actions=("sign_in_refused",))["actor"].to_list() == [
        "stranger@example.com"
    ]


def test_a_pupil_of_another_school_is_refused_and_no_view_is_recorded(open_app, two_schools):
    """Issue 11, item 8: the view row was written from the URL before the page checked the school."""
    from analytics.store import read

    enrolments = read.enrolments(two_schools)
    theirs = enrolments.filter(enrolments["school_urn"] == BEECH)["enrolment_id"][0]
    ours = enrolments.filter(enrolments["school_urn"] == ASH)["enrolment_id"][0]
    app = open_app(two_schools, as_role="attendance_staff", schools=[ASH], pupil=str(theirs))
    app.switch_page("pages/pupil.py").run()
    assert not app.exception
    assert "not in the chosen school" in app.warning[0].value and not app.metric
    assert audit.read_log(two_schools, actions=("view",)).is_empty()
    refused = audit.read_log(two_schools, actions=("access_refused",))
    assert refused.select("target", "subject").rows() == [("Pupil profile", f"enrolment {theirs}")]

    app.query_params["pupil"] = str(ours)
    app.run()
    assert app.metric  # shown: now it is a view, of the pupil and school shown
    views = audit.read_log(two_schools, actions=("view",))
    assert views.select("target", "subject", "school_urn").rows() == [
        ("Pupil profile", f"enrolment {ours}", ASH)
    ]
