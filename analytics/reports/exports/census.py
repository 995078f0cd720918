"""The census attendance return for one census period (`rollcall export census`) and the checks
to run before submitting it (`rollcall check census`, the Census checks page).

The return's session totals are the engine's, so they equal `rollcall export summary` over the
period's dates for the same enrolments (the summary also lists pupils outside the census ages).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from analytics.domain.census import (
    CENSUS_AGES,
    CHECKS,
    ERROR,
    QUERY,
    CensusCheck,
    census_header,
    reason_codes,
)
from analytics.pipelines.calendar import school_days
from analytics.pipelines.census import (
    census_pupils,
    census_table,
    e_without_exclusion,
    exclusion_spans,
    missing_marks,
    n_codes,
    no_possible_sessions,
    outside_age_range,
    suspensions_without_e,
    withdrawn_codes,
    x_at_compulsory_age,
)
from analytics.pipelines.windows import Window
from analytics.reports.inputs.register import load_register
from analytics.store import Database, read

#: Columns of the findings file (`rollcall check census --out`).
FINDING_COLUMNS = (
    "rule",
    "severity",
    "check",
    "school_urn",
    "upn",
    "surname",
    "forename",
    "ncyear",
    "detail",
)


@dataclass(frozen=True)
class Finding:
    """One check and the pupils it found (empty when it passes)."""

    check: CensusCheck
    pupils: pl.DataFrame  # school_urn, upn, surname, forename, ncyear, detail

    @property
    def failed(self) -> bool:
        return not self.pupils.is_empty()


@dataclass(frozen=True)
class CensusReturn:
    """The return of one period for some schools, and the checks' findings."""

    period: str
    academic_year: int
    window: Window
    schools: pl.DataFrame  # urn, name
    table: pl.DataFrame  # the export, columns exactly `census_header`
    findings: tuple[Finding, ...]
    on_roll: int  # enrolments on roll at some point of the period (the summary export's rows)
    younger: int  # on roll but under 4 on 31 August: not in the return
    older: int  # on roll but 16 or over on 31 August: not in the return

    @property
    def errors(self) -> list[Finding]:
        """Failed checks that must be fixed before submitting."""
        return [f for f in self.findings if f.failed and f.check.severity == ERROR]

    @property
    def queries(self) -> list[Finding]:
        """Failed checks to explain or fix."""
        return [f for f in self.findings if f.failed and f.check.severity == QUERY]

    def totals(self) -> dict[str, int]:
        """Pupils in the return and its session totals."""
        sums = self.table.select(
            pl.col("sessions_possible", "sessions_authorised", "sessions_unauthorised").sum()
        )
        return {"pupils": self.table.height, **sums.row(0, named=True)}

    def findings_table(self) -> pl.DataFrame:
        """Every pupil every failed check found, one row each (`FINDING_COLUMNS`)."""
        parts = [
            f.pupils.select(
                pl.lit(f.check.rule).alias("rule"),
                pl.lit(f.check.severity).alias("severity"),
                pl.lit(f.check.title).alias("check"),
                *FINDING_COLUMNS[3:],
            )
            for f in self.findings
            if f.failed
        ]
        if not parts:
            return pl.DataFrame(
                schema={c: pl.Int32 if c == "school_urn" else pl.String for c in FINDING_COLUMNS}
            )
        return pl.concat(parts)


def _with_pupils(found: pl.LazyFrame, cohorts: pl.LazyFrame) -> pl.DataFrame:
    return (
        found.join(
            cohorts.select(
                "enrolment_id",
                "school_urn",
                "upn",
                "surname",
                "forename",
                pl.col("year_group").alias("ncyear"),
            ),
            on="enrolment_id",
        )
        .select("school_urn", "upn", "surname", "forename", "ncyear", "detail")
        .sort("school_urn", "upn")
        .collect()
    )


def census_return(
    db: Database, school_urns: Sequence[int], period: str, academic_year: int
) -> CensusReturn:
    """The census return of `period` (autumn, spring, summer1, summer2) of `academic_year` for
    these schools, with every check of `domain.census.CHECKS` run on it."""
    window = Window.census(period, academic_year)
    register = load_register(db, school_urns, window)
    cohorts = register.cohorts(window).collect().lazy()
    sessions = register.sessions(window).collect().lazy()
    pupils = census_pupils(cohorts)
    reasons = reason_codes(window.start)
    full = census_table(pupils, sessions, reasons).collect()
    table = full.select(
        *(pl.col(c) for c in ("school_urn", "upn", "surname", "forename", "date_of_birth")),
        pl.col("year_group").alias("ncyear"),
        *(pl.col(c) for c in census_header(window.start)[6:]),
    )
    spans = exclusion_spans(read.exclusions(db, school_urns).lazy(), school_days(sessions))
    on_roll_now, leavers = no_possible_sessions(full.lazy(), window)
    found = {
        "x-compulsory-age": x_at_compulsory_age(sessions, pupils),
        "missing-marks": missing_marks(
            register.marks.lazy(), register.spells.lazy(), pupils, window
        ),
        "withdrawn-codes": withdrawn_codes(sessions, register.codes.lazy(), pupils),
        "zero-possible": on_roll_now,
        "leaver-no-attendance": leavers,
        "n-codes": n_codes(sessions, pupils),
        "outside-age-range": outside_age_range(cohorts, sessions),
        "suspension-without-e": suspensions_without_e(spans, sessions, cohorts, window),
        "e-without-suspension": e_without_exclusion(spans, sessions),
    }
    ages = (
        cohorts.select(
            pl.len().alias("on_roll"),
            (pl.col("age_31_august") < CENSUS_AGES[0]).sum().alias("younger"),
            (pl.col("age_31_august") > CENSUS_AGES[1]).sum().alias("older"),
        )
        .collect()
        .row(0, named=True)
    )
    schools = register.schools.select("urn", "name")
    return CensusReturn(
        period=period,
        academic_year=academic_year,
        window=window,
        schools=schools,
        table=table,
        findings=tuple(Finding(check, _with_pupils(found[check.key], cohorts)) for check in CHECKS),
        on_roll=ages["on_roll"],
        younger=ages["younger"],
        older=ages["older"],
    )
