"""Spells on roll: a pupil who leaves and comes back keeps both periods, and only sessions
inside a spell count. (One enrolment per pupil and school, as DfE counts enrolments.)"""

from datetime import date

import polars as pl

from analytics.pipelines.measures import enrolments_on_roll
from analytics.pipelines.windows import Window
from analytics.reports.inputs.register import load_register
from analytics.reports.exports.summary import summary_table
from analytics.store import read
from tests.unit import frames

HEADER = "upn,forename,surname,date_of_birth,year_group,admission_date,leaving_date\n"
ANN = "B801200005001,Ann,Ames,2015-03-12,5,{admitted},{left}\n"
YEAR = Window.academic_year(2024)


def pupils(load, admitted: str, left: str = "", name: str = "pupils.csv"):
    return load(
        "pupils",
        HEADER + ANN.format(admitted=admitted, left=left),
        school_urn=100001,
        file_name=name,
    )


def spells(db) -> list[tuple]:
    return [(r["admission_date"], r["leaving_date"]) for r in read.spells(db).iter_rows(named=True)]


def test_a_readmission_keeps_the_first_spell_and_its_sessions(db, load):
    pupils(load, "2024-09-02", "2024-12-20")
    load(
        "marks",
        "upn,date,session,code\nB801200005001,2024-10-01,AM,/\nB801200005001,2024-10-01,PM,I\n",
        school_urn=100001,
    )
    result = pupils(load, "2025-04-28", name="later.csv")
    assert (result.counts.new, result.counts.changed) == (0, 1)
    assert spells(db) == [(date(2024, 9, 2), date(2024, 12, 20)), (date(2025, 4, 28), None)]
    enrolment = read.enrolments(db).row(0, named=True)
    assert (enrolment["admission_date"], enrolment["leaving_date"]) == (date(2024, 9, 2), None)
    row = summary_table(load_register(db, None, YEAR), YEAR).row(0, named=True)
    assert (row["sessions_possible"], row["sessions_authorised"]) == (2, 1)


def test_an_enrolment_is_off_roll_in_the_gap_between_spells(db, load):
    pupils(load, "2024-09-02", "2024-12-20")
    pupils(load, "2025-04-28", name="later.csv")
    spring = Window(date(2025, 1, 6), date(2025, 4, 4))
    assert summary_table(load_register(db, None, spring), spring).is_empty()
    assert (
        summary_table(load_register(db, None, YEAR), YEAR).height == 1
    )  # one enrolment, two spells


def test_the_same_admission_date_updates_that_spells_leaving_date(db, load):
    pupils(load, "2024-09-02")
    result = pupils(load, "2024-09-02", "2025-03-31", name="left.csv")
    assert result.counts.changed == 1
    assert spells(db) == [(date(2024, 9, 2), date(2025, 3, 31))]
    assert read.enrolments(db).row(0, named=True)["leaving_date"] == date(2025, 3, 31)


def test_a_changed_admission_date_without_a_gap_corrects_the_latest_spell(db, load):
    pupils(load, "2024-09-02")
    pupils(load, "2024-09-04", name="corrected.csv")
    assert spells(db) == [(date(2024, 9, 4), None)]
    assert read.enrolments(db).row(0, named=True)["admission_date"] == date(2024, 9, 4)


def test_reimporting_an_older_export_changes_nothing(db, load):
    pupils(load, "2024-09-02", "2024-12-20")
    pupils(load, "2025-04-28", name="later.csv")
    result = pupils(load, "2024-09-02", "2024-12-20", name="older-copy.csv")
    assert result.counts.changed == 0
    assert len(spells(db)) == 2


def test_on_roll_in_a_window_follows_spells():
    enrolments = frames.enrolments({"admission_date": date(2024, 9, 2), "leaving_date": None})
    gap = pl.LazyFrame(
        {
            "enrolment_id": [1, 1],
            "admission_date": [date(2024, 9, 2), date(2025, 4, 28)],
            "leaving_date": [date(2024, 12, 20), None],
        },
        schema={"enrolment_id": pl.Int32, "admission_date": pl.Date, "leaving_date": pl.Date},
    )
    spring = Window(date(2025, 1, 6), date(2025, 4, 4))
    assert enrolments_on_roll(enrolments, spring).collect().height == 1  # by its own dates
    assert enrolments_on_roll(enrolments, spring, gap).collect().height == 0  # by its spells
    assert enrolments_on_roll(enrolments, YEAR, gap).collect().height == 1
