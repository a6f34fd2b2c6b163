"""The user's rules of ``.autotune.yml`` (``constraints:``), checked on a change.

On the parsed file before and after the change:

* ``constraints.protected_files``: a file matching one of the globs must not change at all;
* ``constraints.protected_nodes``: a node with one of these ids must be neither removed nor
  changed: its mapping reads the same and it has the same incoming and outgoing edges (so
  rewiring it, or wrapping it in a new ``parallel`` node, is a change too);
* ``constraints.protected_roles``: a node or team member whose ``role`` is one of these
  (compared without case and surrounding spaces) must be neither removed (dropped from the
  ``nodes`` list or from its team's ``members``, or its team node removed) nor disabled
  (``enabled: false`` written on it).

On the change's estimate (:func:`check_estimate`):

* ``constraints.min_success_rate``: the predicted success rate must not be below it, except
  that a configuration already below it only must not get worse (as the search's guardrail);
* ``constraints.max_cost_usd``: the predicted cost per run must not be above it. Estimates give
  cost per *successful* run; cost per run is that times the predicted success rate (exact
  when every replayed execution has a cost, otherwise an approximation, which the estimate's
  notes say).

A limit the estimate has no value for is *unchecked*, not a violation. Pure.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from autotune_bot.discovery import glob_matches
from autotune_bot.settings.models import Constraints
from autotune_bot.tuning.suggestion import Estimate
from autotune_bot.validation.violations import ConstraintCheck, ConstraintViolation
from autotune_bot.workflow.model import MemberSpec, Node, WorkflowDef, WorkflowFile
from autotune_bot.workflow.yaml_fields import plain

__all__ = [
    "check_estimate",
    "check_protected",
    "has_protected_role",
    "node_role",
    "protected_file_pattern",
]


def protected_file_pattern(path: str, constraints: Constraints) -> str | None:
    """The first ``protected_files`` glob matching the repository path ``path``, or None."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    return next((g for g in constraints.protected_files if glob_matches(g, parts)), None)


def node_role(node: Node) -> object:
    """The ``role`` a node's YAML gives it (None when it has none)."""
    return node.raw.get("role") if isinstance(node.raw, dict) else None


def has_protected_role(role: object, constraints: Constraints) -> bool:
    if not isinstance(role, str):
        return False
    return role.strip().casefold() in {r.strip().casefold() for r in constraints.protected_roles}


def check_protected(
    before: WorkflowFile, after: WorkflowFile, constraints: Constraints
) -> list[ConstraintViolation]:
    """The protected files, nodes and roles ``after`` breaks (definitions matched by name)."""
    out: list[ConstraintViolation] = []
    pattern = protected_file_pattern(before.path, constraints)
    if pattern is not None and before.text != after.text:
        message = f"{before.path} matches '{pattern}' and would change"
        out.append(ConstraintViolation("constraints.protected_files", before.path, None, message))
    changed = {d.name: d for d in after.workflows}
    for wf in before.workflows:
        new = changed.get(wf.name)
        if new is None:
            continue  # the whole definition is gone: graph.missing_workflow says so
        out += _protected_nodes(wf, new, constraints)
        out += _protected_roles(wf, new, constraints)
    return out


def check_estimate(
    estimate: Estimate | None, constraints: Constraints, file: str
) -> ConstraintCheck:
    """``min_success_rate`` and ``max_cost_usd`` on the predicted values of ``estimate``."""
    violations: list[ConstraintViolation] = []
    unchecked: list[str] = []
    basis = "no estimate" if estimate is None else estimate.basis
    success = estimate.success if estimate is not None else None
    floor = constraints.min_success_rate
    if floor is not None:
        if success is None or not math.isfinite(success.predicted):
            unchecked.append(f"constraints.min_success_rate not checked: no success rate ({basis})")
        elif success.predicted < floor and not (
            success.current < floor and success.predicted >= success.current
        ):  # a configuration already below the floor only must not get worse
            message = (
                f"predicted success rate {100 * success.predicted:.1f}% is below the minimum "
                f"{100 * floor:.1f}% (now {100 * success.current:.1f}%)"
            )
            violations.append(
                ConstraintViolation("constraints.min_success_rate", file, None, message)
            )
    ceiling = constraints.max_cost_usd
    if ceiling is not None:
        cost = estimate.cost if estimate is not None else None
        per_run = math.nan
        if cost is not None and success is not None:
            per_run = cost.predicted * success.predicted
        if not math.isfinite(per_run):
            unchecked.append(f"constraints.max_cost_usd not checked: no cost per run ({basis})")
        elif per_run > ceiling:
            message = f"predicted cost per run ${per_run:.4f} is above the maximum ${ceiling:.4f}"
            violations.append(ConstraintViolation("constraints.max_cost_usd", file, None, message))
    return ConstraintCheck(tuple(violations), tuple(unchecked))


def _edges_of(wf: WorkflowDef, node: str) -> set[tuple[str, str]]:
    return {(e.source, e.target) for e in wf.edges if node in (e.source, e.target)}


def _protected_nodes(
    before: WorkflowDef, after: WorkflowDef, constraints: Constraints
) -> list[ConstraintViolation]:
    out: list[ConstraintViolation] = []
    for node_id in constraints.protected_nodes:
        old = before.nodes.get(node_id)
        if old is None:
            continue
        new = after.nodes.get(node_id)
        if new is None:
            what = "would be removed"
        elif plain(old.raw) != plain(new.raw):
            what = "would be changed"
        elif _edges_of(before, node_id) != _edges_of(after, node_id):
            what = "would be rewired (its incoming or outgoing edges change)"
        else:
            continue
        message = f"workflow '{before.name}': node '{node_id}' is protected and {what}"
        out.append(
            ConstraintViolation("constraints.protected_nodes", before.path, node_id, message)
        )
    return out


def _disabled(old: Any, new: Any) -> bool:
    def off(raw: Any) -> bool:
        return isinstance(raw, dict) and raw.get("enabled") is False

    return off(new) and not off(old)


def _member_raw(node: Node, spec: MemberSpec) -> Any:
    value: Any = node.raw
    for key in spec.path[len(node.path) :]:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _members(node: Node) -> Iterator[tuple[MemberSpec, Any]]:
    if node.team is not None:
        for spec in node.team.members:
            yield spec, _member_raw(node, spec)


def _protected_roles(
    before: WorkflowDef, after: WorkflowDef, constraints: Constraints
) -> list[ConstraintViolation]:
    if not constraints.protected_roles:
        return []
    out: list[ConstraintViolation] = []

    def add(subject: str, what: str, role: str) -> None:
        message = f"workflow '{before.name}': {what} (role '{role}' is protected)"
        out.append(
            ConstraintViolation("constraints.protected_roles", before.path, subject, message)
        )

    for old in before.nodes.values():
        new = after.nodes.get(old.id)
        role = node_role(old)
        if has_protected_role(role, constraints):
            if new is None:
                add(old.id, f"node '{old.id}' would be removed", str(role))
            elif _disabled(old.raw, new.raw):
                add(old.id, f"node '{old.id}' would be disabled", str(role))
        kept = {s.id: raw for s, raw in _members(new)} if new is not None else {}
        for spec, raw in _members(old):
            if not has_protected_role(spec.role, constraints):
                continue
            who = f"member '{spec.id}' of team '{old.id}'"
            if spec.id not in kept:
                add(f"{old.id}.{spec.id}", f"{who} would be removed", str(spec.role))
            elif _disabled(raw, kept[spec.id]):
                add(f"{old.id}.{spec.id}", f"{who} would be disabled", str(spec.role))
    return out
