"""Tool budget on constructed teams: lower to successful usage with headroom, optionally
accepting a small cut share; raise when failures pile up at the budget."""

from __future__ import annotations

from autotune_bot.strategies.base import OptionValue, TeamTarget
from autotune_bot.strategies.tool_budget import ToolBudgetStrategy
from autotune_bot.tuning.dimension_names import TOTAL_TOOL_BUDGET

from .conftest import Builder, Member, candidate, execution, team_yaml


def _target(
    builder: Builder,
    calls: list[tuple[int, bool]],
    budget: int,
    options: dict[str, OptionValue] | None = None,
) -> TeamTarget:
    records = [
        execution("solo", i, {"worker": Member(10.0, ok, n)}, success=ok)
        for i, (n, ok) in enumerate(calls)
    ]
    yaml = team_yaml("solo", "sequential", ["worker"], settings={"total_tool_budget": budget})
    return builder.target(records, yaml, "solo", options)


def test_lowers_to_largest_successful_usage_with_headroom(builder: Builder) -> None:
    calls = [(16 + i % 9, True) for i in range(200)] + [(100, True)]
    target = _target(builder, calls, 150)
    (proposal,) = ToolBudgetStrategy().propose(target)
    assert candidate(proposal).total_tool_budget == 120  # 100 × 1.2
    assert "0 of 201 successful executions (0.0%) used more than 120 calls" in " ".join(
        proposal.evidence
    )
    (dim,) = ToolBudgetStrategy().dimensions(target)
    assert dim.name == TOTAL_TOOL_BUDGET
    assert dim.choices == (120, 150)  # 150 and 180 are not below the current budget
    assert dim.choices[dim.current] == 150


def test_cut_share_option_allows_cutting_rare_runs(builder: Builder) -> None:
    calls = [(16 + i % 9, True) for i in range(1000)] + [(100, True)]
    target = _target(builder, calls, 150, {"max_cut_share": 0.02})
    (proposal,) = ToolBudgetStrategy().propose(target)
    assert candidate(proposal).total_tool_budget == 30  # upper bound of P98 = 24 → 28.8 → 30
    text = " ".join(proposal.evidence)
    assert "1 of 1001 successful executions (0.1%) used more than 30 calls" in text
    assert "The upper bound of that quantile (24)" in text
    # with 201 runs the upper bound of P98 is the largest run: nothing may be cut
    small = _target(builder, calls[-201:], 150, {"max_cut_share": 0.02})
    (cautious,) = ToolBudgetStrategy().propose(small)
    assert candidate(cautious).total_tool_budget == 120


def test_small_reduction_is_not_proposed(builder: Builder) -> None:
    calls = [(30 + i % 14, True) for i in range(100)]  # up to 43 → 51.6 → 55, 8% below 60
    target = _target(builder, calls, 60)
    assert ToolBudgetStrategy().propose(target) == []
    assert ToolBudgetStrategy().dimensions(target) == []


def test_raises_when_failures_pile_up_at_the_budget(builder: Builder) -> None:
    calls = [(18 + i % 12, True) for i in range(170)]  # 18..29
    calls += [(30, False)] * 25 + [(20, False)] * 5
    target = _target(builder, calls, 30)
    (proposal,) = ToolBudgetStrategy().propose(target)
    assert candidate(proposal).total_tool_budget == 45
    assert proposal.description == "Set solo total_tool_budget 30 → 45"
    assert (
        "25 of 25 executions that used the whole budget failed, against 5 of 175"
        in (proposal.evidence[2])
    )
    (dim,) = ToolBudgetStrategy().dimensions(target)
    assert dim.choices == (30, 45, 60)


def test_too_few_runs(builder: Builder) -> None:
    target = _target(builder, [(5, True)] * 10, 100)
    assert ToolBudgetStrategy().propose(target) == []
