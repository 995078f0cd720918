"""The rules of the domain: attendance codes, calendars, identifiers, rounding, year groups."""
