"""Rollcall: the Streamlit app. Signs the user in, then lists the pages their role may open."""

import streamlit as st

from pages.ui.access import current_user, record_oidc_sign_in, sign_in_mode, sign_in_page
from analytics.store.database import keep_open_when_idle
from pages.ui.context import KEEP_OPEN_SECONDS, database
from pages.ui.registry import PAGES, pages_for, sections_for

keep_open_when_idle(KEEP_OPEN_SECONDS)
st.set_page_config(page_title="Rollcall", page_icon=":material/fact_check:", layout="wide")

user = current_user()
if user is None:
    # Always call st.navigation: without it Streamlit would list every script in pages/. Every
    # page's URL shows the sign-in, so a bookmarked page opens once the user has signed in.
    sign_in = [
        st.Page(
            sign_in_page, title="Sign in", icon=":material/login:", url_path="sign-in", default=True
        )
    ]
    sign_in += [st.Page(sign_in_page, title="Sign in", url_path=spec.url_path) for spec in PAGES]
    st.navigation(sign_in, position="hidden").run()
else:
    if sign_in_mode() == "oidc":
        record_oidc_sign_in(user)
    allowed = pages_for(user)
    default = next((spec for spec in allowed if spec.default), allowed[0])
    pages = {
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
    # One run of a page opens the database once, however many reads it makes (each open costs
    # tens of milliseconds); the file is let go when the run ends.
    with database().held():
        st.navigation(pages).run()
