"""Chart sizes shared by the chart modules.

Streamlit fits a chart's whole height (title, axes and legend included) into the height the
spec asks for, so a chart with one row per group asks for its rows plus room for the rest.
"""

from __future__ import annotations

#: Room for a title, an axis with its title, and padding, in pixels.
CHROME = 120


def height_for(rows: int, per_row: int = 30, minimum: int = 180) -> int:
    """The height of a chart with `rows` rows of `per_row` pixels each."""
    return max(minimum, rows * per_row + CHROME)
