"""A mutable sketch of one workflow definition's graph, for rewiring it.

The plan holds what decides the edges: the node order, each node's written ``next``, the
``parallel_nodes`` of parallel nodes, condition branches and, in the ``workflow:`` dialect,
the ``edges:`` items. :meth:`RewirePlan.edges` asks the loader's own edge builder what graph
the plan stands for, so implicit chaining and parallel joins are read exactly as the loader
reads them. :mod:`autotune_bot.tuning.graph_rewrite` changes a plan;
:mod:`autotune_bot.tuning.rewire_edits` turns the difference with the file into edits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from autotune_bot.workflow.edges import EdgeSpec, build_edges
from autotune_bot.workflow.model import Edge, Node, WorkflowDef
from autotune_bot.workflow.yaml_fields import Source, str_list
from autotune_bot.yaml_source import position_of_item, position_of_node

__all__ = ["EdgeItem", "PlanEntry", "RewirePlan", "replace_target", "unique", "written_next"]


@dataclass
class PlanEntry:
    """One node of the plan; ``node`` is None for an inserted node (``value`` its mapping)."""

    id: str
    type: str
    next: tuple[str, ...] | None  # written `next` (None: not written)
    parallel_nodes: tuple[str, ...]
    node: Node | None
    value: dict[str, Any] | None = None


@dataclass
class EdgeItem:
    """One `edges:` item; ``index`` is None for an added item, ``targets`` () once removed."""

    index: int | None
    source: str | None  # None for a malformed item (left alone)
    targets: tuple[str, ...]
    label: str | None
    scalar: bool  # `to:` written as one id rather than a list
    original: tuple[str, ...]
    line: int


class RewirePlan:
    """The graph-deciding parts of ``wf``; ``document`` (the file's round-trip tree) lets the
    plan address single ``edges:`` items (``exact_items``)."""

    def __init__(self, wf: WorkflowDef, document: Any = None) -> None:
        self.wf = wf
        self.entries = [
            PlanEntry(n.id, n.type, written_next(n), n.parallel_nodes, n) for n in wf.nodes.values()
        ]
        self.removed: list[Node] = []
        self.exact_items = document is not None
        self.items = _read_items(wf, document)
        self.original_items = [(i.source, i.original, i.label) for i in self.items or ()]

    def entry(self, node_id: str) -> PlanEntry:
        for entry in self.entries:
            if entry.id == node_id:
                return entry
        raise ValueError(f"workflow '{self.wf.name}' has no node '{node_id}'")

    def edges(self) -> tuple[Edge, ...]:
        """The edges the loader would build for the plan as it is now."""
        nodes = [
            Node(
                id=e.id,
                type=e.type,
                known_type=True,
                index=i,
                line=0,
                path=(),
                raw={} if e.next is None else {"next": list(e.next)},
                next=e.next or (),
                parallel_nodes=e.parallel_nodes,
                branches=dict(e.node.branches) if e.node is not None else {},
            )
            for i, e in enumerate(self.entries)
        ]
        specs = None
        if self.items is not None:
            specs = [
                EdgeSpec(i.source, t, i.label, 0)
                for i in self.items
                if i.source is not None
                for t in i.targets
            ]
        return build_edges(Source(self.wf.path), nodes, specs)

    def start(self, entries: list[PlanEntry] | None = None) -> str | None:
        """The entry node (the loader's rule: a `start` node in the `workflow:` dialect,
        else the first node)."""
        listed = self.entries if entries is None else entries
        if self.wf.dialect == "workflow":
            marked = next((e.id for e in listed if e.type == "start"), None)
            if marked is not None:
                return marked
        return listed[0].id if listed else None

    def parents(self) -> dict[str, str]:
        """Branch node → the parallel node that lists it."""
        out: dict[str, str] = {}
        for e in self.entries:
            if e.type == "parallel":
                for child in e.parallel_nodes:
                    out.setdefault(child, e.id)
        return out

    def after(self, node_id: str) -> str | None:
        """The node that ``node_id`` continues to without `next` (the loader's rule: the next
        listed node that is not a parallel branch)."""
        branches = set(self.parents())
        index = [e.id for e in self.entries].index(node_id)
        return next((e.id for e in self.entries[index + 1 :] if e.id not in branches), None)

    def add_item(self, source: str, target: str) -> None:
        if self.items is None:
            raise ValueError(f"workflow '{self.wf.name}' has no `edges:` list to add to")
        self.items.append(EdgeItem(None, source, (target,), None, True, (), 0))

    def fresh_id(self, group: tuple[str, ...]) -> str:
        """An id for a new parallel node running ``group``, unused in file and plan."""
        taken = {e.id for e in self.entries} | set(self.wf.nodes)
        for name in (f"{group[0]}_parallel", "parallel_" + "_".join(group)):
            if name not in taken:
                return name
        k = 2
        while f"{group[0]}_parallel_{k}" in taken:
            k += 1
        return f"{group[0]}_parallel_{k}"


def written_next(node: Node) -> tuple[str, ...] | None:
    """The node's own `next` targets; None when it writes no `next`."""
    raw = node.raw.get("next") if isinstance(node.raw, dict) else None
    return None if raw is None else tuple(str_list(raw))


def replace_target(targets: tuple[str, ...], old: str, new: Iterable[str]) -> tuple[str, ...]:
    """``targets`` with ``old`` replaced by ``new`` (deduplicated, order kept)."""
    out: list[str] = []
    for t in targets:
        out.extend(new if t == old else (t,))
    return unique(out)


def unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _read_items(wf: WorkflowDef, document: Any) -> list[EdgeItem] | None:
    """The `edges:` items of a `workflow:` definition; None when it has no `edges:` list.

    Without the document the items are rebuilt from the loaded edges (one per edge)."""
    if wf.dialect != "workflow":
        return None
    if document is None:
        listed = [e for e in wf.edges if e.kind == "edge"]
        if not listed:
            return None
        return [
            EdgeItem(None, e.source, (e.target,), e.label, True, (e.target,), wf.line)
            for e in listed
        ]
    body = _at(document, wf.root_path)
    if not isinstance(body, dict) or "edges" not in body:
        return None
    raw = body["edges"]
    if not isinstance(raw, list):
        raise ValueError(f"workflow '{wf.name}': `edges` is not a list; cannot rewire it")
    return [_item(wf, raw, index) for index in range(len(raw))]


def _item(wf: WorkflowDef, raw: list[Any], index: int) -> EdgeItem:
    item = raw[index]
    pos = position_of_node(item) or position_of_item(raw, index)
    line = pos.line if pos is not None else wf.line
    if not isinstance(item, dict):
        return EdgeItem(index, None, (), None, True, (), line)
    source = item.get("from")
    targets = tuple(str_list(item.get("to")))
    cond = item.get("condition", item.get("label"))
    label = None if cond is None else (str(cond).lower() if isinstance(cond, bool) else str(cond))
    if not isinstance(source, str | int) or isinstance(source, bool) or not targets:
        return EdgeItem(index, None, (), label, True, (), line)
    scalar = not isinstance(item.get("to"), list)
    return EdgeItem(index, str(source), targets, label, scalar, targets, line)


def _at(document: Any, path: tuple[str | int, ...]) -> Any:
    value = document
    for key in path:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return None
    return value
