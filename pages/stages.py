"""Stages: the school's staged attendance procedure, which stage each pupil is in and why, every
move of the year, and the letters each stage sends."""

import streamlit as st

from analytics.domain.stages import StagesFileError, criteria_in_words
from analytics.reports.letters.render import LetterTemplateError
from pages.ui import coordinator
from pages.ui import stages as stages_ui
from pages.ui.access import guard_page, record_view_shown
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
report = stages_ui.stage_report(*key, scope.urns, as_of).in_year_groups(scope.year_groups)
current = report.current
st.caption(
    f"{scope.description} · stages as of {as_of:%A %d %B %Y}, reviewed at the end of each school "
    f"week since the start of the academic year · stages file {procedure.digest}"
)

columns = st.columns(len(procedure.stages))
for column, row in zip(columns, report.counts().iter_rows(named=True), strict=True):
    column.metric(row["stage_name"], count(row["pupils"]), help=row["action"])

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
pupils_tab, moves_tab, letters_tab, procedure_tab = st.tabs(
    [f"Pupils in a stage ({current.height:,})", "Moves this year", "Letters", "The procedure"]
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
        # On screen what fits beside the menu; the UPN, the action and the moves are in the download.
        config["reason"] = st.column_config.TextColumn("Why", width=260)
        st.dataframe(
            table,
            alt="Pupils in a stage",
            column_order=[
                c
                for c in ("name", "year_group", "form", "school", "stage_name", "since")
                + ("reason", "review_due")
                if c in table.columns
            ],
            hide_index=True,
            column_config=config,
            key="stages_pupils",
        )
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
    if moves.is_empty():
        st.write("No pupil on roll has moved between stages this academic year.")
    else:
        st.caption(
            "Every move of the pupils on roll, up or down, latest first. `rollcall export stages` "
            "keeps them in the database as recomputed on its as-of date."
        )
        st.dataframe(
            moves.select("date", "name", "year_group", "form", "from", "to", "reason"),
            alt="Moves this year",
            hide_index=True,
            column_config={
                "date": st.column_config.DateColumn("Date", format="DD/MM/YYYY"),
                "name": "Pupil",
                "year_group": "Year",
                "form": "Form",
                "from": "From",
                "to": "To",
                "reason": st.column_config.TextColumn("Why", width=300),
            },
            key="stages_moves",
        )

with letters_tab:
    with_letters = [s for s in procedure.stages if s.action.template]
    if scope.urns is None or len(scope.urns) != 1:
        st.info("Choose one school in the sidebar to make its letters.")
    elif not with_letters:
        st.write("No stage of the stages file sends a letter.")
    else:
        urn = scope.urns[0]
        chosen = st.selectbox(
            "Stage",
            [s.key for s in with_letters],
            format_func=lambda k: procedure.stage(k).name,
            key="letters_stage",
        )
        stage = procedure.stage(chosen)
        try:
            run = stages_ui.letter_run(*key, urn, as_of, chosen, scope.year_groups)
        except LetterTemplateError as error:
            st.error(f"The letters cannot be made: {error}.")
            run = None
        sent = st.session_state.pop("letters_sent", None)
        if sent is not None:
            st.success(sent["message"])
            st.download_button(
                "Download the letters sent, to print",
                data=sent["pdf"],
                file_name=sent["file_name"],
                mime="application/pdf",
                key="letters_sent_pdf",
                on_click="ignore",
                icon=":material/print:",
            )
        if run is not None:
            st.caption(
                f"{stage.name}: {len(run.letters):,} letters for {run.pupils:,} pupils "
                f"(one per family, siblings together) as of {as_of:%d %b %Y}; "
                f"{run.already_sent:,} pupils in the stage already had its letter."
            )
            if run.letters:
                first = run.letters[0]
                st.markdown("**Preview of the first letter**")
                with st.container(border=True):
                    st.text("\n".join(first.recipient))
                    st.markdown(first.body)
                st.download_button(
                    "Preview the first letter as PDF",
                    data=run.pdfs[first.file_name],
                    file_name=first.file_name,
                    mime="application/pdf",
                    key="letters_preview_pdf",
                    on_click="ignore",
                    icon=":material/picture_as_pdf:",
                )
                who = coordinator.recorder()
                if st.button(
                    f"Make all {len(run.letters):,} letters and record them",
                    type="primary",
                    disabled=who is None,
                    key="letters_make",
                ):
                    count_sent = stages_ui.send_letters(key[0], urn, run, who)
                    st.session_state["letters_sent"] = {
                        "message": f"{len(run.letters):,} letters made; {count_sent:,} entries "
                        "recorded in the pupils' chronologies, each with its letter.",
                        "pdf": run.merged_pdf(),
                        "file_name": run.merged_file_name,
                    }
                    st.rerun()
        template_name = stage.action.template
        with st.expander(f"This school's copy of the template `{template_name}`"):
            texts = stages_ui.templates(*key, urn)
            edited = st.text_area(
                "Template (Markdown with merge fields; see the README)",
                value=texts[template_name],
                height=320,
                key=f"letters_template_{template_name}",
            )
            who = coordinator.recorder()
            if st.button("Save the school's copy", disabled=who is None, key="letters_save"):
                try:
                    stages_ui.save_template(key[0], urn, template_name, edited, who)
                except LetterTemplateError as error:
                    st.error(f"Not saved: {error}.")
                else:
                    st.session_state["letters_template_saved"] = template_name
                    st.rerun()
            if st.session_state.pop("letters_template_saved", None) == template_name:
                st.success("Saved: the letters above use it.")

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

# Recorded once the page has shown its pupils (after its checks).
record_view_shown(school_urn=scope.urns[0] if scope.urns and len(scope.urns) == 1 else None)
