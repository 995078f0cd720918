"""Every attendance code's category, possible-session flag and lateness, spelled out here
independently of the code table, on both sides of the 19 August 2024 change."""

from datetime import date

import pytest

from analytics.domain import codes
from analytics.domain.codes import CODE_CHANGE_2024, code_rules, code_table, penalty_codes, rule_for

BEFORE = date(2024, 7, 15)
AFTER = date(2024, 9, 9)

# code: (category before 19 Aug 2024 or None if not in use, category from then or None)
EXPECTED = {
    "/": ("present", "present"),
    "\\": ("present", "present"),
    "L": ("present", "present"),
    "B": ("aea", "aea"),
    "K": (None, "aea"),
    "V": ("aea", "aea"),
    "P": ("aea", "aea"),
    "W": ("aea", "aea"),
    "J": ("aea", "aea"),  # withdrawn 19 Aug 2024; DfE's 2024/25 data still counts it as AEA
    "D": ("not_counted", "not_counted"),
    "C1": (None, "authorised"),
    "M": ("authorised", "authorised"),
    "J1": (None, "authorised"),
    "S": ("authorised", "authorised"),
    "X": ("not_counted", "not_counted"),
    "C2": (None, "authorised"),
    "C": ("authorised", "authorised"),
    "T": ("authorised", "authorised"),
    "R": ("authorised", "authorised"),
    "I": ("authorised", "authorised"),
    "E": ("authorised", "authorised"),
    "H": ("authorised", "authorised"),  # withdrawn 19 Aug 2024; still counted by DfE
    "F": ("authorised", None),
    "Q": (None, "not_counted"),
    **{f"Y{n}": (None, "not_counted") for n in range(1, 8)},
    "Y": ("not_counted", None),
    "G": ("unauthorised", "unauthorised"),
    "N": ("unauthorised", "unauthorised"),
    "O": ("unauthorised", "unauthorised"),
    "U": ("unauthorised", "unauthorised"),
    "Z": ("not_counted", "not_counted"),
    "#": ("not_counted", "not_counted"),
}


def test_the_table_holds_exactly_the_expected_codes():
    assert set(codes.all_codes()) == set(EXPECTED)


@pytest.mark.parametrize("code", sorted(EXPECTED))
@pytest.mark.parametrize("day,era", [(BEFORE, 0), (AFTER, 1)])
def test_every_code_counts_as_the_regulations_say(code, day, era):
    expected = EXPECTED[code][era]
    rule = rule_for(code, day)
    if expected is None:
        assert rule is None, f"{code} should not be in use on {day}"
        return
    assert rule is not None
    assert rule.category == expected
    assert rule.counts_as_possible == (expected != "not_counted")


@pytest.mark.parametrize(
    "code,last_day_before,first_day_after",
    [
        ("F", "authorised", None),
        ("K", None, "aea"),
        ("J1", None, "authorised"),
        ("Y", "not_counted", None),
    ],
)
def test_the_2024_change_falls_exactly_on_19_august(code, last_day_before, first_day_after):
    eve = rule_for(code, date(2024, 8, 18))
    day = rule_for(code, CODE_CHANGE_2024)
    assert (eve.category if eve else None) == last_day_before
    assert (day.category if day else None) == first_day_after


def test_j_and_h_are_withdrawn_from_19_august_2024_but_still_count():
    assert not codes.withdrawn_on("J", date(2024, 8, 18))
    assert codes.withdrawn_on("J", CODE_CHANGE_2024) and codes.withdrawn_on("H", AFTER)
    assert rule_for("J", AFTER).category == "aea" and rule_for("H", AFTER).category == "authorised"
    withdrawn = {r.code for r in code_rules() if r.withdrawn_from}
    assert withdrawn == {"J", "H"}


def test_lateness_is_l_before_registers_close_and_u_after():
    late = {r.code: r.late for r in code_rules() if r.late}
    assert late == {"L": "before_close", "U": "after_close"}
    assert rule_for("L", AFTER).category == "present"
    assert rule_for("U", AFTER).category == "unauthorised"


def test_penalty_notice_codes_are_g_n_o_u():
    assert set(penalty_codes()) == {"G", "N", "O", "U"}


def test_no_code_has_two_rules_on_one_day():
    table = code_table()
    for code in table["code"].unique():
        spans = sorted(
            (r["valid_from"], r["valid_to"])
            for r in table.filter(table["code"] == code).iter_rows(named=True)
        )
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert end < start, f"{code} has overlapping rules"


def test_every_rule_names_its_source():
    assert all(rule.source for rule in code_rules())
