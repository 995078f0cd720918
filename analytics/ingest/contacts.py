"""The contacts CSV: one row per contact of a pupil (`upn,contact_name,relationship,priority,phone`
and optional `mobile,email,address,postcode,parental_responsibility,lives_with_pupil`), as MIS
contact exports give them (their headings are read through `synonyms`).

Contact details are personal data of the families: no message ever repeats a name, number,
address or email, only the row and field that is wrong.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from analytics.ingest.batch import Batch
from analytics.ingest.fields import Checker
from analytics.ingest.source import Source
from analytics.ingest.table import ROW, read_table

REQUIRED = ("upn", "contact_name", "relationship", "priority", "phone")
OPTIONAL = (
    "mobile",
    "email",
    "address",
    "postcode",
    "parental_responsibility",
    "lives_with_pupil",
)
#: Contact priorities a file may give (1 is called first).
PRIORITIES = (1, 99)
#: A phone number once spaces, dots, hyphens and brackets are taken out: an optional `+` and
#: 7 to 15 digits (UK numbers have 10 or 11; international ones up to 15).
_PHONE = r"^\+?[0-9]{7,15}$"
_PHONE_PUNCTUATION = r"[\s.\-()]"
#: A UK postcode, with or without its space (`SW1A 1AA`, `M11AE`).
_POSTCODE = r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _bad(check: Checker, values: pl.Series, wrong: pl.Series, field: str, message: str) -> None:
    """Report the rows where `wrong` holds, never showing the value."""
    for row in check.frame.filter(values.is_not_null() & wrong)[ROW]:
        check.add(row, field, message)


def phone_numbers(check: Checker, field: str) -> pl.Series:
    """A phone column, checked: digits with an optional `+`, spaces and punctuation as written."""
    values = check.text(field, max_length=30)
    digits = values.str.replace_all(_PHONE_PUNCTUATION, "")
    _bad(
        check, values, ~digits.str.contains(_PHONE).fill_null(False), field, "is not a phone number"
    )
    return values


def postcodes(check: Checker, field: str = "postcode") -> pl.Series:
    """A postcode column, checked as a UK postcode and upper-cased."""
    values = check.text(field, max_length=10).str.to_uppercase().str.replace_all(r"\s+", " ")
    _bad(
        check,
        values,
        ~values.str.contains(_POSTCODE).fill_null(False),
        field,
        "is not a UK postcode",
    )
    return values


def parse_contacts(
    file_name: str, data: bytes | Source, *, rename: Callable[[str], str] | None = None
) -> Batch:
    """Read and check a contacts CSV; `rename` reads its headings (`synonyms.header_names`)."""
    table = read_table(file_name, data, required=REQUIRED, optional=OPTIONAL, rename=rename)
    frame = table.whole()
    check = Checker(file_name, frame)
    present = set(table.columns)
    upn = check.upn()
    raw_priority = check.text("priority", required=True, max_length=10)
    priority = raw_priority.str.replace(r"\.0+$", "").cast(pl.Int16, strict=False)
    low, high = PRIORITIES
    _bad(
        check,
        raw_priority,
        ~priority.is_between(low, high).fill_null(False),
        "priority",
        f"is not a whole number from {low} to {high}",
    )
    phone = phone_numbers(check, "phone")
    mobile = (
        phone_numbers(check, "mobile")
        if "mobile" in present
        else pl.Series([None] * len(phone), dtype=pl.String)
    )
    for row in check.frame.filter(phone.is_null() & mobile.is_null())[ROW]:
        check.add(row, "phone", "is empty: give a phone or a mobile number")
    email = check.text("email", max_length=200)
    _bad(
        check,
        email,
        ~email.str.contains(_EMAIL).fill_null(False),
        "email",
        "is not an email address",
    )
    contacts = pl.DataFrame(
        {
            ROW: frame[ROW],
            "upn": upn,
            "priority": priority,
            "contact_name": check.text("contact_name", required=True, max_length=100),
            "relationship": check.text("relationship", required=True, max_length=40),
            "phone": phone,
            "mobile": mobile,
            "email": email,
            "address": check.text("address", max_length=200),
            "postcode": postcodes(check),
            "parental_responsibility": check.boolean("parental_responsibility"),
            "lives_with_pupil": check.boolean("lives_with_pupil"),
        }
    )
    check.duplicates(
        ["upn", "priority"],
        contacts.filter(pl.col("upn").is_not_null() & pl.col("priority").is_between(low, high)),
        "repeats the priority of row {first} for the same pupil",
    )
    check.finish()
    pupils = contacts["upn"].n_unique()
    notes = [f"contacts of {pupils} pupil{'s' if pupils != 1 else ''}", *table.notes()]
    return Batch(kind="contacts", rows_read=table.rows_read, contacts=contacts, notes=notes)
