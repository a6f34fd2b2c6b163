"""Which nodes of a workflow the tuner may restructure (remove or regroup).

The tuner reconnects a removed node's neighbours and wraps a group of nodes in a new
``parallel`` node by rewriting ``next`` edges. It cannot rewrite what points at a node from
elsewhere (a condition's branch, a ``parallel`` node's list), nor the nodes that route
(condition, parallel), wait for a human (hitl), close a loop, or are opaque markers. The last
node(s) write the workflow's result: they may run in a group but are never removed.
"""

from __future__ import annotations

from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.model import WorkflowDef

__all__ = [
    "RESTRUCTURABLE_TYPES",
    "final_nodes",
    "fixed_nodes",
    "node_location",
]

# node types whose work a removal or regrouping can move
RESTRUCTURABLE_TYPES = frozenset({"agent", "compute", "transform", "team"})


def final_nodes(wf: WorkflowDef, graph: WorkflowGraph) -> frozenset[str]:
    """Nodes without a successor other than ``type: end`` markers: they produce the
    workflow's result."""
    return frozenset(
        node
        for node in graph.nodes
        if all(wf.nodes[s].type == "end" for s in graph.successors(node))
    )


def fixed_nodes(wf: WorkflowDef, graph: WorkflowGraph) -> frozenset[str]:
    """Nodes the tuner must leave where they are: routing, human and opaque nodes, the
    targets of condition branches, the children of ``parallel`` nodes and the nodes on a
    loop's back edge. (The final nodes may be regrouped but not removed.)"""
    fixed = {n.id for n in wf.nodes.values() if n.type not in RESTRUCTURABLE_TYPES}
    for node in wf.nodes.values():
        fixed.update(node.branches.values())
        fixed.update(node.parallel_nodes)
    for edge in graph.back_edges():
        fixed.update((edge.source, edge.target))
    return frozenset(n for n in fixed if n in wf.nodes)


def node_location(wf: WorkflowDef, node: str) -> str:
    """``file:line`` of a node (of the definition when the node is unknown)."""
    found = wf.nodes.get(node)
    return f"{wf.path}:{found.line if found is not None else wf.line}"
