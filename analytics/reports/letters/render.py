"""Letter templates: Markdown with merge fields, rendered in a sandboxed template engine.

Templates are Jinja2 text run in its immutable sandbox (no attribute of Python objects beyond the
plain values given, nothing changed, nothing imported), with every merge field required: a
misspelt field is a message naming the template and the field, not a blank in a letter. The
values merged are plain strings, numbers and lists of them, with Markdown's emphasis markers
taken out, so a name cannot change a letter's formatting.

The defaults are in `templates/` beside this module; a school's own copies are kept in the
database (`letter_templates`) and win over the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from importlib import resources
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

#: The default templates Rollcall ships, with what each is for.
DEFAULT_TEMPLATES = {
    "concern": "Letter of concern about attendance",
    "meeting": "Invitation to an attendance meeting",
    "penalty_warning": "Attendance plan and penalty-notice warning",
    "notice_to_improve": "Notice to Improve",
    "leave_refused": "Leave of absence refused",
    "leave_agreed": "Leave of absence agreed",
    "letterhead": "The letterhead at the top of every letter",
}
#: Longest template, in characters.
MAX_TEMPLATE = 20_000

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


class LetterTemplateError(ValueError):
    """A template cannot be rendered; the message names the template and what is wrong (never a
    pupil's details)."""


def in_words(number: int) -> str:
    """A whole number from 0 to 999,999 in words, as a letter writes it (`one hundred and
    twenty-three`)."""
    if number < 0 or number > 999_999:
        return f"{number:,}"
    if number < 20:
        return _ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        return f"{_ONES[hundreds]} hundred" + (f" and {in_words(rest)}" if rest else "")
    thousands, rest = divmod(number, 1000)
    joiner = " and " if 0 < rest < 100 else " "
    return f"{in_words(thousands)} thousand" + (f"{joiner}{in_words(rest)}" if rest else "")


def letter_date(day: date) -> str:
    """`20 November 2026`."""
    return f"{day.day} {day:%B %Y}"


def default_template(name: str) -> str:
    """The text of a default template."""
    if name not in DEFAULT_TEMPLATES:
        raise LetterTemplateError(f"there is no letter template '{name}'")
    return (resources.files("analytics.reports.letters") / "templates" / f"{name}.md").read_text(
        "utf-8"
    )


def _plain_value(value: Any) -> Any:
    """Merge values without Markdown's emphasis markers (`**`, `__`, `--`) or a leading `#`."""
    if isinstance(value, str):
        for marker in ("**", "__", "--"):
            while marker in value:
                value = value.replace(marker, marker[0])
        return value.lstrip("#")
    return value


def _environment() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_plain_value,
    )


def check_template(name: str, text: str) -> None:
    """Refuse a template that is too long or not valid template text (LetterTemplateError)."""
    if len(text) > MAX_TEMPLATE:
        raise LetterTemplateError(f"template '{name}' is longer than {MAX_TEMPLATE:,} characters")
    try:
        _environment().parse(text)
    except TemplateSyntaxError as error:
        raise LetterTemplateError(
            f"template '{name}', line {error.lineno}: {error.message}"
        ) from None


def render(name: str, text: str, fields: Mapping[str, Any]) -> str:
    """The template's Markdown with these merge fields filled in."""
    check_template(name, text)
    try:
        return _environment().from_string(text).render(**fields)
    except UndefinedError as error:
        raise LetterTemplateError(
            f"template '{name}': {error.message} (see the merge fields in the README)"
        ) from None
    except SecurityError:
        raise LetterTemplateError(
            f"template '{name}' asks for something a letter template may not use"
        ) from None
    except TemplateError as error:
        raise LetterTemplateError(f"template '{name}': {error.message}") from None
    except (TypeError, ValueError, ArithmeticError) as error:
        raise LetterTemplateError(
            f"template '{name}' cannot be filled in: {type(error).__name__}"
        ) from None
