"""Golden tests: Rollcall's own rate, rounding and code-table logic reproduces DfE's published
figures from the counts in the same rows of the DfE files in `data/benchmarks/` (SOURCES.md).

What is checked, and where DfE does something Rollcall does not (dfe-formulas.md):
- every rate of every unsuppressed row of the daily attendance files, through
  `with_session_rates` and `rate`, except the national and regional `Total` rows before
  2025/26, which DfE weights by phase headcount (§6.5): those are reproduced by that weighting;
- the session identities, summing each reason column into the category the code table gives
  its code on the file's dates (never by the column's name);
- persistent absence from DfE's PA counts, census rates with half-up rounding, PA from the
  absence bands, and why Python's `round()` is not good enough.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cache

import polars as pl
import pytest

from analytics.domain.codes import (
    AEA,
    AUTHORISED,
    CODE_CHANGE_2024,
    PRESENT,
    UNAUTHORISED,
    CodeRule,
    code_table,
    rule_for,
)
from analytics.domain.rounding import percent, round_half_up
from analytics.pipelines.measures import (
    PERSISTENT_ABSENCE_PERCENT,
    SEVERE_ABSENCE_PERCENT,
    rate,
    with_session_rates,
)
from analytics.pipelines.sessions import classify_marks
from analytics.settings import PROJECT_ROOT

BENCHMARKS = PROJECT_ROOT / "data" / "benchmarks"
SUPPRESSED = ("c", "x", "z", "")
TOLERANCE = 1e-6


@dataclass(frozen=True)
class DailyFile:
    """A daily attendance file: its dates (to classify codes) and what to expect in it."""

    name: str
    first_day: date
    last_day: date
    rows_checked: int  # rows with published counts (LA rows with one school are all `c`)
    weighted_totals: bool  # DfE weights national/regional Totals by phase headcount (§6.5)


DAILY_FILES = (
    DailyFile(
        "dfe_attendance_ytd_2022-23_nat_reg_la.csv", date(2022, 9, 12), date(2023, 7, 28), 483, True
    ),
    # The end of the 2023/24 window is not recorded; every 2023/24 date classifies the same.
    DailyFile(
        "dfe_attendance_ytd_2023-24_nat_reg_la.csv", date(2023, 9, 11), date(2024, 7, 31), 490, True
    ),
    DailyFile(
        "dfe_attendance_ytd_2023-24_to_12jan2024_nat_reg_la.csv",
        date(2023, 9, 11),
        date(2024, 1, 12),
        485,
        True,
    ),
    DailyFile(
        "dfe_attendance_ytd_2024-25_nat_reg_la.csv", date(2024, 9, 9), date(2025, 7, 25), 491, True
    ),
    DailyFile(
        "dfe_attendance_term_2024-25_autumn_nat_reg_la.csv",
        date(2024, 9, 9),
        date(2024, 12, 21),
        491,
        True,
    ),
    DailyFile(
        "dfe_attendance_term_2024-25_spring_nat_reg_la.csv",
        date(2025, 1, 6),
        date(2025, 4, 12),
        491,
        True,
    ),
    DailyFile(
        "dfe_attendance_term_2024-25_summer_nat_reg_la.csv",
        date(2025, 4, 14),
        date(2025, 7, 25),
        491,
        True,
    ),
    DailyFile(
        "dfe_attendance_weekly_autumn2024_nat_reg_la.csv",
        date(2024, 9, 9),
        date(2024, 12, 6),
        5892,
        True,
    ),
    DailyFile(
        "dfe_attendance_ytd_2025-26_to_week26_nat_reg_la.csv",
        date(2025, 9, 8),
        date(2026, 7, 10),
        643,
        False,
    ),
)
AFTER_2024_CHANGE = [f for f in DAILY_FILES if f.first_day >= CODE_CHANGE_2024]
BEFORE_2024_CHANGE = [f for f in DAILY_FILES if f.last_day < CODE_CHANGE_2024]

#: DfE's session counts under the engine's names (SESSION_MEASURES).
ENGINE_NAMES = {
    "possible_sessions": "possible",
    "overall_attendance": "attended",
    "present_sessions": "present",
    "approved_educational_activity": "aea",
    "authorised_absence": "authorised",
    "unauthorised_absence": "unauthorised",
    "overall_absence": "absent",
}
#: Published headline rates and the engine's rate that must equal each.
HEADLINE_RATES = {
    "attendance_perc": "attendance_rate",
    "overall_absence_perc": "absence_rate",
    "authorised_absence_perc": "authorised_rate",
    "unauthorised_absence_perc": "unauthorised_rate",
    "unauth_late_registers_closed_perc": "late_after_close_rate",
}
#: Published reason rates and their numerator (dfe-formulas.md §6.2); the denominator is possible.
REASON_RATES = {
    "illness_perc": "reason_i_authorised_illness",
    "appointments_perc": "reason_m_authorised_medical_dental",
    "auth_religious_perc": "reason_r_authorised_religious_observance",
    "auth_study_perc": "reason_s_authorised_study_leave",
    "auth_grt_perc": "reason_t_authorised_grt_absence",
    "auth_mob_perc": "reason_t_authorised_mobile_child",
    "auth_holiday_perc": "reason_h_authorised_holiday",
    "auth_excluded_perc": "reason_e_authorised_excluded",
    "auth_performance_perc": "reason_c1_authorised_regulated_performance",
    "auth_interview_perc": "reason_j1_authorised_interview",
    "auth_part_time_perc": "reason_c2_authorised_temp_reduced_timetable",
    "auth_other_perc": "reason_c_authorised_other",
    "unauth_hol_perc": "reason_g_unauthorised_holiday",
    "unauth_oth_perc": "reason_o_other_unauthorised",
    "unauth_not_yet_perc": "reason_n_no_reason_yet",
    "covid_non_compulsory_perc": "reason_x_not_attending_covid_non_compulsory",
}
#: The register code each reason column counts. Its category comes from the code table.
REASON_CODES = {
    "reason_present_am": "/",
    "reason_present_pm": "\\",
    "reason_l_present_late_before_registers_closed": "L",
    "reason_i_authorised_illness": "I",
    "reason_m_authorised_medical_dental": "M",
    "reason_r_authorised_religious_observance": "R",
    "reason_s_authorised_study_leave": "S",
    "reason_t_authorised_grt_absence": "T",
    "reason_t_authorised_mobile_child": "T",
    "reason_h_authorised_holiday": "H",
    "reason_e_authorised_excluded": "E",
    "reason_c_authorised_other": "C",
    "reason_c1_authorised_regulated_performance": "C1",
    "reason_j1_authorised_interview": "J1",
    "reason_c2_authorised_temp_reduced_timetable": "C2",
    "reason_b_aea_education_off_site": "B",
    "reason_d_aea_dual_registration": "D",
    "reason_j_aea_interview": "J",
    "reason_p_aea_approved_sporting_activity": "P",
    "reason_v_aea_educational_visit_trip": "V",
    "reason_w_aea_work_experience": "W",
    "reason_k_aea_education_arranged_by_la": "K",
    "reason_g_unauthorised_holiday": "G",
    "reason_u_unauthorised_late_after_registers_closed": "U",
    "reason_o_other_unauthorised": "O",
    "reason_n_no_reason_yet": "N",
    "reason_x_not_attending_covid_non_compulsory": "X",
}
#: `reason_present` is not a code but `/` + `\`, checked as such.
REASON_SUMS = {"reason_present": ("reason_present_am", "reason_present_pm")}
#: DfE's authorised absence includes codes it does not break out (such as legacy `F`), so it
#: exceeds the sum of the listed authorised columns on some rows: never below it, and on the
#: saved files by at most 0.150% of possible sessions (2022/23 South Gloucestershire secondary:
#: 8,064 sessions; weekly file: 0.1498%). dfe-formulas.md §6.1 says "1-6 sessions in about 10%
#: of rows"; the files do not bear that out (2022/23: 417 of 483 rows, up to 206,334 sessions).
AUTHORISED_RESIDUAL_SHARE = Fraction(2, 1000)


# ---- reading -------------------------------------------------------------------------------


@cache
def raw(name: str) -> pl.DataFrame:
    """A benchmark file as published, every column as text."""
    return pl.read_csv(BENCHMARKS / name, infer_schema=False)


@cache
def daily(name: str) -> pl.DataFrame:
    """The rows of a daily attendance file that carry counts, with counts as integers and
    rates as floats; the phase column is `phase` whatever the file calls it."""
    frame = raw(name)
    frame = frame.rename(
        {"education_phase" if "education_phase" in frame.columns else "school_type": "phase"}
    )
    possible = pl.col("possible_sessions")
    kept = frame.filter(possible.is_not_null() & ~possible.is_in(SUPPRESSED))
    counts = [c for c in kept.columns if c in ENGINE_NAMES or c.startswith("reason_")]
    counts += ["late_sessions", "total_enrolments"]
    rates = [c for c in kept.columns if c.endswith("_perc")]
    return kept.with_columns(pl.col(counts).cast(pl.Int64), pl.col(rates).cast(pl.Float64))


def is_weighted_total(daily_file: DailyFile) -> pl.Expr:
    """National and regional `Total` rows that DfE weights by phase headcount."""
    return (
        pl.lit(daily_file.weighted_totals)
        & (pl.col("phase") == "Total")
        & pl.col("geographic_level").is_in(["National", "Regional"])
    )


def code_rules(daily_file: DailyFile) -> dict[str, CodeRule | None]:
    """The code table's rule for each reason column's code on the file's dates (None when the
    code was not in use then)."""
    rules = {}
    for column in daily(daily_file.name).columns:
        if not column.startswith("reason_") or column in REASON_SUMS:
            continue
        code = REASON_CODES[column]  # a KeyError here is a reason column nobody has mapped
        first, last = rule_for(code, daily_file.first_day), rule_for(code, daily_file.last_day)
        assert first == last, f"code {code} changes rule inside {daily_file.name}"
        rules[column] = first
    return rules


def sessions_in(rules: dict[str, CodeRule | None], category: str) -> pl.Expr:
    """The sum of the reason columns whose code the table puts in `category`."""
    columns = [column for column, rule in rules.items() if rule and rule.category == category]
    return pl.sum_horizontal(columns) if columns else pl.lit(0, pl.Int64)


def late_sessions(rules: dict[str, CodeRule | None], late: str) -> pl.Expr:
    columns = [column for column, rule in rules.items() if rule and rule.late == late]
    return pl.sum_horizontal(columns) if columns else pl.lit(0, pl.Int64)


def engine_rates(daily_file: DailyFile) -> pl.DataFrame:
    """The file's rows with the engine's session rates and reason rates added (`ours_<column>`
    for each published rate column)."""
    frame = daily(daily_file.name)
    rules = code_rules(daily_file)
    totals = frame.lazy().with_columns(
        *(pl.col(dfe).alias(engine) for dfe, engine in ENGINE_NAMES.items()),
        late_sessions(rules, "before_close").alias("late_before_close"),
        late_sessions(rules, "after_close").alias("late_after_close"),
    )
    return (
        with_session_rates(totals)
        .with_columns(
            *(pl.col(ours).alias(f"ours_{dfe}") for dfe, ours in HEADLINE_RATES.items()),
            *(
                rate(numerator, "possible").alias(f"ours_{dfe}")
                for dfe, numerator in REASON_RATES.items()
                if dfe in frame.columns
            ),
        )
        .collect()
    )


def published_rate_columns(frame: pl.DataFrame) -> list[str]:
    columns = [
        c
        for c in frame.columns
        if c.endswith("_perc") and c != "pa_perc" and not c.startswith("ours_")
    ]
    unknown = set(columns) - set(HEADLINE_RATES) - set(REASON_RATES)
    assert not unknown, f"published rates with no formula in this test: {unknown}"
    return columns


def mismatches(frame: pl.DataFrame, columns: list[str], keys: list[str]) -> pl.DataFrame:
    """Rows and columns where `ours_<column>` differs from the published `<column>`."""
    parts = [
        frame.filter((pl.col(f"ours_{c}") - pl.col(c)).abs() > TOLERANCE).select(
            *keys,
            pl.lit(c).alias("rate"),
            pl.col(f"ours_{c}").alias("ours"),
            pl.col(c).alias("dfe"),
        )
        for c in columns
    ]
    return pl.concat(parts)


def row_keys(frame: pl.DataFrame) -> list[str]:
    keys = ["time_identifier"] if "time_identifier" in frame.columns else []
    return [*keys, "geographic_level", "region_name", "la_name", "phase"]


# ---- rates of the daily attendance files -----------------------------------------------------


@pytest.mark.parametrize("daily_file", DAILY_FILES, ids=lambda f: f.name)
def test_published_rates_are_the_engines_rates(daily_file: DailyFile) -> None:
    """attendance, overall/authorised/unauthorised absence, U and every reason rate = the
    engine's `with_session_rates` / `rate` on the row's own counts, to 1e-6."""
    ours = engine_rates(daily_file)
    assert ours.height == daily_file.rows_checked
    columns = published_rate_columns(ours)
    checked = ours.filter(~is_weighted_total(daily_file) & (pl.col("possible") > 0))
    wrong = mismatches(checked, columns, row_keys(ours))
    assert wrong.is_empty(), f"{wrong.height} rates differ from DfE's:\n{wrong.head(10)}"

    # Where nothing was possible DfE publishes NaN and the engine no rate (weekly file only).
    empty = ours.filter(pl.col("possible") == 0)
    for column in columns:
        assert empty[column].is_nan().all() and empty[f"ours_{column}"].is_null().all()


@pytest.mark.parametrize(
    "daily_file", [f for f in DAILY_FILES if f.weighted_totals], ids=lambda f: f.name
)
def test_weighted_totals_before_2025_26(daily_file: DailyFile) -> None:
    """Before 2025/26 DfE's national and regional Totals are Σ_phase(rate × total_enrolments) /
    Σ total_enrolments (prerun_utils.R at f9c6744, dfe-formulas.md §6.5), not Σ sessions /
    Σ possible. The engine's phase rates weighted that way give the published Total."""
    ours = engine_rates(daily_file)
    columns = published_rate_columns(ours)
    if "pa_perc" in ours.columns:  # PA has no counts here: weight the published phase rates
        ours = ours.with_columns(pl.col("pa_perc").alias("ours_pa_perc"))
        columns.append("pa_perc")
    group = [c for c in ("time_identifier", "geographic_level", "region_name") if c in ours.columns]
    upper = ours.filter(pl.col("geographic_level").is_in(["National", "Regional"]))
    weight = pl.col("total_enrolments")
    weighted = (
        upper.filter(pl.col("phase") != "Total")
        .group_by(group)
        .agg(
            pl.len().alias("phases"),
            pl.col("possible").sum().alias("possible_summed"),
            pl.col("absent").sum().alias("absent_summed"),
            *(
                (pl.col(f"ours_{c}") * weight).sum().truediv(weight.sum()).alias(f"weighted_{c}")
                for c in columns
            ),
        )
    )
    totals = upper.filter(pl.col("phase") == "Total").join(
        weighted, on=group, how="left", nulls_equal=True
    )
    assert totals.height == (120 if "weekly" in daily_file.name else 10)
    assert (totals["phases"] == 3).all()
    # A Total's sessions are its phases' sessions; only the rate is weighted.
    assert (totals["possible"] == totals["possible_summed"]).all()
    for column in columns:
        gap = (totals[f"weighted_{column}"] - totals[column]).abs().max()
        assert gap < 1e-9, f"{column}: weighted phase rates miss the published Total by {gap}"
    # ...which is why the plain session rate does not reproduce them (6.880% vs 6.870% in 2024/25).
    national = totals.filter(pl.col("geographic_level") == "National").with_columns(
        rate("absent_summed", "possible_summed").alias("session_based")
    )
    assert ((national["session_based"] - national["overall_absence_perc"]).abs() > 1e-3).all()


def test_totals_from_2025_26_are_session_based() -> None:
    """From 2025/26 every Total (national, regional and the new LA Totals) is Σ absent /
    Σ possible, so the main rate test checks them directly; the old weighting would miss."""
    daily_file = DAILY_FILES[-1]
    published = raw(daily_file.name).filter(pl.col("education_phase") == "Total")
    totals = daily(daily_file.name).filter(pl.col("phase") == "Total")
    by_level = [("Local authority", 153), ("National", 1), ("Regional", 9)]
    assert published.group_by("geographic_level").len().sort("geographic_level").rows() == by_level
    assert totals.height == 161  # two LA Totals are `c` (one school reporting)
    phases = daily(daily_file.name).filter(
        (pl.col("geographic_level") == "National") & (pl.col("phase") != "Total")
    )
    weighted_pa = (phases["pa_perc"] * phases["total_enrolments"]).sum() / phases[
        "total_enrolments"
    ].sum()
    published_pa = totals.filter(pl.col("geographic_level") == "National")["pa_perc"].item()
    assert round_half_up(published_pa, 2) == Decimal("18.78")
    assert round_half_up(weighted_pa, 2) == Decimal("18.68")


# ---- session identities through the code table ----------------------------------------------


@pytest.mark.parametrize("daily_file", DAILY_FILES, ids=lambda f: f.name)
def test_present_unauthorised_and_late_follow_the_code_table(daily_file: DailyFile) -> None:
    """present = the codes the table calls present (/ \\ L); unauthorised = its unauthorised
    codes (G U O N) exactly; DfE's late sessions = the codes the table marks late (L before
    registers closed, U after). Also DfE's own identities that the engine relies on."""
    frame = daily(daily_file.name)
    rules = code_rules(daily_file)
    for total, parts in REASON_SUMS.items():
        assert (frame[total] == frame.select(pl.sum_horizontal(parts)).to_series()).all()
    checks = {
        "present = Σ present codes": pl.col("present_sessions") == sessions_in(rules, PRESENT),
        "unauthorised = Σ unauthorised codes": pl.col("unauthorised_absence")
        == sessions_in(rules, UNAUTHORISED),
        "late = L + U": pl.col("late_sessions")
        == late_sessions(rules, "before_close") + late_sessions(rules, "after_close"),
        "attended = present + aea": pl.col("overall_attendance")
        == pl.col("present_sessions") + pl.col("approved_educational_activity"),
        "absent = authorised + unauthorised": pl.col("overall_absence")
        == pl.col("authorised_absence") + pl.col("unauthorised_absence"),
        "possible = attended + absent": pl.col("possible_sessions")
        == pl.col("overall_attendance") + pl.col("overall_absence"),
    }
    for name, holds in checks.items():
        failing = frame.filter(~holds)
        assert failing.is_empty(), (
            f"{name} fails on {failing.height} rows:\n{failing.select(row_keys(frame)).head()}"
        )


@pytest.mark.parametrize("daily_file", DAILY_FILES, ids=lambda f: f.name)
def test_aea_and_authorised_follow_the_code_table(daily_file: DailyFile) -> None:
    """AEA = the codes the table calls AEA, exactly (so `D`, which the pre-2024 files list under
    AEA, is rightly not counted: with it ~450 rows fail); authorised = its authorised codes plus
    a residual of codes DfE does not break out (never negative, at most 0.2% of possible)."""
    frame = daily(daily_file.name)
    rules = code_rules(daily_file)
    aea_wrong = frame.filter(pl.col("approved_educational_activity") != sessions_in(rules, AEA))
    assert aea_wrong.is_empty(), f"AEA differs on {aea_wrong.height} rows"
    residual = (pl.col("authorised_absence") - sessions_in(rules, AUTHORISED)).alias("residual")
    allowed = (
        pl.col("possible_sessions")
        * AUTHORISED_RESIDUAL_SHARE.numerator
        / AUTHORISED_RESIDUAL_SHARE.denominator
    )
    out_of_band = frame.filter((residual < 0) | (residual > allowed))
    assert out_of_band.is_empty(), f"authorised residual out of band on {out_of_band.height} rows"


@pytest.mark.parametrize("daily_file", AFTER_2024_CHANGE, ids=lambda f: f.name)
def test_withdrawn_codes_j_and_h_still_count_after_2024_as_dfe_counts_them(
    daily_file: DailyFile,
) -> None:
    """The 2024 regulations withdrew J and H, but DfE's later files still hold J and H sessions
    and count them as approved educational activity and authorised absence (2024/25 national
    Total: J 503, H 1,465). The code table follows the data (flagging them as withdrawn), which
    is why the AEA and authorised checks above are exact on these files too."""
    frame = daily(daily_file.name)
    rules = code_rules(daily_file)
    j, h = rules["reason_j_aea_interview"], rules["reason_h_authorised_holiday"]
    assert (j.category, h.category) == (AEA, AUTHORISED)
    assert j.withdrawn_from is not None and h.withdrawn_from is not None
    assert (
        frame["reason_j_aea_interview"].sum() > 0 and frame["reason_h_authorised_holiday"].sum() > 0
    )


@pytest.mark.parametrize("daily_file", DAILY_FILES, ids=lambda f: f.name)
def test_classify_marks_puts_dfe_sessions_in_dfe_buckets(daily_file: DailyFile) -> None:
    """The engine's own pipeline: each reason count becomes a mark with its code on the file's
    first day, `classify_marks` (joined with `code_table()`) counts it, and the summed measures
    give DfE's present, unauthorised, late (L, U), AEA and unauthorised rate exactly, and its
    authorised absence up to the unlisted residual above."""
    frame = daily(daily_file.name).with_row_index("row")
    reasons = [c for c in frame.columns if c in REASON_CODES]
    marks = (
        frame.lazy()
        .unpivot(on=reasons, index="row", variable_name="column", value_name="sessions")
        .with_columns(
            pl.col("column").replace_strict(REASON_CODES).alias("code"),
            pl.lit(daily_file.first_day).alias("date"),
        )
    )
    measures = (
        "possible",
        "present",
        "aea",
        "authorised",
        "unauthorised",
        "late_before_close",
        "late_after_close",
    )
    ours = (
        classify_marks(marks, code_table().lazy())
        .group_by("row")
        .agg((pl.col(m).cast(pl.Int64) * pl.col("sessions")).sum() for m in measures)
        .with_columns(
            (pl.col("present") + pl.col("aea")).alias("attended"),
            (pl.col("authorised") + pl.col("unauthorised")).alias("absent"),
        )
        .pipe(with_session_rates)
        .collect()
        .join(frame, on="row", suffix="_engine")
    )
    assert ours.height == daily_file.rows_checked
    assert (ours["present"] == ours["present_sessions"]).all()
    assert (ours["unauthorised"] == ours["unauthorised_absence"]).all()
    assert (ours["late_before_close"] + ours["late_after_close"] == ours["late_sessions"]).all()
    assert (ours["aea"] == ours["approved_educational_activity"]).all()
    residual = ours["authorised_absence"] - ours["authorised"]
    assert residual.min() >= 0
    share = AUTHORISED_RESIDUAL_SHARE
    assert (residual * share.denominator <= ours["possible_sessions"] * share.numerator).all()
    # D, X (and Q, Y*, Z, #) are not possible sessions: the engine's possible is DfE's, less the
    # authorised sessions DfE counts under codes it does not break out.
    assert (ours["possible"] + residual == ours["possible_sessions"]).all()
    # Where no unlisted code occurs, the engine's possible is DfE's, and so are all its rates
    # computed from the marks.
    same = ours.filter(
        (pl.col("possible") == pl.col("possible_sessions"))
        & (pl.col("possible") > 0)
        & ~is_weighted_total(daily_file)
    )
    assert same.height > 0
    for dfe, engine in HEADLINE_RATES.items():
        assert ((same[engine] - same[dfe]).abs() <= TOLERANCE).all(), dfe


# ---- persistent absence ----------------------------------------------------------------------


def test_persistent_absence_rate_from_dfe_pa_counts() -> None:
    """`rate(pa_flag, ytd_enrolments)` = the published `pa_perc` on every phase row of the
    12-Jan-2024 pair (dfe-formulas.md §6.3: 475 of 475)."""
    keys = ["geographic_level", "region_code", "new_la_code", "phase"]
    counts = raw("dfe_pa_counts_2023-24_to_12jan2024_nat_reg_la.csv").rename(
        {"school_type": "phase"}
    )
    ytd = daily("dfe_attendance_ytd_2023-24_to_12jan2024_nat_reg_la.csv")
    matched = (
        counts.with_columns(
            pl.col(keys).fill_null(""), pl.col("pa_flag", "ytd_enrolments").cast(pl.Int64)
        )
        .join(ytd.with_columns(pl.col(keys).fill_null("")), on=keys, how="inner")
        .with_columns(rate("pa_flag", "ytd_enrolments").alias("ours"))
    )
    assert matched.height == 475  # every phase row of the ytd file with figures
    assert matched.height == ytd.filter(pl.col("phase") != "Total").height
    worst = (matched["ours"] - matched["pa_perc"]).abs().max()
    assert worst < TOLERANCE
    # The national Total (20.33%) is headcount-weighted (§6.5), not Σ pa_flag / Σ enrolments.
    national = matched.filter(pl.col("geographic_level") == "National")
    pooled = percent(national["pa_flag"].sum(), national["ytd_enrolments"].sum(), 2)
    published = ytd.filter(
        (pl.col("geographic_level") == "National") & (pl.col("phase") == "Total")
    )["pa_perc"]
    assert round_half_up(published.item(), 2) == Decimal("20.33") != pooled


def test_fortnightly_pa_week_30_is_the_year_rounded_half_up() -> None:
    """The fortnightly PA file's last publication (week 30 of 2025) is the 2024/25 full-year
    `pa_perc` rounded half-up to 2 dp, on every row with a figure."""
    weeks = raw("dfe_pa_percent_fortnightly_ytd_2024-25_nat_reg_la.csv").filter(
        pl.col("time_identifier") == "Week 30"
    )
    year = raw("dfe_attendance_ytd_2024-25_nat_reg_la.csv").with_columns(
        pl.col("school_type").replace({"Total": "All schools"}).alias("education_phase")
    )
    keys = ["geographic_level", "region_code", "new_la_code", "education_phase"]
    pairs = (
        weeks.with_columns(pl.col(keys).fill_null(""))
        .join(year.with_columns(pl.col(keys).fill_null("")), on=keys, how="inner")
        .filter(~pl.col("persistent_absence_percent").is_in(SUPPRESSED))
    )
    assert pairs.height == 491
    for published, unrounded in pairs.select("persistent_absence_percent", "pa_perc").iter_rows():
        assert round_half_up(float(unrounded), 2) == Decimal(published), (published, unrounded)


# ---- census statistics ------------------------------------------------------------------------

CENSUS = "dfe_absence_national_by_characteristic_2012-13_to_2016-17.csv"
CENSUS_RATES = {
    "sess_overall_percent": ("sess_overall", "sess_possible"),
    "sess_authorised_percent": ("sess_authorised", "sess_possible"),
    "sess_unauthorised_percent": ("sess_unauthorised", "sess_possible"),
    "sess_overall_percent_pa_10_exact": ("sess_overall_pa_10_exact", "sess_possible_pa_10_exact"),
    "sess_authorised_percent_pa_10_exact": (
        "sess_authorised_pa_10_exact",
        "sess_possible_pa_10_exact",
    ),
    "sess_unauthorised_percent_pa_10_exact": (
        "sess_unauthorised_pa_10_exact",
        "sess_possible_pa_10_exact",
    ),
}


def census_rows() -> list[dict[str, str]]:
    rows = [r for r in raw(CENSUS).iter_rows(named=True) if r["sess_possible"] not in SUPPRESSED]
    assert len(rows) == 1308 == raw(CENSUS).height - 1  # one row is all `x`
    return rows


@pytest.mark.parametrize("published_column", CENSUS_RATES)
def test_census_rates_round_half_up(published_column: str) -> None:
    """`percent(n, d)` (exact, half-up) and `round_half_up(n / d * 100, 1)` both give the
    published 1-dp census rate on all 1,308 rows (session counts are not rounded)."""
    numerator, denominator = CENSUS_RATES[published_column]
    for row in census_rows():
        n, d, published = int(row[numerator]), int(row[denominator]), Decimal(row[published_column])
        assert percent(n, d, 1) == published, (
            row["year"],
            row["school_type"],
            row["characteristic"],
        )
        assert round_half_up(n / d * 100, 1) == published, (
            row["year"],
            row["school_type"],
            row["characteristic"],
        )


def within_rounding_band(count: int, total: int, published: str, places: int) -> bool:
    """Could `published` be `count / total × 100` rounded to `places`, when both counts were
    rounded to the nearest 5 (each off by at most 2.5) before publication? (§6.6)"""
    low = Fraction(max(2 * count - 5, 0), 2) / Fraction(2 * total + 5, 2) * 100
    half_step = Fraction(1, 2 * 10**places)
    if 2 * total <= 5:  # the true total could be 0: no upper bound
        return low - half_step <= Fraction(published)
    high = Fraction(2 * count + 5, 2) / Fraction(2 * total - 5, 2) * 100
    return low - half_step <= Fraction(published) <= high + half_step


def test_census_persistent_absence_from_rounded_counts() -> None:
    """PA % from the published (rounded to 5) enrolment counts: within the rounding band on
    every row; exact on 1,062 of 1,308 (dfe-formulas.md §6.6: 246 differ)."""
    exact = 0
    for row in census_rows():
        pa, enrolments, published = (
            int(row["enrolments_PA_10_exact"]),
            int(row["enrolments"]),
            row["enrolments_pa_10_exact_percent"],
        )
        assert within_rounding_band(pa, enrolments, published, 1), (
            row["year"],
            row["characteristic"],
        )
        exact += percent(pa, enrolments, 1) == Decimal(published)
    assert exact == 1062


BANDS = "dfe_absence_bands_5pct_by_fsm_sen_sex_year_2016-17_to_2022-23_NATIONAL_extract.csv"
#: Published national PA per year (census), and our severe-absence figures (dfe-formulas.md §6.8).
PUBLISHED_PA = {2016: "10.8", 2017: "11.2", 2018: "10.9", 2020: "12.1", 2021: "22.5", 2022: "21.2"}
SEVERE_PINNED = {2016: "0.70", 2017: "0.77", 2018: "0.85", 2020: "1.13", 2021: "1.65", 2022: "2.03"}


def band_floor(column: str) -> int:
    """`pct15_OARate` counts enrolments with absence in [10%, 15%); `pct50plus_OARate`, in
    [50%, 100%]."""
    bound = column.removeprefix("pct").removesuffix("_OARate")
    return 50 if bound == "50plus" else int(bound) - 5


def band_totals() -> pl.DataFrame:
    frame = raw(BANDS)
    bands = [c for c in frame.columns if c.endswith("_OARate")]
    persistent = [c for c in bands if band_floor(c) >= PERSISTENT_ABSENCE_PERCENT]
    severe = [c for c in bands if band_floor(c) >= SEVERE_ABSENCE_PERCENT]
    assert (len(bands), len(persistent), len(severe)) == (11, 9, 1)
    return (
        frame.lazy()
        .with_columns(
            pl.col("time_period").str.slice(0, 4).cast(pl.Int32).alias("year"),
            pl.col(bands).cast(pl.Int64),
        )
        .group_by("year")
        .agg(
            pl.sum_horizontal(bands).sum().alias("enrolments"),
            pl.sum_horizontal(persistent).sum().alias("persistent"),
            pl.sum_horizontal(severe).sum().alias("severe"),
        )
        .with_columns(
            rate("persistent", "enrolments").alias("persistent_rate"),
            rate("severe", "enrolments").alias("severe_rate"),
        )
        .sort("year")
        .collect()
    )


def test_absence_bands_reproduce_published_persistent_absence() -> None:
    """PA (bands at or above 10%, from the engine's threshold) and severe absence (50%) over all
    national enrolments, rounded half-up, give the published PA of every year in the file."""
    totals = band_totals()
    assert totals["year"].to_list() == list(PUBLISHED_PA)
    for year, pa, severe in totals.select("year", "persistent_rate", "severe_rate").iter_rows():
        assert round_half_up(pa, 1) == Decimal(PUBLISHED_PA[year]), year
        assert round_half_up(severe, 2) == Decimal(SEVERE_PINNED[year]), year


def test_absence_bands_agree_with_the_census_file_in_2016_17() -> None:
    """Two independent DfE files: the bands' 2016/17 national enrolments and persistent absentees,
    rounded to the nearest 5, are the census file's published Total counts, and the rate matches."""
    year = band_totals().filter(pl.col("year") == 2016).row(0, named=True)
    census = (
        raw(CENSUS)
        .filter(
            (pl.col("year") == "201617")
            & (pl.col("school_type") == "Total")
            & (pl.col("characteristic") == "Total")
        )
        .row(0, named=True)
    )

    def nearest_5(count: int) -> int:
        return int(round_half_up(Fraction(count, 5), 0)) * 5

    assert (year["enrolments"], year["persistent"]) == (6_899_769, 744_276)
    assert nearest_5(year["enrolments"]) == int(census["enrolments"])
    assert nearest_5(year["persistent"]) == int(census["enrolments_PA_10_exact"])
    assert round_half_up(year["persistent_rate"], 1) == Decimal(
        census["enrolments_pa_10_exact_percent"]
    )


# ---- exclusions and rounding ------------------------------------------------------------------

EXCLUSION_FILES = {
    "dfe_exclusions_national_by_characteristic_2011-12_to_2016-17.csv": (
        ("perm_excl", "perm_excl_rate"),
        ("fixed_excl", "fixed_excl_rate"),
        ("one_plus_fixed", "one_plus_fixed_rate"),
    ),
    "dfe_exclusions_national_summary_2006-07_to_2016-17.csv": (
        ("perm_excl", "perm_excl_rate"),
        ("fixed_excl", "fixed_excl_rate"),
        ("one_plus_fixed", "one_or_more_fixed_excl_rate"),
    ),
}


def exclusion_cells(name: str) -> list[tuple[int, int, str]]:
    """(count, headcount, published 2-dp rate) for every rate cell with figures."""
    cells = []
    for row in raw(name).iter_rows(named=True):
        if row.get("school_type") == "dummy":
            continue
        for count, published in EXCLUSION_FILES[name]:
            values = (row[count], row["headcount"], row[published])
            if any(v is None or v in (*SUPPRESSED, ".") for v in values):
                continue
            cells.append(
                (int(values[0].replace(",", "")), int(values[1].replace(",", "")), values[2])
            )
    return cells


@pytest.mark.parametrize(
    ("name", "cells"), [(n, c) for n, c in zip(EXCLUSION_FILES, (12_602, 132))]
)
def test_exclusion_rates_within_rounding_band(name: str, cells: int) -> None:
    """Exclusion rates per 100 pupils, 2 dp, from counts rounded to the nearest 5: every cell
    lies within the rounding band (dfe-formulas.md §6.7 counts 12,572 cells, leaving out the 30
    whose counts carry thousands separators)."""
    found = exclusion_cells(name)
    assert len(found) == cells
    outside = [cell for cell in found if not within_rounding_band(*cell, places=2)]
    assert not outside


def test_python_round_gets_a_published_figure_wrong() -> None:
    """Why half-up: 2014/15, state-funded primary, NC year 7 boys: 45 suspensions among 800
    pupils = 5.625 exactly. DfE publishes 5.63 (half-up); Python's `round()` gives 5.62 (half to
    even). Likewise 25 / 800 = 3.125 -> 3.13. Across the file, half-up never loses to `round()`."""
    row = (
        raw("dfe_exclusions_national_by_characteristic_2011-12_to_2016-17.csv")
        .filter(
            (pl.col("year") == "201415")
            & (pl.col("school_type") == "State-funded primary")
            & (pl.col("characteristic_1") == "NC_Year_7")
            & (pl.col("characteristic_2") == "Male")
        )
        .row(0, named=True)
    )
    assert (row["fixed_excl"], row["headcount"], row["fixed_excl_rate"]) == ("45", "800", "5.63")
    assert (row["one_plus_fixed"], row["one_plus_fixed_rate"]) == ("25", "3.13")
    for count, published in ((45, "5.63"), (25, "3.13")):
        assert percent(count, 800, 2) == Decimal(published)
        assert round_half_up(count / 800 * 100, 2) == Decimal(published)
        assert Decimal(str(round(count / 800 * 100, 2))) != Decimal(published)

    half_up_only = round_only = 0
    for count, headcount, published in exclusion_cells(
        "dfe_exclusions_national_by_characteristic_2011-12_to_2016-17.csv"
    ):
        ours = percent(count, headcount, 2) == Decimal(published)
        pythons = Decimal(str(round(count / headcount * 100, 2))).quantize(
            Decimal("0.01")
        ) == Decimal(published)
        half_up_only += ours and not pythons
        round_only += pythons and not ours
    assert (half_up_only, round_only) == (2, 0)
