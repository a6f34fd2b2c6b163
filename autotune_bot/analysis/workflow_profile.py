"""Per-node profiles of a workflow's runs and the critical path of every run.

Node durations are laid out as a (runs × nodes) matrix, 0 where a node did not run (a
condition branch not taken). The critical path of every run is computed at once by dynamic
programming over the workflow graph in topological order, so dominance is measured on the
path that actually determined each run's duration, not on a sum of all nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis import stats
from autotune_bot.analysis.profile import Distribution, distribution, finite_mean
from autotune_bot.analysis.row_links import slots
from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.workflow.graph import WorkflowGraph

__all__ = ["NodeMatrix", "NodeProfile", "critical_paths", "node_matrix", "profile_nodes"]

F64 = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class NodeMatrix:
    nodes: tuple[str, ...]  # column names
    durations: F64  # runs × nodes, NaN where the node did not run or had no valid duration
    ran: npt.NDArray[np.bool_]  # runs × nodes
    run_rows: IntArray  # RunTable rows, one per matrix row


@dataclass(frozen=True)
class NodeProfile:
    node_id: str
    runs: int  # runs in which the node appears
    outcomes: int  # runs with a known success value
    success: stats.Interval
    duration: Distribution | None
    mean_input_tokens: float
    mean_output_tokens: float
    mean_cost: float
    models: tuple[str, ...]
    errors: dict[str, int]


def node_matrix(store: MetricsStore, run_rows: IntArray, node_rows: IntArray) -> NodeMatrix:
    n = store.nodes
    codes = np.unique(n.node[node_rows])
    names = tuple(store.node_names.name(c) or "?" for c in codes.tolist())
    run_slot = slots(run_rows, n.run_row[node_rows], len(store.runs))
    col = np.searchsorted(codes, n.node[node_rows])
    durations = np.full((run_rows.size, codes.size), np.nan)
    ran = np.zeros((run_rows.size, codes.size), dtype=bool)
    durations[run_slot, col] = n.duration[node_rows]
    ran[run_slot, col] = True
    return NodeMatrix(names, durations, ran, run_rows)


def profile_nodes(store: MetricsStore, node_rows: IntArray, confidence: float) -> list[NodeProfile]:
    n = store.nodes
    profiles = []
    for code in np.unique(n.node[node_rows]).tolist():
        mine = node_rows[n.node[node_rows] == code]
        flags = n.success[mine]
        known = flags[flags >= 0]
        errors: dict[str, int] = {}
        err_codes, err_counts = np.unique(n.error_type[mine], return_counts=True)
        for ec, cnt in zip(err_codes.tolist(), err_counts.tolist(), strict=True):
            if ec >= 0:
                errors[store.misc_names.name(ec) or "?"] = cnt
        models = tuple(
            sorted(
                {
                    store.model_names.name(c) or "?"
                    for c in np.unique(n.model[mine]).tolist()
                    if c >= 0
                }
            )
        )
        profiles.append(
            NodeProfile(
                node_id=store.node_names.name(code) or "?",
                runs=int(mine.size),
                outcomes=int(known.size),
                success=stats.wilson_interval(int((known == 1).sum()), int(known.size), confidence),
                duration=distribution(n.duration[mine], confidence),
                mean_input_tokens=finite_mean(n.input_tokens[mine]),
                mean_output_tokens=finite_mean(n.output_tokens[mine]),
                mean_cost=finite_mean(n.cost[mine]),
                models=models,
                errors=errors,
            )
        )
    return profiles


def critical_paths(
    matrix: NodeMatrix, graph: WorkflowGraph | None
) -> tuple[F64, npt.NDArray[np.bool_]]:
    """Per run: the critical-path length and which nodes lie on it (runs × nodes).

    Without a graph (the workflow file was not found), nodes are taken to run one after
    another, so every node that ran is on the path.
    """
    d = np.nan_to_num(matrix.durations)
    if d.shape[1] == 0:  # no node timings at all
        return np.zeros(d.shape[0]), matrix.ran.copy()
    if graph is None:
        return d.sum(axis=1), matrix.ran.copy()
    index = {name: k for k, name in enumerate(matrix.nodes)}
    d = _without_branch_time(d, matrix, graph, index)
    order = [node for node in graph.topological_order() if node in index]
    runs = d.shape[0]
    finish = np.zeros_like(d)
    via = np.full(d.shape, -1, dtype=np.intp)
    for node in order:
        k = index[node]
        preds = [index[p] for p in _metric_preds(graph, node, index)]
        if preds:
            pf = finish[:, preds]
            best = pf.argmax(axis=1)
            finish[:, k] = d[:, k] + pf[np.arange(runs), best]
            via[:, k] = np.asarray(preds)[best]
        else:
            finish[:, k] = d[:, k]
    end = finish.argmax(axis=1)
    length = finish[np.arange(runs), end]
    on_path = np.zeros(d.shape, dtype=bool)
    cursor = end.copy()
    active = np.ones(runs, dtype=bool)
    for _ in range(len(matrix.nodes)):
        if not active.any():
            break
        idx = np.flatnonzero(active)
        on_path[idx, cursor[idx]] = True
        cursor[idx] = via[idx, cursor[idx]]
        active[idx] = cursor[idx] >= 0
    return length, on_path & matrix.ran


def _without_branch_time(
    d: F64, matrix: NodeMatrix, graph: WorkflowGraph, index: dict[str, int]
) -> F64:
    """A `parallel` node's recorded duration spans its branches, which are on the path after
    it: count only what it took beyond its longest branch, so branch time is not counted twice."""
    branches: dict[str, list[int]] = {}
    for edge in graph.edges:
        if edge.kind == "parallel" and edge.source in index and edge.target in index:
            branches.setdefault(edge.source, []).append(index[edge.target])
    if not branches:
        return d
    d = d.copy()
    for container, cols in branches.items():
        k = index[container]
        ran = matrix.ran[:, cols].any(axis=1)
        longest = d[:, cols].max(axis=1)
        d[:, k] = np.where(ran, np.maximum(d[:, k] - longest, 0.0), d[:, k])
    return d


def _metric_preds(graph: WorkflowGraph, node: str, index: dict[str, int]) -> list[str]:
    """Nearest DAG ancestors that appear in the metrics (skipping nodes never measured,
    such as `start`/`end` or `parallel` containers)."""
    found: list[str] = []
    seen: set[str] = set()
    stack = list(graph.dag_predecessors(node))
    while stack:
        pred = stack.pop()
        if pred in seen:
            continue
        seen.add(pred)
        if pred in index:
            found.append(pred)
        else:
            stack.extend(graph.dag_predecessors(pred))
    return found
