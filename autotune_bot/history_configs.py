"""The ``configs`` of a history entry: per tuned target its scope, file and plain ``before``
and ``after`` configuration (the suggestions chosen for it merged into the current one). Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autotune_bot.report.suggestions_json import plain
from autotune_bot.tuning.config import TeamConfig, WorkflowConfig
from autotune_bot.tuning.merge import merge_candidates
from autotune_bot.tuning.plain_config import plain_team_config, plain_workflow_config
from autotune_bot.tuning.plan_types import TuningPlan
from autotune_bot.tuning.suggestion import OptimizationSuggestion

__all__ = ["plain_config", "target_configs"]


def plain_config(config: TeamConfig | WorkflowConfig) -> dict[str, Any]:
    """The plain dict of a configuration, complete (hierarchy and tool lists included)."""
    if isinstance(config, TeamConfig):
        out = plain_team_config(config)
        out["manager"] = config.manager
        out["sub_teams"] = [list(group) for group in config.sub_teams]
    else:
        out = plain_workflow_config(config)
        out["tools"] = {node: list(tools) for node, tools in config.tools}
    result: dict[str, Any] = plain(out)
    return result


def target_configs(
    suggestions: Sequence[OptimizationSuggestion], plan: TuningPlan
) -> list[dict[str, Any]]:
    """``{"scope", "target", "file", "before", "after"}`` for each target of ``plan`` that
    ``suggestions`` change (a target without a current configuration is left out)."""
    keys = {(s.scope, s.target) for s in suggestions}
    configs = []
    for target in plan.targets:
        if target.key not in keys or target.current is None:
            continue
        chosen = [s.candidate for s in suggestions if (s.scope, s.target) == target.key]
        after = merge_candidates(target.current, [c for c in chosen if c is not None])  # type: ignore[type-var]
        configs.append(
            {
                "scope": target.scope,
                "target": target.target,
                "file": target.file,
                "before": plain_config(target.current),
                "after": plain_config(after),
            }
        )
    return configs
