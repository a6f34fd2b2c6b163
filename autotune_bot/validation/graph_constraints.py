"""Is a changed workflow definition still a valid graph? Compared with the definition before.

Only what the change introduces is reported; a defect the original already had is not the
change's fault. The rules (names as in :mod:`.violations`):

* ``graph.dangling_edge``: a ``next``, ``parallel_nodes`` or ``branches`` entry (or an
  ``edges:`` item) names a node the definition does not have;
* ``graph.unbounded_cycle``: nodes that form a loop (a strongly connected part of the graph)
  without an iteration limit: neither ``execution.max_iterations`` nor a ``max_iterations``
  written on one of the loop's nodes (the node-level limit the formats define, on team
  nodes). A loop the original had, unbounded, in a set of nodes at least as large, is not
  new;
* ``graph.lost_output``: a remaining node read a context key that some other node wrote, and
  still reads it (its mapping is unchanged, or it names the key), but no node writes it any
  more (data flow of :mod:`autotune_bot.workflow.dataflow`);
* ``graph.data_order``: a writer of such a key used to run before the reader (an ancestor in
  the graph) and none does any more, so the reader would run without its input;
* ``graph.missing_entry``: the node the workflow started at is gone;
* ``graph.unreachable_node``: a remaining node that could be reached from the start no
  longer can.

Pure: parsed definitions in, violations out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from autotune_bot.validation.violations import ConstraintViolation
from autotune_bot.workflow.dataflow import context_reads, context_writes
from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.model import WorkflowDef
from autotune_bot.workflow.yaml_fields import plain

__all__ = ["check_graph", "loops"]

_EDGE_FROM_MISSING = re.compile(r"edge from missing node '([^']*)'")


def check_graph(before: WorkflowDef, after: WorkflowDef) -> list[ConstraintViolation]:
    """Every graph rule ``after`` breaks that ``before`` did not."""
    g0, g1 = WorkflowGraph.from_workflow(before), WorkflowGraph.from_workflow(after)
    return [
        *_dangling(before, after),
        *_unbounded(before, g0, after, g1),
        *_outputs(before, g0, after, g1),
        *_entry(before, after),
        *_unreachable(before, g0, after, g1),
    ]


def loops(graph: WorkflowGraph) -> list[frozenset[str]]:
    """The strongly connected parts of the graph that contain a cycle (a self-loop counts),
    each once, in the file order of their first node."""
    forward = {n: _closure(graph, n) for n in graph.nodes}
    seen: set[str] = set()
    out: list[frozenset[str]] = []
    for node in graph.nodes:
        if node in seen or node not in forward[node]:
            continue
        part = frozenset(m for m in forward[node] if node in forward[m])
        seen |= part
        out.append(part)
    return out


def _violation(
    rule: str, wf: WorkflowDef, subject: str | None, message: str
) -> ConstraintViolation:
    return ConstraintViolation(rule, wf.path, subject, f"workflow '{wf.name}': {message}")


def _references(wf: WorkflowDef) -> Iterator[tuple[str, str, str]]:
    """(node, key, target) for each reference to a node the definition lacks."""
    for node in wf.nodes.values():
        named = (
            ("next", node.next),
            ("parallel_nodes", node.parallel_nodes),
            ("branches", tuple(node.branches.values())),
        )
        for key, targets in named:
            for target in targets:
                if target not in wf.nodes:
                    yield node.id, key, target


def _missing_sources(wf: WorkflowDef) -> set[str]:
    return {m.group(1) for w in wf.warnings for m in [_EDGE_FROM_MISSING.search(w)] if m}


def _dangling(before: WorkflowDef, after: WorkflowDef) -> list[ConstraintViolation]:
    old = set(_references(before))
    out = [
        _violation(
            "graph.dangling_edge", after, node, f"node '{node}': `{key}` names missing '{target}'"
        )
        for node, key, target in _references(after)
        if (node, key, target) not in old
    ]
    for source in sorted(_missing_sources(after) - _missing_sources(before)):
        message = f"an `edges:` item starts at missing node '{source}'"
        out.append(_violation("graph.dangling_edge", after, None, message))
    return out


def _closure(graph: WorkflowGraph, start: str) -> frozenset[str]:
    """Nodes reachable from ``start`` by one edge or more (``start`` only on a cycle)."""
    seen: set[str] = set()
    stack = list(graph.successors(start))
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(graph.successors(node))
    return frozenset(seen)


def _positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _bounded(wf: WorkflowDef, part: frozenset[str]) -> bool:
    limit = wf.execution.get("max_iterations")
    if limit is not None and limit.present and _positive_int(limit.value):
        return True
    return any(
        isinstance(wf.nodes[n].raw, dict) and _positive_int(wf.nodes[n].raw.get("max_iterations"))
        for n in part
    )


def _unbounded(
    before: WorkflowDef, g0: WorkflowGraph, after: WorkflowDef, g1: WorkflowGraph
) -> list[ConstraintViolation]:
    old = [part for part in loops(g0) if not _bounded(before, part)]
    out: list[ConstraintViolation] = []
    for part in loops(g1):
        if _bounded(after, part) or any(part <= o for o in old):
            continue
        ordered = [n for n in g1.nodes if n in part]
        message = (
            f"nodes {', '.join(ordered)} form a loop that no `execution.max_iterations` "
            "(nor a `max_iterations` on one of them) bounds"
        )
        out.append(_violation("graph.unbounded_cycle", after, ordered[0], message))
    return out


def _outputs(
    before: WorkflowDef, g0: WorkflowGraph, after: WorkflowDef, g1: WorkflowGraph
) -> list[ConstraintViolation]:
    reads0, reads1 = context_reads(before), context_reads(after)
    writes0, writes1 = context_writes(before), context_writes(after)
    out: list[ConstraintViolation] = []
    for node in [n for n in after.nodes if n in before.nodes]:
        ancestors0, ancestors1 = g0.ancestors(node), g1.ancestors(node)
        same = plain(before.nodes[node].raw) == plain(after.nodes[node].raw)
        for key in sorted(reads0[node]):
            writers0 = [w for w in before.nodes if w != node and key in writes0[w]]
            if not writers0 or not (same or key in reads1[node]):
                continue  # an input of the workflow, the node's own key, or no longer read
            writers1 = [w for w in after.nodes if w != node and key in writes1[w]]
            if not writers1:
                message = (
                    f"node '{node}' reads `{key}`, which no node writes any more "
                    f"(written before by {', '.join(writers0)})"
                )
                out.append(_violation("graph.lost_output", after, node, message))
            elif any(w in ancestors0 for w in writers0) and not any(
                w in ancestors1 for w in writers1
            ):
                message = (
                    f"node '{node}' reads `{key}` but no node writing it "
                    f"({', '.join(writers1)}) runs before it any more"
                )
                out.append(_violation("graph.data_order", after, node, message))
    return out


def _entry(before: WorkflowDef, after: WorkflowDef) -> list[ConstraintViolation]:
    start = before.entry
    if start is None or start in after.nodes:
        return []
    return [_violation("graph.missing_entry", after, start, f"start node '{start}' is gone")]


def _unreachable(
    before: WorkflowDef, g0: WorkflowGraph, after: WorkflowDef, g1: WorkflowGraph
) -> list[ConstraintViolation]:
    was, now = g0.reachable_from_entry(), g1.reachable_from_entry()
    start = after.entry or "(none)"
    return [
        _violation(
            "graph.unreachable_node",
            after,
            node,
            f"node '{node}' can no longer be reached from the start node '{start}'",
        )
        for node in after.nodes
        if node in was and node not in now
    ]
