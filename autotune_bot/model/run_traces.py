"""Workflow run traces: what the workflow model replays, read from the metrics store.

Per recorded run with a valid duration and a known outcome: the run's duration, success and
cost; (runs × nodes) matrices of node duration, ran flag, success, cost, tokens and model, one
column per node of the workflow definition in file order; every node tool call with whether
it repeats an earlier call of the same run (same tool and ``args_hash``, the earlier call
coming first in the records) and the tool's cost per call at that node; the aggregated tool
use per node. The run's *overhead* is its recorded duration minus the critical path of its
node durations over the current graph; a ``parallel`` node's own duration spans its branches,
so it counts 0 on the path when a branch ran (the branches carry the time).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis.row_links import referencing, slots
from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.model.dag import critical_path_lengths, current_dag
from autotune_bot.model.traces import config_label
from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.model import WorkflowDef

__all__ = ["NodeToolCalls", "NodeToolUse", "RunTraces", "path_durations", "run_traces"]

F64 = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class NodeToolCalls:
    """Individual tool calls of nodes (from ``tool_calls`` lists)."""

    run: IntArray  # index into the traces' runs
    node: IntArray  # column
    tool: IntArray  # index into RunTraces.tools
    duration: F64  # NaN when not recorded
    repeat: BoolArray  # same tool + args_hash earlier in the run, and not served from a cache
    per_call_cost: F64  # the tool's cost / count at that node in that run (NaN: unknown)


@dataclass(frozen=True)
class NodeToolUse:
    """Aggregated tool use of nodes (``tools: {name: {count, cost}}``)."""

    run: IntArray
    node: IntArray
    tool: IntArray
    count: F64
    cost: F64


@dataclass(frozen=True)
class RunTraces:
    workflow: str
    run_rows: IntArray  # RunTable rows
    nodes: tuple[str, ...]  # matrix columns: the definition's nodes in file order
    duration: F64
    success: BoolArray
    cost: F64  # recorded run cost, else the sum of recorded node costs, else NaN
    node_duration: F64  # runs × nodes, NaN where the node did not run
    ran: BoolArray
    node_success: I8  # -1 where unknown or not run
    node_cost: F64
    input_tokens: F64
    output_tokens: F64
    node_model: I32  # index into ``models``, -1 when not recorded
    models: tuple[str, ...]
    tools: tuple[str, ...]
    calls: NodeToolCalls
    use: NodeToolUse
    overhead: F64  # recorded duration − critical path over the current graph
    config: str
    dropped: int  # runs left out: no valid duration or no recorded outcome
    unlisted: tuple[str, ...]  # node names in the records that the definition lacks

    def __len__(self) -> int:
        return int(self.run_rows.shape[0])

    def column(self, node: str) -> int:
        return self.nodes.index(node)


def path_durations(wf: WorkflowDef, nodes: tuple[str, ...], durations: F64, ran: BoolArray) -> F64:
    """Node durations as they count on a critical path: a ``parallel`` node whose branches
    ran counts 0."""
    out = durations.copy()
    col = {name: k for k, name in enumerate(nodes)}
    for name, node in wf.nodes.items():
        if node.type == "parallel" and node.parallel_nodes:
            branches = [col[b] for b in node.parallel_nodes if b in col]
            if branches:
                out[ran[:, branches].any(axis=1), col[name]] = 0.0
    return out


def run_traces(store: MetricsStore, run_rows: npt.ArrayLike, wf: WorkflowDef) -> RunTraces:
    """Traces of the workflow runs at RunTable ``run_rows`` of definition ``wf``."""
    r = store.runs
    rows = np.asarray(run_rows, dtype=np.intp)
    valid = np.isfinite(r.duration[rows]) & (r.duration[rows] > 0) & (r.success[rows] >= 0)
    kept = rows[valid]
    nodes = tuple(wf.nodes)
    n = store.nodes
    node_rows = referencing(n.run_row, kept, len(r))
    col_of = np.full(len(store.node_names.names) + 1, -1, dtype=np.intp)
    for k, name in enumerate(nodes):
        if (code := store.node_names.lookup(name)) >= 0:
            col_of[code] = k
    cols = col_of[n.node[node_rows]]
    unlisted = sorted(
        {store.node_names.name(int(c)) or "?" for c in np.unique(n.node[node_rows[cols < 0]])}
    )
    mine, col = node_rows[cols >= 0], cols[cols >= 0]
    slot = slots(kept, n.run_row[mine], len(r))
    shape = (kept.size, len(nodes))

    def matrix(values: F64) -> F64:
        out = np.full(shape, np.nan)
        out[slot, col] = values[mine]
        return out

    ran = np.zeros(shape, dtype=bool)
    ran[slot, col] = True
    success = np.full(shape, -1, dtype=np.int8)
    success[slot, col] = n.success[mine]
    model_codes = n.model[mine]
    present = np.unique(model_codes[model_codes >= 0])
    node_model = np.full(shape, -1, dtype=np.int32)
    node_model[slot, col] = np.where(
        model_codes >= 0, np.searchsorted(present, model_codes), -1
    ).astype(np.int32)
    durations, costs = matrix(n.duration), matrix(n.cost)
    run_cost = r.cost[kept].copy()
    summed = np.isfinite(costs).any(axis=1) & ~np.isfinite(run_cost)
    run_cost[summed] = np.nansum(costs, axis=1)[summed]
    tools, use, calls = _tools(store, kept, mine, slot, col)
    graph = WorkflowGraph.from_workflow(wf)
    path = critical_path_lengths(
        path_durations(wf, nodes, durations, ran), nodes, current_dag(graph)
    )
    return RunTraces(
        workflow=wf.name,
        run_rows=kept,
        nodes=nodes,
        duration=r.duration[kept].copy(),
        success=r.success[kept] == 1,
        cost=run_cost,
        node_duration=durations,
        ran=ran,
        node_success=success,
        node_cost=costs,
        input_tokens=matrix(n.input_tokens),
        output_tokens=matrix(n.output_tokens),
        node_model=node_model,
        models=tuple(store.model_names.name(int(c)) or "?" for c in present.tolist()),
        tools=tools,
        calls=calls,
        use=use,
        overhead=r.duration[kept] - path,
        config=config_label(store, r.config[kept]),
        dropped=int(rows.size - kept.size),
        unlisted=tuple(unlisted),
    )


def _tools(
    store: MetricsStore, kept: IntArray, node_rows: IntArray, slot: IntArray, col: IntArray
) -> tuple[tuple[str, ...], NodeToolUse, NodeToolCalls]:
    """Tool use and tool calls of ``node_rows`` (run slot ``slot``, column ``col`` each)."""
    size = len(store.nodes)
    slot_of, col_of = np.full(size, -1, dtype=np.intp), np.full(size, -1, dtype=np.intp)
    slot_of[node_rows], col_of[node_rows] = slot, col
    u = store.tool_use
    use_rows = referencing(u.node_row, node_rows, size)
    c = store.tool_calls
    node_calls = np.flatnonzero(c.owner_kind == 0)
    call_rows = node_calls[np.isin(c.owner_row[node_calls], node_rows)]
    codes = np.unique(np.concatenate([u.tool[use_rows], c.tool[call_rows]]))
    tools = tuple(store.tool_names.name(int(t)) or "?" for t in codes.tolist())
    use_owner = u.node_row[use_rows]
    use = NodeToolUse(
        slot_of[use_owner],
        col_of[use_owner],
        np.searchsorted(codes, u.tool[use_rows]),
        u.count[use_rows].copy(),
        u.cost[use_rows].copy(),
    )
    owner = c.owner_row[call_rows]
    run, tool, args = slot_of[owner], c.tool[call_rows], c.args_hash[call_rows]
    keys = np.stack([run, tool, args], axis=1)
    first = np.zeros(call_rows.size, dtype=bool)
    if call_rows.size:
        _, index = np.unique(keys, axis=0, return_index=True)
        first[index] = True
    repeat = ~first & (args >= 0) & (c.cached[call_rows] != 1)
    # per-call cost: the node's recorded cost of that tool / its count
    per_use = np.where(use.count > 0, use.cost / np.where(use.count > 0, use.count, 1.0), np.nan)
    use_key = use_owner.astype(np.int64) * (codes.size + 1) + use.tool
    order = np.argsort(use_key, kind="stable")
    call_key = owner.astype(np.int64) * (codes.size + 1) + np.searchsorted(codes, tool)
    at = np.searchsorted(use_key[order], call_key)
    at = np.minimum(at, max(use_key.size - 1, 0))
    per_call = np.full(call_rows.size, np.nan)
    if use_key.size:
        hit = use_key[order][at] == call_key
        per_call[hit] = per_use[order][at][hit]
    calls = NodeToolCalls(
        run,
        col_of[owner],
        np.searchsorted(codes, tool),
        c.duration[call_rows].copy(),
        repeat,
        per_call,
    )
    return tools, use, calls
