"""Map a search point's values (by dimension name) onto team and workflow configurations.

Dimension names come from :mod:`autotune_bot.tuning.dimension_names` (re-exported here):
strategies build names with them, never with string literals. Dimensions a point does not
name keep the current value. Unknown dimension names raise ``ValueError``.

Team conflicts are resolved in this order:

1. ``members`` keeps the named members in file order (at least one; unknown ids raise);
2. multipliers of members not kept, and multipliers equal to 1, are dropped;
3. ``hierarchy``: ``None`` means no split (sub-teams cleared, the current manager kept); a
   ``(manager, sub_teams)`` pair sets both and the formation to ``hierarchical`` (overriding
   ``formation``) — unless its manager is not kept, in which case the pair is ignored;
4. a manager that is not kept is dropped (with the sub-teams); sub-teams keep only kept
   workers other than the manager, each in the first sub-team that names it; empty
   sub-teams are dropped.

Workflow conflicts, applied after every value (values are read in sorted name order):

1. a pruned node leaves every parallel group; a group left with fewer than two nodes, or
   sharing a node with a group kept before it (current groups first), is dropped;
2. the model, cache, batch and tools settings of a pruned node are dropped;
3. an empty ``cache:``/``batch:`` tuple (or a ``None`` model) switches the setting off.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from autotune_bot.tuning.config import TeamConfig, WorkflowConfig
from autotune_bot.tuning.dimension_names import (
    BUDGET_MULTIPLIERS,
    FORMATION,
    HIERARCHY,
    MEMBERS,
    TEAM_DIMENSIONS,
    TIMEOUT_SECONDS,
    TOTAL_TOOL_BUDGET,
    batch_dim,
    cache_dim,
    model_dim,
    parallel_dim,
    parse_dim,
    prune_dim,
    tools_dim,
)

__all__ = [
    "BUDGET_MULTIPLIERS",
    "FORMATION",
    "HIERARCHY",
    "MEMBERS",
    "TEAM_DIMENSIONS",
    "TIMEOUT_SECONDS",
    "TOTAL_TOOL_BUDGET",
    "WORKFLOW_KINDS",
    "apply_team_values",
    "apply_workflow_values",
    "batch_dim",
    "cache_dim",
    "model_dim",
    "parallel_dim",
    "parse_dim",
    "prune_dim",
    "tools_dim",
]

WORKFLOW_KINDS = ("prune", "parallel", "model", "cache", "tools", "batch")


def apply_team_values(current: TeamConfig, values: Mapping[str, Any]) -> TeamConfig:
    """The team configuration a point stands for."""
    unknown = sorted(set(values) - set(TEAM_DIMENSIONS))
    if unknown:
        raise ValueError(f"unknown team dimension {unknown[0]!r}")
    members = current.members
    if MEMBERS in values:
        kept = [str(m) for m in values[MEMBERS]]
        strangers = [m for m in kept if m not in current.members]
        if strangers:
            raise ValueError(f"`members` names {strangers[0]!r}, not a member of the team")
        members = tuple(m for m in current.members if m in kept)
        if not members:
            raise ValueError("`members` must keep at least one member")
    formation = str(values.get(FORMATION, current.formation))
    timeout = values.get(TIMEOUT_SECONDS, current.timeout_seconds)
    raw_multipliers = values.get(BUDGET_MULTIPLIERS, current.budget_multipliers)
    multipliers = {str(m): float(x) for m, x in raw_multipliers}
    manager, sub_teams = current.manager, current.sub_teams
    if HIERARCHY in values:
        pair = values[HIERARCHY]
        if pair is None:
            sub_teams = ()
        elif pair[0] in members:
            manager, sub_teams = str(pair[0]), tuple(tuple(g) for g in pair[1])
            formation = "hierarchical"
        else:
            sub_teams = ()
    if manager not in members:
        manager, sub_teams = None, ()
    return TeamConfig(
        formation=formation,
        members=members,
        total_tool_budget=int(values.get(TOTAL_TOOL_BUDGET, current.total_tool_budget)),
        timeout_seconds=None if timeout is None else float(timeout),
        budget_multipliers=tuple(
            sorted((m, x) for m, x in multipliers.items() if m in members and x != 1.0)
        ),
        manager=manager,
        sub_teams=_sub_teams(sub_teams, members, manager),
    )


def apply_workflow_values(current: WorkflowConfig, values: Mapping[str, Any]) -> WorkflowConfig:
    """The workflow configuration a point stands for."""
    removed = set(current.removed)
    groups = list(current.parallel_groups)
    models: dict[str, str] = dict(current.models)
    cached = dict(current.cached)
    tools = dict(current.tools)
    batched = dict(current.batched)
    for name in sorted(values):
        kind, nodes = parse_dim(name)
        value = values[name]
        if kind not in WORKFLOW_KINDS or not all(nodes):
            raise ValueError(f"unknown workflow dimension {name!r}")
        node = nodes[0]
        if kind == "prune":
            (removed.add if value else removed.discard)(node)
        elif kind == "parallel":
            if value and nodes not in groups:
                groups.append(nodes)
            elif not value and nodes in groups:
                groups.remove(nodes)
        elif kind == "model":
            _put(models, node, None if value is None else str(value))
        elif kind == "tools":
            tools[node] = _names(value)
        else:
            table = cached if kind == "cache" else batched
            _put(table, node, _names(value) or None)
    return WorkflowConfig(
        removed=frozenset(removed),
        parallel_groups=_groups(groups, removed),
        models=_pairs(models, removed),
        cached=_pairs(cached, removed),
        tools=_pairs(tools, removed),
        batched=_pairs(batched, removed),
    )


def _sub_teams(
    groups: tuple[tuple[str, ...], ...], members: tuple[str, ...], manager: str | None
) -> tuple[tuple[str, ...], ...]:
    seen: set[str] = set()
    out: list[tuple[str, ...]] = []
    for group in groups:
        kept = []
        for member in map(str, group):
            if member in members and member != manager and member not in seen:
                seen.add(member)
                kept.append(member)
        if kept:
            out.append(tuple(kept))
    return tuple(out)


def _groups(groups: Iterable[tuple[str, ...]], removed: set[str]) -> tuple[tuple[str, ...], ...]:
    taken: set[str] = set()
    out: list[tuple[str, ...]] = []
    for group in groups:
        kept = tuple(n for n in group if n not in removed)
        if len(kept) >= 2 and not taken & set(kept):
            taken.update(kept)
            out.append(kept)
    return tuple(out)


def _put(table: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        table.pop(key, None)
    else:
        table[key] = value


def _names(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value or ())


def _pairs(table: Mapping[str, Any], removed: set[str]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, v) for k, v in table.items() if k not in removed))
