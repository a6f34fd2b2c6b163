"""Non-dominated sets over (duration per success, cost per success, success rate)."""

from __future__ import annotations

from autotune_bot.search.objective import Outcome
from autotune_bot.search.pareto import dominates, pareto_front


def o(duration: float, cost: float, success: float) -> Outcome:
    return Outcome(10, success, duration * success, cost * success)  # per-success figures


def test_dominance_needs_no_worse_everywhere_and_better_somewhere() -> None:
    assert dominates(o(10, 1.0, 0.9), o(12, 1.0, 0.9))
    assert dominates(o(10, 1.0, 0.9), o(10, 1.0, 0.8))
    assert not dominates(o(10, 1.0, 0.9), o(10, 1.0, 0.9))  # equal
    assert not dominates(o(10, 2.0, 0.9), o(12, 1.0, 0.9))  # a trade-off


def test_front_keeps_trade_offs_and_ties_in_input_order() -> None:
    items = [
        ("slow cheap", o(20, 1.0, 0.9)),
        ("dominated", o(25, 1.5, 0.85)),
        ("fast dear", o(10, 3.0, 0.9)),
        ("reliable", o(30, 2.0, 0.99)),
        ("twin", o(20, 1.0, 0.9)),
    ]
    front = pareto_front(items)
    assert [label for label, _ in front] == ["slow cheap", "fast dear", "reliable", "twin"]


def test_outcomes_without_success_are_dominated() -> None:
    never = Outcome(5, 0.0, 1.0, 0.001)  # fast and cheap per run, but infinite per success
    assert pareto_front([("never", never), ("ok", o(100, 5.0, 0.2))]) == [("ok", o(100, 5.0, 0.2))]
    assert pareto_front([("never", never)]) == [("never", never)]
    assert pareto_front([]) == []
