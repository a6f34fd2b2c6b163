"""Pruning: remove nodes whose output nothing reads and that cost time or fail.

A node is proposed for removal when every key it writes is read by no node of the workflow
(data-flow analysis of the file) and the recorded runs show that it costs something: it lies
on the critical path (removing it shortens runs, with a confidence interval above zero) or
it is an ``unreliable_node``. Nodes without an ``output`` are never proposed (their purpose
is a side effect), nor are the nodes the tuner cannot reconnect (see
:mod:`autotune_bot.strategies.workflow_structure`): the final node(s), which write the
workflow's result, condition and parallel nodes and the nodes they point at.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from autotune_bot.analysis import stats
from autotune_bot.analysis.workflow_profile import NodeProfile, critical_paths
from autotune_bot.search.space import Dimension
from autotune_bot.strategies.base import Proposal, WorkflowStrategy, WorkflowTarget
from autotune_bot.strategies.options import float_option, names_option
from autotune_bot.strategies.workflow_runs import RunData, run_data
from autotune_bot.strategies.workflow_structure import final_nodes, fixed_nodes, node_location
from autotune_bot.tuning.dimension_names import prune_dim
from autotune_bot.tuning.suggestion import OptimizationType
from autotune_bot.workflow.dataflow import unused_outputs

__all__ = ["PruningStrategy"]

RISK = 0.55  # medium-high: the node may have a side effect the data-flow cannot see


@dataclass(frozen=True)
class _Prunable:
    node: str
    keys: tuple[str, ...]
    profile: NodeProfile
    unreliable: bool
    saved: stats.Interval | None  # seconds per run the removal saves
    on_path_share: float  # share of the node's runs in which it was on the critical path
    failed_runs: int  # runs in which the node failed
    failed_runs_ok: int  # ... and the run still succeeded
    other_runs_ok: float  # success rate of the runs in which the node succeeded
    run_mean: float  # mean duration of the analysed runs (NaN when none is recorded)


class PruningStrategy(WorkflowStrategy):
    """Remove nodes whose output no node reads and that add time or fail.

    Options:
        keep: comma-separated node ids never to remove (default: none).
        min_time_share: share of the mean run duration a reliable node's removal must save
            (default 0.01); an unreliable node qualifies whatever its time.
    """

    name: ClassVar[str] = "pruning"
    optimization_type: ClassVar[OptimizationType] = OptimizationType.PRUNING
    options: ClassVar[dict[str, str]] = {
        "keep": "comma-separated node ids never to remove (default: none)",
        "min_time_share": "share of the mean run duration a reliable node's removal must save "
        "(default 0.01)",
    }

    def propose(self, target: WorkflowTarget) -> list[Proposal]:
        return [self._proposal(target, p) for p in self._prunable(target)]

    def dimensions(self, target: WorkflowTarget) -> list[Dimension]:
        return [
            Dimension(prune_dim(p.node), (False, True), 0, "categorical")
            for p in self._prunable(target)
        ]

    def _prunable(self, target: WorkflowTarget) -> list[_Prunable]:
        wf, graph = target.workflow, target.graph
        min_n = target.settings.analysis.min_samples
        keep = set(names_option(target.options, self.name, "keep") or ())
        min_share = float_option(target.options, self.name, "min_time_share", 0.01, high=1.0)
        fixed = fixed_nodes(wf, graph) | final_nodes(wf, graph) | keep | target.current.removed
        unused: dict[str, list[str]] = {}
        for node, key in unused_outputs(wf, graph):
            unused.setdefault(node, []).append(key)
        profiles = {p.node_id: p for p in target.report.nodes}
        unreliable = {
            i.component for i in target.report.insights if i.bottleneck == "unreliable_node"
        }
        found: list[_Prunable] = []
        data: RunData | None = None
        for node, keys in unused.items():
            prof = profiles.get(node)
            if node in fixed or set(keys) != set(wf.nodes[node].outputs):
                continue
            if prof is None or prof.runs < min_n:
                continue
            data = data if data is not None else run_data(target)
            item = _measure(target, data, node, tuple(keys), prof, node in unreliable)
            adds_time = (
                item.saved is not None
                and item.saved.low > 0
                and not item.saved.estimate < min_share * item.run_mean
            )
            if adds_time or item.unreliable:
                found.append(item)
        return found

    def _proposal(self, target: WorkflowTarget, p: _Prunable) -> Proposal:
        wf = target.workflow
        conf = target.settings.analysis.confidence
        prof = p.profile
        keys = ", ".join(f"`{k}`" for k in p.keys)
        evidence = [
            f"{p.node} ({node_location(wf, p.node)}) writes {keys} but no node of {wf.name} "
            f"reads it (data-flow analysis of {wf.path}).",
            f"It ran in {prof.runs} of {target.report.runs} analysed runs and succeeded in "
            f"{_pct(prof.success.estimate)} (interval {_pct(prof.success.low)}–"
            f"{_pct(prof.success.high)} at {conf:.0%} confidence, n={prof.outcomes})"
            + (f"; errors: {_errors(prof.errors)}." if prof.errors else "."),
        ]
        if p.saved is not None:
            evidence.append(
                f"It was on the critical path in {_pct(p.on_path_share)} of its runs: removing "
                f"it saves a mean {p.saved.estimate:.2f} s per run (interval "
                f"{p.saved.low:.2f}–{p.saved.high:.2f} s, n={prof.runs})"
                + (
                    f", {_pct(p.saved.estimate / p.run_mean)} of a mean run of {p.run_mean:.1f} s."
                    if p.run_mean > 0
                    else "."
                )
            )
        if math.isfinite(prof.mean_cost) and prof.mean_cost > 0:
            evidence.append(f"Its recorded cost is a mean ${prof.mean_cost:.4f} per run.")
        if p.failed_runs:
            share = p.failed_runs_ok / p.failed_runs
            effect = (
                "its failures do not stop the workflow"
                if p.failed_runs_ok
                else "none of those runs succeeded, so removing it also removes those failures"
            )
            evidence.append(
                f"In the {p.failed_runs} runs where it failed, the run still succeeded in "
                f"{_pct(share)} ({_pct(p.other_runs_ok)} of the runs where it succeeded): "
                f"{effect}."
            )
        preds = ", ".join(target.graph.predecessors(p.node)) or "none"
        succs = ", ".join(target.graph.successors(p.node)) or "none"
        evidence.append(
            f"The tuner reconnects its predecessors ({preds}) to its successors ({succs}); "
            "confirm the node has no side effect (a write outside the workflow) before merging."
        )
        parts = [f"output {keys} never read"]
        if p.unreliable:
            parts.append(f"{_pct(prof.success.estimate)} success")
        if p.saved is not None and p.saved.estimate > 0:
            parts.append(f"+{p.saved.estimate:.1f} s a run")
        insights = ("unused_output", "unreliable_node") if p.unreliable else ("unused_output",)
        candidate = dataclasses.replace(target.current, removed=target.current.removed | {p.node})
        return Proposal(
            type=self.optimization_type,
            description=f"Remove {p.node} from {wf.name} ({'; '.join(parts)})",
            candidate=candidate,
            risk_level=RISK,
            evidence=tuple(evidence),
            insights=insights,
        )


def _measure(
    target: WorkflowTarget,
    data: RunData,
    node: str,
    keys: tuple[str, ...],
    prof: NodeProfile,
    unreliable: bool,
) -> _Prunable:
    m = data.matrix
    saved: stats.Interval | None = None
    on_share = math.nan
    failed = failed_ok = 0
    other_ok = math.nan
    if node in m.nodes:
        k = m.nodes.index(node)
        _, on_path = critical_paths(m, target.graph)
        ran = m.ran[:, k] & np.isfinite(m.durations[:, k])
        if ran.sum() >= target.settings.analysis.min_samples:
            per_run = np.where(on_path[ran, k], m.durations[ran, k], 0.0)
            saved = stats.mean_interval(per_run, target.settings.analysis.confidence)
            on_share = float(on_path[ran, k].mean())
        failed, failed_ok, other_ok = _failures(target, data, node)
    runs = target.store.runs.duration[m.run_rows]
    runs = runs[np.isfinite(runs)]
    run_mean = float(runs.mean()) if runs.size else math.nan
    return _Prunable(
        node, keys, prof, unreliable, saved, on_share, failed, failed_ok, other_ok, run_mean
    )


def _failures(target: WorkflowTarget, data: RunData, node: str) -> tuple[int, int, float]:
    """Runs in which the node failed, how many of those runs succeeded, and the success
    rate of the runs in which it succeeded."""
    store = target.store
    rows = data.node_rows[store.nodes.node[data.node_rows] == store.node_names.lookup(node)]
    flags = store.nodes.success[rows]
    failed_ok = store.runs.success[store.nodes.run_row[rows[flags == 0]]]
    other_ok = store.runs.success[store.nodes.run_row[rows[flags == 1]]]
    other_rate = float((other_ok == 1).mean()) if other_ok.size else math.nan
    return int(failed_ok.size), int((failed_ok == 1).sum()), other_rate


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%" if math.isfinite(value) else "n/a"


def _errors(errors: dict[str, int]) -> str:
    return ", ".join(f"{k} ×{v}" for k, v in sorted(errors.items(), key=lambda kv: -kv[1]))
