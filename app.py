"""Rollcall: the Streamlit app. Lists the pages and runs the chosen one."""

import streamlit as st

st.set_page_config(page_title="Rollcall", page_icon=":material/fact_check:", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/targets.py", title="Who needs action", icon=":material/checklist:", url_path="targets"),
    st.Page("pages/interventions.py", title="Interventions", icon=":material/edit_note:", url_path="interventions"),
    st.Page("pages/impact.py", title="Impact", icon=":material/trending_up:", url_path="impact"),
    st.Page("pages/risk_model.py", title="Risk model", icon=":material/model_training:", url_path="risk_model"),
    st.Page("pages/import_data.py", title="Import", icon=":material/upload_file:", url_path="import"),
    st.Page("pages/definitions.py", title="How figures are counted", icon=":material/menu_book:", url_path="definitions"),
]

st.navigation(PAGES).run()
