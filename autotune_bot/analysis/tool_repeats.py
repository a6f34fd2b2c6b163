"""Repeated tool calls: `missing_caching` and `redundant_operation`.

A call repeats when the same tool is called with the same ``args_hash`` again in the same
run. Repeats of a tool that is never served from a cache are `missing_caching`; the same
(tool, arguments) called by two different nodes of one run is a `redundant_operation`.
Only calls that carry an ``args_hash`` are considered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis.insight import Evidence, Finding, clamp01

if TYPE_CHECKING:
    from autotune_bot.analysis.workflow_detectors import WorkflowContext

__all__ = ["repeat_findings"]


def repeat_findings(ctx: WorkflowContext, rows: npt.NDArray[np.intp]) -> list[Finding]:
    c = ctx.store.tool_calls
    nodes = ctx.store.nodes
    node_row = c.owner_row[rows]
    run = nodes.run_row[node_row]
    node = nodes.node[node_row]
    tool = c.tool[rows]
    args = c.args_hash[rows]
    cached = c.cached[rows]
    keys = np.stack([run, tool, args], axis=1)
    uniq, inverse, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    out: list[Finding] = []
    for code in np.unique(tool).tolist():
        mine = tool == code
        repeats = int(mine.sum() - (uniq[:, 1] == code).sum())
        share = repeats / int(mine.sum())
        cached_share = float((cached[mine] == 1).mean())
        name = ctx.store.tool_names.name(code) or "?"
        callers = sorted(
            {ctx.store.node_names.name(n) or "?" for n in np.unique(node[mine]).tolist()}
        )
        if share >= ctx.thresholds.cache_repeat_share and cached_share == 0.0:
            out.append(
                ctx.insight(
                    "missing_caching",
                    None,
                    severity=clamp01(2.0 * share),
                    current_value=share,
                    baseline_value=ctx.thresholds.cache_repeat_share,
                    unit="share of calls repeated",
                    evidence=Evidence(
                        int(mine.sum()),
                        None,
                        "calls repeating an earlier call's tool and arguments in the same run",
                        ctx.confidence,
                        "per-call args_hash in the metrics",
                        {"tool": name, "repeated_calls": repeats, "cached_share": cached_share},
                    ),
                    affected=(name, *callers),
                    message=f"{100 * share:.0f}% of {name} calls repeat a call with the same "
                    "arguments in the same run, and none is served from a cache",
                    recommendation=f"enable a cache for {name} on {', '.join(callers)}",
                )
            )
    # Same (run, tool, args) from more than one node: redundant work across nodes.
    callers_of: dict[int, set[int]] = {}  # (run, tool, args) group → nodes making that call
    for k in np.flatnonzero(counts[inverse] > 1).tolist():
        callers_of.setdefault(int(inverse[k]), set()).add(int(node[k]))
    # tool → (nodes involved, runs where it happens, number of repeated calls across nodes)
    by_tool: dict[int, tuple[set[int], set[int], int]] = {}
    for group, node_set in callers_of.items():
        if len(node_set) > 1:
            run_code, tool_code = int(uniq[group, 0]), int(uniq[group, 1])
            seen_nodes, seen_runs, n_groups = by_tool.get(tool_code, (set(), set(), 0))
            by_tool[tool_code] = (seen_nodes | node_set, seen_runs | {run_code}, n_groups + 1)
    runs_total = int(np.unique(run).size)
    for tool_code, (node_set, run_set, n_groups) in by_tool.items():
        name = ctx.store.tool_names.name(tool_code) or "?"
        names = tuple(sorted(ctx.store.node_names.name(n) or "?" for n in node_set))
        share = len(run_set) / runs_total if runs_total else 0.0
        out.append(
            ctx.insight(
                "redundant_operation",
                names[0],
                severity=clamp01(share),
                current_value=share,
                baseline_value=None,
                unit="share of runs",
                evidence=Evidence(
                    runs_total,
                    None,
                    "runs where nodes repeat each other's call",
                    ctx.confidence,
                    "per-call args_hash in the metrics",
                    {"tool": name, "occurrences": n_groups},
                ),
                affected=names,
                message=f"{' and '.join(names)} call {name} with the same arguments in "
                f"{100 * share:.0f}% of runs",
                recommendation="compute it once and share the result through the context",
            )
        )
    return out
