"""The six team strategies on the demo repository: the planted team problems are proposed
with their numbers, the healthy parts are left alone, and every strategy honours the
contract on every demo team."""

from __future__ import annotations

from typing import Any

import pytest

from autotune_bot.strategies.base import TeamStrategy
from autotune_bot.strategies.formation_selection import FormationSelectionStrategy
from autotune_bot.strategies.member_selection import MemberSelectionStrategy
from autotune_bot.strategies.team_parallelization import ParallelizationStrategy
from autotune_bot.strategies.team_sizing import TeamSizingStrategy
from autotune_bot.strategies.timeout_tuning import TimeoutTuningStrategy
from autotune_bot.strategies.tool_budget import ToolBudgetStrategy
from autotune_bot.tuning.config import TeamConfig
from autotune_bot.tuning.dimension_names import (
    BUDGET_MULTIPLIERS,
    FORMATION,
    HIERARCHY,
    MEMBERS,
    TIMEOUT_SECONDS,
    TOTAL_TOOL_BUDGET,
)

from .conftest import Demo, candidate

STRATEGIES: tuple[type[TeamStrategy], ...] = (
    TeamSizingStrategy,
    FormationSelectionStrategy,
    ToolBudgetStrategy,
    TimeoutTuningStrategy,
    MemberSelectionStrategy,
    ParallelizationStrategy,
)


def _value(config: TeamConfig, dimension: str) -> Any:
    if dimension == HIERARCHY:
        return (config.manager, config.sub_teams) if config.sub_teams else None
    return {
        FORMATION: config.formation,
        MEMBERS: config.members,
        TOTAL_TOOL_BUDGET: config.total_tool_budget,
        TIMEOUT_SECONDS: config.timeout_seconds,
        BUDGET_MULTIPLIERS: config.budget_multipliers,
    }[dimension]


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s.name)
def test_contract_on_every_demo_team(team_demo: Demo, strategy: type[TeamStrategy]) -> None:
    assert strategy.name
    assert getattr(strategy, "options", None)  # every built-in documents its options
    assert team_demo.team_ids() == ["research_team", "review_team"]
    for team_id in team_demo.team_ids():
        target = team_demo.target(team_id)
        proposals = strategy().propose(target)
        dimensions = {d.name: d for d in strategy().dimensions(target)}
        for proposal in proposals:
            assert proposal.type == strategy.optimization_type
            assert proposal.candidate != target.current
            assert 0.0 <= proposal.risk_level <= 1.0
            assert proposal.evidence
            assert all(e.strip() for e in proposal.evidence)
            assert team_id in proposal.description
            # every proposal is a point of the space the strategy opens
            assert dimensions
            for name, dim in dimensions.items():
                assert _value(proposal.candidate, name) in dim.choices  # type: ignore[arg-type]
        for name, dim in dimensions.items():
            assert dim.choices[dim.current] == _value(target.current, name)
            assert len(dim.choices) >= 2
        assert bool(proposals) == bool(dimensions)


def _only(demo: Demo, team_id: str, strategy: TeamStrategy) -> Any:
    proposals = strategy.propose(demo.target(team_id))
    assert len(proposals) == 1, [p.description for p in proposals]
    return proposals[0]


def test_review_team_switches_to_parallel_with_history(team_demo: Demo) -> None:
    proposal = _only(team_demo, "review_team", FormationSelectionStrategy())
    assert candidate(proposal).formation == "parallel"
    assert proposal.description == "Switch review_team team_formation sequential → parallel"
    text = " ".join(proposal.evidence)
    assert "workflows/code_review.yaml:40" in text
    assert "ran parallel (225 executions): median 66.0 s against 220.5 s now" in text
    assert "69% less" in text  # the analysis' run-by-run prediction
    assert "suboptimal_formation_sequential" in proposal.insights


def test_review_team_drops_docs(team_demo: Demo) -> None:
    proposal = _only(team_demo, "review_team", TeamSizingStrategy())
    assert candidate(proposal).members == ("security", "performance", "style")
    assert proposal.description == "Remove docs from review_team (4 → 3 members)"
    first = proposal.evidence[0]
    assert first.startswith("docs (workflows/code_review.yaml:68) failed 271 of 677 executions")
    assert "difference -0.6 points (95% interval -3.9 to +3.1)" in first
    assert proposal.insights == ("oversized_team",)


def test_review_team_budget_fits_successful_usage(team_demo: Demo) -> None:
    proposal = _only(team_demo, "review_team", ToolBudgetStrategy())
    assert candidate(proposal).total_tool_budget == 55  # 43 × 1.2 = 51.6 → 55
    assert proposal.description == "Set review_team total_tool_budget 120 → 55"
    text = " ".join(proposal.evidence)
    assert "used 25–43 tool calls" in text
    assert "0 of 641 successful executions (0.0%) used more than 55 calls" in text


def test_review_team_member_budgets(team_demo: Demo) -> None:
    proposal = _only(team_demo, "review_team", MemberSelectionStrategy())
    assert candidate(proposal).budget_multipliers == (
        ("performance", 0.6),
        ("security", 0.6),
        ("style", 0.55),
    )
    assert "docs" not in dict(candidate(proposal).budget_multipliers)
    assert "used at most 15 calls" in proposal.evidence[0]


def test_review_team_timeout_is_never_reached(team_demo: Demo) -> None:
    # review_team ends within 272.2 s of its 900 s: a lower timeout would stop nothing
    assert TimeoutTuningStrategy().propose(team_demo.target("review_team")) == []
    target = team_demo.target("review_team", {"require_stopped_runs": False})
    (proposal,) = TimeoutTuningStrategy().propose(target)
    # P95 of successful runs 247.1 s × 1.2 = 296.5 s, longest success 272.2 s → 300 s
    assert candidate(proposal).timeout_seconds == 300.0
    assert "P95 247.1 s" in proposal.evidence[1]
    assert "None of the 676 recorded executions ran longer than 300 s" in proposal.evidence[3]


def test_research_team_is_left_alone(team_demo: Demo) -> None:
    target = team_demo.target("research_team")
    for strategy in STRATEGIES:
        assert strategy().propose(target) == [], strategy.name


def test_research_timeout_never_cuts_its_slow_successes(team_demo: Demo) -> None:
    # Successful runs reach 1136.6 s: the evidence-based value is 1140 s, 5% below 1200 s.
    options = {"min_change": 0.01, "require_stopped_runs": False}
    target = team_demo.target("research_team", options)
    (proposal,) = TimeoutTuningStrategy().propose(target)
    assert candidate(proposal).timeout_seconds == 1140.0


def test_no_parallelization_without_a_manager(team_demo: Demo) -> None:
    # review_team has no member that reads as a manager; research_team is a consensus team
    for team_id in team_demo.team_ids():
        assert ParallelizationStrategy().propose(team_demo.target(team_id)) == []
