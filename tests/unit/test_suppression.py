"""Small-number suppression: primary at the threshold, secondary so nothing hidden can be derived."""

from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.domain.suppression import LINKED, PRIMARY, SECONDARY, Constraint, is_safe, suppress


def partition(total: str, parts: dict[str, int]) -> tuple[dict[str, int], list[Constraint]]:
    counts = {total: sum(parts.values()), **parts}
    return counts, [Constraint(total, tuple(parts))]


def test_groups_below_the_threshold_are_hidden_and_the_threshold_itself_is_shown():
    counts = {"a": 4, "b": 5, "c": 1, "d": 0, "e": 120}
    hidden = suppress(counts, [], 5)
    assert set(hidden.hidden) == {"a", "c"}
    assert hidden.hidden["a"].kind == PRIMARY
    assert "b" not in hidden and "d" not in hidden  # 5 is not below 5; zero is not a small group


def test_one_hidden_part_beside_its_total_takes_the_next_smallest_with_it():
    counts, constraints = partition(
        "school", {"Year 3": 3, "Year 4": 40, "Year 5": 28, "Year 6": 60}
    )
    hidden = suppress(counts, constraints, 5)
    assert set(hidden.hidden) == {"Year 3", "Year 5"}
    assert hidden.hidden["Year 5"].kind == SECONDARY
    assert hidden.hidden["Year 5"].protects == "Year 3"
    assert is_safe(counts, constraints, hidden)


def test_two_hidden_parts_that_add_up_to_less_than_the_threshold_are_not_enough():
    # 1 + 2 = 3 could be read off the total: a third part goes too.
    counts, constraints = partition("school", {"a": 1, "b": 2, "c": 30, "d": 50})
    hidden = suppress(counts, constraints, 5)
    assert set(hidden.hidden) == {"a", "b", "c"}
    assert is_safe(counts, constraints, hidden)


def test_a_two_way_split_hides_both_sides():
    counts, constraints = partition("school", {"disadvantaged": 3, "others": 200})
    hidden = suppress(counts, constraints, 5)
    assert set(hidden.hidden) == {"disadvantaged", "others"}
    assert "school" not in hidden


def test_nothing_small_means_nothing_hidden():
    counts, constraints = partition("school", {"a": 5, "b": 6})
    assert not suppress(counts, constraints, 5).hidden


def test_zero_parts_are_taken_only_when_nothing_else_is_left():
    counts, constraints = partition("school", {"a": 0, "b": 3, "c": 10})
    assert set(suppress(counts, constraints, 5).hidden) == {"b", "c"}
    # A hidden zero would be worked out (the total less the rest) just like any other figure.
    counts = {"pupils": 20, "Y3": 3, "Y4": 17, "pa": 4, "pa Y3": 0, "pa Y4": 4}
    constraints = [Constraint("pa", ("pa Y3", "pa Y4"))]
    hidden = suppress(counts, constraints, 5, links={"Y3": ["pa Y3"]})
    assert {"pa Y3", "pa Y4"} <= set(hidden.hidden)


def test_a_hidden_total_needs_no_secondary_suppression():
    counts, constraints = partition("school", {"a": 1, "b": 0, "c": 2})
    hidden = suppress(counts, constraints, 5)
    assert set(hidden.hidden) == {"school", "a", "c"}


def test_linked_figures_go_with_their_group_and_count_in_breakdowns():
    # Year 3 is too small, so its persistent absentees (0) are hidden with it; they would be
    # worked out from the school's persistent absentees, so another year group's go too.
    counts = {"pupils": 100, "Y3": 3, "Y4": 97, "pa": 12, "pa Y3": 0, "pa Y4": 12}
    constraints = [Constraint("pupils", ("Y3", "Y4")), Constraint("pa", ("pa Y3", "pa Y4"))]
    hidden = suppress(counts, constraints, 5, links={"Y3": ["pa Y3"], "Y4": ["pa Y4"]})
    assert hidden.hidden["pa Y3"].kind == LINKED
    assert {"Y3", "Y4", "pa Y3", "pa Y4"} <= set(hidden.hidden)
    assert is_safe(counts, constraints, hidden)


def test_nested_breakdowns_cascade():
    # Absence bands add up to the pupils counted, and the top three to the persistent absentees.
    counts = {"counted": 200, "pa": 21, "b0": 150, "b1": 29, "b2": 14, "b3": 5, "b4": 2}
    constraints = [
        Constraint("counted", ("b0", "b1", "b2", "b3", "b4")),
        Constraint("pa", ("b2", "b3", "b4")),
        Constraint("counted", ("b0", "b1", "pa")),
    ]
    hidden = suppress(counts, constraints, 5, keep={"pa"})
    assert "b4" in hidden and "b3" in hidden
    assert "pa" not in hidden  # a headline figure is kept while another part can go instead
    assert is_safe(counts, constraints, hidden)


def test_a_threshold_of_zero_hides_nothing():
    counts, constraints = partition("school", {"a": 1, "b": 9})
    assert not suppress(counts, constraints, 0).hidden


def test_is_safe_catches_a_derivable_figure():
    counts, constraints = partition("school", {"a": 3, "b": 40})
    unsafe = suppress(counts, [], 5)  # primary only
    assert not is_safe(counts, constraints, unsafe)


@settings(max_examples=300, deadline=None)
@given(
    sizes=st.lists(st.lists(st.integers(0, 12), min_size=1, max_size=6), min_size=1, max_size=3),
    threshold=st.integers(1, 6),
)
def test_no_hidden_figure_can_be_worked_out_from_any_breakdown(sizes, threshold):
    # Several breakdowns of one total (year groups, SEN, disadvantage), as in the governors' report.
    total = sum(sizes[0])
    counts = {"total": total}
    constraints = []
    for b, parts in enumerate(sizes):
        parts = [*parts[:-1], max(total - sum(parts[:-1]), 0)] if b else parts
        keys = tuple(f"{b}:{i}" for i in range(len(parts)))
        counts |= dict(zip(keys, parts, strict=True))
        if sum(parts) == total:
            constraints.append(Constraint("total", keys))
    hidden = suppress(counts, constraints, threshold)
    assert is_safe(counts, constraints, hidden)
