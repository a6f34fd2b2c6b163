"""Batching: send a node's many calls of one tool with different arguments as one batch.

From the individual tool calls: in each run, how many calls with distinct arguments
(``args_hash``) a node makes to a tool (calls with the same arguments are caching's
business; calls without an ``args_hash`` are not counted). A (node, tool) pair qualifies when
the node makes at least ``min_calls`` such calls in at least ``min_run_share`` of the runs
with calls recorded, over at least ``analysis.min_samples`` runs. Whether the calls are
independent cannot be read from the data: the ``tools`` option names the tools known to be
batchable, and without it every tool passing the frequency rule is proposed. The saving is a
conservative estimate: each batched call beyond the first saves the tool's shortest recorded
call duration (a lower bound of its per-call overhead).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis import stats
from autotune_bot.search.space import Dimension
from autotune_bot.strategies.base import Proposal, WorkflowStrategy, WorkflowTarget
from autotune_bot.strategies.options import float_option, int_option, names_option
from autotune_bot.strategies.workflow_runs import node_calls, run_data
from autotune_bot.strategies.workflow_structure import node_location
from autotune_bot.tuning.dimension_names import batch_dim
from autotune_bot.tuning.suggestion import OptimizationType

__all__ = ["BatchingStrategy"]

F64 = npt.NDArray[np.float64]
RISK = 0.3  # low-medium: the calls may depend on each other's results


@dataclass(frozen=True)
class _Pattern:
    tool: str
    runs: int  # runs in which the node made calls of this tool with an args_hash
    batchable_runs: int  # runs with at least ``min_calls`` distinct calls
    min_calls: int
    distinct: F64  # distinct calls per run (over ``runs``)
    min_seconds: float  # shortest recorded call duration (NaN when none recorded)
    saving: stats.Interval | None  # seconds per run (over ``runs``)


@dataclass(frozen=True)
class _Batch:
    node: str
    patterns: tuple[_Pattern, ...]

    @property
    def tools(self) -> tuple[str, ...]:
        return tuple(p.tool for p in self.patterns)


class BatchingStrategy(WorkflowStrategy):
    """Batch the calls a node makes to one tool with different arguments in one run.

    Options:
        tools: comma-separated names of the tools that accept batched calls (default: every
            tool passing the frequency rule).
        min_calls: distinct calls per run that make a run batchable (default 3).
        min_run_share: share of the runs that must be batchable (default 0.5).
    """

    name: ClassVar[str] = "batching"
    optimization_type: ClassVar[OptimizationType] = OptimizationType.BATCHING
    options: ClassVar[dict[str, str]] = {
        "tools": "comma-separated tools that accept batched calls (default: any passing the "
        "frequency rule)",
        "min_calls": "distinct calls per run that make a run batchable (default 3)",
        "min_run_share": "share of the runs that must be batchable (default 0.5)",
    }

    def propose(self, target: WorkflowTarget) -> list[Proposal]:
        return [self._proposal(target, b) for b in self._batches(target)]

    def dimensions(self, target: WorkflowTarget) -> list[Dimension]:
        out = []
        for b in self._batches(target):
            now = dict(target.current.batched).get(b.node, ())
            new = tuple(sorted(set(now) | set(b.tools)))
            out.append(Dimension(batch_dim(b.node), (now, new), 0, "categorical"))
        return out

    def _batches(self, target: WorkflowTarget) -> list[_Batch]:
        allowed = names_option(target.options, self.name, "tools")
        min_calls = int_option(target.options, self.name, "min_calls", 3, low=2)
        share = float_option(target.options, self.name, "min_run_share", 0.5, high=1.0)
        min_n = target.settings.analysis.min_samples
        conf = target.settings.analysis.confidence
        store = target.store
        calls = node_calls(store, run_data(target).node_rows)
        known = calls.args >= 0
        batched_now = dict(target.current.batched)
        found: dict[str, list[_Pattern]] = {}
        for node_code, tool_code in sorted(
            set(zip(calls.node[known].tolist(), calls.tool[known].tolist(), strict=True))
        ):
            node = store.node_names.name(node_code) or "?"
            tool = store.tool_names.name(tool_code) or "?"
            if node not in target.workflow.nodes or node in target.current.removed:
                continue
            if (allowed is not None and tool not in allowed) or tool in batched_now.get(node, ()):
                continue
            mine = known & (calls.node == node_code) & (calls.tool == tool_code)
            pairs = np.unique(np.stack([calls.node_row[mine], calls.args[mine]], axis=1), axis=0)
            _, distinct = np.unique(pairs[:, 0], return_counts=True)
            if distinct.size < min_n:
                continue
            batchable = int((distinct >= min_calls).sum())
            if batchable < share * distinct.size or batchable == 0:
                continue
            durations = calls.duration[mine]
            durations = durations[np.isfinite(durations) & (durations > 0)]
            fastest = float(durations.min()) if durations.size else math.nan
            saving = stats.mean_interval((distinct - 1) * fastest, conf) if durations.size else None
            pattern = _Pattern(
                tool,
                int(distinct.size),
                batchable,
                min_calls,
                distinct.astype(float),
                fastest,
                saving,
            )
            found.setdefault(node, []).append(pattern)
        return [_Batch(node, tuple(p)) for node, p in found.items()]

    def _proposal(self, target: WorkflowTarget, b: _Batch) -> Proposal:
        wf = target.workflow
        conf = target.settings.analysis.confidence
        evidence = []
        for p in b.patterns:
            evidence.append(
                f"{b.node} ({node_location(wf, b.node)}) calls {p.tool} with a mean "
                f"{p.distinct.mean():.1f} distinct argument sets per run (median "
                f"{np.median(p.distinct):.0f}, max {p.distinct.max():.0f}; n={p.runs} runs); "
                f"{p.batchable_runs} of those runs ({100 * p.batchable_runs / p.runs:.1f}%) make "
                f"{p.min_calls} or more."
            )
            if p.saving is not None:
                evidence.append(
                    f"Estimate, not a measurement: if each batched call beyond the first saves "
                    f"the shortest recorded {p.tool} call ({p.min_seconds:.2f} s), batching "
                    f"saves a mean {p.saving.estimate:.2f} s per run (interval "
                    f"{p.saving.low:.2f}–{p.saving.high:.2f} s at {conf:.0%} confidence)."
                )
        evidence.append(
            "The data cannot show that these calls are independent (a call may need an earlier "
            "one's result); name the batchable tools in the `tools` option to confirm. The "
            "`batch:` block is the bot's own field: the runtime must honour it."
        )
        batched = dict(target.current.batched)
        batched[b.node] = tuple(sorted(set(batched.get(b.node, ())) | set(b.tools)))
        candidate = dataclasses.replace(target.current, batched=tuple(sorted(batched.items())))
        return Proposal(
            type=self.optimization_type,
            description=f"Batch {', '.join(b.tools)} calls on {b.node} of {wf.name}",
            candidate=candidate,
            risk_level=RISK,
            evidence=tuple(evidence),
            insights=tuple(
                dict.fromkeys(
                    i.bottleneck
                    for i in target.report.insights
                    if i.component == b.node and i.bottleneck in ("slow_node", "dominant_node")
                )
            ),
        )
