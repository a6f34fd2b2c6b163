"""The recorded runs a workflow target's analysis rests on, as arrays.

The analysis profiles the runs of the configuration in force (its selection); the workflow
strategies read the same runs: their node rows, the (runs × nodes) duration matrix, and the
individual tool calls (``tool_calls``) and aggregated tool use (``tools``) of those nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis.row_links import referencing
from autotune_bot.analysis.workflow_profile import NodeMatrix, node_matrix
from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.strategies.base import WorkflowTarget

__all__ = ["NodeCalls", "RunData", "node_calls", "run_data", "tool_use_rows"]

IntArray = npt.NDArray[np.intp]
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class RunData:
    run_rows: IntArray  # RunTable rows of the analysed runs
    node_rows: IntArray  # NodeTable rows of those runs
    matrix: NodeMatrix  # runs × nodes durations


@dataclass(frozen=True)
class NodeCalls:
    """Individual tool calls made by nodes (not team members) of the analysed runs, in
    record order; every array has one entry per call."""

    node_row: IntArray  # NodeTable row of the calling node
    run_row: IntArray  # RunTable row of the run
    node: npt.NDArray[np.int32]  # node name code
    tool: npt.NDArray[np.int32]  # tool name code
    args: npt.NDArray[np.int32]  # args_hash code, -1 when absent
    duration: F64  # seconds, NaN when absent
    cached: npt.NDArray[np.int8]  # 1 served from a cache, 0 not, -1 unknown

    @property
    def size(self) -> int:
        return int(self.node_row.size)


def run_data(target: WorkflowTarget) -> RunData:
    """The runs the target's report analysed (none when the workflow has no run records)."""
    store = target.store
    selection = target.report.selection
    rows: IntArray = (
        np.asarray(selection.current.rows, dtype=np.intp)
        if selection is not None
        else np.zeros(0, dtype=np.intp)
    )
    node_rows = referencing(store.nodes.run_row, rows, len(store.runs))
    return RunData(rows, node_rows, node_matrix(store, rows, node_rows))


def node_calls(store: MetricsStore, node_rows: IntArray) -> NodeCalls:
    """The individual tool calls recorded for ``node_rows``."""
    c = store.tool_calls
    node_owned = np.flatnonzero(c.owner_kind == 0)
    rows = node_owned[referencing(c.owner_row[node_owned], node_rows, len(store.nodes))]
    owner = c.owner_row[rows].astype(np.intp)
    return NodeCalls(
        node_row=owner,
        run_row=store.nodes.run_row[owner].astype(np.intp),
        node=store.nodes.node[owner],
        tool=c.tool[rows],
        args=c.args_hash[rows],
        duration=c.duration[rows],
        cached=c.cached[rows],
    )


def tool_use_rows(store: MetricsStore, node_rows: IntArray) -> IntArray:
    """ToolUseTable rows (aggregated ``tools: {name: {count, cost}}``) of ``node_rows``."""
    return referencing(store.tool_use.node_row, node_rows, len(store.nodes))
