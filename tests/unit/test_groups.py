"""Characteristic groups: every enrolment in exactly one group, unrecorded values as groups of
their own, display order, and forms named with their school across a trust."""

import polars as pl
import pytest

from analytics.domain.phases import national_phase
from analytics.pipelines.cohorts import with_cohorts
from analytics.pipelines.groups import (
    CHARACTERISTICS,
    NOT_RECORDED,
    group_column,
    group_order,
    with_groups,
)
from tests.unit import frames


def grouped(*rows: dict, with_school: bool = False) -> pl.DataFrame:
    cohorts = with_cohorts(frames.enrolments(*rows), 2025)
    if with_school:
        cohorts = cohorts.with_columns(pl.lit("Oakfield").alias("school_name"))
    return with_groups(cohorts, list(CHARACTERISTICS), with_school).collect()


def test_every_characteristic_labels_every_enrolment():
    shown = grouped(
        {},
        {
            "fsm": None,
            "sex": None,
            "eal": None,
            "looked_after": None,
            "form": None,
            "year_group": "R",
        },
    )
    for key in CHARACTERISTICS:
        assert shown[group_column(key)].null_count() == 0, key
    unknown = shown.row(1, named=True)
    assert unknown["group_fsm"] == unknown["group_sex"] == unknown["group_eal"] == NOT_RECORDED
    assert (
        unknown["group_looked_after"] == "Not looked after"
    )  # the census records only children in care
    assert (unknown["group_form"], unknown["group_year_group"]) == ("No form", "Reception")


def test_labels():
    shown = grouped(
        {
            "fsm": True,
            "sen": "E",
            "sex": "M",
            "eal": True,
            "ethnicity": "APKN",
            "looked_after": True,
        }
    ).row(0, named=True)
    assert shown["group_disadvantaged"] == "Disadvantaged"  # FSM makes a pupil disadvantaged
    assert (shown["group_fsm"], shown["group_sen"], shown["group_sex"]) == (
        "FSM eligible",
        "EHC plan",
        "Male",
    )
    assert (shown["group_eal"], shown["group_ethnic_group"], shown["group_looked_after"]) == (
        "EAL",
        "Asian",
        "Looked after",
    )
    assert shown["group_year_group"] == "Year 5"


def test_forms_carry_their_school_when_asked():
    assert grouped({"form": "5A"}, with_school=True)["group_form"].item() == "5A (Oakfield)"


def test_group_order():
    assert group_order("year_group", ["Year 10", "Reception", "Year 2"]) == [
        "Reception",
        "Year 2",
        "Year 10",
    ]
    assert group_order("form", ["5B", "5A"]) == ["5A", "5B"]
    assert group_order("sen", ["EHC plan", "No SEN"]) == ["No SEN", "EHC plan"]


def test_unknown_characteristic_is_refused():
    with pytest.raises(ValueError, match="unknown characteristic"):
        with_groups(frames.enrolments({}), ["shoe_size"]).collect()


@pytest.mark.parametrize(
    ("school_phase", "year_group", "phase"),
    [
        ("primary", "R", "Primary"),
        ("secondary", "7", "Secondary"),
        ("special", "9", "Special"),
        ("all-through", "6", "Primary"),
        ("all-through", "7", "Secondary"),
        ("unknown", "R", "Primary"),
        ("unknown", None, None),
    ],
)
def test_national_phase(school_phase, year_group, phase):
    frame = pl.DataFrame(
        {"school_phase": [school_phase], "year_group": [year_group]},
        schema={"school_phase": pl.String, "year_group": pl.String},
    )
    assert frame.select(national_phase()).item() == phase
