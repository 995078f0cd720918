"""Census checks: the school census attendance return of a period, ready to compare with the
MIS's, and what to fix before submitting it. Pupil-level: for data managers."""

import streamlit as st

from analytics.domain.calendar import CENSUS_PERIODS, academic_year_label, census_period
from analytics.domain.census import ERROR
from analytics.reports.exports.csv import to_csv_bytes
from pages.ui import cached, census
from pages.ui.context import cache_key, database
from pages.ui.filters import scope_or_stop
from pages.ui.format import count, plain
from pages.ui.access import audited_export, guard_page, record_view_shown

user = guard_page(__file__)

PERIOD_NAMES = {
    "autumn": ("Autumn", "spring"),
    "spring": ("Spring", "summer"),
    "summer1": ("Summer, first half", "autumn"),
    "summer2": ("Summer, second half", "autumn"),
}

st.title("Census checks")
scope = scope_or_stop(trust=False, windows=(), year_groups=False)

key = cache_key(database())
urn, year = scope.urns[0], scope.academic_year


def _day(day) -> str:
    return f"{day.day} {day:%b %Y}"


def _label(period: str) -> str:
    start, end = census_period(period, year)
    name, collected = PERIOD_NAMES[period]
    return f"{name}: {_day(start)} to {_day(end)} ({collected} census)"


last_day = cached.calendar(*key, scope.urns).last_day
started = [p for p in CENSUS_PERIODS if census_period(p, year)[0] <= last_day]
default = st.query_params.get("period", started[-1] if started else CENSUS_PERIODS[0])
period = st.radio(
    "Census period",
    CENSUS_PERIODS,
    format_func=_label,
    key="census_period",
    index=CENSUS_PERIODS.index(default) if default in CENSUS_PERIODS else 0,
)
st.query_params["period"] = period

if census_period(period, year)[0] > last_day:
    st.info(
        f"The register has no marks in this period yet: it starts on {_day(census_period(period, year)[0])}, and the latest register day is {_day(last_day)}."
    )
    st.stop()

with st.spinner("Building the return and running the checks…"):
    report = census.census(*key, urn, period, year)
totals = report.totals()
start, end = report.window.start, report.window.end
if end > last_day:
    st.info(
        f"The {PERIOD_NAMES[period][0].lower()} period runs to {_day(end)}, but the register stops on "
        f"{_day(last_day)}: these figures are the period so far. Import the rest of the period's marks "
        "before submitting the return.",
        icon=":material/schedule:",
    )
st.caption(
    f"{plain(scope.label)} · census period {period} {academic_year_label(year)}, {_day(start)} to {_day(end)} · pupils on "
    "roll at any point of the period and aged 4 to 15 on 31 August at the start of the academic year"
)

columns = st.columns(4)
columns[0].metric("Pupils in the return", count(totals["pupils"]))
columns[1].metric("Sessions possible", count(totals["sessions_possible"]))
columns[2].metric("Authorised absence", count(totals["sessions_authorised"]))
columns[3].metric("Unauthorised absence", count(totals["sessions_unauthorised"]))
left_out = report.on_roll - totals["pupils"]
who = (
    f"{count(report.on_roll)} pupils were on roll in the period; {count(left_out)} are outside ages 4 to 15 "
    f"({count(report.younger)} younger, {count(report.older)} older) and are not in the return."
    if left_out
    else f"All {count(report.on_roll)} pupils on roll in the period are in the return."
)
st.caption(
    f"{who} The totals equal `rollcall export summary --from {start} --to {end}` for the pupils in the return."
)

errors, queries = report.errors, report.queries
if errors:
    st.error(
        f"{len(errors)} check{'s' if len(errors) != 1 else ''} found errors: fix them in the MIS before submitting "
        f"the return, then import the corrected files and check again.",
        icon=":material/error:",
    )
elif queries:
    st.warning(
        f"No errors. {len(queries)} check{'s' if len(queries) != 1 else ''} raised queries: review them before submitting.",
        icon=":material/help:",
    )
else:
    st.success("Every check passed.", icon=":material/check_circle:")

stem = f"census-{period}-{year}-{(year + 1) % 100:02d}-{urn}"
left = right = st.container(horizontal=True)
left.download_button(
    "Download the return (CSV)",
    data=audited_export(
        user,
        f"{stem}.csv",
        lambda: to_csv_bytes(report.table),
        school_urn=urn,
        rows=report.table.height,
    ),
    file_name=f"{stem}.csv",
    mime="text/csv",
    key="census_csv",
    on_click="ignore",
    icon=":material/download:",
    type="primary",
)
right.download_button(
    "Download what to fix (CSV)",
    data=audited_export(
        user, f"{stem}-checks.csv", lambda: to_csv_bytes(report.findings_table()), school_urn=urn
    ),
    file_name=f"{stem}-checks.csv",
    mime="text/csv",
    key="census_findings_csv",
    on_click="ignore",
    icon=":material/download:",
    disabled=not (errors or queries),
)

st.subheader("Checks")
for finding in sorted(report.findings, key=lambda f: (not f.failed, f.check.severity != ERROR)):
    check = finding.check
    if finding.failed:
        found = finding.pupils.height
        icon = ":material/error:" if check.severity == ERROR else ":material/help:"
        title = f"{check.rule} · {check.title}: {found} pupil{'s' if found != 1 else ''} ({check.severity})"
    else:
        icon, title = ":material/check_circle:", f"{check.rule} · {check.title}: passed"
    with st.expander(title, icon=icon, expanded=finding.failed and check.severity == ERROR):
        st.markdown(f"**How to fix:** {check.fix}")
        if finding.failed:
            # By UPN on screen, as the MIS finds them; "what to fix" downloads them with names.
            st.dataframe(
                finding.pupils.select(
                    c for c in ("upn", "ncyear", "detail") if c in finding.pupils.columns
                ),
                alt=check.title,
                width="content",  # as wide as its columns: a long list's scroll bar fits too
                hide_index=True,
                placeholder="–",
                column_config={
                    "upn": "UPN",
                    "ncyear": "Year",
                    "detail": st.column_config.TextColumn("What was found", width=600),
                },
            )

record_view_shown(school_urn=urn)

with st.expander("About the return"):
    st.markdown(
        """
- **Periods** (one term in arrears): autumn 1 Aug–31 Dec (spring census); spring 1 Jan–Easter Sunday (summer
  census); summer in two halves, Easter Monday to the Sunday before the spring bank holiday and the bank holiday to
  31 Jul (autumn census).
- **Columns**: possible, authorised and unauthorised sessions, and sessions for each absence reason. Periods before
  August 2024 add the legacy `reason_F` and `reason_H`.
- **Errors** must be fixed before submitting; **queries** are DfE's "please check" items: fix them, or explain
  them when COLLECT raises them. Rule numbers are DfE's validation rules; `RC-` rules are Rollcall's own.
"""
    )
