"""Targets: who needs action today, each list with its reason, counts and downloads."""

import polars as pl
import streamlit as st

from analytics.domain.rounding import rounded
from pages.ui import coordinator
from pages.ui.context import cache_key, database
from pages.ui.download import download_buttons
from pages.ui.filters import scope_or_stop
from analytics.domain.yeargroups import YEAR_GROUP_LABELS
from analytics.reports.coordinator.targets import NEW, WEEKLY_LISTS
from pages.ui.format import count, plain, shown_scope
from pages.ui.params import url_selectbox
from pages.ui.access import guard_page, record_view_shown

guard_page(__file__)

#: Columns each list shows after the pupil's, with their headings.
LIST_COLUMNS = {
    "first_day": {"session": "Session", "code": "Code"},
    "persistent": {
        "attendance_rate": "Attendance",
        "absent": "Sessions missed",
        "possible": "Possible",
    },
    "severe": {
        "attendance_rate": "Attendance",
        "absent": "Sessions missed",
        "possible": "Possible",
    },
    "penalty": {
        "penalty_threshold_date": "Threshold met",
        "unauthorised_last_10_weeks": "G N O U, last 10 weeks",
        "unauthorised": "Unauthorised this year",
        "penalty_notice_considered": "Penalty notice considered",
        "notices_last_3_years": "Notices in 3 years",
        "next_notice": "Next notice",
    },
    "unresolved_n": {
        "unresolved_n_codes": "N codes",
        "oldest_n_code": "Oldest",
        "oldest_school_days": "School days old",
    },
    "rising_risk": {
        "risk_score": "Risk",
        "earlier_risk_score": "Risk 4 weeks ago",
        "attendance_rate": "Attendance",
    },
    "most_improved": {
        "earlier_rate": "Attendance before",
        "recent_rate": "Attendance since",
        "change_points": "Change (points)",
    },
}
PERCENT_COLUMNS = {"attendance_rate", "earlier_rate", "recent_rate"}
RISK_COLUMNS = {"risk_score", "earlier_risk_score"}

st.title("Who needs action")
forms_in_url = [f for f in st.query_params.get("forms", "").split("|") if f]
scope = scope_or_stop()

db = database()
key = cache_key(db)
last_day = coordinator.last_register_day(*key)
as_of = min(scope.window.end, last_day or scope.window.end)
available_forms = coordinator.forms(*key, scope.urns, as_of, scope.year_groups)
if "targets_forms" not in st.session_state:
    st.session_state["targets_forms"] = [f for f in forms_in_url if f in available_forms]
else:
    st.session_state["targets_forms"] = [
        f for f in st.session_state["targets_forms"] if f in available_forms
    ]
chosen_forms = st.sidebar.multiselect(
    "Forms", available_forms, placeholder="All forms", key="targets_forms"
)
if chosen_forms:
    st.query_params["forms"] = "|".join(chosen_forms)
improved_weeks = int(
    st.sidebar.number_input(
        "Most improved: school weeks compared",
        min_value=2,
        max_value=12,
        value=4,
        key="targets_improved_weeks",
    )
)

lists = coordinator.target_lists_with_news(
    *key,
    scope.urns,
    scope.window.start,
    scope.window.end,
    scope.year_groups,
    tuple(chosen_forms),
    improved_weeks,
)
on_roll = coordinator.pupils_on_roll(*key, scope.urns, as_of, scope.year_groups)
if chosen_forms:
    on_roll = on_roll.filter(pl.col("form").is_in(chosen_forms))
st.caption(
    f"{shown_scope(scope)} · {count(on_roll.height)} pupils on roll on {as_of:%d %b %Y}"
    + (f" · forms {', '.join(plain(f) for f in chosen_forms)}" if chosen_forms else "")
    + f" · risk from {'the model' if lists.risk_basis == 'model' else 'transparent rules'}"
)
if lists.risk_basis != "model":
    st.info(
        f"{lists.risk_note} The rising-risk list ranks pupils by rule points, not by a probability."
    )


def shown(key_: str, rows: pl.DataFrame) -> pl.DataFrame:
    """The columns a list shows, with figures rounded as every page rounds them."""
    extra = LIST_COLUMNS[key_]
    frame = rows.select(
        "name",
        NEW,
        "upn",
        "year_group",
        "form",
        *(["school"] if scope.urns is None or len(scope.urns) > 1 else []),
        *extra,
        "reason",
        "latest_action",
        "latest_action_date",
        "next_review",
    )
    return frame.with_columns(
        *(coordinator.rounded(c) for c in extra if c in PERCENT_COLUMNS or c == "change_points"),
        *(rounded(pl.col(c) * 100).alias(c) for c in extra if c in RISK_COLUMNS),
    )


def new_count(target) -> int:
    return int(target.rows[NEW].sum()) if target.rows.height else 0


def list_label(key_: str) -> str:
    target = lists[key_]
    new = f", {new_count(target):,} new" if lists.earlier and key_ in WEEKLY_LISTS else ""
    pupils = target.rows["enrolment_id"].n_unique() if target.rows.height else 0
    return f"{target.title} ({pupils:,}{new})"


keys = [t.key for t in lists.lists]
chosen = url_selectbox(
    "List",
    keys,
    key="targets_list",
    param="list",
    format_func=list_label,
    help="Each list's count, and how many of its pupils were not on it a week earlier.",
)
target = lists[chosen]
listed_pupils = target.rows["enrolment_id"].n_unique()
# First-day calls list a pupil once per session missed: the rows are sessions, said as such.
st.subheader(
    f"{target.title}: {listed_pupils:,} pupils"
    + (f" ({target.rows.height:,} sessions)" if target.rows.height != listed_pupils else "")
)
st.caption(target.rule)
if lists.earlier and target.key in WEEKLY_LISTS:
    st.caption(
        f"*New*: not on this list on {lists.earlier:%a %d %b %Y}, the last register day a week "
        f"earlier: {new_count(target):,} pupils."
    )
if target.key == "persistent" and lists.persistent_left:
    st.caption(
        f"Pupils on roll on {lists.as_of:%d %b %Y}. The Overview also counts the "
        f"{lists.persistent_left:,} persistently absent pupils who have left since: "
        f"{target.rows.height + lists.persistent_left:,} in the window."
    )
if target.rows.is_empty():
    st.write("Nobody is on this list.")
else:
    table = shown(target.key, target.rows)
    headings = {
        "name": "Pupil",
        NEW: "New",
        "year_group": "Year",
        "form": "Form",
        "school": "School",
        "reason": "Why",
        "latest_action": "Latest action",
        "latest_action_date": "On",
        "next_review": "Review due",
    }
    config = {c: st.column_config.Column(h) for c, h in headings.items()}
    config["name"] = st.column_config.Column("Pupil", pinned=True)
    config["reason"] = st.column_config.TextColumn("Why", width=220)
    config["latest_action"] = st.column_config.TextColumn("Latest action")
    for column_name, heading in LIST_COLUMNS[target.key].items():
        if column_name in PERCENT_COLUMNS or column_name in RISK_COLUMNS:
            config[column_name] = st.column_config.NumberColumn(heading, format="%.1f%%")
        elif column_name.endswith("date") or column_name in {
            "oldest_n_code",
            "penalty_notice_considered",
        }:
            config[column_name] = st.column_config.DateColumn(heading, format="DD/MM/YYYY")
        else:
            config[column_name] = st.column_config.Column(heading)
    config["next_review"] = st.column_config.DateColumn("Review due", format="DD/MM/YYYY")
    # On screen the latest action and its date read as one ("Letter, 16/11"); the UPN is in the
    # downloads (the name, year and form say who).
    st.dataframe(
        table.with_columns(
            pl.when(pl.col(NEW)).then(pl.lit("New")).otherwise(pl.lit("")).alias(NEW),
            pl.col("year_group").replace_strict(YEAR_GROUP_LABELS, default=pl.col("year_group")),
            pl.when(pl.col("latest_action").is_not_null())
            .then(
                pl.format(
                    "{}, {}", "latest_action", pl.col("latest_action_date").dt.strftime("%d/%m")
                )
            )
            .alias("latest_action"),
        ).drop("upn", "latest_action_date", *([] if target.key in WEEKLY_LISTS else [NEW])),
        alt=target.title,
        hide_index=True,
        column_config=config,
        placeholder="–",
        height="content" if table.height <= 60 else 640,
        key=f"targets_table_{target.key}",
    )
    download_buttons(
        table,
        target.title,
        key=f"targets_download_{target.key}",
        note=f"{scope.description}. As of {lists.as_of:%d/%m/%Y}. {target.rule}",
        file_stem=f"{target.title} {lists.as_of:%Y-%m-%d}",
        pupil_data=True,
    )
    pupils = target.rows["enrolment_id"].unique(maintain_order=True).to_list()
    if st.button(
        f"Record an action for these {len(pupils):,} pupils",
        key=f"targets_act_{target.key}",
        icon=":material/edit_note:",
    ):
        st.session_state["interventions_pupils"] = pupils
        st.session_state["interventions_from"] = target.title
        st.switch_page("pages/interventions.py")

record_view_shown()

with st.expander("How these lists are drawn up"):
    st.markdown(
        f"""
- **As of** the last register day in the window ({lists.as_of:%d %b %Y}); persistent and severe absence are for the
  window ({scope.window}), the other lists for that day.
- **First-day calls**: sessions of that day coded `N` (reason not yet known) or with no mark, for pupils on roll, once the
  school has taken that session's register.
- **Penalty-notice threshold**: 10 or more sessions coded `G N O U` within 10 consecutive school weeks of the pupil's school
  (weeks with no school day are skipped, so a window may span holidays, terms and academic years), first met on a session in
  the window. The school must *consider* a penalty notice; it need not issue one.
- **N codes unresolved**: an `N` still there more than the `ROLLCALL_N_CODE_FOLLOWUP_DAYS` school days after its day.
- **Rising risk**: the model's probability of being persistently absent over the rest of the year (see *Risk model*),
  against the same four school weeks earlier; **most improved**: attendance in the last school weeks against the same
  number before, for pupils who were at 90% or less.
- Each list comes as CSV or Excel; *Record an action* takes its pupils to the Interventions page.
"""
    )
