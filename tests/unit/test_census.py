"""The census attendance return: its exact header, period boundaries, the 4-to-15 age rule at
31 August, every check failing and passing, the CLI, and totals equal to `export summary`."""

from __future__ import annotations

import csv
from datetime import date

import polars as pl
import pytest

from analytics.cli import main
from analytics.domain.census import CHECKS, census_header, reason_codes
from analytics.domain.codes import AUTHORISED, UNAUTHORISED, codes_in
from analytics.reports.exports.census import FINDING_COLUMNS, census_return
from tests.unit.governors_school import URN, Pupil, build, marks_csv, pupils_csv, weekdays

HEADER = (
    "school_urn,upn,surname,forename,date_of_birth,ncyear,sessions_possible,sessions_authorised,"
    "sessions_unauthorised,reason_C,reason_C1,reason_C2,reason_E,reason_G,reason_I,reason_J1,reason_M,reason_N,"
    "reason_O,reason_R,reason_S,reason_T,reason_U"
)
SEPTEMBER = (date(2025, 9, 1), date(2025, 9, 26))


def findings(db, period="autumn", year=2025) -> dict[str, pl.DataFrame]:
    report = census_return(db, [URN], period, year)
    return {f.check.key: f.pupils for f in report.findings}


def found(db, key: str, **where) -> list[str]:
    return findings(db, **where)[key]["upn"].to_list()


# --- the return's shape --------------------------------------------------------------------------


def test_the_header_is_exactly_the_contract_and_legacy_columns_come_before_august_2024():
    assert ",".join(census_header(date(2025, 8, 1))) == HEADER
    assert ",".join(census_header(date(2024, 8, 1))) == HEADER
    assert ",".join(census_header(date(2024, 1, 1))) == HEADER + ",reason_F,reason_H"


def test_every_absence_code_has_a_reason_column():
    # J is approved educational activity, not absence, so it has none (and is checked as withdrawn).
    absence = set(codes_in(AUTHORISED)) | set(codes_in(UNAUTHORISED))
    assert absence == set(reason_codes(date(2024, 1, 1)))
    assert "J" not in reason_codes(date(2024, 1, 1))


def test_the_export_holds_counts_and_reasons_that_add_up(db, load, tmp_path):
    pupils = [Pupil(0), Pupil(1)]
    codes = {
        0: ["/", "I", "M", "O", "G", "/", "U", "L", "C2", "B"],
        1: ["/", "\\", "N", "C1", "J1", "E", "R", "S", "T", "C"],
    }
    days = weekdays(*SEPTEMBER)[:5]

    def code(p, day, session):
        return codes[p.n][days.index(day) * 2 + (session == "PM")] if day in days else None

    load("pupils", pupils_csv(pupils), school_urn=URN, as_of=date(2025, 10, 1))
    load("marks", marks_csv(pupils, days, code))
    out = tmp_path / "census.csv"
    assert (
        main(
            [
                "--db",
                str(db.path),
                "export",
                "census",
                "--period",
                "autumn",
                "--year",
                "2025/26",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    text = out.read_text()
    assert text.splitlines()[0] == HEADER
    rows = {r["upn"]: r for r in csv.DictReader(text.splitlines())}
    first = rows[pupils[0].upn]
    assert (
        first["sessions_possible"],
        first["sessions_authorised"],
        first["sessions_unauthorised"],
    ) == ("10", "3", "3")
    assert (
        first["reason_I"],
        first["reason_M"],
        first["reason_C2"],
        first["reason_O"],
        first["reason_G"],
        first["reason_U"],
    ) == ("1",) * 6
    assert (first["surname"], first["forename"], first["date_of_birth"], first["ncyear"]) == (
        "Quartermaine0",
        "Zebedee0",
        "2015-03-04",
        "5",
    )
    for r in rows.values():
        reasons = sum(int(v) for k, v in r.items() if k.startswith("reason_"))
        assert reasons == int(r["sessions_authorised"]) + int(r["sessions_unauthorised"])


def test_names_that_look_like_formulas_are_escaped_in_the_export(db, load, tmp_path):
    text = (
        pupils_csv([Pupil(0)])
        .replace("Quartermaine0", "=HYPERLINK(x)")
        .replace("Zebedee0", "@SUM(A1)")
    )
    load("pupils", text, school_urn=URN, as_of=date(2025, 10, 1))
    load("marks", marks_csv([Pupil(0)], weekdays(*SEPTEMBER), lambda p, d, s: "/"))
    out = tmp_path / "census.csv"
    main(
        [
            "--db",
            str(db.path),
            "export",
            "census",
            "--period",
            "autumn",
            "--year",
            "2025",
            "--out",
            str(out),
        ]
    )
    row = next(csv.DictReader(out.read_text().splitlines()))
    assert (row["surname"], row["forename"]) == ("'=HYPERLINK(x)", "'@SUM(A1)")


# --- periods and ages -----------------------------------------------------------------------------


def test_sessions_fall_in_the_period_of_their_date(db, load):
    # 2025/26: Easter Sunday is 5 Apr 2026 and the spring bank holiday 25 May 2026.
    days = [
        date(2025, 12, 31),
        date(2026, 1, 2),
        date(2026, 4, 2),
        date(2026, 4, 6),
        date(2026, 5, 22),
        date(2026, 5, 25),
        date(2026, 7, 31),
    ]
    load("pupils", pupils_csv([Pupil(0)]), school_urn=URN, as_of=date(2025, 10, 1))
    load("marks", marks_csv([Pupil(0)], days, lambda p, d, s: "/"))
    possible = {
        period: census_return(db, [URN], period, 2025).totals()["sessions_possible"]
        for period in ("autumn", "spring", "summer1", "summer2")
    }
    assert possible == {"autumn": 2, "spring": 4, "summer1": 4, "summer2": 4}
    windows = {
        p: census_return(db, [URN], p, 2025).window for p in ("spring", "summer1", "summer2")
    }
    assert windows["spring"].end == date(2026, 4, 5)  # Easter Sunday
    assert windows["summer1"].start == date(2026, 4, 6) and windows["summer1"].end == date(
        2026, 5, 24
    )
    assert windows["summer2"].start == date(2026, 5, 25)  # the spring bank holiday


AGES = [
    Pupil(
        10, year_group="R", date_of_birth=date(2021, 8, 31), admission_date=date(2025, 9, 1)
    ),  # 4 on 31 Aug 2025: in
    Pupil(
        11, year_group="N2", date_of_birth=date(2021, 9, 1), admission_date=date(2025, 9, 1)
    ),  # 3: out
    Pupil(12, year_group="11", date_of_birth=date(2009, 9, 1)),  # 15: in
    Pupil(13, year_group="12", date_of_birth=date(2009, 8, 31)),  # 16: out
]


def test_pupils_aged_4_to_15_on_31_august_are_in_the_return(db, load):
    build(load, AGES, terms=(SEPTEMBER,))
    report = census_return(db, [URN], "autumn", 2025)
    assert sorted(report.table["upn"]) == sorted([AGES[0].upn, AGES[2].upn])
    assert (report.on_roll, report.younger, report.older) == (4, 1, 1)
    # Nursery and sixth form outside the ages are expected: no query.
    assert found(db, "outside-age-range") == []


def test_on_roll_at_any_point_of_the_period_means_any_spell(db, load):
    pupils = [
        Pupil(0),
        Pupil(1, admission_date=date(2025, 12, 31)),
        Pupil(2, leaving_date=date(2025, 8, 1)),
        Pupil(3, admission_date=date(2026, 1, 5)),
    ]
    build(load, pupils, terms=(SEPTEMBER,))
    assert sorted(census_return(db, [URN], "autumn", 2025).table["upn"]) == sorted(
        p.upn for p in pupils[:3]
    )


# --- the checks, each failing and passing -----------------------------------------------------------


def test_x_for_a_pupil_of_compulsory_school_age_is_an_error(db, load):
    five = Pupil(0, year_group="R", date_of_birth=date(2020, 8, 31))  # 5 on 31 Aug 2025
    four = Pupil(1, year_group="R", date_of_birth=date(2020, 9, 1))  # 4
    build(
        load,
        [five, four],
        lambda p, d, s: "X" if s == "PM" and d.day < 8 else "/",
        terms=(SEPTEMBER,),
    )
    assert found(db, "x-compulsory-age") == [five.upn]


def test_missing_marks_are_an_error_but_not_before_admission(db, load):
    late = Pupil(1, admission_date=date(2025, 9, 15))
    pupils = [Pupil(0), late, Pupil(2)]
    build(
        load,
        pupils,
        lambda p, d, s: (
            None
            if (p.n == 2 and d == date(2025, 9, 10) and s == "PM")
            or (p is late and d < late.admission_date)
            else "/"
        ),
        terms=(SEPTEMBER,),
    )
    missing = findings(db)["missing-marks"]
    assert missing["upn"].to_list() == [pupils[2].upn]
    assert missing["detail"][0] == "1 session with no mark, the first on 10 Sep 2025"


def test_withdrawn_codes_after_19_august_2024_are_an_error_and_a_reason_before(db, load):
    build(
        load,
        [Pupil(0), Pupil(1)],
        lambda p, d, s: "H" if p.n == 0 and d == date(2025, 9, 10) else "/",
        terms=(SEPTEMBER,),
    )
    assert found(db, "withdrawn-codes") == [Pupil(0).upn]
    assert (
        "2 sessions coded H (withdrawn 19 Aug 2024)" in findings(db)["withdrawn-codes"]["detail"][0]
    )


def test_withdrawn_codes_before_the_change_count_as_legacy_reasons(db, load):
    build(
        load,
        [Pupil(0)],
        lambda p, d, s: "H" if d == date(2024, 1, 10) else "/",
        terms=((date(2024, 1, 8), date(2024, 1, 19)),),
        as_of=date(2024, 1, 8),
    )
    report = census_return(db, [URN], "spring", 2023)
    assert report.table["reason_H"].to_list() == [2]
    assert not [f for f in report.findings if f.failed]


def test_zero_possible_sessions_is_a_query_for_pupils_on_roll(db, load):
    build(load, [Pupil(0), Pupil(1)], lambda p, d, s: "D" if p.n == 1 else "/", terms=(SEPTEMBER,))
    assert found(db, "zero-possible") == [Pupil(1).upn]
    assert found(db, "leaver-no-attendance") == []
    assert (
        census_return(db, [URN], "autumn", 2025).table.height == 2
    )  # still in the return, with zeros


def test_a_leaver_with_no_attendance_is_a_query(db, load):
    gone = Pupil(1, leaving_date=date(2025, 8, 29))
    stayed = Pupil(2, leaving_date=date(2025, 9, 19))
    build(
        load,
        [Pupil(0), gone, stayed],
        lambda p, d, s: None if p is gone else "/",
        terms=(SEPTEMBER,),
    )
    assert found(db, "leaver-no-attendance") == [gone.upn]
    assert found(db, "zero-possible") == []


def test_n_codes_left_in_are_a_query(db, load):
    build(
        load,
        [Pupil(0), Pupil(1)],
        lambda p, d, s: "N" if p.n == 0 and d.day in (9, 10) else "/",
        terms=(SEPTEMBER,),
    )
    result = findings(db)["n-codes"]
    assert result["upn"].to_list() == [Pupil(0).upn]
    assert result["detail"][0] == "4 sessions coded N, from 9 Sep 2025 to 10 Sep 2025"


def test_attendance_for_a_pupil_whose_age_does_not_fit_the_year_group_is_a_query(db, load):
    wrong = Pupil(1, year_group="5", date_of_birth=date(2003, 3, 4))  # 22 on 31 Aug 2025, in Year 5
    build(load, [Pupil(0), wrong, *AGES[1:2]], terms=(SEPTEMBER,))
    assert found(db, "outside-age-range") == [wrong.upn]


EXCLUSIONS = "upn,start_date,end_date,category,sessions\n"


def test_a_suspension_without_e_codes_is_a_query(db, load):
    suspended = Pupil(0)
    exclusions = (
        EXCLUSIONS
        + f"{suspended.upn},2025-09-10,2025-09-11,suspension,4\n{Pupil(1).upn},2025-09-15,2025-09-15,suspension,2\n"
    )
    build(
        load,
        [suspended, Pupil(1)],
        lambda p, d, s: "E" if p.n == 1 and d == date(2025, 9, 15) else "/",
        terms=(SEPTEMBER,),
        exclusions=exclusions,
    )
    result = findings(db)["suspension-without-e"]
    assert result["upn"].to_list() == [suspended.upn]
    assert result["detail"][0] == "suspension from 10 Sep 2025 (4 sessions) with no session coded E"
    assert found(db, "e-without-suspension") == []


def test_a_suspension_without_an_end_date_covers_its_sessions(db, load):
    exclusions = "upn,start_date,category,sessions\n" + f"{Pupil(0).upn},2025-09-10,suspension,3\n"
    # Afternoon of the 10th, then the 11th: E codes inside the sessions the record covers.
    build(
        load,
        [Pupil(0)],
        lambda p, d, s: (
            "E"
            if (d, s)
            in ((date(2025, 9, 10), "PM"), (date(2025, 9, 11), "AM"), (date(2025, 9, 11), "PM"))
            else "/"
        ),
        terms=(SEPTEMBER,),
        exclusions=exclusions,
    )
    assert found(db, "suspension-without-e") == []
    assert found(db, "e-without-suspension") == []


def test_e_codes_without_a_suspension_are_a_query_but_a_permanent_exclusion_covers_them(db, load):
    excluded = Pupil(1)
    exclusions = EXCLUSIONS + f"{excluded.upn},2025-09-22,,permanent,10\n"
    build(
        load,
        [Pupil(0), excluded],
        lambda p, d, s: (
            "E"
            if (p.n == 0 and d == date(2025, 9, 3)) or (p is excluded and d >= date(2025, 9, 22))
            else "/"
        ),
        terms=(SEPTEMBER,),
        exclusions=exclusions,
    )
    result = findings(db)["e-without-suspension"]
    assert result["upn"].to_list() == [Pupil(0).upn]
    assert (
        result["detail"][0]
        == "2 sessions coded E with no suspension or exclusion recorded, the first on 3 Sep 2025"
    )


def test_a_clean_register_passes_every_check(db, load):
    build(load, [Pupil(0), Pupil(1)], terms=(SEPTEMBER,))
    report = census_return(db, [URN], "autumn", 2025)
    assert [f.check.key for f in report.findings] == [c.key for c in CHECKS]
    assert not [f for f in report.findings if f.failed]
    assert report.findings_table().columns == list(FINDING_COLUMNS)


# --- the command line ----------------------------------------------------------------------------------


def test_check_census_exits_1_on_an_error_and_names_no_pupil(db, load, tmp_path, capsys):
    build(
        load,
        [Pupil(0), Pupil(1)],
        lambda p, d, s: None if p.n == 1 and d.day == 10 else "/",
        terms=(SEPTEMBER,),
    )
    out = tmp_path / "findings.csv"
    code = main(
        [
            "--db",
            str(db.path),
            "check",
            "census",
            "--period",
            "autumn",
            "--year",
            "2025/26",
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 1
    assert "ERROR  RC-MISSING Sessions with no mark: 1 pupil" in printed and Pupil(1).upn in printed
    assert "Zebedee" not in printed and "Quartermaine" not in printed
    assert "Passed:" in printed and "2491" in printed
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert (
        rows[0]["rule"] == "RC-MISSING"
        and rows[0]["severity"] == "error"
        and rows[0]["surname"] == "Quartermaine1"
    )


def test_check_census_exits_0_when_only_queries_are_found(db, load, capsys):
    build(load, [Pupil(0)], lambda p, d, s: "N" if d.day == 10 else "/", terms=(SEPTEMBER,))
    assert (
        main(["--db", str(db.path), "check", "census", "--period", "autumn", "--year", "2025"]) == 0
    )
    assert "0 errors, 1 query" in capsys.readouterr().out


def test_a_bad_year_or_period_is_refused(db, load, capsys):
    build(load, [Pupil(0)], terms=(SEPTEMBER,))
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db.path), "check", "census", "--period", "winter", "--year", "2025"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        main(
            [
                "--db",
                str(db.path),
                "export",
                "census",
                "--period",
                "autumn",
                "--year",
                "2025/27",
                "--out",
                "x.csv",
            ]
        )
    assert "not an academic year" in capsys.readouterr().err


# --- totals against `rollcall export summary` ---------------------------------------------------------


def compare_with_summary(db_path, urn, period, start, end, tmp_path) -> tuple[dict, dict]:
    census_file, summary_file = tmp_path / "census.csv", tmp_path / "summary.csv"
    assert (
        main(
            [
                "--db",
                str(db_path),
                "export",
                "census",
                "--period",
                period,
                "--year",
                str(start.year if start.month >= 8 else start.year - 1),
                "--school",
                str(urn),
                "--out",
                str(census_file),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "--db",
                str(db_path),
                "export",
                "summary",
                "--from",
                start.isoformat(),
                "--to",
                end.isoformat(),
                "--school",
                str(urn),
                "--out",
                str(summary_file),
            ]
        )
        == 0
    )
    census = {r["upn"]: r for r in csv.DictReader(census_file.read_text().splitlines())}
    summary = {r["upn"]: r for r in csv.DictReader(summary_file.read_text().splitlines())}
    return census, summary


def test_totals_match_export_summary_for_the_same_period(db, load, tmp_path):
    build(
        load,
        [Pupil(0), Pupil(1), *AGES],
        lambda p, d, s: "I" if p.n == 1 and d.day < 5 else "/",
        terms=(SEPTEMBER,),
    )
    census, summary = compare_with_summary(
        db.path, URN, "autumn", date(2025, 8, 1), date(2025, 12, 31), tmp_path
    )
    assert set(census) <= set(summary)
    for upn, row in census.items():
        for column in ("sessions_possible", "sessions_authorised", "sessions_unauthorised"):
            assert row[column] == summary[upn][column]
    assert set(summary) - set(census) == {AGES[1].upn, AGES[3].upn}  # the 3- and 16-year-olds


@pytest.mark.slow
@pytest.mark.parametrize(
    "urn,period,start,end",
    [
        (990135, "autumn", date(2025, 8, 1), date(2025, 12, 31)),
        (990114, "summer1", date(2026, 4, 6), date(2026, 5, 24)),
    ],
)
def test_the_demo_returns_totals_match_export_summary(demo_db, tmp_path, urn, period, start, end):
    census, summary = compare_with_summary(demo_db.path, urn, period, start, end, tmp_path)
    assert census and set(census) <= set(summary)
    for column in ("sessions_possible", "sessions_authorised", "sessions_unauthorised"):
        in_return = sum(int(summary[upn][column]) for upn in census)
        assert sum(int(r[column]) for r in census.values()) == in_return
        assert all(census[upn][column] == summary[upn][column] for upn in census)
