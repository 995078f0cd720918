"""Overview: the headline figures for the chosen school (or trust) and window, each against the
same window last year and against the national, regional and LA figures, three years beside the
published figures, similar schools, the weekly trend and the 5% absence bands."""

import streamlit as st

from analytics.domain.rounding import round_half_up
from analytics.reports.charts.weekly import describe_weekly, weekly_rate_chart
from analytics.reports.charts.overview import band_chart, describe_bands
from analytics.reports.comparisons.periods import COMPARED_COHORT
from analytics.reports.analysis.overview import HEADLINE_MEASURES
from pages.ui import analysis, comparisons
from pages.ui.access import guard_page
from pages.ui.filters import scope_or_stop
from pages.ui.format import count, percent, scope_caption
from pages.ui.tables import table

guard_page(__file__)

#: Measures where a fall is good news (the arrow colours turn round; the arrow itself does not).
LOWER_IS_BETTER = {m.column for m in HEADLINE_MEASURES if m.column != "attendance_rate"}

st.title("Overview")
scope = scope_or_stop()

key = analysis.key_of(scope)
comparison = analysis.overview(key, scope.kind, scope.part, scope.weeks)
data = comparison.figures
headline = data.headline
scope_caption(scope, headline["enrolments"])
last_label = str(comparison.last_window)
rows = {row["measure"]: row for row in comparison.table.iter_rows(named=True)}


def _points(value: float | None) -> str | None:
    if value is None:
        return None
    rounded = round_half_up(value)
    if rounded == 0:
        return "no change (0.0 points)"
    return f"{'+' if rounded > 0 else ''}{rounded} points"


columns = st.columns(4)
for position, measure in enumerate(HEADLINE_MEASURES):
    row = rows[measure.column]
    national = (
        "no national figure"
        if row["national"] is None
        else f"national {percent(row['national'])} ({row['national_year']} {row['national_period'].lower()})"
    )
    unchanged = row["change"] is not None and round_half_up(row["change"]) == 0
    with columns[position % 4]:
        st.metric(
            measure.label,
            percent(headline[measure.column]),
            delta=_points(row["change"]),
            delta_color="off"
            if unchanged
            else "inverse"
            if measure.column in LOWER_IS_BETTER
            else "normal",
            delta_arrow="off" if unchanged else "auto",
            delta_description="on last year" if row["change"] is not None else None,
            help=(
                f"{measure.help} {count(headline[measure.numerator])} of {count(headline[measure.denominator])}. "
                f"Same window last year ({last_label}): {percent(row['last_year'])}. Compulsory-age pupils "
                f"{percent(row['compared_value'])}, {national}."
            ),
        )
st.caption(f"Arrows compare with the same window last year: {last_label}.")

st.subheader("Against last year, national, region and local authority")
st.write(
    f"The school figure set beside the published ones is that of {COMPARED_COHORT}: "
    f"{count(rows['attendance_rate']['compared_pupils'])} pupils here. Each published figure is DfE's newest that "
    "Rollcall holds for the nearest comparable window, up to this window's academic year; its year and window are "
    "beside it."
)
# On screen the columns that fit beside each other; the counts and sources are in the downloads
# and in the expander below.
order = ["label", "value", "last_year", "change", "compared_value", "national", "gap_to_national"]
order += ["national_year"]
if comparison.place is not None:
    order += ["la", "gap_to_la"]
table(
    comparison.table,
    "Headline comparison",
    key="overview_comparison",
    note=scope.description,
    show=tuple(order),
    headers={
        "value": "This window %",
        "last_year": "Last year %",
        "change": "Change",
        "compared_value": "Compulsory age %",
        "gap_to_national": "Gap to national",
        "national_year": "National: year",
        "la": "Local authority %",
        "gap_to_la": "Gap to local authority",
    },
)
st.caption(
    "Change and gaps are in percentage points. *Compulsory age*: pupils aged 5 to 15 on 31 August, "
    "as DfE's national figures count them. Each figure's count, the same window last year's dates "
    "and the published figures' sources are in the download and below."
)
place = comparison.place
for measure in ("attendance_rate", "persistent_absence_rate"):
    row = rows[measure]
    beside = [f"England {percent(row['national'])}"]
    if place:
        beside += [
            f"{place.region_name} {percent(row['region'])}",
            f"{place.la_name} {percent(row['la'])}",
        ]
    when = (
        f"{row['national_year']} {row['national_period'].lower()}" if row["national_year"] else ""
    )
    st.markdown(
        f"**{row['label']}** of compulsory-age pupils: {percent(row['compared_value'])}; "
        f"{', '.join(beside)}" + (f" ({when})." if when else ".")
    )
if place:
    st.caption(
        f"Region and local authority: {place.describe()}, the same phase from the same DfE files."
    )
else:
    st.caption(f"No local authority or regional figures: {comparison.no_place}.")
if comparison.table["national_older"].any():
    st.caption(
        "A national figure more than one academic year older than the window (see its year) is the newest DfE "
        "has published that Rollcall holds (`rollcall import benchmarks` reads newer files)."
    )
with st.expander("Counts and where the published figures come from"):
    for row in comparison.table.iter_rows(named=True):
        st.markdown(
            f"- **{row['label']}**: {count(row['numerator'])} of {count(row['denominator'])}. "
            f"National: {row['national_source']}"
        )
        if comparison.place is not None:
            st.markdown(f"  - Region: {row['region_source']}")
            st.markdown(f"  - Local authority: {row['la_source']}")

st.subheader("Three years")
trend = comparisons.trend(key.db_path, key.version, key.urns, key.start, key.end, key.groups)
st.write(
    f"The whole academic years up to this window's, {COMPARED_COHORT}, beside DfE's figures for the same years "
    "(a year DfE has not published yet shows none)."
)
trend_columns = ["year", "label", "school_value", "school_pupils", "national", "national_period"]
if trend.place:
    trend_columns += ["region", "la"]
table(
    trend.table.select(trend_columns), "Three years", key="overview_trend", note=scope.description
)

if scope.urns is not None and len(scope.urns) == 1:
    st.subheader("Similar schools")
    similar = comparisons.similar_schools(key.db_path, key.version, scope.urns[0])
    if similar.found:
        st.write(similar.describe())
        table(
            similar.table.drop("distance"),
            "Similar schools",
            key="overview_similar",
            note=similar.sources,
        )
    else:
        st.info(similar.reason)

st.subheader("Attendance week by week")
if data.weekly.is_empty():
    st.write("No school weeks in this window.")
else:
    description = describe_weekly(data.weekly)
    st.altair_chart(weekly_rate_chart(data.weekly), width="stretch", alt=description)
    st.caption(description)
    table(
        data.weekly.select(
            "week_start",
            "enrolments_counted",
            "possible",
            "attended",
            "absent",
            "attendance_rate",
            "absence_rate",
        ),
        "Attendance by week",
        key="overview_weekly",
        note=scope.description,
    )

st.subheader("Pupils by share of sessions missed")
bands = comparison.bands
if bands["pupils"].sum() == 0:
    st.write("No pupils with a possible session in this window.")
else:
    description = describe_bands(bands)
    st.altair_chart(band_chart(bands), width="stretch", alt=description)
    st.caption(
        description + " The bars are this scope's compulsory-age pupils, to compare like with like."
    )
    with st.expander("Where the national bands come from"):
        st.write(comparison.bands_source)
    table(bands, "Absence bands", key="overview_bands", note=scope.description, hide=("band_from",))

if scope.urns is None or len(scope.urns) > 1:
    st.subheader("Schools")
    table(
        data.by_school.select(
            "name",
            "phase",
            "enrolments",
            "possible",
            "attendance_rate",
            "absence_rate",
            "persistent_absence_rate",
            "severe_absence_rate",
        ),
        "Schools",
        key="overview_schools",
        note=scope.description,
    )

with st.expander("How these figures are counted"):
    st.markdown(
        f"""
- **Sessions possible** ({count(headline["possible"])}): every AM and PM mark for a pupil on roll in the
  window whose code counts as possible. `D Q X Y1–Y7 Z #` (and legacy `Y`) are not possible sessions.
- **Attendance**: present (`/ \\ L`) plus approved educational activity (`K V P W B`, and the withdrawn `J`).
- **Authorised absence**: `C C1 C2 E I J1 M R S T` (and the withdrawn `H`, and legacy `F`). **Unauthorised**: `G N O U`.
- **Persistent absence**: enrolments absent for 10% or more of their own possible sessions (exactly 10% counts);
  **severe**: 50% or more. Rates are totals over enrolments divided once, shown rounded half-up.
- **Absence bands**: each pupil's share of possible sessions missed, in DfE's 5% bands ([0, 5)%, [5, 10)% … 50% and over).
- **Same window last year**: the same-named term or half-term of the previous year from the register's own
  calendar, the same number of school weeks, or the same dates a year earlier.
- **National**: DfE's published figures for the same phase (a trust's primary and secondary figures weighted by its
  own compulsory-age pupils in each phase), compared with this scope's pupils of compulsory school age.
- Enrolments on roll in the window: {count(headline["enrolments"])}; with a possible session:
  {count(headline["enrolments_counted"])}. Missing marks count in no figure.
"""
    )
