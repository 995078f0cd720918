"""Repairs to Streamlit's own markup that axe-core finds wanting (the browser tests run it on
every page): done in the browser, since the markup is Streamlit's, and checked by those tests so a
new Streamlit that fixes or changes it is noticed."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import streamlit as st

# Date fields draw day, month and year as targets smaller than WCAG 2.2's 24 px: given that room.
# The sidebar menu with sections is a <ul> whose children are each section's <div> (its heading
# and its <li> links): a list holding other things than list items, and list items outside a
# list. Read as what it is instead: a group of links per section, named by its heading.
_MENU_SCRIPT = """
export default function() {
  const repair = () => {
    const menu = document.querySelector('[data-testid="stSidebarNavItems"]');
    if (!menu) return;
    const sections = [...menu.children].filter((child) => child.tagName === 'DIV');
    if (!sections.length) return;  // a menu without sections is a proper list already
    menu.setAttribute('role', 'none');
    for (const section of sections) {
      const heading = section.querySelector('[data-testid="stNavSectionHeader"]');
      section.setAttribute('role', 'group');
      if (heading) section.setAttribute('aria-label', heading.innerText.trim());
      for (const item of section.querySelectorAll(':scope > li')) item.setAttribute('role', 'none');
    }
  };
  repair();
  if (!document.getElementById('rollcall-repairs')) {
    // Date fields' day, month and year are each a target under 24 px (WCAG 2.2, 2.5.8).
    const style = document.createElement('style');
    style.id = 'rollcall-repairs';
    style.textContent = '[data-testid="stDateInput"] [role="spinbutton"] '
      + '{ display: inline-block; min-width: 24px; min-height: 24px; text-align: center; }';
    document.head.appendChild(style);
  }
  if (!window.__rollcallMenuRepair) {
    window.__rollcallMenuRepair = new MutationObserver(repair);
    window.__rollcallMenuRepair.observe(document.body, {childList: true, subtree: true});
  }
}
"""


@functools.cache
def _menu_repair() -> Callable[..., Any]:
    return st.components.v2.component("rollcall.menu_repair", js=_MENU_SCRIPT)


def repair_markup() -> None:
    """Mount the repairs (once per page run; they draw nothing)."""
    with st.container(key="rollcall_repairs", height=1, border=False):
        _menu_repair()(key="rollcall_menu_repair")
