"""The execution graph of one workflow definition.

Nodes are the workflow's node ids in file order; edges are the loader's edges (explicit
``next``, implicit chaining, parallel branches and their joins, condition branches, or the
``edges:`` list). Real workflows loop through condition branches, so the graph may have
cycles: :meth:`WorkflowGraph.back_edges` finds the edges that close a cycle in a depth-first
search from the entry, and every DAG computation (topological order, critical path,
ancestors, descendants) ignores them.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping

from autotune_bot.workflow.model import Edge, WorkflowDef

__all__ = ["WorkflowGraph"]


class WorkflowGraph:
    """Successors, predecessors and DAG views of a workflow; immutable once built."""

    def __init__(self, nodes: Iterable[str], edges: Iterable[Edge], entry: str | None) -> None:
        self._nodes = tuple(dict.fromkeys(nodes))
        index = {node: i for i, node in enumerate(self._nodes)}
        self._index = index
        self._edges = tuple(e for e in edges if e.source in index and e.target in index)
        if entry is not None and entry not in index:
            raise KeyError(f"entry node '{entry}' is not in the graph")
        self._entry = entry
        self._succ: dict[str, tuple[str, ...]] = _adjacency(self._nodes, self._edges, False)
        self._pred: dict[str, tuple[str, ...]] = _adjacency(self._nodes, self._edges, True)
        self._back_pairs = self._find_back_pairs()
        dag_edges = [e for e in self._edges if (e.source, e.target) not in self._back_pairs]
        self._dag_succ = _adjacency(self._nodes, dag_edges, False)
        self._dag_pred = _adjacency(self._nodes, dag_edges, True)
        self._reachable = self._walk([entry] if entry is not None else [], self._succ)
        self._topo = self._topological()
        self._full_topo = self._kahn(list(self._nodes))

    @classmethod
    def from_workflow(cls, wf: WorkflowDef) -> WorkflowGraph:
        """The graph of a loaded workflow definition."""
        return cls(wf.nodes, wf.edges, wf.entry)

    @property
    def nodes(self) -> tuple[str, ...]:
        """Node ids in file order."""
        return self._nodes

    @property
    def edges(self) -> tuple[Edge, ...]:
        """All edges, back edges included."""
        return self._edges

    @property
    def entry(self) -> str | None:
        return self._entry

    def successors(self, node_id: str) -> tuple[str, ...]:
        """Direct successors (back edges included), in edge order, without duplicates."""
        return self._succ[self._check(node_id)]

    def predecessors(self, node_id: str) -> tuple[str, ...]:
        """Direct predecessors (back edges included), without duplicates."""
        return self._pred[self._check(node_id)]

    def dag_successors(self, node_id: str) -> tuple[str, ...]:
        """Direct successors with back edges removed."""
        return self._dag_succ[self._check(node_id)]

    def dag_predecessors(self, node_id: str) -> tuple[str, ...]:
        """Direct predecessors with back edges removed."""
        return self._dag_pred[self._check(node_id)]

    def back_edges(self) -> tuple[Edge, ...]:
        """Edges that close a cycle in a depth-first search from the entry (then from each
        node not yet visited, in file order), in edge order."""
        return tuple(e for e in self._edges if (e.source, e.target) in self._back_pairs)

    def is_back_edge(self, source: str, target: str) -> bool:
        return (source, target) in self._back_pairs

    def topological_order(self) -> tuple[str, ...]:
        """Nodes reachable from the entry in DAG order (file order breaks ties), then the
        unreachable ones, also in DAG order with file-order ties."""
        return self._topo

    def critical_path(self, durations: Mapping[str, float]) -> tuple[float, tuple[str, ...]]:
        """The longest path through the DAG when each node costs its duration.

        Missing, negative and non-finite durations count as 0.0. Parallel branches are
        edges P→a, P→b, a→join, b→join, so the path takes the slowest branch and sums along
        chains. Ties go to the node earliest in topological order. Returns (total, node ids).
        """
        cost = {n: _duration(durations.get(n)) for n in self._nodes}
        best: dict[str, float] = {}
        via: dict[str, str | None] = {}
        order = self._full_topo  # unreachable nodes may lead into reachable ones
        rank = {node: i for i, node in enumerate(order)}
        for node in order:
            preds = sorted(self._dag_pred[node], key=rank.__getitem__)
            prev = max(preds, key=best.__getitem__, default=None)
            best[node] = cost[node] + (best[prev] if prev is not None else 0.0)
            via[node] = prev
        if not best:
            return 0.0, ()
        end = max(order, key=best.__getitem__)
        path: list[str] = []
        cursor: str | None = end
        while cursor is not None:
            path.append(cursor)
            cursor = via[cursor]
        path.reverse()
        # Extend through trailing zero-cost nodes so the path ends at a sink.
        while self._dag_succ[path[-1]]:
            nxt = min(self._dag_succ[path[-1]], key=rank.__getitem__)
            if best[nxt] != best[path[-1]]:
                break
            path.append(nxt)
        return best[end], tuple(path)

    def ancestors(self, node_id: str) -> frozenset[str]:
        """Nodes that can precede ``node_id`` in the DAG (transitively), itself excluded."""
        return self._walk(self._dag_pred[self._check(node_id)], self._dag_pred)

    def descendants(self, node_id: str) -> frozenset[str]:
        """Nodes that can follow ``node_id`` in the DAG (transitively), itself excluded."""
        return self._walk(self._dag_succ[self._check(node_id)], self._dag_succ)

    def reachable_from_entry(self) -> frozenset[str]:
        """The entry and every node a path of edges leads to from it."""
        return self._reachable

    def _check(self, node_id: str) -> str:
        if node_id not in self._index:
            raise KeyError(f"unknown node '{node_id}'")
        return node_id

    def _walk(
        self, start: Iterable[str], adjacency: Mapping[str, tuple[str, ...]]
    ) -> frozenset[str]:
        seen: set[str] = set()
        stack = list(start)
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(adjacency[node])
        return frozenset(seen)

    def _find_back_pairs(self) -> frozenset[tuple[str, str]]:
        """Iterative DFS, entry first; an edge to a node on the current path is a back edge."""
        state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
        back: set[tuple[str, str]] = set()
        roots = ([self._entry] if self._entry is not None else []) + list(self._nodes)
        for root in roots:
            if root in state:
                continue
            state[root] = 1
            stack: list[tuple[str, int]] = [(root, 0)]
            while stack:
                node, i = stack[-1]
                succ = self._succ[node]
                if i == len(succ):
                    state[node] = 2
                    stack.pop()
                    continue
                stack[-1] = (node, i + 1)
                target = succ[i]
                if state.get(target) == 1:
                    back.add((node, target))
                elif target not in state:
                    state[target] = 1
                    stack.append((target, 0))
        return frozenset(back)

    def _topological(self) -> tuple[str, ...]:
        reachable = [n for n in self._nodes if n in self._reachable]
        rest = [n for n in self._nodes if n not in self._reachable]
        return self._kahn(reachable) + self._kahn(rest)

    def _kahn(self, group: list[str]) -> tuple[str, ...]:
        members = set(group)
        indegree = {n: sum(1 for p in self._dag_pred[n] if p in members) for n in group}
        ready = [self._index[n] for n in group if indegree[n] == 0]
        heapq.heapify(ready)
        order: list[str] = []
        while ready:
            node = self._nodes[heapq.heappop(ready)]
            order.append(node)
            for succ in self._dag_succ[node]:
                if succ in members:
                    indegree[succ] -= 1
                    if indegree[succ] == 0:
                        heapq.heappush(ready, self._index[succ])
        return tuple(order)


def _adjacency(
    nodes: tuple[str, ...], edges: Iterable[Edge], reverse: bool
) -> dict[str, tuple[str, ...]]:
    table: dict[str, dict[str, None]] = {n: {} for n in nodes}
    for edge in edges:
        a, b = (edge.target, edge.source) if reverse else (edge.source, edge.target)
        table[a].setdefault(b, None)
    return {n: tuple(targets) for n, targets in table.items()}


def _duration(value: float | None) -> float:
    if value is None:
        return 0.0
    number = float(value)
    if not math.isfinite(number) or number < 0.0:
        return 0.0
    return number
