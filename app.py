"""Rollcall: the Streamlit app. Signs the user in, then lists the pages their role may open."""

import streamlit as st

from pages.ui.access import current_user, keep_tab_signed_in, navigation, record_oidc_sign_in
from pages.ui.access import sign_in_mode
from analytics.store.database import keep_open_when_idle
from pages.ui.context import KEEP_OPEN_SECONDS, database
from pages.ui.repairs import repair_markup

keep_open_when_idle(KEEP_OPEN_SECONDS)
st.set_page_config(page_title="Rollcall", page_icon=":material/fact_check:", layout="wide")
keep_tab_signed_in()
repair_markup()

user = current_user()
if user is not None and sign_in_mode() == "oidc":
    record_oidc_sign_in(user)
# Always call st.navigation (pages.ui.access.navigation): without it Streamlit would list every
# script in pages/. One run of a page opens the database once, however many reads it makes (each
# open costs tens of milliseconds); the file is let go when the run ends.
page = navigation(user)
with database().held():
    page.run()
