"""Settings: the settings in force, the database, and who may sign in (read-only; changed on the server)."""

import streamlit as st

from pages.ui.access import guard_page
from pages.ui.admin import accounts_table, facts, settings_table

guard_page(__file__)
st.title("Settings")
st.write(
    "What this Rollcall runs with. Settings are environment variables (or the secrets file) on the "
    "server; accounts are managed there with `rollcall user add|remove|list`."
)
for name, value in facts().items():
    st.markdown(f"**{name}:** {value}")
st.subheader("Who may sign in")
people = accounts_table()
if people.is_empty():
    st.info(
        "No accounts yet: add them with `uv run rollcall user add NAME --role ROLE --school URN`."
    )
else:
    st.dataframe(people, hide_index=True)
st.subheader("Settings in force")
st.dataframe(settings_table(), hide_index=True)
