"""Formatting for the pages: rates half-up to one decimal, counts with separators, and values from
files or URLs shown as the text they are (never read as markdown)."""

from __future__ import annotations

import re

import streamlit as st

from analytics.domain.rounding import format_percent
from pages.ui.filters import Scope


def percent(value: float | None) -> str:
    """A rate as shown on every page: half-up to 1 dp, with a % sign."""
    return format_percent(value)


def count(value: int | None) -> str:
    """A whole number with thousands separators."""
    return "–" if value is None else f"{value:,}"


#: Characters markdown reads anywhere in a line: emphasis, code, links and images, HTML, maths,
#: strikethrough, tables.
_INLINE = re.compile(r"([\\`*_\[\]<>$~|])")
#: A colon that starts Streamlit's colours and icons (`:red[`, `:material/x:`, `:smile:`).
_DIRECTIVE = re.compile(r":(?=[\w/-]+[\[:])")
#: What turns a line into a heading, a quote, a list or a numbered list.
_LINE_MARK = re.compile(r"^(\s*)([#>+-])")
_LIST_NUMBER = re.compile(r"^(\s*\d+)([.)])")


def plain(value: object) -> str:
    """A value from a file, the database or a URL (a pupil's name, a school, a form, a group) as
    text to put in markdown, a heading or a label: everything markdown would read (emphasis,
    links, images, maths, colours, icons, headings, lists) escaped, so it shows as typed and
    fetches nothing."""
    text = " ".join(str(value).splitlines())
    text = _DIRECTIVE.sub(r"\\:", _INLINE.sub(r"\\\1", text))
    return _LIST_NUMBER.sub(r"\1\\\2", _LINE_MARK.sub(r"\1\\\2", text))


def scope_caption(scope: Scope, enrolments: int) -> None:
    """The line every page shows: which schools, which window, how many enrolments."""
    st.caption(f"{shown_scope(scope)} · {count(enrolments)} enrolments on roll in the window")


def shown_scope(scope: Scope) -> str:
    """`Scope.description` for markdown: the school's name (from a file) as plain text."""
    return plain(scope.label) + scope.description.removeprefix(scope.label)
