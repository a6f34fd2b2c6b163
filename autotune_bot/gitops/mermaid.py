"""A Mermaid flowchart of a workflow before and after a proposal (GitHub renders it).

Two subgraphs, *before* and *after*, joined by a "proposed" arrow. Node ids in the chart are
generated (``b3``/``a3`` for the workflow's fourth node on each side), never the workflow's own
ids, so a YAML id such as ``end``, ``a-->b`` or ``<script>`` cannot change the chart; labels are
quoted with every character that means something to Mermaid, HTML or Markdown written as a
Mermaid entity (``#quot;``, ``#lt;``, ``#96;`` ...), so the chart holds no backtick and cannot
close the code fence around it. Team nodes show their formation and size; the team the
proposal is about is drawn as a box of its members, linked as its formation runs them
(sequential and pipeline in a chain, hierarchical from the manager, reflection and round robin
in a loop, the others side by side). Nodes the change touches, adds or removes are coloured.
Pure.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence

from autotune_bot.workflow.model import Edge, Node, WorkflowDef

__all__ = ["MAX_DIAGRAM_NODES", "mermaid_label", "workflow_flowchart"]

MAX_DIAGRAM_NODES = 150  # per side; larger workflows get no diagram
_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "`": "#96;",
    "|": "#124;",
}
_CLASSES = (
    "classDef changed fill:#fff4d6,stroke:#b7791f,stroke-width:2px",
    "classDef added fill:#def7e5,stroke:#2f855a,stroke-width:2px",
    "classDef removed fill:#fde2e1,stroke:#c53030,stroke-dasharray:4 3",
)
_CHAIN = ("sequential", "pipeline")
_LOOP = ("reflection", "round_robin")


def mermaid_label(text: str, limit: int = 80) -> str:
    """``text`` as the inside of a quoted Mermaid label: one line, clipped, entities only."""
    flat = " ".join("".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in text).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return "".join(_ENTITIES.get(ch, ch) for ch in flat)


def _formation(node: Node) -> str | None:
    if node.team is None:
        return None
    value = node.team.formation.value
    return str(value) if value is not None else None


def _caption(node: Node) -> str:
    if node.team is not None:
        size = len(node.team.members)
        return f"team · {_formation(node)} · {size} member{'s' if size != 1 else ''}"
    return node.type


def _shape(node: Node, label: str) -> str:
    if node.type == "condition":
        return '{"' + label + '"}'
    if node.type == "parallel":
        return '{{"' + label + '"}}'
    if node.team is not None:
        return '[["' + label + '"]]'
    return '["' + label + '"]'


def _member_edges(node: Node, ids: Sequence[str]) -> list[str]:
    formation = _formation(node)
    if len(ids) < 2:
        return []
    if formation in _CHAIN or formation in _LOOP:
        lines = [f"{a} --> {b}" for a, b in itertools.pairwise(ids)]
        if formation in _LOOP:
            lines.append(f"{ids[-1]} -.-> {ids[0]}")
        return lines
    if formation == "hierarchical" and node.team is not None:
        boss = next((k for k, m in enumerate(node.team.members) if m.is_manager), 0)
        return [f"{ids[boss]} --> {mid}" for k, mid in enumerate(ids) if k != boss]
    return []


class _Side:
    """The lines of one subgraph; node numbers shared by both sides."""

    def __init__(self, prefix: str, numbers: dict[str, int]) -> None:
        self.prefix = prefix
        self.numbers = numbers
        self.lines: list[str] = []
        self.classes: dict[str, list[str]] = {"changed": [], "added": [], "removed": []}

    def ref(self, node_id: str) -> str:
        return f"{self.prefix}{self.numbers[node_id]}"

    def team_box(self, node: Node, other: Node | None) -> None:
        assert node.team is not None
        box = self.ref(node.id)
        title = mermaid_label(f"{node.id} · {_formation(node)}")
        self.lines.append(f'    subgraph {box}["{title}"]')
        self.lines.append("      direction LR")
        kept = {m.id for m in other.team.members} if other is not None and other.team else None
        ids = []
        for k, member in enumerate(node.team.members):
            mid = f"{box}m{k}"
            ids.append(mid)
            self.lines.append(f'      {mid}["{mermaid_label(member.id)}"]')
            if kept is not None and member.id not in kept:
                self.classes["removed" if self.prefix == "b" else "added"].append(mid)
        self.lines += [f"      {line}" for line in _member_edges(node, ids)]
        self.lines.append("    end")

    def edge(self, edge: Edge) -> None:
        arrow = "-.->" if edge.kind == "branch" and edge.label is None else "-->"
        label = f'|"{mermaid_label(edge.label, 40)}"|' if edge.label else ""
        self.lines.append(f"    {self.ref(edge.source)} {arrow}{label} {self.ref(edge.target)}")


def _side(
    prefix: str,
    title: str,
    wf: WorkflowDef,
    other: WorkflowDef | None,
    numbers: dict[str, int],
    focus: str | None,
    changed: Collection[str],
) -> _Side:
    side = _Side(prefix, numbers)
    side.lines.append(f'  subgraph s{prefix}["{title}"]')
    side.lines.append("    direction TB")
    for node in wf.nodes.values():
        peer = other.nodes.get(node.id) if other is not None else None
        if node.id == focus and node.team is not None:
            side.team_box(node, peer)  # its members are coloured, not the box
            continue
        label = mermaid_label(node.id) + "<br/>" + mermaid_label(_caption(node), 60)
        side.lines.append(f"    {side.ref(node.id)}{_shape(node, label)}")
        if other is not None and peer is None:
            side.classes["removed" if prefix == "b" else "added"].append(side.ref(node.id))
        elif node.id in changed:
            side.classes["changed"].append(side.ref(node.id))
    for edge in wf.edges:
        if edge.source in wf.nodes and edge.target in wf.nodes:
            side.edge(edge)
    side.lines.append("  end")
    return side


def workflow_flowchart(
    before: WorkflowDef,
    after: WorkflowDef | None,
    *,
    focus: str | None = None,
    changed: Collection[str] = (),
) -> str | None:
    """The Mermaid source (without the code fence) of ``before`` → ``after``; ``focus``: the
    team node drawn with its members; ``changed``: node ids the change edits. None when a side
    has more than :data:`MAX_DIAGRAM_NODES` nodes."""
    sides = [wf for wf in (before, after) if wf is not None]
    if any(len(wf.nodes) > MAX_DIAGRAM_NODES for wf in sides):
        return None
    numbers: dict[str, int] = {}
    for wf in sides:
        for node_id in wf.nodes:
            numbers.setdefault(node_id, len(numbers))
    drawn = [_side("b", "Before", before, after, numbers, focus, changed)]
    if after is not None:
        drawn.append(_side("a", "After", after, before, numbers, focus, changed))
    lines = ["flowchart LR"]
    for side in drawn:
        lines += side.lines
    if after is not None:
        lines.append('  sb -.->|"proposed"| sa')
    lines += [f"  {c}" for c in _CLASSES]
    for side in drawn:
        for name, refs in side.classes.items():
            if refs:
                lines.append(f"  class {','.join(refs)} {name}")
    return "\n".join(lines) + "\n"
