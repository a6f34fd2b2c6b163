"""Readable phrases for search values (``prune:legacy_enrich = True`` → "remove
legacy_enrich"), used to describe the search's configuration in suggestions and reports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autotune_bot.tuning.dimension_names import (
    BUDGET_MULTIPLIERS,
    FORMATION,
    HIERARCHY,
    MEMBERS,
    TIMEOUT_SECONDS,
    TOTAL_TOOL_BUDGET,
    parse_dim,
)

__all__ = ["describe_value", "describe_values"]


def _names(value: Any) -> str:
    return ", ".join(str(v) for v in value) if value else "none"


def describe_value(name: str, value: Any) -> str:
    kind, nodes = parse_dim(name)
    node = ", ".join(nodes)
    if kind == FORMATION:
        return f"formation {value}"
    if kind == MEMBERS:
        return f"members {_names(value)}"
    if kind == TOTAL_TOOL_BUDGET:
        return f"total_tool_budget {value}"
    if kind == TIMEOUT_SECONDS:
        return "no timeout" if value is None else f"timeout_seconds {value:g}"
    if kind == BUDGET_MULTIPLIERS:
        pairs = ", ".join(f"{m} ×{x:g}" for m, x in value) or "none"
        return f"member budget multipliers {pairs}"
    if kind == HIERARCHY:
        if value is None:
            return "no sub-teams"
        manager, groups = value
        return f"hierarchical under {manager}: " + " | ".join(_names(g) for g in groups)
    if kind == "prune":
        return f"remove {node}" if value else f"keep {node}"
    if kind == "parallel":
        return f"run {node} in parallel" if value else f"run {node} in sequence"
    if kind == "model":
        return f"{node} on {value}"
    if kind == "cache":
        return f"cache {_names(value)} on {node}" if value else f"no cache on {node}"
    if kind == "batch":
        return f"batch {_names(value)} on {node}" if value else f"no batching on {node}"
    if kind == "tools":
        return f"{node} tools: {_names(value)}"
    return f"{name} = {value}"


def describe_values(values: Mapping[str, Any]) -> str:
    return "; ".join(describe_value(k, v) for k, v in values.items()) or "no change"
