"""Workflow-level bottleneck detectors, one function each, in one registry.

Node baselines are relative to the same workflow (the median node, the run's critical
path, the run's cost), so no absolute constant is involved; the ratios and shares that
count as a bottleneck are settings (``analysis.thresholds``).

The timing, reliability and cost detectors are here; the data-flow ones (unused outputs,
parallelizable nodes) are in :mod:`autotune_bot.analysis.dataflow_checks`, repeated tool
calls in :mod:`autotune_bot.analysis.tool_repeats`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Unpack

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis.dataflow_checks import parallelizable_nodes, unused_node_outputs
from autotune_bot.analysis.insight import (
    Evidence,
    Finding,
    Insight,
    InsightBody,
    Unsupported,
    clamp01,
    log_severity,
    make_insight,
    run_detectors,
)
from autotune_bot.analysis.row_links import referencing
from autotune_bot.analysis.tool_repeats import repeat_findings
from autotune_bot.analysis.workflow_profile import NodeMatrix, NodeProfile, critical_paths
from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.settings import AnalysisThresholds, Baseline
from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.model import WorkflowDef

__all__ = ["WORKFLOW_DETECTORS", "WorkflowContext", "run_workflow_detectors"]


@dataclass(frozen=True)
class WorkflowContext:
    name: str
    store: MetricsStore
    definition: WorkflowDef | None
    graph: WorkflowGraph | None
    matrix: NodeMatrix
    nodes: dict[str, NodeProfile]
    node_rows: npt.NDArray[np.intp]
    thresholds: AnalysisThresholds
    confidence: float
    min_samples: int
    declared: Mapping[str, Baseline] = field(default_factory=dict)  # settings.baselines

    def within_declared(self, node: str) -> bool:
        """Whether the node has a declared duration baseline and its mean is within it: a
        node doing the work it is expected to do is not a bottleneck however large."""
        base = self.declared.get(node)
        prof = self.nodes.get(node)
        if base is None or base.duration_seconds is None or prof is None or prof.duration is None:
            return False
        return prof.duration.mean <= base.duration_seconds

    def where(self, node: str | None) -> str | None:
        wf = self.definition
        if wf is None:
            return None
        if node is not None and node in wf.nodes:
            return f"{wf.path}:{wf.nodes[node].line}"
        return f"{wf.path}:{wf.line}"

    def insight(
        self, bottleneck: str, component: str | None, **body: Unpack[InsightBody]
    ) -> Insight:
        location = self.where(component)
        return make_insight("workflow", self.name, location, bottleneck, component, **body)

    def run_durations(self) -> npt.NDArray[np.float64]:
        runs = self.store.runs.duration[self.matrix.run_rows]
        return np.where(np.isfinite(runs), runs, np.nansum(self.matrix.durations, axis=1))


def slow_nodes(ctx: WorkflowContext) -> list[Finding]:
    measured = {
        k: p
        for k, p in ctx.nodes.items()
        if p.duration is not None and p.duration.n >= ctx.min_samples
    }
    if len(measured) < 3:
        return [
            Unsupported(
                "slow_node",
                ctx.name,
                f"only {len(measured)} nodes with ≥ {ctx.min_samples} timed runs",
            )
        ]
    means = {k: p.duration.mean for k, p in measured.items() if p.duration is not None}
    median = float(np.median(list(means.values())))
    out: list[Finding] = []
    limit = ctx.thresholds.slow_node_ratio
    for node, mean in means.items():
        ratio = mean / median if median > 0 else math.inf
        if ratio < limit or ctx.within_declared(node):
            continue
        dist = measured[node].duration
        assert dist is not None
        out.append(
            ctx.insight(
                "slow_node",
                node,
                severity=log_severity(ratio / limit, full_at=limit),
                current_value=mean,
                baseline_value=median,
                unit="s",
                evidence=Evidence(
                    dist.n,
                    (dist.mean_interval.low, dist.mean_interval.high),
                    "mean node duration (s)",
                    ctx.confidence,
                    f"median of the workflow's {len(means)} measured nodes",
                    {},
                ),
                affected=(node,),
                message=f"{node} averages {mean:.1f}s, {ratio:.1f}× the median node "
                f"({median:.1f}s)",
                recommendation="split the node, parallelise its work, or use a faster model",
            )
        )
    return out


def dominant_nodes(ctx: WorkflowContext) -> list[Finding]:
    m = ctx.matrix
    if m.run_rows.size < ctx.min_samples:
        return [Unsupported("dominant_node", ctx.name, f"only {m.run_rows.size} runs")]
    length, on_path = critical_paths(m, ctx.graph)
    d = np.nan_to_num(m.durations)
    total = float(length.sum())
    if total <= 0:
        return []
    out: list[Finding] = []
    basis = (
        "critical path of each run"
        if ctx.graph is not None
        else ("sum of node durations (workflow file not found: nodes taken as sequential)")
    )
    for k, node in enumerate(m.nodes):
        share = float((d[:, k] * on_path[:, k]).sum() / total)
        if share < ctx.thresholds.dominant_node_share or ctx.within_declared(node):
            continue
        out.append(
            ctx.insight(
                "dominant_node",
                node,
                severity=clamp01(share),
                current_value=share,
                baseline_value=ctx.thresholds.dominant_node_share,
                unit="share of critical path",
                evidence=Evidence(
                    int(m.run_rows.size),
                    None,
                    "share of critical-path time",
                    ctx.confidence,
                    basis,
                    {"on_critical_path_share_of_runs": float(on_path[:, k].mean())},
                ),
                affected=(node,),
                message=f"{node} accounts for {100 * share:.0f}% of the critical-path time",
                recommendation="this node bounds the workflow's duration: optimise it first",
            )
        )
    return out


def unreliable_nodes(ctx: WorkflowContext) -> list[Finding]:
    out: list[Finding] = []
    limit = ctx.thresholds.unreliable_node_success_rate
    for node, p in ctx.nodes.items():
        if p.outcomes < ctx.min_samples or math.isnan(p.success.estimate):
            continue
        if p.success.high >= limit:
            continue
        out.append(
            ctx.insight(
                "unreliable_node",
                node,
                severity=clamp01(2.0 * (limit - p.success.estimate) / limit),
                current_value=p.success.estimate,
                baseline_value=limit,
                unit="rate",
                evidence=Evidence(
                    p.outcomes,
                    (p.success.low, p.success.high),
                    "node success rate",
                    ctx.confidence,
                    "analysis.thresholds.unreliable_node_success_rate",
                    {f"error_{k}": v for k, v in p.errors.items()},
                ),
                affected=(node,),
                message=f"{node} succeeds in {100 * p.success.estimate:.0f}% of runs "
                f"(interval {100 * p.success.low:.0f}–{100 * p.success.high:.0f}%)",
                recommendation="fix or remove the node; if nothing reads its output, prune it",
            )
        )
    return out


def expensive_tools(ctx: WorkflowContext) -> list[Finding]:
    u = ctx.store.tool_use
    mine = np.zeros(len(u), dtype=bool)
    mine[referencing(u.node_row, ctx.node_rows, len(ctx.store.nodes))] = True
    if not mine.any():
        return [Unsupported("expensive_tool", ctx.name, "no per-node `tools` cost recorded")]
    run_cost = ctx.store.runs.cost[ctx.matrix.run_rows]
    total = float(np.nansum(run_cost))
    if total <= 0:
        total = float(np.nansum(ctx.store.nodes.cost[ctx.node_rows]))
    if total <= 0:
        return [Unsupported("expensive_tool", ctx.name, "no cost recorded")]
    out: list[Finding] = []
    tools = u.tool[mine]
    costs = np.nan_to_num(u.cost[mine])
    for code in np.unique(tools).tolist():
        share = float(costs[tools == code].sum() / total)
        if share < ctx.thresholds.expensive_tool_share:
            continue
        name = ctx.store.tool_names.name(code) or "?"
        out.append(
            ctx.insight(
                "expensive_tool",
                None,
                severity=clamp01(share),
                current_value=share,
                baseline_value=ctx.thresholds.expensive_tool_share,
                unit="share of cost",
                evidence=Evidence(
                    int(ctx.matrix.run_rows.size),
                    None,
                    "share of workflow cost",
                    ctx.confidence,
                    "the workflow's recorded cost",
                    {"tool": name, "calls": float(u.count[mine][tools == code].sum())},
                ),
                affected=(name,),
                message=f"tool {name} accounts for {100 * share:.0f}% of the workflow's cost",
                recommendation="cache its results, batch its calls, or use a cheaper alternative",
            )
        )
    return out


def _tool_call_rows(ctx: WorkflowContext) -> npt.NDArray[np.intp]:
    c = ctx.store.tool_calls
    node_owned = np.flatnonzero(c.owner_kind == 0)  # member-owned calls point elsewhere
    linked: npt.NDArray[np.intp] = node_owned[
        referencing(c.owner_row[node_owned], ctx.node_rows, len(ctx.store.nodes))
    ]
    return linked


def repeated_calls(ctx: WorkflowContext) -> list[Finding]:
    rows = _tool_call_rows(ctx)
    c = ctx.store.tool_calls
    if rows.size == 0:
        return [Unsupported("missing_caching", ctx.name, "no per-call `tool_calls` recorded")]
    rows = rows[c.args_hash[rows] >= 0]
    if rows.size == 0:
        return [Unsupported("missing_caching", ctx.name, "tool_calls carry no args_hash")]
    return repeat_findings(ctx, rows)


WORKFLOW_DETECTORS: dict[str, Callable[[WorkflowContext], list[Finding]]] = {
    "slow_node": slow_nodes,
    "dominant_node": dominant_nodes,
    "unreliable_node": unreliable_nodes,
    "expensive_tool": expensive_tools,
    "missing_caching": repeated_calls,  # also reports redundant_operation
    "unused_output": unused_node_outputs,
    "parallelizable_nodes": parallelizable_nodes,
}


def run_workflow_detectors(ctx: WorkflowContext) -> list[Finding]:
    return run_detectors(WORKFLOW_DETECTORS, ctx)
