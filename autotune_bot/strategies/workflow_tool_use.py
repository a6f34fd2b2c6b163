"""What the recorded runs show about the tools each node uses, and what a call costs.

A node's tool use is recorded either aggregated (``tools: {name: {count, cost}}``) or call by
call (``tool_calls``); a node execution counts as *recorded* when it has either. Costs come
from the aggregated form only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.strategies.workflow_runs import node_calls, tool_use_rows

__all__ = ["ToolUsage", "cost_per_call", "tool_usage"]

IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class ToolUsage:
    """One node's recorded tool use."""

    node: str
    recorded_runs: int  # executions of the node with tool use recorded
    used: dict[str, int]  # tool → executions in which the node called it
    calls: dict[str, float]  # tool → calls (aggregated records only)
    cost: dict[str, float]  # tool → USD (aggregated records only)


def tool_usage(store: MetricsStore, node_rows: IntArray) -> dict[str, ToolUsage]:
    """Node name → its recorded tool use over ``node_rows``."""
    names = store.tool_names
    u = store.tool_use
    use = tool_use_rows(store, node_rows)
    calls = node_calls(store, node_rows)
    rows = np.concatenate([u.node_row[use].astype(np.intp), calls.node_row])
    if rows.size == 0:
        return {}
    tools = np.concatenate([u.tool[use], calls.tool]).astype(np.intp)
    pairs = np.unique(np.stack([rows, tools], axis=1), axis=0)  # distinct (node row, tool)
    node_of = store.nodes.node[pairs[:, 0]]
    use_node = store.nodes.node[u.node_row[use]]
    out: dict[str, ToolUsage] = {}
    for code in np.unique(node_of).tolist():
        mine = pairs[node_of == code]
        tool_codes, runs = np.unique(mine[:, 1], return_counts=True)
        agg = use[use_node == code]
        count_sum: dict[str, float] = {}
        cost_sum: dict[str, float] = {}
        for t in np.unique(u.tool[agg]).tolist():
            rows_t = agg[u.tool[agg] == t]
            count_sum[names.name(t) or "?"] = float(np.nansum(u.count[rows_t]))
            cost_sum[names.name(t) or "?"] = float(np.nansum(u.cost[rows_t]))
        node = store.node_names.name(code) or "?"
        out[node] = ToolUsage(
            node,
            int(np.unique(mine[:, 0]).size),
            {
                names.name(t) or "?": int(r)
                for t, r in zip(tool_codes.tolist(), runs.tolist(), strict=True)
            },
            count_sum,
            cost_sum,
        )
    return out


def cost_per_call(store: MetricsStore, rows: IntArray | None = None) -> dict[str, float]:
    """Tool → recorded cost per call over ToolUseTable ``rows`` (all rows when None), for
    the tools with calls and a cost recorded."""
    u = store.tool_use
    chosen = np.arange(len(u), dtype=np.intp) if rows is None else rows
    ok = np.isfinite(u.cost[chosen]) & np.isfinite(u.count[chosen]) & (u.count[chosen] > 0)
    chosen = chosen[ok]
    out: dict[str, float] = {}
    for code in np.unique(u.tool[chosen]).tolist():
        mine = chosen[u.tool[chosen] == code]
        out[store.tool_names.name(code) or "?"] = float(u.cost[mine].sum() / u.count[mine].sum())
    return out
