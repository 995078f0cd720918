"""Stages: the school's staged attendance procedure, which stage each pupil is in and why, every
move of the year, and the letters each stage sends."""

import polars as pl
import streamlit as st

from analytics.domain.stages import StagesFileError, criteria_in_words
from pages.ui import coordinator
from pages.ui import stages as stages_ui
from pages.ui.access import guard_page
from pages.ui.context import cache_key, database
from pages.ui.download import download_buttons
from pages.ui.filters import scope_or_stop
from pages.ui.format import count

guard_page(__file__)

st.title("Stages")
scope = scope_or_stop()
db = database()
key = cache_key(db)
try:
    procedure = stages_ui.procedure()
except StagesFileError as error:
    st.error(f"The stages file cannot be used: {error}. Ask the data manager to correct it.")
    st.stop()

last_day = coordinator.last_register_day(*key)
as_of = min(scope.window.end, last_day or scope.window.end)
report = stages_ui.stage_report(*key, scope.urns, as_of)
current = report.current
if scope.year_groups:
    current = current.filter(pl.col("year_group").is_in(list(scope.year_groups)))
st.caption(
    f"{scope.description} · stages as of {as_of:%A %d %B %Y}, reviewed at the end of each school "
    f"week since the start of the academic year · stages file {procedure.digest}"
)

columns = st.columns(len(procedure.stages))
counted = current.group_by("stage").len()
for column, stage in zip(columns, procedure.stages, strict=True):
    pupils = counted.filter(pl.col("stage") == stage.number)["len"].sum()
    column.metric(stage.name, count(int(pupils)), help=stage.action.description)

HEADINGS = {
    "name": "Pupil",
    "upn": "UPN",
    "year_group": "Year",
    "form": "Form",
    "stage_name": "Stage",
    "since": "Since",
    "reason": "Why",
    "action": "Action",
    "review_due": "Review due",
    "moves_this_year": "Moves this year",
}
pupils_tab, moves_tab, procedure_tab = st.tabs(
    [f"Pupils in a stage ({current.height:,})", "Moves this year", "The procedure"]
)
with pupils_tab:
    if current.is_empty():
        st.write("No pupil on roll is in a stage.")
    else:
        table = current.select(
            "name",
            "upn",
            "year_group",
            "form",
            *(["school"] if scope.urns is None else []),
            *list(HEADINGS)[4:],
        )
        config = {c: st.column_config.Column(h) for c, h in HEADINGS.items()}
        config["since"] = st.column_config.DateColumn("Since", format="DD/MM/YYYY")
        config["review_due"] = st.column_config.DateColumn("Review due", format="DD/MM/YYYY")
        st.dataframe(table, hide_index=True, column_config=config, key="stages_pupils")
        download_buttons(
            table,
            f"Stages {as_of:%Y-%m-%d}",
            key="stages_download",
            note=f"{scope.description}. Stages as of {as_of:%d %b %Y}.",
            pupil_data=True,
            school_urn=scope.urns[0] if scope.urns and len(scope.urns) == 1 else None,
        )

with moves_tab:
    moves = stages_ui.moves(report)
    if scope.year_groups:
        moves = moves.filter(pl.col("year_group").is_in(list(scope.year_groups)))
    if moves.is_empty():
        st.write("No pupil on roll has moved between stages this academic year.")
    else:
        st.caption(
            "Every move of the pupils on roll, up or down, latest first. `rollcall export stages` "
            "keeps them in the database as recomputed on its as-of date."
        )
        st.dataframe(
            moves.select("date", "name", "upn", "year_group", "form", "from", "to", "reason"),
            hide_index=True,
            column_config={
                "date": st.column_config.DateColumn("Date", format="DD/MM/YYYY"),
                "name": "Pupil",
                "upn": "UPN",
                "year_group": "Year",
                "form": "Form",
                "from": "From",
                "to": "To",
                "reason": "Why",
            },
            key="stages_moves",
        )

with procedure_tab:
    st.caption(
        "The stages file (`ROLLCALL_STAGES`) as it now reads. A pupil moves up one stage at a "
        "review when the next stage's criteria hold, and down one stage once their stage's "
        "criteria have not held for its review period."
    )
    previous = None
    for stage in procedure.stages:
        st.subheader(stage.name)
        joined = "any one of" if stage.match == "any" else "all of"
        criteria = "\n".join(f"  - {words}" for words in criteria_in_words(stage, previous))
        template = f" (letter template `{stage.action.template}`)" if stage.action.template else ""
        st.markdown(
            f"- **Enters on** {joined}:\n{criteria}\n"
            f"- **Action**: {stage.action.description}{template}\n"
            f"- **Review period**: {stage.review_school_weeks} school weeks"
        )
        previous = stage
