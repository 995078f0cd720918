"""Governors' summary: one school's term in aggregates, against last year and national, with a
one-click PDF and HTML report. It reads only aggregates: no pupil is named or held."""

import streamlit as st

from analytics.reports.governors.documents import file_stem
from analytics.settings import setting
from pages.ui import governors
from pages.ui.context import cache_key, database
from pages.ui.filters import sidebar_scope
from pages.ui.access import guard_page
from pages.ui.format import plain

guard_page(__file__)

scope = sidebar_scope(trust=False, windows=("term",), year_groups=False)
if scope is None or scope.part is None:
    st.title("Governors' summary")
if scope is None:
    st.info(
        "There is no data yet. The data manager imports the school's MIS exports on the Import page."
    )
    st.stop()
if scope.part is None:
    st.info("The register holds no term for this academic year yet: choose another year.")
    st.stop()

arguments = (
    *cache_key(database()),
    scope.urns[0],
    scope.academic_year,
    scope.part,
    setting("suppression_threshold"),
)
with st.spinner("Working out the term's figures…"):
    report = governors.summary(*arguments)
st.title(plain(report.title))
st.caption(plain(report.subtitle))

stem = file_stem(report)
left = right = st.container(horizontal=True)
left.download_button(
    "Download PDF",
    data=lambda: governors.pdf(*arguments),
    file_name=f"{stem}.pdf",
    mime="application/pdf",
    key="governors_pdf",
    on_click="ignore",
    icon=":material/picture_as_pdf:",
    type="primary",
)
right.download_button(
    "Download HTML",
    data=lambda: governors.html(*arguments).encode("utf-8"),
    file_name=f"{stem}.html",
    mime="text/html",
    key="governors_html",
    on_click="ignore",
    icon=":material/description:",
)


for section in report.sections:
    st.header(section.title, divider="gray")
    for paragraph in section.paragraphs:
        st.write(plain(paragraph))
    if section.bullets:
        st.markdown("\n".join(f"- {plain(item)}" for item in section.bullets))
    for table in section.tables:
        if table.title != section.title:
            st.subheader(table.title)
        st.table(table.frame, hide_index=True, border="horizontal")
        if table.note:
            st.caption(plain(table.note))
    for chart in section.charts:
        # The page's width, not the PDF's; the spec's height is the plot's, with room for the
        # title, axes and legend around it (Streamlit otherwise fits them all into that height
        # and squashes the plot to a line).
        spec = {k: v for k, v in chart.spec.items() if k != "width"}
        spec["autosize"] = {"type": "fit-x", "contains": "padding"}
        st.vega_lite_chart(spec=spec, width="stretch", alt=chart.caption)
        st.caption(plain(chart.caption))
