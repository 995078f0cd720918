"""Rollcall: the Streamlit app. Lists the pages and runs the chosen one."""

import streamlit as st

st.set_page_config(page_title="Rollcall", page_icon=":material/fact_check:", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/cohorts.py", title="Cohorts", icon=":material/groups:", url_path="cohorts"),
    st.Page("pages/patterns.py", title="Patterns", icon=":material/calendar_month:", url_path="patterns"),
    st.Page("pages/behaviour.py", title="Behaviour", icon=":material/report:", url_path="behaviour"),
    st.Page("pages/pupils.py", title="Pupils", icon=":material/format_list_bulleted:", url_path="pupils"),
    st.Page("pages/pupil.py", title="Pupil profile", icon=":material/person:", url_path="pupil"),
    st.Page("pages/governors.py", title="Governors' summary", icon=":material/summarize:", url_path="governors"),
    st.Page("pages/census.py", title="Census checks", icon=":material/checklist:", url_path="census"),
    st.Page("pages/import_data.py", title="Import", icon=":material/upload_file:", url_path="import"),
    st.Page("pages/definitions.py", title="How figures are counted", icon=":material/menu_book:", url_path="definitions"),
]

st.navigation(PAGES).run()
