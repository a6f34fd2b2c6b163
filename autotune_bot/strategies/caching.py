"""Caching: serve repeated tool calls from a cache on the node that repeats them.

A call repeats when the same tool was already called with the same ``args_hash`` earlier in
the same run (by the same node or an earlier one; within a run, calls are ordered by the
node's place in the workflow, then as recorded). For every tool the analysis reports as
``missing_caching`` or ``redundant_operation``, the nodes that make the repeated,
uncached calls in at least ``analysis.min_samples`` runs get a ``cache:`` block for that
tool (the bot's own field: the runtime must honour it). The evidence gives how often the
repeats happen, which node made the first call, and what the repeated calls took.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis import stats
from autotune_bot.search.space import Dimension
from autotune_bot.strategies.base import Proposal, WorkflowStrategy, WorkflowTarget
from autotune_bot.strategies.workflow_runs import NodeCalls, node_calls, run_data, tool_use_rows
from autotune_bot.strategies.workflow_structure import node_location
from autotune_bot.strategies.workflow_tool_use import cost_per_call
from autotune_bot.tuning.dimension_names import cache_dim
from autotune_bot.tuning.suggestion import OptimizationType

__all__ = ["CachingStrategy"]

RISK = 0.2  # low: a cached result may be stale, nothing else changes
_INSIGHTS = ("missing_caching", "redundant_operation")


@dataclass
class _Repeats:
    """One tool's repeated calls by one node."""

    tool: str
    calls: int = 0  # repeated, uncached calls
    runs: set[int] = field(default_factory=set)  # runs with such a call
    sources: Counter[str] = field(default_factory=Counter)  # node of the first call
    durations: list[float] = field(default_factory=list)
    seconds_by_run: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Cache:
    node: str
    node_runs: int  # runs in which the node ran
    repeats: tuple[_Repeats, ...]  # one per tool, by tool name
    insights: tuple[str, ...]

    @property
    def tools(self) -> tuple[str, ...]:
        return tuple(r.tool for r in self.repeats)


class CachingStrategy(WorkflowStrategy):
    """Enable a cache for the tools whose calls a node repeats within a run.

    Options: none.
    """

    name: ClassVar[str] = "caching"
    optimization_type: ClassVar[OptimizationType] = OptimizationType.CACHING
    options: ClassVar[dict[str, str]] = {}

    def propose(self, target: WorkflowTarget) -> list[Proposal]:
        return [self._proposal(target, c) for c in self._caches(target)]

    def dimensions(self, target: WorkflowTarget) -> list[Dimension]:
        out = []
        for c in self._caches(target):
            now = dict(target.current.cached).get(c.node, ())
            out.append(Dimension(cache_dim(c.node), (now, _union(now, c.tools)), 0, "categorical"))
        return out

    def _caches(self, target: WorkflowTarget) -> list[_Cache]:
        flagged: dict[str, set[str]] = {}  # tool → insights about it
        for i in target.report.insights:
            if i.bottleneck in _INSIGHTS:
                tool = str(i.evidence.details.get("tool", ""))
                flagged.setdefault(tool, set()).add(i.bottleneck)
        if not flagged:
            return []
        store = target.store
        data = run_data(target)
        calls = node_calls(store, data.node_rows)
        keep = calls.args >= 0
        if not keep.any():
            return []
        repeats = _repeats(target, calls, keep)
        cached_now = dict(target.current.cached)
        node_runs = Counter(store.node_names.name(int(c)) for c in store.nodes.node[data.node_rows])
        min_n = target.settings.analysis.min_samples
        found = []
        for node, by_tool in sorted(repeats.items()):
            if node not in target.workflow.nodes or node in target.current.removed:
                continue
            chosen = tuple(
                r
                for tool, r in sorted(by_tool.items())
                if tool in flagged and len(r.runs) >= min_n and tool not in cached_now.get(node, ())
            )
            if not chosen:
                continue
            names = {n for r in chosen for n in flagged[r.tool]}
            cross = any(set(r.sources) - {node} for r in chosen)
            insights = tuple(
                n for n in _INSIGHTS if n in names and (n != "redundant_operation" or cross)
            )
            found.append(_Cache(node, node_runs[node], chosen, insights))
        return found

    def _proposal(self, target: WorkflowTarget, c: _Cache) -> Proposal:
        conf = target.settings.analysis.confidence
        wf = target.workflow
        prices = cost_per_call(
            target.store, tool_use_rows(target.store, run_data(target).node_rows)
        )
        evidence: list[str] = []
        for r in c.repeats:
            share = stats.wilson_interval(len(r.runs), c.node_runs, conf)
            sources = ", ".join(f"{n} ×{k}" for n, k in r.sources.most_common())
            evidence.append(
                f"{c.node} ({node_location(wf, c.node)}) repeats a {r.tool} call made earlier in "
                f"the same run (same tool and args_hash) in {len(r.runs)} of the {c.node_runs} "
                f"runs where it ran ({100 * share.estimate:.1f}%, interval "
                f"{100 * share.low:.1f}–{100 * share.high:.1f}%): {r.calls} repeated calls, "
                f"{r.calls / len(r.runs):.2f} per such run, none served from a cache; the first "
                f"call came from {sources}."
            )
            seconds = stats.mean_interval(np.array(list(r.seconds_by_run.values())), conf)
            timed = np.array(r.durations)
            timed = timed[np.isfinite(timed)]
            if timed.size and math.isfinite(seconds.estimate):
                evidence.append(
                    f"The repeated {r.tool} calls took a mean {timed.mean():.2f} s each "
                    f"(recorded durations, n={timed.size}): {seconds.estimate:.2f} s per run with "
                    f"repeats (interval {seconds.low:.2f}–{seconds.high:.2f} s)."
                )
            price = prices.get(r.tool)
            if price is not None and price > 0:
                evidence.append(
                    f"{r.tool} costs ${price:.4f} a call (recorded `tools` cost / count): "
                    f"${price * r.calls / len(r.runs):.4f} per run with repeats, "
                    f"${price * r.calls:.2f} over the analysed runs."
                )
        if any(set(r.sources) - {c.node} for r in c.repeats):
            evidence.append(
                "Some first calls come from other nodes: the cache must be shared across "
                "the workflow's nodes (keyed by tool and arguments) to serve them."
            )
        evidence.append(
            "The `cache:` block is the bot's own field: the runtime must honour it; a cached "
            "result can be stale, so set its ttl_seconds to how long results stay valid."
        )
        cached = dict(target.current.cached)
        cached[c.node] = _union(cached.get(c.node, ()), c.tools)
        candidate = dataclasses.replace(target.current, cached=tuple(sorted(cached.items())))
        return Proposal(
            type=self.optimization_type,
            description=f"Cache {', '.join(c.tools)} calls on {c.node} of {wf.name} "
            f"({sum(r.calls for r in c.repeats)} repeated calls)",
            candidate=candidate,
            risk_level=RISK,
            evidence=tuple(evidence),
            insights=c.insights,
        )


def _repeats(
    target: WorkflowTarget, calls: NodeCalls, keep: npt.NDArray[np.bool_]
) -> dict[str, dict[str, _Repeats]]:
    """Node → tool → its repeated, uncached calls."""
    store = target.store
    order = {node: k for k, node in enumerate(target.graph.topological_order())}
    place_of = np.array(
        [order.get(name, len(order)) for name in store.node_names.names] + [len(order)],
        dtype=np.intp,
    )
    idx = np.flatnonzero(keep)
    run, tool, args = calls.run_row[idx], calls.tool[idx], calls.args[idx]
    ranked = idx[np.lexsort((idx, place_of[calls.node[idx]], args, tool, run))]
    run, tool, args = calls.run_row[ranked], calls.tool[ranked], calls.args[ranked]
    first = np.ones(ranked.size, dtype=bool)
    first[1:] = (run[1:] != run[:-1]) | (tool[1:] != tool[:-1]) | (args[1:] != args[:-1])
    start = np.maximum.accumulate(np.where(first, np.arange(ranked.size), 0))
    source = calls.node[ranked][start]
    repeat = ~first & (calls.cached[ranked] != 1)
    node, source, tool, run = calls.node[ranked], source, tool, run
    seconds = calls.duration[ranked]
    out: dict[str, dict[str, _Repeats]] = {}
    pairs = np.unique(np.stack([node[repeat], tool[repeat]], axis=1), axis=0)
    for node_code, tool_code in pairs.tolist():
        mine = repeat & (node == node_code) & (tool == tool_code)
        name = store.tool_names.name(tool_code) or "?"
        rep = _Repeats(name, int(mine.sum()), set(run[mine].tolist()))
        for src in source[mine].tolist():
            rep.sources[store.node_names.name(src) or "?"] += 1
        rep.durations.extend(seconds[mine].tolist())
        timed = mine & np.isfinite(seconds)
        for r, sec in zip(run[timed].tolist(), seconds[timed].tolist(), strict=True):
            rep.seconds_by_run[r] = rep.seconds_by_run.get(r, 0.0) + sec
        out.setdefault(store.node_names.name(node_code) or "?", {})[name] = rep
    return out


def _union(now: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(set(now) | set(more)))
