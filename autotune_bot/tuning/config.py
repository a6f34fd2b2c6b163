"""Configurations the tuner reasons about, as plain values.

A :class:`TeamConfig` is what can be tuned on one team node; a :class:`WorkflowConfig` what can
be tuned on one workflow definition. The current configuration is read from the parsed YAML
(:func:`team_config` / :func:`workflow_config`); strategies and the search produce candidates by
replacing fields (``dataclasses.replace``); the performance model predicts a candidate's
behaviour from recorded traces; :mod:`autotune_bot.tuning.team_edits` and
:mod:`autotune_bot.tuning.workflow_edits` turn the difference between two configurations into
YAML edits. Mappings are stored as sorted tuples of pairs so configurations are hashable.
"""

from __future__ import annotations

from dataclasses import dataclass

from autotune_bot.workflow.model import Node, WorkflowDef

__all__ = ["TeamConfig", "WorkflowConfig", "team_config", "workflow_config"]


@dataclass(frozen=True, slots=True)
class TeamConfig:
    formation: str
    members: tuple[str, ...]  # enabled members, in file order
    total_tool_budget: int
    timeout_seconds: float | None  # None: no timeout written
    # member id → tool_budget_multiplier, only members whose multiplier is not 1
    budget_multipliers: tuple[tuple[str, float], ...] = ()
    # hierarchical split (parallelization into sub-teams): the manager member and groups of
    # workers; each group runs its members in order, groups run side by side. Empty unless the
    # formation is hierarchical and the tuner chose the split.
    manager: str | None = None
    sub_teams: tuple[tuple[str, ...], ...] = ()

    def multiplier(self, member: str) -> float:
        return dict(self.budget_multipliers).get(member, 1.0)


@dataclass(frozen=True, slots=True)
class WorkflowConfig:
    removed: frozenset[str] = frozenset()  # pruned nodes
    # groups of nodes that now run side by side under a new `parallel` node (each group is
    # a run of consecutive, independent nodes of the current graph, in file order)
    parallel_groups: tuple[tuple[str, ...], ...] = ()
    models: tuple[tuple[str, str], ...] = ()  # node id → model name, agent nodes with a model
    # node id → tools whose calls the bot's `cache:` block caches (nodes with caching enabled)
    cached: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # node id → tools the node may use, only for nodes whose tool list the tuner changed
    tools: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # node id → tools whose calls the bot's `batch:` block batches (nodes with batching enabled)
    batched: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def model(self, node: str) -> str | None:
        return dict(self.models).get(node)


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def team_config(node: Node) -> TeamConfig:
    """The current configuration of a team node as written (defaults where absent)."""
    team = node.team
    if team is None:
        raise ValueError(f"node {node.id!r} is not a team node")
    timeout = team.timeout_seconds.value if team.timeout_seconds is not None else None
    multipliers = []
    manager = None
    for member in team.members:
        field = member.tool_budget_multiplier
        if field is not None and isinstance(field.value, int | float) and field.value != 1:
            multipliers.append((member.id, float(field.value)))
        if member.is_manager and manager is None:
            manager = member.id
    return TeamConfig(
        formation=str(team.formation.value),
        members=tuple(m.id for m in team.members),
        total_tool_budget=_int(team.total_tool_budget.value, 100),
        timeout_seconds=float(timeout) if isinstance(timeout, int | float) else None,
        budget_multipliers=tuple(sorted(multipliers)),
        manager=manager,
    )


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return ()


def workflow_config(wf: WorkflowDef) -> WorkflowConfig:
    """The current configuration of a workflow definition as written."""
    models: list[tuple[str, str]] = []
    cached: list[tuple[str, tuple[str, ...]]] = []
    batched: list[tuple[str, tuple[str, ...]]] = []
    for node in wf.nodes.values():
        hint = node.fields.get("model_hint")
        if hint is not None and hint.present and isinstance(hint.value, str):
            models.append((node.id, hint.value))
        raw = node.raw
        if hasattr(raw, "get"):
            cache = raw.get("cache")
            if hasattr(cache, "get") and cache.get("enabled") is True:
                cached.append((node.id, _names(cache.get("tools"))))
            batch = raw.get("batch")
            if hasattr(batch, "get") and batch.get("enabled") is True:
                batched.append((node.id, _names(batch.get("tools"))))
    return WorkflowConfig(
        models=tuple(sorted(models)),
        cached=tuple(sorted(cached)),
        batched=tuple(sorted(batched)),
    )
