"""Rewire a workflow graph for pruned nodes and new parallel groups, as YAML changes.

Pruning node X connects each predecessor to X's successors: a ``next:`` naming X gets X's
successors in its place (deduplicated, order kept); a predecessor that reached X implicitly
(no ``next``: it continues to the next listed node) gets an explicit ``next:`` only when its
new implicit successor is not X's successor; a parallel node drops X from ``parallel_nodes``
(even when one branch remains); ``edges:`` items touching X are removed and
``{from: pred, to: succ}`` items added for pairs not yet connected. Refused with
``ValueError``: condition nodes, parallel nodes with branches, and nodes a condition routes to.

A parallel group ``(a, b, …)`` — a chain ``pred → a → b → … → succ`` where each member leads
only to the next and each follows only the previous — becomes a new ``type: parallel`` node
inserted right before ``a``: ``{id, type: parallel, parallel_nodes: [a, b, …], join_strategy:
all, next: [succ]}``. The members lose their ``next:`` keys (a branch without ``next`` joins
its parallel node's successors); a predecessor with ``next: [a]`` now names the parallel node,
and an implicit predecessor reaches it by position. With an ``edges:`` list the loader builds
no joins, so the parallel node gets no ``next`` and each member gets ``{from: member, to:
succ}`` items instead of its old outgoing items; items into ``a`` are retargeted.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from autotune_bot.tuning.rewire_edits import plan_changes
from autotune_bot.tuning.rewire_plan import PlanEntry, RewirePlan, replace_target, unique
from autotune_bot.tuning.suggestion import Change
from autotune_bot.workflow.model import MARKER_NODE_TYPES, Edge, WorkflowDef

__all__ = ["graph_changes", "parallelize", "prune"]

_FLOW = ("next", "implicit", "join", "edge")


def graph_changes(
    wf: WorkflowDef,
    removed: Sequence[str],
    groups: Sequence[tuple[str, ...]],
    document: Any = None,
) -> list[Change]:
    """Changes that prune ``removed`` (in that order), then run each group in parallel.

    ``document`` is the file's round-trip tree, needed to edit single ``edges:`` items
    (without it a changed ``edges:`` list is rewritten whole). Raises ``ValueError`` for a
    rewrite the file cannot express.
    """
    plan = RewirePlan(wf, document)
    for node_id in removed:
        prune(plan, node_id)
    for group in groups:
        parallelize(plan, tuple(group))
    return plan_changes(plan)


def prune(plan: RewirePlan, x: str) -> None:
    """Remove node ``x`` from the plan and connect its predecessors to its successors."""
    entry = plan.entry(x)
    if entry.type == "condition":
        raise ValueError(
            f"cannot prune condition node '{x}': its predecessors would run every branch"
        )
    if entry.type == "parallel" and entry.parallel_nodes:
        raise ValueError(f"cannot prune parallel node '{x}': its branches would become a chain")
    edges = plan.edges()
    for e in edges:
        if e.target == x and (e.kind == "branch" or e.label is not None):
            raise ValueError(
                f"cannot prune '{x}': '{e.source}' routes to it on condition {e.label!r}; "
                "remove that route by hand first"
            )
    succs = unique(e.target for e in edges if e.source == x and e.target != x)
    if plan.start() == x:
        then = plan.start([e for e in plan.entries if e is not entry])
        if [then] != list(succs):
            raise ValueError(
                f"cannot prune entry node '{x}': the workflow would start at '{then}', "
                f"not at its successors {list(succs)}"
            )
    parents = plan.parents()
    explicit: list[str] = []
    implicit: list[str] = []
    linked: list[str] = []
    for e in edges:
        if e.target != x or e.source == x:
            continue
        if e.kind == "next":
            explicit.append(e.source)
        elif e.kind == "implicit":
            implicit.append(e.source)
        elif e.kind == "join":  # x is the successor of a parallel node: rewire that node
            holder = parents[e.source]
            (explicit if plan.entry(holder).next is not None else implicit).append(holder)
        elif e.kind == "edge":
            linked.append(e.source)
    # a parallel node's own `next` is no edge of the graph when its branches write theirs
    explicit += [e.id for e in plan.entries if e.id != x and e.next is not None and x in e.next]
    plan.entries.remove(entry)
    if entry.node is not None:
        plan.removed.append(entry.node)
    for other in plan.entries:
        other.parallel_nodes = tuple(c for c in other.parallel_nodes if c != x)
    for item in plan.items or ():
        item.targets = () if item.source == x else tuple(t for t in item.targets if t != x)
    for holder in unique(explicit):
        h = plan.entry(holder)
        h.next = replace_target(h.next or (), x, succs)
    for holder in unique(implicit):
        natural = plan.after(holder)
        if list(succs) != ([natural] if natural is not None else []):
            plan.entry(holder).next = succs
    connected = {(e.source, e.target) for e in plan.edges()}
    for pred in unique(linked):
        for succ in succs:
            if (pred, succ) not in connected:
                plan.add_item(pred, succ)


def parallelize(plan: RewirePlan, group: tuple[str, ...]) -> None:
    """Run the chain ``group`` under a new parallel node inserted before its first member."""
    if len(group) < 2 or len(set(group)) != len(group):
        raise ValueError(f"parallel group {list(group)} needs two or more distinct nodes")
    members = [plan.entry(m) for m in group]
    edges = plan.edges()
    outgoing = {m: [e for e in edges if e.source == m] for m in group}
    incoming = {m: [e for e in edges if e.target == m] for m in group}
    _check_chain(group, members, outgoing, incoming)
    succs = unique(e.target for e in outgoing[group[-1]] if e.kind in _FLOW)
    new_id = plan.fresh_id(group)
    first = group[0]
    for other in plan.entries:
        if other.next is not None and first in other.next and other.id not in group:
            other.next = replace_target(other.next, first, (new_id,))
    for e in incoming[first]:
        # `next` and explicit joins are rewritten above; an implicit predecessor reaches the
        # new node by position, as it is inserted right before `first`
        if e.kind == "edge":
            for item in plan.items or ():
                if item.source == e.source:
                    item.targets = replace_target(item.targets, first, (new_id,))
    for m in members:
        m.next = None
    value: dict[str, Any] = {
        "id": new_id,
        "type": "parallel",
        "parallel_nodes": list(group),
        "join_strategy": "all",
    }
    if plan.items is None:
        value["next"] = list(succs)
    else:
        for item in plan.items:
            if item.source in group:
                item.targets = ()
        for member, succ in itertools.product(group, succs):
            plan.add_item(member, succ)
    written = succs if plan.items is None else None
    entry = PlanEntry(new_id, "parallel", written, group, None, value)
    plan.entries.insert(plan.entries.index(members[0]), entry)


def _check_chain(
    group: tuple[str, ...],
    members: list[PlanEntry],
    outgoing: dict[str, list[Edge]],
    incoming: dict[str, list[Edge]],
) -> None:
    for m in members:
        if m.type in ("condition", "parallel", *MARKER_NODE_TYPES):
            raise ValueError(f"'{m.id}' is a {m.type} node and cannot be a parallel branch")
        if any(e.kind == "parallel" for e in incoming[m.id]):
            raise ValueError(f"'{m.id}' is already a branch of a parallel node")
    for a, b in itertools.pairwise(group):
        if [e.target for e in outgoing[a]] != [b] or [e.source for e in incoming[b]] != [a]:
            raise ValueError(
                f"nodes {list(group)} are not a chain: '{a}' must lead only to '{b}' "
                f"and '{b}' must follow only '{a}'"
            )
    for e in [*incoming[group[0]], *outgoing[group[-1]]]:
        if e.kind == "branch" or e.label is not None:
            raise ValueError(
                f"group {list(group)}: '{e.source}' → '{e.target}' is a conditional route; "
                "retarget it by hand first"
            )
        if e.source in group and e.target in group:
            raise ValueError(f"group {list(group)} loops back into itself")
