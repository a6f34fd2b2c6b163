"""Every built-in strategy, by name: the registry the tuner, the docs and the contract tests
iterate. ``.autotune.yml`` refers to strategies by these names (``strategies: {<name>: …}``)."""

from __future__ import annotations

from autotune_bot.strategies.base import TeamStrategy, WorkflowStrategy
from autotune_bot.strategies.batching import BatchingStrategy
from autotune_bot.strategies.caching import CachingStrategy
from autotune_bot.strategies.formation_selection import FormationSelectionStrategy
from autotune_bot.strategies.member_selection import MemberSelectionStrategy
from autotune_bot.strategies.model_selection import ModelSelectionStrategy
from autotune_bot.strategies.node_parallelization import NodeParallelizationStrategy
from autotune_bot.strategies.pruning import PruningStrategy
from autotune_bot.strategies.team_parallelization import ParallelizationStrategy
from autotune_bot.strategies.team_sizing import TeamSizingStrategy
from autotune_bot.strategies.timeout_tuning import TimeoutTuningStrategy
from autotune_bot.strategies.tool_budget import ToolBudgetStrategy
from autotune_bot.strategies.tool_selection import ToolSelectionStrategy

__all__ = ["STRATEGIES", "BuiltinStrategy"]

BuiltinStrategy = TeamStrategy | WorkflowStrategy

STRATEGIES: dict[str, type[TeamStrategy] | type[WorkflowStrategy]] = {
    # team level (seed 002)
    "team_sizing": TeamSizingStrategy,
    "formation_selection": FormationSelectionStrategy,
    "tool_budget": ToolBudgetStrategy,
    "timeout_tuning": TimeoutTuningStrategy,
    "member_selection": MemberSelectionStrategy,
    "parallelization": ParallelizationStrategy,
    # workflow level (seed 003)
    "pruning": PruningStrategy,
    "node_parallelization": NodeParallelizationStrategy,
    "tool_selection": ToolSelectionStrategy,
    "model_selection": ModelSelectionStrategy,
    "caching": CachingStrategy,
    "batching": BatchingStrategy,
}

for _name, _cls in STRATEGIES.items():
    assert _cls.name == _name, f"strategy {_cls.__name__} registered as {_name!r}"
