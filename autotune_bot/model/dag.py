"""Execution DAGs of current and candidate workflow structures, and their critical paths.

A DAG here is a mapping node → predecessors (back edges of loops left out). The candidate
DAG is derived from the current graph: each parallel group's members take the group's
outside predecessors and lead to its outside successors, side by side; a removed node's
successors inherit its predecessors. Critical paths are computed for every run at once, by
dynamic programming over a topological order: a node finishes at its duration plus the latest
finish among its predecessors, and a run takes the latest finish of all.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from autotune_bot.workflow.graph import WorkflowGraph

__all__ = ["candidate_dag", "critical_path_lengths", "current_dag", "topological"]

F64 = npt.NDArray[np.float64]
Dag = dict[str, tuple[str, ...]]


def current_dag(graph: WorkflowGraph) -> Dag:
    """Node → DAG predecessors of the workflow as it is."""
    return {node: graph.dag_predecessors(node) for node in graph.nodes}


def candidate_dag(
    graph: WorkflowGraph,
    removed: frozenset[str] = frozenset(),
    groups: Sequence[Sequence[str]] = (),
) -> Dag | None:
    """Node → predecessors after running each of ``groups`` side by side and then removing
    ``removed`` (their successors reconnected to their predecessors). Removed nodes are not
    in the result. None when a group is not a run of consecutive nodes (a node outside the
    group lies between two of its members: side by side they would form a cycle)."""
    preds = {node: set(p) for node, p in current_dag(graph).items()}
    for group in groups:
        inside = set(group)
        outside_preds = set().union(*(preds[g] for g in group)) - inside
        for node, ps in preds.items():
            if node not in inside and ps & inside:
                preds[node] = (ps - inside) | inside
        for g in group:
            preds[g] = set(outside_preds)
    order = topological(preds, graph.nodes)
    if len(order) != len(graph.nodes):
        return None
    through: dict[str, set[str]] = {}
    for node in order:
        kept: set[str] = set()
        for p in preds[node]:
            kept |= through[p] if p in removed else {p}
        through[node] = kept
    rank = {node: i for i, node in enumerate(graph.nodes)}
    return {
        node: tuple(sorted(through[node], key=rank.__getitem__))
        for node in graph.nodes
        if node not in removed
    }


def topological(preds: Mapping[str, Sequence[str] | set[str]], nodes: Sequence[str]) -> list[str]:
    """Kahn's order of ``preds``, ties broken by position in ``nodes``."""
    rank = {node: i for i, node in enumerate(nodes)}
    indegree = {node: len(set(preds[node])) for node in nodes}
    succs: dict[str, list[str]] = {node: [] for node in nodes}
    for node in nodes:
        for p in set(preds[node]):
            succs[p].append(node)
    ready = [rank[n] for n in nodes if indegree[n] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        node = nodes[heapq.heappop(ready)]
        order.append(node)
        for s in succs[node]:
            indegree[s] -= 1
            if indegree[s] == 0:
                heapq.heappush(ready, rank[s])
    return order


def critical_path_lengths(
    durations: F64, columns: Sequence[str], dag: Mapping[str, Sequence[str]]
) -> F64:
    """Per run (row of ``durations``, one column per name in ``columns``; NaN counts 0):
    the longest path through ``dag``. Nodes of the DAG without a column take no time."""
    d = np.nan_to_num(durations, nan=0.0)
    runs = d.shape[0]
    col = {name: k for k, name in enumerate(columns)}
    finish: dict[str, F64] = {}
    zero = np.zeros(runs)
    longest = zero
    for node in topological(dag, list(dag)):
        start = zero
        for p in dag[node]:
            start = np.maximum(start, finish[p])
        own = d[:, col[node]] if node in col else zero
        finish[node] = start + own
        longest = np.maximum(longest, finish[node])
    return longest
