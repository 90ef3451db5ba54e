"""Small counts are hidden, and no subtraction brings them back."""

from bot.impact.suppression import Equation, suppress


def test_a_count_below_five_reads_less_than_five_and_a_large_one_reads_itself():
    shown = suppress({"a": 3, "b": 40}, [])
    assert shown == {"a": "<5", "b": "40"}


def test_a_lone_small_cell_beside_a_shown_total_takes_the_smallest_other_cell_with_it():
    values = {"total": 63, "porto": 3, "lisboa": 20, "bologna": 40}
    shown = suppress(values, [Equation("total", ("porto", "lisboa", "bologna"))])
    assert shown == {"total": "63", "porto": "<5", "lisboa": "x", "bologna": "40"}


def test_two_small_cells_that_add_up_to_eight_are_not_left_to_be_read_as_four_each():
    values = {"total": 58, "a": 4, "b": 4, "c": 50}
    shown = suppress(values, [Equation("total", ("a", "b", "c"))])
    assert shown["c"] == "x"


def test_a_hidden_cell_is_not_given_away_by_a_second_equation_it_sits_in():
    # rows: site, columns: measure; the no-shows of porto are in a row sum and a column sum
    values = {
        ("meetings", "porto"): 20, ("no_show", "porto"): 3, ("other", "porto"): 17,
        ("meetings", "lisboa"): 30, ("no_show", "lisboa"): 10, ("other", "lisboa"): 20,
        ("meetings", None): 50, ("no_show", None): 13, ("other", None): 37,
    }  # fmt: skip
    equations = [
        *(Equation(("meetings", c), (("no_show", c), ("other", c)))
          for c in ("porto", "lisboa", None)),
        *(Equation((m, None), ((m, "porto"), (m, "lisboa")))
          for m in ("meetings", "no_show", "other")),
    ]  # fmt: skip
    shown = suppress(values, equations)
    assert shown[("no_show", "porto")] == "<5"
    visible = {k: int(v) for k, v in shown.items() if v.isdigit()}
    for equation in equations:
        cells = [equation.total, *equation.parts]
        assert sum(1 for c in cells if c not in visible) != 1, equation


def test_a_total_forced_hidden_stays_hidden_and_takes_a_part_with_it():
    shown = suppress({"total": 30, "a": 10, "b": 20}, [Equation("total", ("a", "b"))],
                     forced={"total"})
    assert shown == {"total": "x", "a": "x", "b": "20"}


def test_a_zero_gives_no_cover_for_it_may_be_known_to_be_zero():
    values = {"total": 9, "porto": 3, "no_site": 0, "bologna": 6}
    shown = suppress(values, [Equation("total", ("porto", "no_site", "bologna"))])
    assert shown == {"total": "9", "porto": "<5", "no_site": "<5", "bologna": "x"}
