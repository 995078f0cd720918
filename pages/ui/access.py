"""Sign-in, the signed-in user, and the guards every page and cached data call go through.

Three ways in, decided on every run:
- **OIDC** (Microsoft Entra ID, Google): when the secrets file has an `[auth]` section. Streamlit's
  `st.login` proves who the person is; the accounts file says what that email address may see.
- **Local accounts**: otherwise, a name and password checked against the accounts file.
- **Demo**: no sign-in, only when ROLLCALL_DEMO is on *and* the database is the untouched synthetic
  demo trust (`read.demo_status`). Every page then says so.

The session holds only who signed in; the role and schools are read from the accounts file on each
run, so a removed account or a changed role takes effect at once, and nothing a browser can set
(URL, query parameter, widget state) chooses a role or a school outside the account's.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState

from analytics.access import accounts
from analytics.access.roles import AccessDenied, Capability, User, require, require_scope
from analytics.settings import setting
from analytics.store import Database, audit, read
from analytics.store.audit import AuditEvent
from pages.ui.context import cache_key, database
from pages.ui.registry import PAGES, PageSpec, page_at, pages_for, sections_for
from pages.ui.memo import shared

log = logging.getLogger(__name__)

#: Session key holding the name of the locally signed-in account (nothing else about it).
SIGNED_IN = "rollcall_signed_in"
_SIGN_IN_RECORDED = "rollcall_sign_in_recorded"
_LAST_VIEW = "rollcall_last_view"
_PUPIL_PAGE = "rollcall_pupil_page"

F = TypeVar("F", bound=Callable[..., Any])


# ------------------------------------------------------------------------------------------
# Which way in
# ------------------------------------------------------------------------------------------


def auth_section() -> dict:
    """The `[auth]` section of Streamlit's secrets ({} when there is none)."""
    try:
        if not st.secrets.load_if_toml_exists():
            return {}
        return dict(st.secrets.get("auth", {}))
    except Exception:  # an unreadable secrets file must not open the app
        log.exception("the secrets file could not be read; OIDC sign-in is off")
        return {}


def oidc_providers() -> list[str | None]:
    """The configured OIDC providers: named `[auth.microsoft]`-style sections, else the one default."""
    section = auth_section()
    named = [name for name, value in section.items() if isinstance(value, Mapping)]
    return named or ([None] if section else [])


@shared
def _demo_status(db_path: str, version: str) -> read.DemoStatus:
    return read.demo_status(Database(db_path))


def demo_status(db: Database | None = None) -> read.DemoStatus | None:
    """Why demo mode is on or off; None when ROLLCALL_DEMO is not set."""
    if not setting("demo_mode"):
        return None
    db = db or database()
    if not db.exists():
        return read.DemoStatus(False, f"there is no database at {db.path}")
    return _demo_status(*cache_key(db))


def sign_in_mode() -> str:
    """`demo`, `oidc` or `password`."""
    status = demo_status()
    if status is not None and status.synthetic:
        return "demo"
    return "oidc" if oidc_providers() else "password"


def current_user() -> User | None:
    """The user of this session, or None when nobody has signed in."""
    mode = sign_in_mode()
    if mode == "demo":
        return User.demo_visitor()
    if mode == "oidc":
        if not st.user.get("is_logged_in"):
            return None
        account = accounts.find(str(st.user.get("email") or ""))
        return None if account is None else account.user(display_name=st.user.get("name"))
    name = st.session_state.get(SIGNED_IN)
    account = accounts.find(name) if isinstance(name, str) else None
    return None if account is None else account.user()


# ------------------------------------------------------------------------------------------
# Audit
# ------------------------------------------------------------------------------------------


def record(user: User | None, action: str, **event: Any) -> None:
    """Add a row to the audit log of the app's database (when it exists)."""
    db = database()
    if not db.exists():
        return
    actor = user.name if user is not None else event.pop("actor", "unknown")
    role = user.role.value if user is not None else None
    audit.record(db, AuditEvent(actor, action, role=role, **event))


def record_view_shown(*, enrolment_id: int | None = None, school_urn: int | None = None) -> None:
    """Called by a pupil-level page once it has shown pupil data (after its checks): records the
    view in the audit log, once per view (the same view redrawn when a filter changes is not a
    new one). The pupil is `enrolment_id` (else the `pupil` in the URL), the school `school_urn`
    (else the school of the filters). A page that stops first, refused or with nothing to show,
    records no view."""
    spec = st.session_state.get(_PUPIL_PAGE)
    if spec is None:
        return
    params = {k: st.query_params.get(k) for k in sorted(st.query_params.keys())}
    if enrolment_id is None and (params.get("pupil") or "").isdigit():
        enrolment_id = int(params["pupil"])
    school = params.get("school")
    if school_urn is None and school and school.isdigit():
        school_urn = int(school)
    subject = None if enrolment_id is None else f"enrolment {enrolment_id}"
    seen = (spec, subject)
    if st.session_state.get(_LAST_VIEW) == seen:
        return
    st.session_state[_LAST_VIEW] = seen
    record(
        current_user(),
        "view",
        target=page_at(spec).title,
        subject=subject,
        school_urn=school_urn,
        detail="&".join(f"{k}={v}" for k, v in params.items()) or None,
    )


def refuse_pupil(enrolment_id: int, message: str) -> None:
    """A pupil the page will not show (not in the chosen schools, or in none of the user's):
    record the attempt as a refusal, say why, and stop (no view is recorded)."""
    record(
        current_user(),
        "access_refused",
        target=page_at(st.session_state.get(_PUPIL_PAGE, "")).title
        if st.session_state.get(_PUPIL_PAGE)
        else None,
        subject=f"enrolment {enrolment_id}",
        detail="pupil not in the chosen schools",
    )
    st.warning(message)
    st.stop()


def audited_export(
    user: User,
    name: str,
    build: Callable[[], bytes],
    *,
    school_urn: int | None = None,
    rows: int | None = None,
) -> Callable[[], bytes]:
    """`build`, recording an export of pupil data when it runs (download buttons call it on click,
    on a thread of their own, so the user and database are fixed now)."""
    db = database()

    def _build() -> bytes:
        data = build()
        audit.record(
            db,
            AuditEvent(
                user.name,
                "export",
                role=user.role.value,
                target=name,
                school_urn=school_urn,
                detail=None if rows is None else f"{rows} rows",
            ),
        )
        return data

    return _build


# ------------------------------------------------------------------------------------------
# Guards
# ------------------------------------------------------------------------------------------


def deny(user: User | None, message: str, target: str | None = None) -> None:
    """Say no, record it, and stop the page."""
    if user is not None:
        record(user, "access_refused", target=target, detail=message)
    st.error(message, icon=":material/block:")
    st.stop()


def require_here(
    capability: Capability | None, urns: tuple[int, ...] | None, target: str | None = None
) -> User:
    """The current user, when they may use `capability` (None: any) for the schools `urns`;
    otherwise the page stops with the reason."""
    user = current_user()
    try:
        if user is None:
            raise AccessDenied("Sign in to see this.")
        if capability is not None:
            require(user, capability, urns)
        else:
            require_scope(user, urns)
    except AccessDenied as refused:
        deny(user, str(refused), target)
    return user


SCHOOL_ARGUMENTS = frozenset({"urns", "urn", "key", "enrolment_id"})


def _schools_asked_for(arguments: Mapping[str, Any]) -> tuple[int, ...] | None:
    """The schools a data call reads: its `urns` (None = every school), its one `urn`, the
    `urns` of its `key` (the analysis pages' cache key), or the school of its `enrolment_id`."""
    if "urns" in arguments:
        return arguments["urns"]
    if "urn" in arguments:
        return (arguments["urn"],)
    if "key" in arguments:
        return arguments["key"].urns
    school = read.school_of_enrolment(Database(arguments["db_path"]), arguments["enrolment_id"])
    return () if school is None else (school,)


def guarded(*capabilities: Capability, trust_wide: bool = False) -> Callable[[F], F]:
    """Decorate a cached data function so that it runs only for a user who has one of
    `capabilities` (none given: any signed-in user) for the schools it reads (its `urns`, `urn`,
    `key.urns` or `enrolment_id` argument; `trust_wide` for aggregates about no school). The
    check runs on every call, outside the cache, because cached results are shared by all users.

        @guarded(Capability.PUPIL_DATA)
        @shared
        def pupil_list(db_path: str, version: str, urns: Urns, ...) -> pl.DataFrame: ...
    """

    def decorate(function: F) -> F:
        signature = inspect.signature(function)
        if not trust_wide and not SCHOOL_ARGUMENTS & set(signature.parameters):
            raise TypeError(
                f"{function.__name__} has no `urns`, `urn`, `key` or `enrolment_id` argument to check"
            )

        @functools.wraps(function)
        def checked(*args: Any, **kwargs: Any) -> Any:
            # A trust-wide call returns figures about no school in particular (the risk model's
            # card): only the capability is checked.
            urns = (
                () if trust_wide else _schools_asked_for(signature.bind(*args, **kwargs).arguments)
            )
            user = current_user()
            try:
                if user is None:
                    raise AccessDenied("Sign in to see this.")
                require_scope(user, urns)
                if capabilities and not any(user.can(c) for c in capabilities):
                    require(user, capabilities[0], urns)  # raises, naming the first
            except AccessDenied as refused:
                deny(user, str(refused), function.__name__)
            return function(*args, **kwargs)

        return checked  # type: ignore[return-value]

    return decorate


def navigation(user: User | None) -> StreamlitPage:
    """Tell Streamlit the app's pages for this user and return the one the URL asks for.

    Signed out: every page's URL shows the sign-in (so a bookmarked page opens once the user has
    signed in), except the public ones (the accessibility statement). Signed in: the menu lists the
    user's pages; any other page's URL shows why it is refused (never Streamlit's "page not
    found" and a silent fallback)."""
    if user is None:
        pages = [
            st.Page(
                sign_in_page,
                title="Sign in",
                icon=":material/login:",
                url_path="sign-in",
                default=True,
            )
        ]
        pages += [
            st.Page(spec.path, title=spec.title, url_path=spec.url_path)
            if spec.public
            else st.Page(sign_in_page, title="Sign in", url_path=spec.url_path)
            for spec in PAGES
        ]
        return st.navigation(pages, position="hidden")
    allowed = pages_for(user)
    default = next((spec for spec in allowed if spec.default), allowed[0])
    menu: dict[str, list[StreamlitPage]] = {
        section: [
            st.Page(
                spec.path,
                title=spec.title,
                icon=spec.icon,
                url_path=spec.url_path,
                default=spec is default,
            )
            for spec in specs
        ]
        for section, specs in sections_for(user).items()
    }
    refused = [
        st.Page(
            refused_page(user, spec), title=spec.title, url_path=spec.url_path, visibility="hidden"
        )
        for spec in PAGES
        if not spec.allows(user)
    ]
    if refused:
        last = list(menu)[-1]
        menu[last] = [*menu[last], *refused]
    return st.navigation(menu, expanded=True)


def refused_page(user: User, spec: PageSpec) -> Callable[[], None]:
    """A page in place of one the user's role may not open: says so and why, records it, and
    offers their own pages."""

    def _refused() -> None:
        identity_notice(user)
        st.title(spec.title)
        roles = " and ".join(sorted(role.label.lower() + "s" for role in spec.roles))
        message = (
            f"Your account ({user.role.label.lower()}) cannot open {spec.title}: it is for {roles}. "
            "If you need it, ask your data manager."
        )
        record(user, "access_refused", target=spec.title, detail=message)
        st.error(message, icon=":material/block:")
        st.write("Your pages:")
        for allowed in pages_for(user):
            st.page_link(allowed.path, label=allowed.title, icon=allowed.icon)

    return _refused


def guard_page(script: str) -> User:
    """The first line of every page: stops unless the current user may open this page; draws the
    demo notice and who is signed in. On a pupil-level page, the view is recorded once the page
    has shown it (`record_shown_view`), never before its checks."""
    spec = page_at(script)
    user = current_user()
    ctx = get_script_run_ctx()
    if PagesManager.uses_pages_directory and ctx is not None:
        # Streamlit ran this script straight from pages/, through its own menu of every script
        # (the first request after the server starts): send the app's menu for this user instead,
        # leaving this run's page (and its widgets' identities) as they are. Signed out, run
        # again through app.py: the sign-in form drawn here would have another identity than on
        # the next run, and lose what was typed into it at its first submission.
        with ctx.run_with_active_hash(ThreadState.get().active_script_hash):
            navigation(user)
        if user is None:
            st.rerun()
    if spec is not None and spec.public and user is None:
        return None  # type: ignore[return-value]
    if user is None:
        sign_in_page()
        st.stop()
    if spec is None or not spec.allows(user):
        deny(user, "Your account cannot open this page.", spec.title if spec else script)
    identity_notice(user)
    if spec.pupil_level:
        st.session_state[_PUPIL_PAGE] = spec.path
    else:
        st.session_state.pop(_PUPIL_PAGE, None)
        st.session_state.pop(_LAST_VIEW, None)  # coming back to a pupil page is a new view
    return user


# ------------------------------------------------------------------------------------------
# What people see
# ------------------------------------------------------------------------------------------

DEMO_NOTICE = (
    "**Demo: synthetic data only.** Every school, pupil and mark here is invented by `rollcall demo`; "
    "no sign-in is needed, and nothing can be imported, recorded or changed."
)


def identity_notice(user: User) -> None:
    """The demo notice at the top of the page, and who is signed in (with sign-out) in the sidebar."""
    if user.demo:
        st.info(DEMO_NOTICE, icon=":material/science:")
        st.sidebar.caption("Demo: synthetic data only")
        return
    st.sidebar.caption(f"Signed in as {user.label}")
    if st.sidebar.button("Sign out", key="sign_out", icon=":material/logout:"):
        record(user, "sign_out")
        if sign_in_mode() == "oidc":
            st.logout()
        st.session_state.pop(SIGNED_IN, None)
        st.session_state.pop(_SIGN_IN_RECORDED, None)
        _revoke_tab_token(st.session_state.pop(_TAB_TOKEN, None))
        st.session_state[_FORGET_TAB] = True
        st.rerun()


def record_oidc_sign_in(user: User) -> None:
    """Record an OIDC sign-in once per session (Streamlit signs in outside the script)."""
    if st.session_state.get(_SIGN_IN_RECORDED) != user.name:
        st.session_state[_SIGN_IN_RECORDED] = user.name
        record(user, "sign_in", detail="OIDC")


def sign_in_page() -> None:
    """The page shown to anyone not signed in."""
    st.title("Sign in to Rollcall")
    status = demo_status()
    if status is not None and not status.synthetic:
        st.warning(f"Demo mode is on (ROLLCALL_DEMO), but {status.reason}, so sign-in is needed.")
    providers = oidc_providers()
    if providers:
        _oidc_sign_in(providers)
    else:
        _password_sign_in()


def _oidc_sign_in(providers: list[str | None]) -> None:
    if st.user.get("is_logged_in"):
        email = str(st.user.get("email") or "this account")
        if st.session_state.get(_SIGN_IN_RECORDED) != f"refused:{email}":
            st.session_state[_SIGN_IN_RECORDED] = f"refused:{email}"
            record(
                None, "sign_in_refused", actor=email, detail="OIDC account not in the accounts file"
            )
        st.error(
            f"{email} has no Rollcall account. Ask your data manager to add it (`rollcall user add {email} --oidc ...`)."
        )
        if st.button("Sign out", key="oidc_sign_out"):
            st.logout()
        return
    st.write("Sign in with your school account.")
    for provider in providers:
        label = (
            "Sign in" if provider is None else f"Sign in with {provider.replace('_', ' ').title()}"
        )
        if st.button(label, key=f"oidc_{provider or 'default'}", type="primary"):
            st.login(provider)


# ------------------------------------------------------------------------------------------
# A local sign-in kept for the browser tab
# ------------------------------------------------------------------------------------------

#: A tab's sign-in lapses after this long unused (a reload after it asks for the password again).
TAB_IDLE_SECONDS = 30 * 60
#: ... and this long after the password was typed, however busy the tab.
TAB_LONGEST_SECONDS = 10 * 60 * 60
_TAB_TOKEN = "rollcall_tab_token"
_FORGET_TAB = "rollcall_forget_tab"
#: sha256 of each tab's token -> (account name, signed in at, last used), in this process only.
_tabs: dict[str, tuple[str, float, float]] = {}
_tabs_lock = threading.Lock()

_TAB_SCRIPT = """
export default function(component) {
  const { data, setStateValue } = component;
  const KEY = "rollcall.tab";
  if (data && data.forget) sessionStorage.removeItem(KEY);
  if (data && data.keep) sessionStorage.setItem(KEY, data.keep);
  const held = sessionStorage.getItem(KEY) || "";
  if (window.__rollcallTabReported !== held) {
    window.__rollcallTabReported = held;
    setStateValue("token", held);
  }
}
"""


@functools.cache
def _tab_component() -> Callable[..., Any]:
    return st.components.v2.component("rollcall.tab_session", js=_TAB_SCRIPT)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _issue_tab_token(name: str) -> str:
    token = secrets.token_urlsafe(32)
    now = time.monotonic()
    with _tabs_lock:
        _tabs[_digest(token)] = (name, now, now)
    return token


def _tab_account(token: str) -> str | None:
    """The account a tab's token signs in, while it is fresh (and refreshes it)."""
    now = time.monotonic()
    with _tabs_lock:
        held = _tabs.get(_digest(token))
        if held is None:
            return None
        name, since, used = held
        if now - used > TAB_IDLE_SECONDS or now - since > TAB_LONGEST_SECONDS:
            del _tabs[_digest(token)]
            return None
        _tabs[_digest(token)] = (name, since, now)
    return name


def _revoke_tab_token(token: str | None) -> None:
    if token:
        with _tabs_lock:
            _tabs.pop(_digest(token), None)


def keep_tab_signed_in() -> None:
    """Keep a local sign-in across reloads of the same browser tab. The tab holds a random token in
    its sessionStorage (never in the URL or a cookie, never shared with another tab, gone when the
    tab closes); the server keeps only its hash, in memory, for TAB_IDLE_SECONDS unused and
    TAB_LONGEST_SECONDS at most; signing out or restarting the server ends it."""
    if sign_in_mode() != "password":
        return
    name = st.session_state.get(SIGNED_IN)
    data: dict[str, Any] = {}
    if st.session_state.pop(_FORGET_TAB, False):
        data["forget"] = True
    elif name and st.session_state.get(_TAB_TOKEN):
        if _tab_account(st.session_state[_TAB_TOKEN]) != name:  # lapsed: sign in again
            st.session_state.pop(SIGNED_IN, None)
            st.session_state.pop(_TAB_TOKEN, None)
            data["forget"] = True
        else:
            data["keep"] = st.session_state[_TAB_TOKEN]
    with st.container(key="rollcall_tab_session", height=1, border=False):
        held = _tab_component()(key="rollcall_tab", data=data, on_token_change=lambda: None).get(
            "token"
        )
    if not st.session_state.get(SIGNED_IN) and held and "forget" not in data:
        account = _tab_account(held)
        if account is not None and accounts.find(account) is not None:
            st.session_state[SIGNED_IN] = account
            st.session_state[_TAB_TOKEN] = held


def _password_sign_in() -> None:
    if not accounts.load():
        st.info(
            "There are no accounts yet. A data manager adds them on the server, e.g. "
            "`uv run rollcall user add NAME --role data_manager --all-schools`."
        )
    with st.form("sign_in", clear_on_submit=True):
        name = st.text_input("Name", key="sign_in_name", autocomplete="username")
        password = st.text_input(
            "Password", type="password", key="sign_in_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Sign in", type="primary", key="sign_in_submit")
    if not submitted:
        return
    try:
        account = accounts.authenticate(name, password)
    except accounts.SignInPaused as paused:
        record(None, "sign_in_refused", actor=name.strip() or "(blank)", detail=str(paused))
        st.error(f"Sign-in for this name is paused: {paused}.")
        return
    if account is None:
        known = accounts.find(name) is not None
        # A typed name that is no account may be a password typed in the wrong box: not kept.
        record(
            None,
            "sign_in_refused",
            actor=name.strip() if known else "(unknown name)",
            detail="wrong name or password",
        )
        st.error("Wrong name or password.")
        return
    st.session_state[SIGNED_IN] = account.name
    st.session_state[_TAB_TOKEN] = _issue_tab_token(account.name)
    record(account.user(), "sign_in", detail="password")
    st.rerun()
