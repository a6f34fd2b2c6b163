"""Plain-dict views of configurations: what a custom strategy's ``suggest(insights,
current_config)`` receives, in the design documents' vocabulary (``formation``,
``member_count``, ``tool_budget``, ``timeout_seconds``, ...)."""

from __future__ import annotations

from typing import Any

from autotune_bot.tuning.config import TeamConfig, WorkflowConfig

__all__ = ["plain_team_config", "plain_workflow_config"]


def plain_team_config(config: TeamConfig) -> dict[str, Any]:
    return {
        "formation": config.formation,
        "member_count": len(config.members),
        "members": list(config.members),
        "tool_budget": config.total_tool_budget,
        "timeout_seconds": config.timeout_seconds,
        "budget_multipliers": dict(config.budget_multipliers),
    }


def plain_workflow_config(config: WorkflowConfig) -> dict[str, Any]:
    return {
        "models": dict(config.models),
        "cached": {node: list(tools) for node, tools in config.cached},
        "batched": {node: list(tools) for node, tools in config.batched},
        "removed": sorted(config.removed),
        "parallel_groups": [list(g) for g in config.parallel_groups],
    }
