"""Calendar, rounding, UPNs and year groups at their edges."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import polars as pl
import pytest

from analytics.domain.calendar import (
    academic_year_bounds,
    academic_year_label,
    academic_year_of,
    age_on,
    census_period,
    early_may_bank_holiday,
    easter_sunday,
    parse_academic_year,
    spring_bank_holiday,
)
from hypothesis import given
from hypothesis import strategies as st

from analytics.domain.rounding import (
    format_percent,
    percent,
    percent_text,
    round_half_up,
    rounded,
    rounded_text,
)
from analytics.domain.upn import check_letter, make_upn, upn_problem
from analytics.domain.yeargroups import normalise_year_group, shift_year_group, year_group_expr


@pytest.mark.parametrize(
    "year,easter",
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


def test_bank_holidays():
    assert spring_bank_holiday(2026) == date(2026, 5, 25)
    assert spring_bank_holiday(2025) == date(2025, 5, 26)
    assert early_may_bank_holiday(2026) == date(2026, 5, 4)


def test_census_periods_turn_on_easter_and_the_spring_bank_holiday():
    assert census_period("autumn", 2025) == (date(2025, 8, 1), date(2025, 12, 31))
    assert census_period("spring", 2025) == (date(2026, 1, 1), date(2026, 4, 5))  # Easter Sunday
    assert census_period("summer1", 2025) == (
        date(2026, 4, 6),
        date(2026, 5, 24),
    )  # Easter Monday to the Sunday before
    assert census_period("summer2", 2025) == (date(2026, 5, 25), date(2026, 7, 31))
    with pytest.raises(ValueError):
        census_period("summer", 2025)


def test_census_periods_cover_the_year_without_gaps():
    for year in range(2020, 2031):
        periods = [census_period(p, year) for p in ("autumn", "spring", "summer1", "summer2")]
        assert (
            periods[0][0] == academic_year_bounds(year)[0]
            and periods[-1][1] == academic_year_bounds(year)[1]
        )
        for (_, end), (start, _) in zip(periods, periods[1:]):
            assert (start - end).days == 1


def test_academic_years():
    assert academic_year_of(date(2025, 7, 31)) == 2024
    assert academic_year_of(date(2025, 8, 1)) == 2025
    assert academic_year_label(2025) == "2025/26"
    assert academic_year_label(2099) == "2099/00"
    for text in ("2025/26", "2025-26", "202526", "2025", " 2025/2026 "):
        assert parse_academic_year(text) == 2025
    with pytest.raises(ValueError):
        parse_academic_year("2025/27")


@pytest.mark.parametrize(
    "born,age",
    [
        (date(2021, 8, 31), 5),
        (date(2021, 9, 1), 4),
        (date(2011, 8, 31), 15),
        (date(2011, 9, 1), 14),
        (date(2020, 2, 29), 6),
    ],
)
def test_age_on_31_august_counts_a_birthday_on_the_day(born, age):
    assert age_on(born, date(2026, 8, 31)) == age


@pytest.mark.parametrize(
    "value,expected",
    [
        (12.25, "12.3"),
        (12.35, "12.4"),
        (0.05, "0.1"),
        (2.675, "2.7"),
        (-1.25, "-1.3"),
        (99.95, "100.0"),
        (12.24999, "12.2"),
    ],
)
def test_round_half_up(value, expected):
    assert round_half_up(value) == Decimal(expected)


def test_round_half_up_differs_from_pythons_round_where_it_matters():
    assert round(12.25, 1) == 12.2  # half to even
    assert round_half_up(12.25) == Decimal("12.3")


def test_labels_built_in_polars_round_half_up_too():
    values = pl.DataFrame({"v": [12.25, 2.675, 0.05, 99.95, 12.24999, None, float("nan")]})
    shown = values.select(rounded_text(pl.col("v")))["v"].to_list()
    assert shown == ["12.3", "2.7", "0.1", "100.0", "12.2", None, None]
    assert values.select(pl.col("v").round(1))["v"][0] == 12.2  # why: Polars rounds half to even


@given(
    st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), max_size=50),
    st.integers(0, 3),
)
def test_native_rounding_gives_what_round_half_up_gives(values, places):
    frame = pl.DataFrame({"v": values}, schema={"v": pl.Float64})
    shown = frame.select(
        rounded(pl.col("v"), places).alias("f"), rounded_text(pl.col("v"), places).alias("t")
    )
    expected = [round_half_up(v, places) for v in values]
    assert shown["f"].to_list() == [float(e) for e in expected]
    # Text as Decimal writes it, but a value that rounds to zero shows as 0, never -0.
    assert shown["t"].to_list() == [str(e.copy_abs() if e == 0 else e) for e in expected]


@given(st.lists(st.integers(0, 400), min_size=1, max_size=20), st.integers(1, 400))
def test_rates_from_counts_round_half_up_natively(numerators, denominator):
    frame = pl.DataFrame({"n": numerators}).with_columns(
        (pl.col("n") * 100 / denominator).alias("rate")
    )
    got = frame.select(percent_text(pl.col("rate")))["rate"].to_list()
    assert got == [f"{round_half_up(Fraction(n * 100, denominator))}%" for n in numerators]


def test_percent_text_writes_a_dash_where_there_is_no_rate():
    frame = pl.DataFrame({"v": [None, 6.875]}, schema={"v": pl.Float64})
    assert frame.select(percent_text(pl.col("v"), 2))["v"].to_list() == ["–", "6.88%"]


def test_percent_is_exact_from_counts():
    assert percent(1, 8) == Decimal("12.5")
    assert percent(49, 400, 1) == Decimal("12.3")  # 12.25 exactly
    assert percent(1, 0) is None
    assert round_half_up(Fraction(1, 3) * 100, 2) == Decimal("33.33")
    assert format_percent(None) == "–" and format_percent(6.875, 2) == "6.88%"


def test_upn_check_letter():
    assert upn_problem("B801200005001") is None
    assert "check letter" in upn_problem("A801200005001")
    assert "13 characters" in upn_problem("B80120000500")
    assert upn_problem("I801200005001") is not None  # I is never a check letter
    upn = make_upn(999, 2001, 25, 7)
    assert upn_problem(upn) is None and upn[1:] == "999200125007"
    temporary = "801200005" + "01A"
    assert upn_problem(check_letter("801200005" + "01A") + temporary) is None


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("Y7", "7"),
        ("Year 7", "7"),
        ("07", "7"),
        ("7", "7"),
        ("R", "R"),
        ("Reception", "R"),
        ("YR", "R"),
        ("N1", "N1"),
        ("14", "14"),
        ("15", None),
        ("Y", None),
        ("", None),
    ],
)
def test_year_groups(raw, expected):
    assert normalise_year_group(raw) == expected
    assert pl.DataFrame({"y": [raw]}).select(year_group_expr(pl.col("y")))["y"][0] == expected


@given(st.lists(st.text(alphabet="YyEeAaRrNnUuSsCcIiOo0123456789 -", max_size=9), max_size=30))
def test_year_groups_read_natively_as_in_python(raws):
    frame = pl.DataFrame({"y": raws}, schema={"y": pl.String})
    assert frame.select(year_group_expr(pl.col("y")))["y"].to_list() == [
        normalise_year_group(r) for r in raws
    ]


def test_year_groups_move_one_a_year():
    assert shift_year_group("R", 1) == "1"
    assert shift_year_group("6", 1) == "7"
    assert shift_year_group("1", -2) == "N2"
    assert shift_year_group("N1", -1) is None
    assert shift_year_group("14", 1) is None


def test_make_upn_refuses_parts_that_do_not_fit():
    for bad in ((1000, 1, 1, 1), (801, 10000, 1, 1), (801, 2000, 25, 1000), (801, 2000, 25, -1)):
        with pytest.raises(ValueError):
            make_upn(*bad)


def test_year_groups_are_named_as_the_pages_name_them():
    from analytics.domain.yeargroups import YEAR_GROUPS, year_group_label

    assert year_group_label("9") == "Year 9"
    assert year_group_label("R") == "Reception"
    assert year_group_label("N1") == "Nursery 1"
    assert year_group_label(None) == year_group_label("") == "No year group"
    assert len({year_group_label(g) for g in YEAR_GROUPS}) == len(YEAR_GROUPS)
