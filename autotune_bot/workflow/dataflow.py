"""Which context keys nodes read and write, and what that implies.

Nodes hand data to each other through context keys: a node writes the keys named by its
``output`` and reads the keys its text and inputs reference (``$ctx.key``, ``{{ key }}``,
``input_mapping`` …, see :mod:`autotune_bot.workflow.context_refs`). A condition's or
transform's expression often names keys bare (``quality_score > 0.8``); such a name counts
as a read when some node of the workflow writes that key.

Team members depend on each other through ``input_from`` or by naming another member (id
or role) in their goal text.
"""

from __future__ import annotations

import re

from autotune_bot.workflow.context_refs import names_in_expression
from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.model import TeamSpec, WorkflowDef

__all__ = [
    "context_reads",
    "context_writes",
    "data_dependencies",
    "member_dependencies",
    "members_independent",
    "parallelizable_runs",
    "unused_outputs",
]

_RUN_TYPES = frozenset({"agent", "compute", "transform", "team"})
_CHAIN_KINDS = frozenset({"next", "implicit"})
_EXPRESSION_KEYS = {"condition": "condition", "transform": "transform"}
_ASSIGNMENT = re.compile(r"^\s*[A-Za-z_]\w*\s*=(?!=)")  # `final = draft`: `final` is written


def context_writes(wf: WorkflowDef) -> dict[str, frozenset[str]]:
    """Node id → context keys the node writes (its ``output``)."""
    return {node_id: frozenset(node.outputs) for node_id, node in wf.nodes.items()}


def context_reads(wf: WorkflowDef) -> dict[str, frozenset[str]]:
    """Node id → context keys the node reads, including bare names in a condition's or
    transform's expression that some node writes."""
    written = frozenset().union(*context_writes(wf).values())
    reads: dict[str, frozenset[str]] = {}
    for node_id, node in wf.nodes.items():
        keys = set(node.reads)
        field = _EXPRESSION_KEYS.get(node.type)
        expression = node.raw.get(field) if field is not None else None
        if isinstance(expression, str):
            expression = _ASSIGNMENT.sub("", expression)
            keys.update(k for k in names_in_expression(expression) if k in written)
        reads[node_id] = frozenset(keys)
    return reads


def data_dependencies(wf: WorkflowDef, graph: WorkflowGraph) -> dict[str, frozenset[str]]:
    """Node id → ids of the nodes it depends on: B depends on A when B reads a key that A
    writes and A is an ancestor of B in the DAG (A can run before B)."""
    writes = context_writes(wf)
    reads = context_reads(wf)
    result: dict[str, frozenset[str]] = {}
    for node_id in wf.nodes:
        wanted = reads[node_id]
        result[node_id] = frozenset(
            a for a in graph.ancestors(node_id) if a in writes and writes[a] & wanted
        )
    return result


def parallelizable_runs(wf: WorkflowDef, graph: WorkflowGraph) -> list[tuple[str, ...]]:
    """Runs of consecutive nodes that could be wrapped in one ``parallel`` node.

    The rule:

    * a *link* is an edge A→B of kind ``next`` or ``implicit`` where A has exactly one
      successor (B) and B exactly one predecessor (A), counting every edge, back edges
      included (a loop target is never inside a run);
    * a *chain* is a maximal sequence of links whose nodes all have type ``agent``,
      ``compute``, ``transform`` or ``team`` (so never ``condition``, ``hitl``,
      ``parallel`` or an opaque type);
    * a *run* is a window of ≥ 2 consecutive chain nodes in which no node reads a key that
      another node of the window writes, and no two nodes write the same key; every run
      returned is maximal (it cannot be extended at either end).

    When a read inside a chain splits it, the maximal windows may overlap (``a,b`` and
    ``b,c`` when ``c`` reads ``a``): they are alternatives, not a partition. Keys a node
    reads without naming them (a whole-context prompt) cannot be seen, so a run is a
    candidate to check, not a proof of independence. Runs come in topological order.
    """
    writes = context_writes(wf)
    reads = context_reads(wf)
    runs: list[tuple[str, ...]] = []
    for chain in _chains(wf, graph):
        runs.extend(_independent_windows(chain, reads, writes))
    return runs


def unused_outputs(wf: WorkflowDef, graph: WorkflowGraph) -> list[tuple[str, str]]:
    """(node id, key) pairs where a node writes a key no node of the workflow reads.

    Terminal nodes are skipped, their output being the workflow's result: nodes without
    successors, and nodes whose only successors are ``type: end`` markers.
    """
    read_anywhere = frozenset().union(*context_reads(wf).values())
    return [
        (node_id, key)
        for node_id, node in wf.nodes.items()
        if any(wf.nodes[s].type != "end" for s in graph.successors(node_id))
        for key in node.outputs
        if key not in read_anywhere
    ]


def member_dependencies(team: TeamSpec) -> dict[str, frozenset[str]]:
    """Member id → ids of the members whose output it reads (``input_from`` and members
    named in its goal text; a role stands for every member holding it)."""
    ids = {m.id for m in team.members}
    lowered = {m.id.lower(): m.id for m in team.members}
    by_role: dict[str, set[str]] = {}
    for member in team.members:
        if member.role:
            by_role.setdefault(member.role.lower(), set()).add(member.id)
    result: dict[str, frozenset[str]] = {}
    for member in team.members:
        deps: set[str] = set()
        for ref in (*member.input_from, *member.goal_refs):
            if ref in ids:
                deps.add(ref)
            elif ref.lower() in lowered:
                deps.add(lowered[ref.lower()])
            else:
                deps.update(by_role.get(ref.lower(), ()))
        deps.discard(member.id)
        result[member.id] = result.get(member.id, frozenset()) | frozenset(deps)
    return result


def members_independent(team: TeamSpec) -> bool:
    """True when no member reads another member's output."""
    return not any(member_dependencies(team).values())


def _chains(wf: WorkflowDef, graph: WorkflowGraph) -> list[list[str]]:
    """Maximal sequences of eligible nodes joined by single-successor/predecessor links."""
    kinds: dict[tuple[str, str], set[str]] = {}
    for edge in graph.edges:
        kinds.setdefault((edge.source, edge.target), set()).add(edge.kind)

    def eligible(node_id: str) -> bool:
        return wf.nodes[node_id].type in _RUN_TYPES

    def link_after(node_id: str) -> str | None:
        succ = graph.successors(node_id)
        if len(succ) != 1 or not eligible(succ[0]):
            return None
        target = succ[0]
        if graph.predecessors(target) != (node_id,) or target == node_id:
            return None
        return target if kinds[(node_id, target)] <= _CHAIN_KINDS else None

    has_link_in = {t for n in graph.nodes if eligible(n) for t in [link_after(n)] if t}
    chains: list[list[str]] = []
    for start in graph.topological_order():
        if not eligible(start) or start in has_link_in:
            continue
        chain = [start]
        nxt = link_after(start)
        while nxt is not None and nxt not in chain:
            chain.append(nxt)
            nxt = link_after(nxt)
        if len(chain) >= 2:
            chains.append(chain)
    return chains


def _independent_windows(
    chain: list[str],
    reads: dict[str, frozenset[str]],
    writes: dict[str, frozenset[str]],
) -> list[tuple[str, ...]]:
    def conflict(a: str, b: str) -> bool:
        return bool(reads[a] & writes[b] or reads[b] & writes[a] or writes[a] & writes[b])

    windows: list[tuple[str, ...]] = []
    left = 0
    for right in range(len(chain)):
        while any(conflict(chain[i], chain[right]) for i in range(left, right)):
            left += 1
        nxt_left = left
        if right + 1 < len(chain):
            while any(conflict(chain[i], chain[right + 1]) for i in range(nxt_left, right + 1)):
                nxt_left += 1
        extendable = right + 1 < len(chain) and nxt_left == left
        if not extendable and right - left + 1 >= 2:
            windows.append(tuple(chain[left : right + 1]))
    return windows
