"""The pandas baseline: the per-enrolment year summary and the cohort table as an analyst would
write them, from the same rows (marks, code table, spells, enrolments) loaded into pandas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics.domain.yeargroups import YEAR_GROUPS
from analytics.store import Database, read


@dataclass(frozen=True)
class Loaded:
    """The store's rows an analyst would pull into pandas for one window."""

    marks: pd.DataFrame
    codes: pd.DataFrame
    spells: pd.DataFrame
    enrolments: pd.DataFrame


def load(db: Database, start: date, end: date) -> Loaded:
    """Read the window's marks and the tables they need into pandas."""
    return Loaded(
        marks=read.marks(db, None, start, end).to_pandas(),
        codes=read.codes(db).to_pandas(),
        spells=read.spells(db).to_pandas(),
        enrolments=read.enrolments(db).to_pandas(),
    )


def year_summary(data: Loaded, start: date, end: date) -> pd.DataFrame:
    """One row per enrolment on roll in the window, with its session counts, rates and flags."""
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    m = data.marks[(data.marks["date"] >= first) & (data.marks["date"] <= last)]
    m = m.merge(
        data.codes[["code", "category", "counts_as_possible", "late", "valid_from", "valid_to"]],
        on="code",
    )
    m = m[(m["date"] >= m["valid_from"]) & (m["date"] <= m["valid_to"])]
    m = m.merge(data.spells, on="enrolment_id")
    m = m[
        (m["date"] >= m["admission_date"])
        & (m["leaving_date"].isna() | (m["date"] <= m["leaving_date"]))
    ]
    m = m.assign(
        possible=m["counts_as_possible"].astype(int),
        attended=m["category"].isin(["present", "aea"]).astype(int),
        present=(m["category"] == "present").astype(int),
        aea=(m["category"] == "aea").astype(int),
        authorised=(m["category"] == "authorised").astype(int),
        unauthorised=(m["category"] == "unauthorised").astype(int),
        absent=m["category"].isin(["authorised", "unauthorised"]).astype(int),
        late_before_close=(m["late"] == "before_close").astype(int),
        late_after_close=(m["late"] == "after_close").astype(int),
    )
    measures = [
        "possible",
        "attended",
        "present",
        "aea",
        "authorised",
        "unauthorised",
        "absent",
        "late_before_close",
        "late_after_close",
    ]
    per_enrolment = m.groupby("enrolment_id")[measures].sum().reset_index()
    spells = data.spells
    on_roll = spells[
        (spells["admission_date"] <= last)
        & (spells["leaving_date"].isna() | (spells["leaving_date"] >= first))
    ]
    summary = (
        data.enrolments[data.enrolments["enrolment_id"].isin(on_roll["enrolment_id"].unique())][
            ["enrolment_id", "school_urn"]
        ]
        .merge(per_enrolment, on="enrolment_id", how="left")
        .fillna({c: 0 for c in measures})
    )
    counted = summary["possible"] > 0
    summary["attendance_rate"] = (summary["attended"] * 100.0 / summary["possible"]).where(counted)
    summary["absence_rate"] = (summary["absent"] * 100.0 / summary["possible"]).where(counted)
    summary["persistent_absence"] = counted & (summary["absent"] * 100 >= summary["possible"] * 10)
    summary["severe_absence"] = counted & (summary["absent"] * 100 >= summary["possible"] * 50)
    return summary.sort_values("enrolment_id").reset_index(drop=True)


def cohort_table(data: Loaded, summary: pd.DataFrame, academic_year: int) -> pd.DataFrame:
    """Enrolments, possible and absent sessions and persistent absentees by year group (in
    `academic_year`), sex, disadvantaged and SEN."""
    e = data.enrolments.set_index("enrolment_id").loc[summary["enrolment_id"]].reset_index()
    rank = e["year_group"].map({name: rank for rank, name in enumerate(YEAR_GROUPS)})
    moved = rank + (academic_year - e["year_group_academic_year"].astype(int))
    derived = (
        e["fsm6"].fillna(False).astype(bool)
        | e["fsm"].fillna(False).astype(bool)
        | e["looked_after"].fillna(False).astype(bool)
    )
    cohorts = summary.assign(
        year_group=moved.map(dict(enumerate(YEAR_GROUPS))).values,
        sex=e["sex"].values,
        disadvantaged=e["disadvantaged"]
        .astype(object)
        .where(e["disadvantaged"].notna(), derived)
        .astype(str)
        .str.lower()
        .values,
        sen=e["sen"].fillna("N").values,
    )
    parts = []
    for characteristic in ("year_group", "sex", "disadvantaged", "sen"):
        grouped = cohorts.groupby(characteristic, dropna=False).agg(
            enrolments=("enrolment_id", "size"),
            enrolments_counted=("possible", lambda s: int((s > 0).sum())),
            possible=("possible", "sum"),
            absent=("absent", "sum"),
            persistent_absentees=("persistent_absence", "sum"),
        )
        parts.append(
            grouped.reset_index()
            .rename(columns={characteristic: "value"})
            .assign(characteristic=characteristic)
        )
    table = pd.concat(parts, ignore_index=True)
    return table[
        [
            "characteristic",
            "value",
            "enrolments",
            "enrolments_counted",
            "possible",
            "absent",
            "persistent_absentees",
        ]
    ]
