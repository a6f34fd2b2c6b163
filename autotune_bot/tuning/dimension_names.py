"""Names of search dimensions, shared by strategies (which open them) and the space mapping
(which turns a point's values into a configuration).

Team dimensions and the type of their choices: ``formation`` (str), ``members`` (tuple of the
member ids kept), ``total_tool_budget`` (int), ``timeout_seconds`` (float or None),
``budget_multipliers`` (tuple of (member, float) pairs), ``hierarchy`` (None or a
(manager, sub_teams) pair). Workflow dimensions are per node or per group of nodes:
``prune:<node>`` (bool), ``parallel:<a>,<b>`` (bool), ``model:<node>`` (str),
``cache:<node>`` / ``tools:<node>`` / ``batch:<node>`` (tuple of tool names; empty = off).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "BUDGET_MULTIPLIERS",
    "FORMATION",
    "HIERARCHY",
    "MEMBERS",
    "TEAM_DIMENSIONS",
    "TIMEOUT_SECONDS",
    "TOTAL_TOOL_BUDGET",
    "batch_dim",
    "cache_dim",
    "model_dim",
    "parallel_dim",
    "parse_dim",
    "prune_dim",
    "tools_dim",
]

FORMATION = "formation"
MEMBERS = "members"
TOTAL_TOOL_BUDGET = "total_tool_budget"
TIMEOUT_SECONDS = "timeout_seconds"
BUDGET_MULTIPLIERS = "budget_multipliers"
HIERARCHY = "hierarchy"
TEAM_DIMENSIONS = (
    FORMATION,
    MEMBERS,
    TOTAL_TOOL_BUDGET,
    TIMEOUT_SECONDS,
    BUDGET_MULTIPLIERS,
    HIERARCHY,
)


def prune_dim(node: str) -> str:
    return f"prune:{node}"


def parallel_dim(group: Sequence[str]) -> str:
    return "parallel:" + ",".join(group)


def model_dim(node: str) -> str:
    return f"model:{node}"


def cache_dim(node: str) -> str:
    return f"cache:{node}"


def tools_dim(node: str) -> str:
    return f"tools:{node}"


def batch_dim(node: str) -> str:
    return f"batch:{node}"


def parse_dim(name: str) -> tuple[str, tuple[str, ...]]:
    """(kind, nodes) of a workflow dimension name: ``"parallel:a,b"`` → ``("parallel", ("a",
    "b"))``; team dimensions give ``(name, ())``."""
    kind, sep, rest = name.partition(":")
    if not sep:
        return name, ()
    return kind, tuple(rest.split(",")) if kind == "parallel" else (rest,)
