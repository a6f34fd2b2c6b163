"""Effects of tool-level changes on node durations and costs: caching, batching, tool lists.

* caching tools on a node: every repeated call of those tools there (same tool and
  ``args_hash`` earlier in the same run, not already served from a cache) is taken to be
  served from the cache: its recorded duration and the tool's per-call cost at that node
  are subtracted. Repeats of runs without per-call records cannot be seen: no saving there.
* batching tools on a node: of k calls in a run, those beyond ceil(k / batch size) no longer
  pay a call's fixed overhead, estimated conservatively as the shortest recorded call of
  that tool. An estimate, and the note says so; cost per call is assumed unchanged.
* a changed tool list has no measurable effect unless a removed tool was used: then the
  change is refused.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from autotune_bot.model.run_traces import RunTraces
from autotune_bot.tuning.config import WorkflowConfig
from autotune_bot.workflow.model import WorkflowDef

__all__ = ["apply_batching", "apply_caching", "tool_list_refusal"]

F64 = npt.NDArray[np.float64]


def _new_tools(
    now: tuple[tuple[str, tuple[str, ...]], ...], then: tuple[tuple[str, tuple[str, ...]], ...]
) -> list[tuple[str, list[str]]]:
    before = dict(now)
    out = []
    for node, tools in then:
        added = [t for t in tools if t not in before.get(node, ())]
        if added:
            out.append((node, added))
    return out


def _tool_index(traces: RunTraces, tools: list[str]) -> npt.NDArray[np.intp]:
    return np.array([traces.tools.index(t) for t in tools if t in traces.tools], dtype=np.intp)


def apply_caching(
    traces: RunTraces,
    current: WorkflowConfig,
    candidate: WorkflowConfig,
    duration: F64,
    cost_delta: F64,
    notes: list[str],
) -> str | None:
    """Subtract repeated calls of newly cached tools (in place); a refusal reason when the
    node used those tools but no per-call record shows its repeats."""
    c = traces.calls
    for node, tools in _new_tools(current.cached, candidate.cached):
        k = traces.column(node)
        mine = (c.node == k) & np.isin(c.tool, _tool_index(traces, tools))
        if not mine.any():
            if _used(traces, k, tools):
                return (
                    f"{node}: no per-call records of {', '.join(tools)}; caching's effect "
                    "cannot be estimated"
                )
            notes.append(f"{node} never called {', '.join(tools)}: caching has no measured effect")
            continue
        rep = mine & c.repeat
        saved = np.zeros(duration.shape)
        np.add.at(saved, (c.run[rep], c.node[rep]), np.nan_to_num(c.duration[rep]))
        duration[:, k] = np.maximum(duration[:, k] - saved[:, k], 0.0)
        spent = np.zeros(duration.shape)
        np.add.at(spent, (c.run[rep], c.node[rep]), np.nan_to_num(c.per_call_cost[rep]))
        cost_delta[:, k] -= spent[:, k]
        recorded_runs = np.unique(c.run[mine]).size
        notes.append(
            f"caching {', '.join(tools)} on {node}: {int(rep.sum())} repeated calls in "
            f"{np.unique(c.run[rep]).size} runs served from the cache (every repeat within a run "
            f"assumed cached); per-call records in {recorded_runs} of "
            f"{int(traces.ran[:, k].sum())} runs where {node} ran"
        )
        unknown = int((rep & ~np.isfinite(c.duration)).sum())
        unpriced = int((rep & ~np.isfinite(c.per_call_cost)).sum())
        if unknown or unpriced:
            notes.append(
                f"{unknown} repeated calls without a duration and {unpriced} without a cost save "
                "nothing in the estimate"
            )
    return None


def apply_batching(
    traces: RunTraces,
    current: WorkflowConfig,
    candidate: WorkflowConfig,
    batch_size: int,
    duration: F64,
    notes: list[str],
) -> str | None:
    """Subtract the estimated per-call overhead of batched calls (in place)."""
    c, u = traces.calls, traces.use
    for node, tools in _new_tools(current.batched, candidate.batched):
        k = traces.column(node)
        for tool in tools:
            if tool not in traces.tools:
                notes.append(f"{node} never called {tool}: batching has no measured effect")
                continue
            t = traces.tools.index(tool)
            counted = np.zeros(len(traces))
            np.add.at(
                counted,
                u.run[(u.node == k) & (u.tool == t)],
                np.nan_to_num(u.count[(u.node == k) & (u.tool == t)]),
            )
            listed = np.bincount(c.run[(c.node == k) & (c.tool == t)], minlength=len(traces))
            calls = np.maximum(counted, listed)
            timed = c.duration[(c.tool == t) & np.isfinite(c.duration) & (c.duration > 0)]
            if timed.size == 0:
                return (
                    f"{node}: no recorded durations of {tool} calls; batching's saving cannot "
                    "be estimated"
                )
            overhead = float(timed.min())
            saved = calls - np.ceil(calls / batch_size)
            duration[:, k] = np.maximum(duration[:, k] - saved * overhead, 0.0)
            notes.append(
                f"batching {tool} on {node} in batches of {batch_size}: an estimate, each call "
                f"saved is credited with the shortest recorded {tool} call ({overhead:.2f}s); "
                "cost per call assumed unchanged"
            )
    return None


def _used(traces: RunTraces, k: int, tools: list[str]) -> bool:
    u = traces.use
    idx = _tool_index(traces, tools)
    return bool(((u.node == k) & np.isin(u.tool, idx) & (np.nan_to_num(u.count) > 0)).any())


def _runs_using(traces: RunTraces, k: int, tool: str) -> int:
    """Recorded runs in which node column ``k`` called ``tool``."""
    if tool not in traces.tools:
        return 0
    t = traces.tools.index(tool)
    u, c = traces.use, traces.calls
    used = u.run[(u.node == k) & (u.tool == t) & (np.nan_to_num(u.count) > 0)]
    called = c.run[(c.node == k) & (c.tool == t)]
    return int(np.unique(np.concatenate([used, called])).size)


def tool_list_refusal(
    traces: RunTraces,
    wf: WorkflowDef,
    current: WorkflowConfig,
    candidate: WorkflowConfig,
    notes: list[str],
) -> str | None:
    """Refuse taking away a tool a node called in the recorded runs (whether or not its
    YAML lists it); note the rest."""
    before = dict(current.tools)
    for node, allowed in candidate.tools:
        k = traces.column(node)
        had = before.get(node, wf.nodes[node].tools)
        called = [t for t in traces.tools if _runs_using(traces, k, t)]
        for tool in called:
            if tool not in allowed:
                return (
                    f"{node} called {tool} in {_runs_using(traces, k, tool)} recorded runs; the "
                    "effect of removing it cannot be predicted"
                )
        removed = [t for t in had if t not in allowed]
        added = [t for t in allowed if t not in had]
        if removed:
            notes.append(
                f"{node} never called {', '.join(removed)} in the recorded runs: "
                "removing it has no measured effect"
            )
        if added:
            notes.append(
                f"adding {', '.join(added)} to {node} has no measured effect (not estimated)"
            )
    return None
