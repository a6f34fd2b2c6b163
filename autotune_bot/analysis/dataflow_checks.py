"""`unused_output` and `parallelizable_nodes`: what the workflow's data flow allows.

Both start from the data-flow analysis of the workflow file (which node writes which
context key, which node reads it), so both are unsupported when the file is not found; the
recorded node durations then size each finding:

- unused_output: a non-terminal node writes a key that no node reads; the finding carries
  the node's share of the total run time.
- parallelizable_nodes: consecutive nodes that read none of each other's outputs; over the
  runs where all of them ran with a recorded duration (at least ``analysis.min_samples``),
  the sum of their durations minus the longest is what running them in parallel would save.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from autotune_bot.analysis import stats
from autotune_bot.analysis.insight import Evidence, Finding, Unsupported, clamp01
from autotune_bot.workflow.dataflow import parallelizable_runs, unused_outputs

if TYPE_CHECKING:
    from autotune_bot.analysis.workflow_detectors import WorkflowContext

__all__ = ["parallelizable_nodes", "unused_node_outputs"]


def unused_node_outputs(ctx: WorkflowContext) -> list[Finding]:
    if ctx.definition is None or ctx.graph is None:
        return [Unsupported("unused_output", ctx.name, "workflow file not found")]
    runs = ctx.run_durations()
    out: list[Finding] = []
    for node, key in unused_outputs(ctx.definition, ctx.graph):
        prof = ctx.nodes.get(node)
        share = math.nan
        if prof is not None and prof.duration is not None and runs.size:
            total = float(np.nansum(runs))
            share = prof.duration.mean * prof.runs / total if total > 0 else math.nan
        out.append(
            ctx.insight(
                "unused_output",
                node,
                severity=clamp01(share) if not math.isnan(share) else 0.0,
                current_value=share,
                baseline_value=None,
                unit="share of run time",
                evidence=Evidence(
                    prof.runs if prof else 0,
                    None,
                    "node's share of run time",
                    ctx.confidence,
                    "data-flow analysis of the workflow file",
                    {"output_key": key},
                ),
                affected=(node,),
                message=f"{node} writes `{key}` but no node reads it"
                + ("" if math.isnan(share) else f" ({100 * share:.0f}% of run time)"),
                recommendation="remove the node (reconnecting its neighbours) if the output has no "
                "side effect",
            )
        )
    return out


def parallelizable_nodes(ctx: WorkflowContext) -> list[Finding]:
    if ctx.definition is None or ctx.graph is None:
        return [Unsupported("parallelizable_nodes", ctx.name, "workflow file not found")]
    m = ctx.matrix
    index = {name: k for k, name in enumerate(m.nodes)}
    runs = ctx.run_durations()
    out: list[Finding] = []
    for group in parallelizable_runs(ctx.definition, ctx.graph):
        cols = [index[n] for n in group if n in index]
        if len(cols) < 2:
            continue
        both = m.ran[:, cols].all(axis=1) & np.isfinite(m.durations[:, cols]).all(axis=1)
        if both.sum() < ctx.min_samples:
            continue
        d = m.durations[both][:, cols]
        saving = d.sum(axis=1) - d.max(axis=1)
        total = float(np.nansum(runs[both]))
        if not (saving.sum() > 0 and total > 0):
            continue  # nothing to gain (or no time recorded to compare with)
        share = float(saving.sum() / total)
        iv = stats.mean_interval(saving, ctx.confidence)
        out.append(
            ctx.insight(
                "parallelizable_nodes",
                group[0],
                severity=clamp01(2.0 * share),
                current_value=float(d.sum(axis=1).mean()),
                baseline_value=float(d.max(axis=1).mean()),
                unit="s",
                evidence=Evidence(
                    int(both.sum()),
                    (iv.low, iv.high),
                    "seconds saved per run",
                    ctx.confidence,
                    "data-flow analysis + recorded node durations",
                    {"saving_share_of_run": share},
                ),
                affected=tuple(group),
                message=f"{', '.join(group)} run one after another but read none of each other's "
                f"outputs: in parallel they would save ≈{saving.mean():.1f}s per run "
                f"({100 * share:.0f}%)",
                recommendation="wrap them in a `parallel` node with join_strategy: all",
            )
        )
    return out
