"""Read a patched workflow file back and list where it does not say what the candidate says.

The end-to-end guard after patching: the new text is parsed with the project's loader and
compared with the candidate configuration. An empty list means the file now says exactly
what the candidate says; each entry is one sentence naming the file, the node and the
mismatch.

Team: the node reads back (``team_config``) as the candidate in every field but
``sub_teams``, whose encoding is checked instead (workers ``reports_to`` the manager; with
several sub-teams each member but the first reads ``input_from`` the previous one).

Workflow: pruned nodes are gone and nothing names them (no ``next``, ``parallel_nodes``,
branch or edge); each group is the ``parallel_nodes`` of exactly one parallel node and no
member leads to another; the models of ``expected.models``, the bot's ``cache:``/``batch:``
blocks (exactly) and the tools of ``expected.tools`` read back. With ``original`` (the
definition before the change) also the graph: every surviving predecessor of a pruned node
reaches the node's surviving successors, directly or through parallel nodes only; a group's
continuation (the successors of its branches and of its parallel node, branches excluded) is
the chain's old successor, and the old predecessors of its first member lead to its parallel
node; the workflow starts where it did (or where a pruned entry continued, or at the parallel
node of a group that starts it).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Sequence

from autotune_bot.errors import InputError
from autotune_bot.tuning.config import TeamConfig, WorkflowConfig, team_config, workflow_config
from autotune_bot.tuning.rewire_plan import unique
from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.loader import parse_workflow_text
from autotune_bot.workflow.model import WorkflowDef

__all__ = ["check_team_readback", "check_workflow_readback"]

_TEAM_FIELDS = (
    "formation",
    "members",
    "total_tool_budget",
    "timeout_seconds",
    "budget_multipliers",
    "manager",
)
_FLOW = ("next", "implicit", "join", "edge")


def check_team_readback(
    new_text: str, path: str, workflow_name: str, node_id: str, candidate: TeamConfig
) -> list[str]:
    """Mismatches between team node ``node_id`` in ``new_text`` and ``candidate``."""
    wf, problems = _load(new_text, path, workflow_name)
    if wf is None:
        return problems
    node = wf.nodes.get(node_id)
    if node is None or node.team is None:
        return [f"{path}: team node '{node_id}' is missing after the change"]
    got = team_config(node)
    where = f"{path}:{node.line}: team '{node_id}'"
    for name in _TEAM_FIELDS:
        have, want = getattr(got, name), getattr(candidate, name)
        if have != want:
            problems.append(f"{where}: {name} reads back as {have!r}, expected {want!r}")
    specs = {m.id: m for m in node.team.members}
    workers = [m for m in candidate.members if m != candidate.manager and m in specs]
    if candidate.manager is not None and candidate.sub_teams:
        for member in workers:
            if specs[member].reports_to != candidate.manager:
                problems.append(f"{where}: member '{member}' does not report to the manager")
    if len(candidate.sub_teams) > 1:
        for group in candidate.sub_teams:
            for before, member in itertools.pairwise(group):
                if member in specs and before not in specs[member].input_from:
                    problems.append(
                        f"{where}: member '{member}' does not read input from '{before}'"
                    )
    return problems


def check_workflow_readback(
    new_text: str,
    path: str,
    workflow_name: str,
    expected: WorkflowConfig,
    removed: Collection[str],
    groups: Iterable[Sequence[str]],
    *,
    original: WorkflowDef | None = None,
) -> list[str]:
    """Mismatches between workflow ``workflow_name`` in ``new_text`` and ``expected``.

    ``removed`` are the nodes the change prunes and ``groups`` the parallel groups it adds;
    ``original`` is the definition before the change (for the graph checks).
    """
    wf, problems = _load(new_text, path, workflow_name)
    if wf is None:
        return problems
    gone = set(removed) | set(expected.removed)
    group_list = [tuple(g) for g in groups]
    problems += _pruned_gone(wf, set(removed))
    graph = WorkflowGraph.from_workflow(wf)
    if original is not None:
        problems += _reconnected(wf, graph, original, set(removed), gone, group_list)
        problems += _entry(wf, original, gone, group_list)
    for group in group_list:
        problems += _group(wf, graph, group, original, gone, _owners(wf, group_list))
    problems += _settings(wf, expected, gone)
    return problems


def _load(text: str, path: str, name: str) -> tuple[WorkflowDef | None, list[str]]:
    try:
        parsed = parse_workflow_text(text, path)
    except InputError as err:
        return None, [f"the changed file does not load: {err}"]
    for wf in parsed.workflows:
        if wf.name == name:
            return wf, []
    return None, [f"{path}: workflow '{name}' is missing after the change"]


def _pruned_gone(wf: WorkflowDef, removed: set[str]) -> list[str]:
    out: list[str] = []
    for x in sorted(removed):
        if x in wf.nodes:
            out.append(f"{wf.path}: pruned node '{x}' is still there")
        for node in wf.nodes.values():
            named = (*node.next, *node.parallel_nodes, *node.branches.values())
            if x in named:
                out.append(f"{wf.path}:{node.line}: node '{node.id}' still names '{x}'")
        if any(f"missing node '{x}'" in w for w in wf.warnings):
            out.append(f"{wf.path}: an edge still names pruned node '{x}'")
    return out


def _reconnected(
    wf: WorkflowDef,
    graph: WorkflowGraph,
    original: WorkflowDef,
    removed: set[str],
    gone: set[str],
    groups: list[tuple[str, ...]],
) -> list[str]:
    same_group = {m: set(g) for g in groups for m in g}
    out: list[str] = []
    for x in [n for n in original.nodes if n in removed]:
        preds = unique(
            e.source
            for e in original.edges
            if e.target == x and e.kind in _FLOW and e.source not in gone
        )
        succs = _surviving_successors(original, x, gone)
        for pred in preds:
            for succ in succs:
                if succ in same_group.get(pred, ()) or pred not in wf.nodes:
                    continue
                if succ in wf.nodes and not _reaches(wf, graph, pred, succ):
                    out.append(
                        f"{wf.path}: '{pred}' no longer reaches '{succ}' after pruning '{x}'"
                    )
    return out


def _entry(
    wf: WorkflowDef, original: WorkflowDef, gone: set[str], groups: list[tuple[str, ...]]
) -> list[str]:
    """The workflow still starts where it did (or at what followed a pruned entry)."""
    start = original.entry
    if start is None or wf.entry is None:
        return []
    options = {start} if start not in gone else set(_surviving_successors(original, start, gone))
    firsts = {g[0] for g in groups}
    node = wf.nodes[wf.entry]
    if wf.entry in options and wf.entry not in firsts:
        return []
    if (
        node.type == "parallel"
        and node.parallel_nodes in groups
        and node.parallel_nodes[0] in options
    ):
        return []
    return [
        f"{wf.path}: the workflow now starts at '{wf.entry}', expected one of {sorted(options)}"
    ]


def _group(
    wf: WorkflowDef,
    graph: WorkflowGraph,
    group: tuple[str, ...],
    original: WorkflowDef | None,
    gone: set[str],
    owners: dict[str, str],
) -> list[str]:
    where = f"{wf.path}: parallel group {list(group)}"
    runners = [n for n in wf.nodes.values() if n.type == "parallel" and n.parallel_nodes == group]
    if len(runners) != 1:
        return [f"{where}: {len(runners)} parallel nodes run it, expected one"]
    owner = runners[0]
    out: list[str] = []
    members = set(group)
    for member in group:
        if member in wf.nodes and members & set(graph.successors(member)):
            out.append(f"{where}: '{member}' still leads to another member")
    if original is None:
        return out
    after = set(graph.successors(owner.id)) - members
    for member in group:
        if member in wf.nodes:
            after |= set(graph.successors(member)) - members
    # a successor that now runs in another group is reached through that group's node
    want = {owners.get(s, s) for s in _surviving_successors(original, group[-1], gone)}
    if after != want:
        out.append(f"{where}: continues to {sorted(after)}, expected {sorted(want)}")
    first_preds = unique(
        e.source
        for e in original.edges
        if e.target == group[0] and e.kind in _FLOW and e.source not in gone
    )
    for pred in first_preds:
        if pred in wf.nodes and owner.id not in graph.successors(pred):
            out.append(f"{where}: '{pred}' does not lead to parallel node '{owner.id}'")
    return out


def _owners(wf: WorkflowDef, groups: list[tuple[str, ...]]) -> dict[str, str]:
    """First member of a group → the parallel node that runs the group."""
    out: dict[str, str] = {}
    for node in wf.nodes.values():
        if node.type == "parallel" and node.parallel_nodes in groups:
            out.setdefault(node.parallel_nodes[0], node.id)
    return out


def _settings(wf: WorkflowDef, expected: WorkflowConfig, gone: set[str]) -> list[str]:
    got = workflow_config(wf)
    out: list[str] = []
    for node_id, model in expected.models:
        if node_id not in gone and got.model(node_id) != model:
            out.append(f"{wf.path}: '{node_id}' model reads back as {got.model(node_id)!r}")
    for name, have, want in (
        ("cache", got.cached, expected.cached),
        ("batch", got.batched, expected.batched),
    ):
        wanted = tuple(pair for pair in want if pair[0] not in gone)
        if have != wanted:
            out.append(f"{wf.path}: {name} blocks read back as {have!r}, expected {wanted!r}")
    for node_id, tools in expected.tools:
        node = wf.nodes.get(node_id)
        if node_id not in gone and (node is None or node.tools != tuple(tools)):
            have_tools = node.tools if node is not None else None
            out.append(f"{wf.path}: '{node_id}' tools read back as {have_tools!r}")
    return out


def _surviving_successors(original: WorkflowDef, x: str, gone: set[str]) -> tuple[str, ...]:
    """Nodes ``x`` continues to in ``original``, looking through pruned nodes."""
    out: list[str] = []
    seen = {x}
    stack = [x]
    while stack:
        node = stack.pop(0)
        for e in original.edges:
            if e.source != node or e.kind not in _FLOW or e.target in seen:
                continue
            seen.add(e.target)
            (stack if e.target in gone else out).append(e.target)
    return unique(out)


def _reaches(wf: WorkflowDef, graph: WorkflowGraph, source: str, target: str) -> bool:
    """``target`` follows ``source`` directly or through parallel nodes only."""
    seen: set[str] = set()
    frontier = list(graph.successors(source))
    while frontier:
        node = frontier.pop()
        if node == target:
            return True
        if node not in seen and wf.nodes[node].type == "parallel":
            seen.add(node)
            frontier.extend(graph.successors(node))
    return False
