"""The morning import on the Calling list page: the attendance team brings in the day's register
export (as their MIS writes it: `analytics.ingest.mis`) without leaving the list. It imports
marks only, for the user's own schools, through the same importer as the Import page, with the
school's saved column mapping; the demo visitor may not import."""

from __future__ import annotations

import streamlit as st

from analytics.access.roles import AccessDenied, Capability, User, require
from analytics.ingest import ImportRefused, import_bytes
from analytics.settings import setting
from pages.ui import cached
from pages.ui.access import deny
from pages.ui.context import cache_key, database
from pages.ui.coordinator import flash


def morning_import(user: User, urns: tuple[int, ...] | None, *, expanded: bool) -> None:
    """An expander to upload the day's register file for one of `urns` (None: every school the
    user may see)."""
    if not user.can(Capability.MORNING_IMPORT):
        return
    db = database()
    schools = cached.schools(*cache_key(db))
    names = {
        urn: name
        for urn, name in zip(schools["urn"], schools["name"], strict=True)
        if (urns is None or urn in urns) and (user.schools is None or urn in user.schools)
    }
    if not names:
        return
    with st.expander(
        "Import this morning's registers", expanded=expanded, icon=":material/upload:"
    ):
        st.caption(
            "The register export from your MIS (a file of marks, a session grid or a week grid), "
            "under its own headings: SIMS, Arbor, Bromcom, Go 4 Schools and Wonde are recognised, "
            "and a data manager can save any other on the Import page. A file is imported whole or "
            "not at all; a later file's mark replaces an earlier one, which is kept in the history."
        )
        urn = st.selectbox(
            "School", list(names), format_func=lambda u: f"{names[u]} ({u})", key="morning_school"
        )
        upload = st.file_uploader(
            "Register file",
            type=["csv", "txt"],
            key="morning_file",
            help=f"Up to {setting('upload_limit_mb')} MB.",
        )
        if st.button("Import", disabled=upload is None, key="morning_run", type="primary"):
            try:
                require(user, Capability.MORNING_IMPORT, (urn,))
            except AccessDenied as refused:
                deny(user, str(refused), "morning import")
            data = upload.getvalue()
            if len(data) > setting("upload_limit_mb") * 1024 * 1024:
                st.error(
                    f"{upload.name} is larger than {setting('upload_limit_mb')} MB and was not imported."
                )
                return
            try:
                with st.spinner(f"Importing {upload.name}…"):
                    result = import_bytes(
                        db,
                        "marks",
                        upload.name,
                        data,
                        school_urn=int(urn),
                        actor=user.name,
                        role=user.role.value,
                    )
            except ImportRefused as refused:
                st.error(f"{refused.file_name} was not imported; nothing was changed.")
                st.code(refused.message(), language=None)
            else:
                flash(result.summary())
                st.rerun()
