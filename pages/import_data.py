"""Import: upload MIS exports through the same importers as `rollcall import`; record a school's
LAESTAB; import DfE's published figures (`rollcall school set`, `rollcall import benchmarks`)."""

import streamlit as st

from analytics.ingest import KINDS, ImportRefused, import_bytes
from analytics.ingest.run import PHASES
from analytics.reports.comparisons.published import BenchmarkRefused
from analytics.reports.comparisons.similar import HOW_TO_GET
from analytics.settings import setting
from pages.ui import cached, comparisons
from pages.ui.access import deny, guard_page
from pages.ui.column_mapping import mapping_editor
from pages.ui.context import cache_key, database

user = guard_page(__file__)

DESCRIPTIONS = {
    "pupils": "Pupils CSV: `upn, forename, surname, date_of_birth, year_group, admission_date` and optional "
    "`sex, form, leaving_date, fsm, fsm6, looked_after, sen, eal, ethnicity, disadvantaged, address, postcode, "
    "leaving_reason, social_care, vulnerable`.",
    "marks": "Marks CSV: `upn, date, session, code` (session AM or PM) and optional `minutes_late`, under "
    "these names or as SIMS, Arbor, Bromcom, Go 4 Schools or Wonde write them; or a week grid (`MonAM` ... "
    "`FriPM` with a week start).",
    "grid": "Register grid CSV from an MIS session report: a `upn` column and one column per session, "
    "headed like `2025-09-03 AM`.",
    "ctf": "Common Transfer File (XML): pupils and their `AttendSessions` marks for this school.",
    "behaviour": "Behaviour CSV: `upn, date, type, category` (type positive or negative) and optional "
    "`time, points, severity, location, subject, staff, action, notes`.",
    "exclusions": "Exclusions CSV: `upn, start_date, category, sessions` (category suspension or permanent) "
    "and optional `end_date, reason_1, reason_2, reason_3`.",
    "contacts": "Contacts CSV, one row per contact of a pupil: `upn, contact_name, relationship, priority, phone` "
    "and optional `mobile, email, address, postcode, parental_responsibility, lives_with_pupil`. It replaces "
    "the contacts of every pupil it lists.",
}
NEW_SCHOOL = "new"

st.title("Import")
st.write(
    "Each file is imported whole or not at all. A file imported twice changes nothing; for a session "
    "already in Rollcall, the file imported last wins and the replaced mark is kept in the history."
)
db = database()
schools = cached.schools(*cache_key(db)) if db.exists() else None
names = {} if schools is None else dict(zip(schools["urn"], schools["name"], strict=True))
names = {urn: name for urn, name in names.items() if user.schools is None or urn in user.schools}
# Only an account that covers every school may add a school.
new_school = [NEW_SCHOOL] if user.schools is None else []

kind = st.selectbox("What the file holds", KINDS, format_func=str.capitalize, key="import_kind")
st.caption(DESCRIPTIONS[kind])
choice = st.selectbox(
    "School",
    [*names, *new_school],
    format_func=lambda v: "A new school…" if v == NEW_SCHOOL else f"{names[v]} ({v})",
    key="import_school",
)
school_name = phase = None
if choice == NEW_SCHOOL:
    urn = st.number_input(
        "URN of the new school",
        min_value=100000,
        max_value=999999,
        step=1,
        value=None,
        key="import_urn",
    )
    school_name = st.text_input("School name", key="import_school_name") or None
    phase = st.selectbox("Phase", PHASES, index=PHASES.index("unknown"), key="import_phase")
else:
    urn = choice
upload = st.file_uploader(
    "File",
    type=["xml"] if kind == "ctf" else ["csv", "txt"],
    key="import_file",
    help=f"Up to {setting('upload_limit_mb')} MB.",
)
mapping_editor(
    user, None if choice == NEW_SCHOOL else urn, kind, upload.getvalue() if upload else None
)

restore = st.checkbox(
    "Put back codes that later imports replaced",
    key="import_restore_replaced",
    help="A file that would put back codes a later import replaced is refused, listing them; "
    "tick this to import it anyway (even a file imported before).",
)

if st.button("Import", type="primary", disabled=upload is None or urn is None, key="import_run"):
    if user.schools is not None and int(urn) not in user.schools:
        deny(user, f"Your account does not cover school {int(urn)}.", "Import")
    data = upload.getvalue()
    if len(data) > setting("upload_limit_mb") * 1024 * 1024:
        st.error(
            f"{upload.name} is larger than {setting('upload_limit_mb')} MB and was not imported."
        )
    else:
        try:
            with st.spinner(f"Importing {upload.name}…"):
                result = import_bytes(
                    db,
                    kind,
                    upload.name,
                    data,
                    school_urn=int(urn),
                    school_name=school_name,
                    phase=phase,
                    actor=user.name,
                    role=user.role.value,
                    restore_replaced=restore,
                )
        except ImportRefused as refused:
            st.error(f"{refused.file_name} was not imported; nothing was changed.")
            st.code(refused.message(), language=None)
        else:
            st.success(result.summary())

if db.exists() and names:
    st.subheader("The school's local authority")
    st.write(
        "The LAESTAB (the LA number and the establishment number, seven digits) sets which local authority and "
        "region a school's figures are compared with. A Common Transfer File records it too."
    )
    la_school = st.selectbox(
        "School",
        list(names),
        format_func=lambda v: f"{names[v]} ({v})",
        key="laestab_school",
    )
    known = schools.filter(schools["urn"] == la_school)["laestab"][0]
    laestab = st.text_input("LAESTAB", value=known or "", key="laestab_value", max_chars=9)
    if st.button("Save the LAESTAB", key="laestab_save", disabled=not laestab):
        try:
            st.success(comparisons.set_laestab(db, user, int(la_school), laestab))
        except ValueError as error:
            st.error(str(error))

if db.exists() and user.schools is None:
    st.subheader("Published DfE figures")
    st.write(
        "Rollcall ships DfE's national, regional and LA figures; each year DfE publishes newer ones on Explore "
        "Education Statistics. Import the CSVs as downloaded (attendance year to date, absence bands, absence by "
        "characteristics, exclusions by characteristics, absence rates by school): from then on every page compares "
        f"with the newest figure held. {HOW_TO_GET}"
    )
    published = st.file_uploader(
        "DfE CSV files",
        type=["csv", "zip"],
        accept_multiple_files=True,
        key="benchmark_files",
        help=f"Up to {setting('upload_limit_mb')} MB each.",
    )
    if st.button("Import published figures", disabled=not published, key="benchmark_run"):
        for upload in published:
            data = upload.getvalue()
            if len(data) > setting("upload_limit_mb") * 1024 * 1024:
                st.error(
                    f"{upload.name} is larger than {setting('upload_limit_mb')} MB and was not imported."
                )
                break
            try:
                with st.spinner(f"Importing {upload.name}…"):
                    imported = comparisons.import_file(db, user, upload.name, data)
            except BenchmarkRefused as refused:
                st.error(f"{upload.name} was not imported; nothing was changed.")
                st.code(str(refused), language=None)
                break
            st.success(imported.summary())
    held = comparisons.published_files(*cache_key(db), user.schools)
    if not held.is_empty():
        st.dataframe(held.drop("file_id"), hide_index=True)

if db.exists():
    st.subheader("Import log")
    log = cached.import_log(*cache_key(db), user.schools)
    st.dataframe(
        log.select(
            "imported_at",
            "file_name",
            "kind",
            "school_urn",
            "rows_read",
            "new_rows",
            "changed_rows",
            "unchanged_rows",
            "notes",
        ),
        alt="Import log",
        hide_index=True,
        placeholder="–",
        column_config={
            "imported_at": st.column_config.DatetimeColumn("When", format="DD/MM/YYYY HH:mm"),
            "file_name": st.column_config.TextColumn("File", width="medium"),
            "kind": "Kind",
            "school_urn": st.column_config.NumberColumn("School", format="%d"),
            "rows_read": st.column_config.NumberColumn("Rows", format="localized"),
            "new_rows": st.column_config.NumberColumn("New", format="localized"),
            "changed_rows": st.column_config.NumberColumn("Changed", format="localized"),
            "unchanged_rows": st.column_config.NumberColumn("Same", format="localized"),
            "notes": st.column_config.TextColumn("Notes", width="medium"),
        },
    )
