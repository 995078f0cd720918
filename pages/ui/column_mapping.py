"""The Import page's column mapping: the headings a school's MIS writes, saved once per school
and kind of file, for the headings the synonyms table does not know."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.access.roles import Capability, User
from analytics.ingest.mis import MAPPED_COLUMNS, file_headings
from analytics.ingest.synonyms import recognised
from analytics.store import Database, mappings
from pages.ui.access import guarded
from pages.ui.context import cache_key, database
from pages.ui.memo import shared

_NONE = ""


@guarded(Capability.IMPORT)
@shared
def saved_mapping(db_path: str, version: str, urn: int, kind: str) -> dict[str, str]:
    """The school's saved mapping for a kind of file (column -> heading)."""
    return mappings.column_mapping(Database(db_path), urn, kind)


def mapping_editor(user: User, urn: int | None, kind: str, data: bytes | None) -> None:
    """Show how a file's headings are read and let a data manager save the school's own."""
    db = database()
    if kind not in MAPPED_COLUMNS or urn is None or not db.exists():
        return
    columns = MAPPED_COLUMNS[kind]
    saved = saved_mapping(*cache_key(db), int(urn), kind)
    headings = file_headings(data) if data else []
    title = "Column headings" + (" (this school's saved)" if saved else "")
    with st.expander(
        title, expanded=bool(headings) and len(recognised(headings, columns, saved)) < 2
    ):
        st.write(
            "Rollcall reads the headings SIMS, Arbor, Bromcom, Go 4 Schools and Wonde write "
            "(`AttendanceDate`, `SessionName`, `AttendanceMark`, `MinsLate`, a week grid's "
            "`MonAM` ... `FriPM` with a week start, ...). If this school's files name a column "
            "differently, give its heading here once: every import of this school's files of "
            "this kind reads it."
        )
        if headings:
            found = recognised(headings, columns, saved)
            st.dataframe(
                pl.DataFrame(
                    {"column": list(columns), "read from": [found.get(c, "—") for c in columns]}
                ),
                hide_index=True,
                key=f"mapping_found_{kind}",
            )
        with st.form(f"mapping_form_{kind}_{urn}"):
            chosen = {}
            for column in columns:
                if headings:
                    options = [_NONE, *headings]
                    current = saved.get(column, _NONE)
                    chosen[column] = st.selectbox(
                        column,
                        options,
                        index=options.index(current) if current in options else 0,
                        format_func=lambda h: h or "(as recognised)",
                        key=f"mapping_{kind}_{column}",
                    )
                else:
                    chosen[column] = st.text_input(
                        column, value=saved.get(column, ""), key=f"mapping_{kind}_{column}"
                    )
            if st.form_submit_button("Save these headings for the school"):
                try:
                    mappings.save_mapping(
                        db,
                        int(urn),
                        kind,
                        chosen,
                        columns=columns,
                        saved_by=user.name,
                        role=user.role.value,
                    )
                except mappings.MappingRefused as refused:
                    st.error(f"Not saved: {refused}.")
                else:
                    st.success("Saved: this school's files are read with these headings.")
