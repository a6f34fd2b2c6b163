"""The edges of a workflow definition, from `next`, `parallel_nodes`, `branches` and `edges:`.

Successors a node names explicitly become edges as written; nodes without `next` continue
to the next listed node, and the branches of a parallel node join its successor (see
:func:`build_edges`). References to missing nodes and malformed `edges:` entries become
warnings of the file, not errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autotune_bot.workflow.model import Edge, Node
from autotune_bot.workflow.yaml_fields import Source, line_of_key, str_list
from autotune_bot.yaml_source import position_of_item, position_of_node

__all__ = ["EdgeSpec", "build_edges", "read_edge_specs"]


@dataclass(frozen=True, slots=True)
class EdgeSpec:
    """One `from` → `to` pair of an `edges:` list, with its label and line."""

    source: str
    target: str
    label: str | None
    line: int


def read_edge_specs(src: Source, body: Any, edges_line: int) -> list[EdgeSpec] | None:
    """The `edges:` list of a `workflow:` dialect definition, or None when it has none.

    ``edges_line`` is where `edges:` is written; malformed entries become warnings.
    """
    if "edges" not in body:
        return None
    raw = body["edges"]
    if not isinstance(raw, list):
        src.warn(edges_line, "`edges` is not a list; ignored")
        return []
    specs: list[EdgeSpec] = []
    for index, item in enumerate(raw):
        pos = position_of_node(item) or position_of_item(raw, index)
        line = pos.line if pos is not None else edges_line
        source = item.get("from") if isinstance(item, dict) else None
        targets = str_list(item.get("to")) if isinstance(item, dict) else []
        if not isinstance(source, str | int) or isinstance(source, bool) or not targets:
            src.warn(line, "edge without both `from` and `to`; ignored")
            continue
        cond = item.get("condition", item.get("label"))
        label = None if cond is None else _label(cond)
        specs.extend(EdgeSpec(str(source), target, label, line) for target in targets)
    return specs


def build_edges(src: Source, nodes: list[Node], specs: list[EdgeSpec] | None) -> tuple[Edge, ...]:
    """The edges of a definition, in node order.

    * `next: [ids]` (or a single id) → kind "next"; `edges:` entries → kind "edge";
    * a parallel node P → each of its `parallel_nodes` ("parallel"); a branch without
      `next` → P's successor ("join"). P's successor is its `next`, else the next listed
      node that is not a branch; P has no direct edge to it;
    * a condition node → each `branches` target ("branch", label = the branch value);
    * any other node without `next` → the next listed node that is not a parallel branch
      ("implicit"); `next: []` means nothing follows.

    With an `edges:` list there is no implicit chaining and there are no joins.
    """
    ids = {n.id for n in nodes}
    parent_of: dict[str, str] = {}
    for node in nodes:
        if node.type == "parallel":
            for child in node.parallel_nodes:
                parent_of.setdefault(child, node.id)
    after: dict[str, str | None] = {}
    for i, node in enumerate(nodes):
        after[node.id] = next((n.id for n in nodes[i + 1 :] if n.id not in parent_of), None)
    successors_of_parallel = {
        n.id: [t for t in n.next if t in ids] if _has_next(n) else _present([after[n.id]])
        for n in nodes
        if n.type == "parallel"
    }
    edges: list[Edge] = []
    seen: set[tuple[str, str, str | None]] = set()

    def add(node: Node, target: str, kind: Any, label: str | None, key: str, at: int = 0) -> None:
        if target not in ids:
            line = at or line_of_key(node.raw, key, node.line)
            src.warn(line, f"node '{node.id}': `{key}` names missing node '{target}'; ignored")
            return
        if (node.id, target, label) not in seen:
            seen.add((node.id, target, label))
            edges.append(Edge(node.id, target, kind, label))

    by_source: dict[str, list[EdgeSpec]] = {}
    for spec in specs or ():
        if spec.source not in ids:
            src.warn(spec.line, f"edge from missing node '{spec.source}'; ignored")
        by_source.setdefault(spec.source, []).append(spec)
    for node in nodes:
        for spec in by_source.get(node.id, ()):
            add(node, spec.target, "edge", spec.label, "edges", spec.line)
        edge_targets = {s.target for s in by_source.get(node.id, ())}
        # A parallel node with branches continues through its branches' joins.
        fans_out = specs is None and node.type == "parallel" and bool(node.parallel_nodes)
        for target in node.next:
            if target in edge_targets or (fans_out and target in ids):
                continue
            add(node, target, "next", None, "next")
        for child in node.parallel_nodes:
            add(node, child, "parallel", None, "parallel_nodes")
        for value, target in node.branches.items():
            add(node, target, "branch", value, "branches")
        if specs is not None or _has_next(node):
            continue
        if node.id in parent_of:
            for target in successors_of_parallel[parent_of[node.id]]:
                add(node, target, "join", None, "next")
        elif _chains_implicitly(node):
            nxt = after[node.id]
            if nxt is not None:
                add(node, nxt, "implicit", None, "next")
    return tuple(edges)


def _present(items: list[str | None]) -> list[str]:
    return [item for item in items if item is not None]


def _has_next(node: Node) -> bool:
    """True when the node writes `next` itself (``next: []`` means: nothing follows)."""
    return isinstance(node.raw, dict) and node.raw.get("next") is not None


def _chains_implicitly(node: Node) -> bool:
    """Without `next`, a node continues to the next listed node, except a condition node
    (it routes through branches) and a parallel node with branches (its branches join)."""
    if node.type == "condition":
        return False
    return not (node.type == "parallel" and node.parallel_nodes)


def _label(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
