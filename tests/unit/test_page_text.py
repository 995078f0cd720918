"""Values from files and URLs are shown as text on the pages, never read as markdown (issue 11,
item 4)."""

from __future__ import annotations

import pytest

from pages.ui.format import plain

HOSTILE = [
    ("**x**", r"\*\*x\*\*"),
    ("$x^2$", r"\$x^2\$"),
    ("![i](http://127.0.0.1:18080/b.png)", r"!\[i\](http://127.0.0.1:18080/b.png)"),
    ("[click](http://example.invalid)", r"\[click\](http://example.invalid)"),
    (":red[shout]", r":red\[shout\]"),
    (":material/warning: :smile:", r"\:material/warning: \:smile:"),
    ("<img src=x onerror=alert(1)>", r"\<img src=x onerror=alert(1)\>"),
    ("# Heading", r"\# Heading"),
    ("- item", r"\- item"),
    ("1. first", r"1\. first"),
    ("`code`", r"\`code\`"),
    ("~~gone~~", r"\~\~gone\~\~"),
    ("a | b", r"a \| b"),
    ("line\n# two", "line # two"),  # a heading only at the start of a line
]


@pytest.mark.parametrize(("value", "escaped"), HOSTILE)
def test_markdown_in_a_value_is_escaped(value, escaped):
    assert plain(value) == escaped


@pytest.mark.parametrize(
    "value",
    ["Year 9", "O'Brien-Smith", "Oakfield Primary School (990114)", "SEN provision: EHC plan"],
)
def test_ordinary_names_are_left_as_they_are(value):
    assert plain(value) == value
