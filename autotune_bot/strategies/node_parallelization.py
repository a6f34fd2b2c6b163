"""Node parallelization: wrap consecutive independent nodes in a new ``parallel`` node.

Independence comes from the data flow, not the edges: :func:`~autotune_bot.workflow.dataflow.
parallelizable_runs` finds runs of consecutive nodes none of which reads a context key
(``$ctx`` inputs, ``{{ }}`` references, ``input_mapping``) another one writes. Nodes the tuner
cannot regroup (condition, parallel and hitl nodes, condition-branch targets, children of a
``parallel`` node, loop nodes) split a run. Each remaining group of two or
more nodes is proposed when the recorded durations show a saving: over the runs in which
every node of the group ran, running them side by side saves the sum of their durations
minus the longest (for two nodes, the shorter one), and the interval of its mean must lie
above zero.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from autotune_bot.analysis import stats
from autotune_bot.search.space import Dimension
from autotune_bot.strategies.base import Proposal, WorkflowStrategy, WorkflowTarget
from autotune_bot.strategies.workflow_runs import run_data
from autotune_bot.strategies.workflow_structure import fixed_nodes, node_location
from autotune_bot.tuning.dimension_names import parallel_dim
from autotune_bot.tuning.suggestion import OptimizationType
from autotune_bot.workflow.dataflow import parallelizable_runs

__all__ = ["NodeParallelizationStrategy"]

RISK = 0.45  # medium: a node may read another's output without naming the key


@dataclass(frozen=True)
class _Group:
    nodes: tuple[str, ...]
    n: int  # runs in which every node of the group ran with a duration
    means: tuple[float, ...]  # mean duration of each node over those runs
    saving: stats.Interval  # seconds saved per run
    run_mean: float  # mean run duration over those runs


class NodeParallelizationStrategy(WorkflowStrategy):
    """Run consecutive nodes that read none of each other's outputs side by side.

    Options: none.
    """

    name: ClassVar[str] = "node_parallelization"
    optimization_type: ClassVar[OptimizationType] = OptimizationType.NODE_PARALLELIZATION
    options: ClassVar[dict[str, str]] = {}

    def propose(self, target: WorkflowTarget) -> list[Proposal]:
        return [self._proposal(target, g) for g in self._groups(target)]

    def dimensions(self, target: WorkflowTarget) -> list[Dimension]:
        # Overlapping groups are alternatives (`a,b` or `b,c`): open only the best of them,
        # so no point of the joint space puts a node in two parallel nodes.
        chosen: list[_Group] = []
        for group in sorted(self._groups(target), key=lambda g: -g.saving.estimate):
            if not any(set(group.nodes) & set(c.nodes) for c in chosen):
                chosen.append(group)
        return [Dimension(parallel_dim(g.nodes), (False, True), 0, "categorical") for g in chosen]

    def _groups(self, target: WorkflowTarget) -> list[_Group]:
        wf, graph = target.workflow, target.graph
        fixed = fixed_nodes(wf, graph) | target.current.removed
        existing = set(target.current.parallel_groups)
        windows: list[tuple[str, ...]] = []
        for run in parallelizable_runs(wf, graph):
            for window in _split(run, fixed):
                if window not in windows and window not in existing:
                    windows.append(window)
        if not windows:
            return []
        m = run_data(target).matrix
        runs = target.store.runs.duration[m.run_rows]
        found = []
        for window in windows:
            if not all(node in m.nodes for node in window):
                continue
            cols = [m.nodes.index(node) for node in window]
            d = m.durations[:, cols]
            both = m.ran[:, cols].all(axis=1) & np.isfinite(d).all(axis=1)
            if both.sum() < target.settings.analysis.min_samples:
                continue
            d = d[both]
            saving = stats.mean_interval(
                d.sum(axis=1) - d.max(axis=1), target.settings.analysis.confidence
            )
            if not saving.low > 0:
                continue
            measured = runs[both]
            measured = measured[np.isfinite(measured)]
            found.append(
                _Group(
                    nodes=window,
                    n=int(both.sum()),
                    means=tuple(float(x) for x in d.mean(axis=0)),
                    saving=saving,
                    run_mean=float(measured.mean()) if measured.size else math.nan,
                )
            )
        return found

    def _proposal(self, target: WorkflowTarget, g: _Group) -> Proposal:
        wf = target.workflow
        names = ", ".join(g.nodes)
        conf = target.settings.analysis.confidence
        durations = ", ".join(
            f"{node} {mean:.1f} s" for node, mean in zip(g.nodes, g.means, strict=True)
        )
        where = ", ".join(node_location(wf, node) for node in g.nodes)
        share = g.saving.estimate / g.run_mean if g.run_mean > 0 else math.nan
        evidence = (
            f"{names} ({where}) run one after another, yet none reads a context key another "
            "writes (data-flow analysis of outputs, `$ctx` inputs and `{{ }}` references).",
            f"Over the {g.n} runs in which all of them ran, their mean durations are {durations}.",
            f"Side by side they would save a mean {g.saving.estimate:.1f} s per run (interval "
            f"{g.saving.low:.1f}–{g.saving.high:.1f} s at {conf:.0%} confidence, n={g.n})"
            + (
                f", {100 * share:.1f}% of a mean run of {g.run_mean:.1f} s."
                if math.isfinite(share)
                else "."
            ),
            "Keys a prompt uses without naming them cannot be seen: check that none of these "
            "nodes needs another's result before merging.",
        )
        candidate = dataclasses.replace(
            target.current, parallel_groups=(*target.current.parallel_groups, g.nodes)
        )
        return Proposal(
            type=self.optimization_type,
            description=f"Run {names} of {wf.name} in parallel (≈{g.saving.estimate:.1f} s a run)",
            candidate=candidate,
            risk_level=RISK,
            evidence=evidence,
            insights=("parallelizable_nodes",),
        )


def _split(run: tuple[str, ...], fixed: frozenset[str]) -> list[tuple[str, ...]]:
    """The maximal stretches of ``run`` without a fixed node, of two nodes or more."""
    parts: list[tuple[str, ...]] = []
    current: list[str] = []
    for node in (*run, None):
        if node is None or node in fixed:
            if len(current) >= 2:
                parts.append(tuple(current))
            current = []
        else:
            current.append(node)
    return parts
