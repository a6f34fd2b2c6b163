"""A workflow file made from the design documents' plain team configuration.

``PerformanceAutotuner.suggest_optimizations(team_id, current_config={"formation":
"sequential", "member_count": 5})`` has no YAML to read the team from; this builds a one-node
workflow from the dict, parsed by the same loader as real files, so strategies read current
values and name changes the same way (the file is ``<current_config>``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from autotune_bot.errors import UsageError
from autotune_bot.workflow.loader import parse_workflow_text
from autotune_bot.workflow.model import WorkflowFile

__all__ = ["SYNTHETIC_PATH", "synthetic_team_file"]

SYNTHETIC_PATH = "<current_config>"
_KEYS = {
    "formation": "team_formation",
    "team_formation": "team_formation",
    "tool_budget": "total_tool_budget",
    "total_tool_budget": "total_tool_budget",
    "timeout_seconds": "timeout_seconds",
    "max_iterations": "max_iterations",
}
_KNOWN = {*_KEYS, "member_count", "members", "team_id"}


def _members(config: Mapping[str, Any], recorded: Sequence[str]) -> list[dict[str, Any]]:
    given = config.get("members")
    if isinstance(given, list):
        out = []
        for k, item in enumerate(given):
            if isinstance(item, str):
                out.append({"id": item})
            elif isinstance(item, Mapping) and isinstance(item.get("id"), str):
                out.append(dict(item))
            else:
                raise UsageError(
                    f"members[{k}] must be an id or a mapping with an id", field="current_config"
                )
        return out
    count = config.get("member_count", len(recorded) or None)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise UsageError("give members or a positive member_count", field="current_config")
    names = list(recorded[:count]) + [f"member{k}" for k in range(len(recorded) + 1, count + 1)]
    return [{"id": name} for name in names[:count]]


def synthetic_team_file(
    team_id: str, config: Mapping[str, Any], recorded_members: Sequence[str]
) -> WorkflowFile:
    unknown = sorted(set(config) - _KNOWN)
    if unknown:
        raise UsageError(
            f"unknown key {unknown[0]!r}; known: {', '.join(sorted(_KNOWN))}",
            field="current_config",
        )
    node: dict[str, Any] = {"id": team_id, "type": "team"}
    for key, value in config.items():
        if key in _KEYS:
            node[_KEYS[key]] = value
    node["members"] = _members(config, recorded_members)
    # JSON is valid YAML: one flow-style document the loader reads like any other file
    text = json.dumps({"workflows": {f"{team_id}_workflow": {"nodes": [node]}}}, indent=2)
    return parse_workflow_text(text + "\n", SYNTHETIC_PATH)
