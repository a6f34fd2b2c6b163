"""Member selection on constructed teams: multipliers below 1 for members far under their
budget, above 1 for members failing at it, nothing without evidence."""

from __future__ import annotations

from autotune_bot.strategies.base import TeamTarget
from autotune_bot.strategies.member_selection import MemberSelectionStrategy
from autotune_bot.tuning.dimension_names import BUDGET_MULTIPLIERS

from .conftest import Builder, Member, candidate, execution, team_yaml


def _target(builder: Builder, fetcher: list[tuple[int, bool]], budget: int) -> TeamTarget:
    records = [
        execution(
            "crew",
            i,
            {"fetcher": Member(5.0, ok, n), "writer": Member(5.0, True, 4 + i % 3)},
            success=ok,
        )
        for i, (n, ok) in enumerate(fetcher)
    ]
    yaml = team_yaml("crew", "sequential", ["fetcher", "writer"], tool_budget=budget)
    return builder.target(records, yaml, "crew")


def test_member_failing_at_its_budget_gets_more(builder: Builder) -> None:
    fetcher = [(4 + i % 6, True) for i in range(170)] + [(10, False)] * 30
    target = _target(builder, fetcher, 10)
    (proposal,) = MemberSelectionStrategy().propose(target)
    # writer uses at most 6 of 10 (6 × 1.2 = 7.2 → 0.75); fetcher fails at its budget → 1.5
    assert candidate(proposal).budget_multipliers == (("fetcher", 1.5), ("writer", 0.75))
    text = " ".join(proposal.evidence)
    assert "30 of its 30 runs that used the whole budget failed, against 0 of 170" in text
    assert "writer (workflows/flow.yaml:" in text
    (dim,) = MemberSelectionStrategy().dimensions(target)
    assert dim.name == BUDGET_MULTIPLIERS
    assert dim.choices == (
        (),
        (("fetcher", 1.25), ("writer", 0.9)),
        candidate(proposal).budget_multipliers,
    )


def test_members_using_their_budget_are_left_alone(builder: Builder) -> None:
    fetcher = [(6 + i % 5, True) for i in range(100)]  # 6..10 of 10
    target = _target(builder, fetcher, 10)
    (proposal,) = MemberSelectionStrategy().propose(target)
    assert [m for m, _ in candidate(proposal).budget_multipliers] == ["writer"]
    # budget 8: fetcher needs 7 × 1.2 = 8.4, writer 6 × 1.2 = 7.2 (0.9, not 15 % below 1)
    tight = _target(builder, [(4 + i % 4, True) for i in range(100)], 8)
    assert MemberSelectionStrategy().propose(tight) == []
    assert MemberSelectionStrategy().dimensions(tight) == []
