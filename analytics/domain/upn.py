"""Unique Pupil Numbers: the DfE format and its check letter."""

from __future__ import annotations

import re

#: Letters used for the check letter and a temporary UPN's last character: A-Z without I, O, S.
_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_FORMAT = re.compile(rf"[{_LETTERS}]\d{{11}}[\d{_LETTERS}]")


def check_letter(body: str) -> str:
    """The check letter for the 12 characters after it (weights 2..13, modulo 23)."""
    total = 0
    for weight, char in enumerate(body, start=2):
        total += weight * (int(char) if char.isdigit() else _LETTERS.index(char))
    return _LETTERS[total % 23]


def upn_problem(upn: str) -> str | None:
    """Why `upn` is not a valid UPN, or None when it is."""
    if len(upn) != 13:
        return f"a UPN has 13 characters, this has {len(upn)}"
    if not _FORMAT.fullmatch(upn):
        return "a UPN is a check letter, 11 digits, then a digit or letter"
    if check_letter(upn[1:]) != upn[0]:
        return "the check letter does not match the rest of the UPN"
    return None


def make_upn(la_code: int, establishment: int, year: int, serial: int) -> str:
    """A permanent UPN from its parts (used by the synthetic data generator)."""
    parts = (
        (la_code, 999, "LA code"),
        (establishment, 9999, "establishment number"),
        (serial, 999, "serial"),
    )
    for value, largest, name in parts:
        if not 0 <= value <= largest:
            raise ValueError(f"a UPN's {name} is 0 to {largest}, not {value}")
    body = f"{la_code:03d}{establishment:04d}{year % 100:02d}{serial:03d}"
    return check_letter(body) + body
