"""Keeping the tuner's proposals within ``constraints:`` of ``.autotune.yml`` while it plans.

* A team whose node is protected (``protected_nodes``), and any team or workflow in a
  protected file (``protected_files``), is never a target: :func:`protected_target` says why.
* The search never opens what the rules forbid (:func:`allowed_dimensions`): member sets that
  drop a member with a protected role; in a workflow, any dimension that touches a protected
  node (pruning or regrouping a node also rewires its neighbours) and pruning a node with a
  protected role.
* Every suggestion, the search's included, is checked before it is proposed
  (:func:`within_constraints`): its estimate against ``min_success_rate`` and
  ``max_cost_usd``, and, when something is protected, its changes applied to the file like a
  patch (graph and protected rules; without protections the patch builder still checks the
  graph of what is applied). One that breaks a rule is dropped with a note naming the rule;
  rules it leaves unchecked are noted too.

:func:`constraint_notes` picks those notes out of a plan for the places that do not print the
whole plan (``apply``). Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from autotune_bot.search.space import Dimension
from autotune_bot.settings.models import Constraints
from autotune_bot.strategies.base import TeamTarget, WorkflowTarget
from autotune_bot.tuning.dimension_names import MEMBERS, parse_dim
from autotune_bot.tuning.plan_types import TuningPlan
from autotune_bot.tuning.suggestion import OptimizationSuggestion
from autotune_bot.validation.constraints import check_estimate, check_suggestion
from autotune_bot.validation.rule_constraints import (
    has_protected_role,
    node_role,
    protected_file_pattern,
)
from autotune_bot.validation.violations import RULES
from autotune_bot.workflow.model import WorkflowFile

__all__ = [
    "allowed_dimensions",
    "constraint_notes",
    "protected_target",
    "screen_suggestions",
    "within_constraints",
]

_RULE = re.compile("|".join(re.escape(rule) for rule in RULES))


def protected_target(file: str, node_id: str | None, constraints: Constraints) -> str | None:
    """Why a target in ``file`` (a team: at node ``node_id``) is not tuned, or None."""
    pattern = protected_file_pattern(file, constraints)
    if pattern is not None:
        return f"not tuned: {file} matches '{pattern}' (constraints.protected_files)"
    if node_id is not None and node_id in constraints.protected_nodes:
        return f"not tuned: node '{node_id}' is protected (constraints.protected_nodes)"
    return None


def allowed_dimensions(
    dimensions: Iterable[Dimension], target: TeamTarget | WorkflowTarget
) -> list[Dimension]:
    """``dimensions`` without the choices the constraints forbid (a dimension left with one
    choice is dropped)."""
    c = target.settings.constraints
    if not (c.protected_nodes or c.protected_roles):
        return list(dimensions)
    if isinstance(target, TeamTarget):
        return [d for d in (_team_dimension(d, target, c) for d in dimensions) if d is not None]
    return [d for d in dimensions if not _touches_protected(d, target, c)]


def _team_dimension(dim: Dimension, target: TeamTarget, c: Constraints) -> Dimension | None:
    team = target.node.team
    if dim.name != MEMBERS or team is None:
        return dim
    needed = {
        m.id
        for m in team.members
        if m.id in target.current.members and has_protected_role(m.role, c)
    }
    current = dim.choices[dim.current]
    choices = tuple(ch for ch in dim.choices if needed <= set(ch))
    if len(choices) < 2:
        return None
    return Dimension(dim.name, choices, choices.index(current), dim.kind)


def _touches_protected(dim: Dimension, target: WorkflowTarget, c: Constraints) -> bool:
    kind, nodes = parse_dim(dim.name)
    graph, wf = target.graph, target.workflow
    touched = set(nodes)
    known = [n for n in nodes if n in graph.nodes]
    if kind == "prune":
        for node in known:
            touched |= {*graph.predecessors(node), *graph.successors(node)}
            if has_protected_role(node_role(wf.nodes[node]), c):
                return True
    elif kind == "parallel" and known:
        touched |= {*graph.predecessors(known[0]), *graph.successors(known[-1])}
    return bool(touched & set(c.protected_nodes))


def within_constraints(
    made: OptimizationSuggestion | str, wf_file: WorkflowFile, constraints: Constraints
) -> tuple[OptimizationSuggestion | str, tuple[str, ...]]:
    """The suggestion when it keeps every rule, else why it is not proposed (a string, as
    reasons are); and one note per rule left unchecked. A string passes through."""
    if isinstance(made, str):
        return made, ()
    label = made.strategy or made.type.value
    c = constraints
    if c.protected_files or c.protected_nodes or c.protected_roles:
        check = check_suggestion(made, wf_file, constraints)
    else:  # nothing protected: spare applying and parsing; the patch builder checks the graph
        check = check_estimate(made.estimate, constraints, wf_file.path)
    notes = tuple(f"{label}: {line}" for line in check.unchecked)
    if check.violations:
        return f"{label}: not proposed: " + "; ".join(map(str, check.violations)), notes
    return made, notes


def screen_suggestions(
    suggestions: Sequence[OptimizationSuggestion], wf_file: WorkflowFile, constraints: Constraints
) -> tuple[list[OptimizationSuggestion], list[str]]:
    """The suggestions that keep every rule, and the notes (dropped ones, unchecked rules)."""
    kept: list[OptimizationSuggestion] = []
    notes: list[str] = []
    for suggestion in suggestions:
        made, unchecked = within_constraints(suggestion, wf_file, constraints)
        notes += unchecked
        if isinstance(made, str):
            notes.append(made)
        else:
            kept.append(made)
    return kept, notes


def constraint_notes(plan: TuningPlan) -> list[str]:
    """The plan's notes that name a constraint rule (targets skipped, proposals dropped,
    rules unchecked), each target's prefixed with the target."""
    out = [note for note in plan.notes if _RULE.search(note)]
    for t in plan.targets:
        out += [f"{t.scope} {t.target}: {note}" for note in t.notes if _RULE.search(note)]
    return out
