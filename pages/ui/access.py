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
import inspect
import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import streamlit as st

from analytics.access import accounts
from analytics.access.roles import AccessDenied, Capability, User, require, require_scope
from analytics.settings import setting
from analytics.store import Database, audit, read
from analytics.store.audit import AuditEvent
from pages.ui.context import cache_key, database
from pages.ui.registry import PageSpec, page_at
from pages.ui.memo import shared

log = logging.getLogger(__name__)

#: Session key holding the name of the locally signed-in account (nothing else about it).
SIGNED_IN = "rollcall_signed_in"
_SIGN_IN_RECORDED = "rollcall_sign_in_recorded"
_LAST_VIEW = "rollcall_last_view"

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


def record_pupil_view(
    page: str,
    *,
    enrolment_id: int | None = None,
    school_urn: int | None = None,
    detail: str | None = None,
) -> None:
    """Record that the current user viewed a pupil's data on `page`. Pages that pick a pupil with a
    widget call this once the pupil is shown; views by URL are recorded by `guard_page`."""
    record(
        current_user(),
        "view",
        target=page,
        school_urn=school_urn,
        subject=None if enrolment_id is None else f"enrolment {enrolment_id}",
        detail=detail,
    )


def _record_page_view(user: User, spec: PageSpec) -> None:
    params = {k: st.query_params.get(k) for k in sorted(st.query_params.keys())}
    subject = next(
        (f"enrolment {params[k]}" for k in ("enrolment", "pupil") if params.get(k)), None
    )
    seen = (spec.path, subject)
    if st.session_state.get(_LAST_VIEW) == seen:
        return  # the same view redrawn (a filter changed): one row per view, not per rerun
    st.session_state[_LAST_VIEW] = seen
    school = params.get("school")
    record(
        user,
        "view",
        target=spec.title,
        subject=subject,
        school_urn=int(school) if school and school.isdigit() else None,
        detail="&".join(f"{k}={v}" for k, v in params.items()) or None,
    )


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


def guard_page(script: str) -> User:
    """The first line of every page: stops unless the current user may open this page; draws the
    demo notice and who is signed in; records a view of a pupil-level page in the audit log."""
    spec = page_at(script)
    user = current_user()
    if user is None:
        # Only reached when a page is run without app.py's navigation (Streamlit runs a script in
        # pages/ directly for the first request after it starts): show the sign-in instead.
        sign_in_page()
        st.stop()
    if spec is None or not spec.allows(user):
        deny(user, "Your account cannot open this page.", spec.title if spec else script)
    identity_notice(user)
    if spec.pupil_level:
        _record_page_view(user, spec)
    else:
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
    record(account.user(), "sign_in", detail="password")
    st.rerun()
