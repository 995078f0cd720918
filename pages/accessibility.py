"""Accessibility statement: what Rollcall is tested against, what is known not to meet WCAG 2.2 AA,
and how to report a problem. Open to everyone, signed in or not."""

import streamlit as st

from pages.ui.access import guard_page

guard_page(__file__)
st.title("Accessibility statement")
st.markdown(
    """
Rollcall is used by school staff and governors, and schools are public bodies: its pages should
meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA, as the Public Sector Bodies
(Websites and Mobile Applications) Accessibility Regulations 2018 ask. This statement says how far
they do.

### How the pages are checked

- **Automatically, on every change.** Rollcall's browser tests open every page as each role sees
  it (senior leader, attendance staff, governor, data manager) in Chromium at 1440 by 900 pixels
  and run axe-core against WCAG 2.0, 2.1 and 2.2 at levels A and AA. A serious or critical
  violation fails the tests.
- **With the keyboard.** The tests move through the sidebar's filters, reach a table and
  download it with the keyboard alone (Tab, the arrow keys, Enter and Escape).
- **By reading them.** Every page of every role is photographed (`make screenshots`) and read
  screen by screen before a release.

### What works

- Every chart has a text alternative: a sentence under it saying what it shows, which is also
  the chart's accessible name, and every chart's figures are in a table beside it that downloads
  as CSV and Excel.
- Tables have headers, can be sorted and searched, and Tab reaches each of them and then its
  CSV and Excel downloads, which hold every figure in the table.
- Figures are never told apart by colour alone in the tables and reports: they say *yes* or *no*
  and give the numbers.

### What is known not to meet the standard

- **Charts are pictures.** Their tooltips appear only under a mouse pointer, and some charts
  tell their series apart by colour; the same figures are in the caption and the table beside
  each chart.
- **Zoom and narrow screens** have not been tested: the pages are laid out for a desktop screen.
- **Tables are drawn on a canvas.** Screen readers read the cells in view and their headers, but
  the arrow keys move from cell to cell only once a cell has been chosen with a pointer, so a
  keyboard user reads a table through its CSV or Excel download (the next stop of the Tab key).
- **The PDF downloads** (the governors' summary, a pupil's chronology) are not tagged PDFs. The
  governors' summary also downloads as an HTML page, which is accessible.
- **Some controls come from Streamlit**, the framework Rollcall is built with, and follow its
  own accessibility: we report what we find to its maintainers.

### Reporting a problem

If something on a page cannot be read or used, tell your school's data manager, who runs
Rollcall for the school, with the page's name and what happened; they will pass it to the people
who maintain Rollcall. If the answer does not satisfy you, the Equality Advisory and Support
Service (EASS) can advise.

This statement was prepared in December 2026, from the tests described above.
"""
)
