"""Rollcall: the Streamlit app. Lists the pages and runs the chosen one."""

import streamlit as st

from pages.ui.context import database

st.set_page_config(page_title="Rollcall", page_icon=":material/fact_check:", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/import_data.py", title="Import", icon=":material/upload_file:", url_path="import"),
    st.Page("pages/definitions.py", title="How figures are counted", icon=":material/menu_book:", url_path="definitions"),
]

# One run of a page opens the database once, however many reads it makes (each open costs tens
# of milliseconds); the file is let go when the run ends.
with database().held():
    st.navigation(PAGES).run()
