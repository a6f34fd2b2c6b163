"""Pruned nodes: which failed runs they recover, and what those runs would have done next.

A node's failure *fails the run* (it is fatal) when at least half of the recorded runs in
which it failed failed; otherwise the run carries on after it (``legacy_enrich``-style). A
failed run is recovered by pruning when a pruned node failed in it and every other failed
node is pruned or not fatal. The nodes after the failure did not run: they are filled in
from a *donor*, a run drawn (with the passed generator) among those in which a node after
the pruned one ran; the donor's values of every such node the failed run lacks are copied
(duration, cost, outcome, and which of a condition's branches ran), so the filled part is a
recorded continuation, not a mix. The recovered run succeeds unless a filled-in node failed
and is fatal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from autotune_bot.model.run_traces import RunTraces
from autotune_bot.workflow.graph import WorkflowGraph

__all__ = ["Recovery", "fatal_nodes", "recover"]

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Recovery:
    """Per sampled run: its outcome after pruning, the donor (-1: none) and the cells
    (runs × nodes) taken from the donor."""

    success: BoolArray
    donor: IntArray
    filled: BoolArray


def fatal_nodes(traces: RunTraces) -> BoolArray:
    """Per node: whether its failures fail the run (see the module docstring)."""
    failed = traces.node_success == 0
    lost = failed & ~traces.success[:, None]
    n_failed = failed.sum(axis=0)
    fatal: BoolArray = (lost.sum(axis=0) * 2 >= n_failed) & (n_failed > 0)
    return fatal


def recover(
    traces: RunTraces,
    graph: WorkflowGraph,
    removed: frozenset[str],
    sample: IntArray,
    rng: np.random.Generator,
    notes: list[str],
) -> Recovery:
    """Recover the sampled failed runs that failed at a pruned node."""
    success = traces.success[sample].copy()
    donor = np.full(sample.size, -1, dtype=np.intp)
    filled = np.zeros((sample.size, len(traces.nodes)), dtype=bool)
    cols = [traces.column(n) for n in removed if n in traces.nodes]
    if not cols:
        return Recovery(success, donor, filled)
    fatal = fatal_nodes(traces)
    failed = traces.node_success[sample] == 0
    blocking = failed & fatal[None, :]
    blocking[:, cols] = False
    candidates = np.flatnonzero(~success & failed[:, cols].any(axis=1) & ~blocking.any(axis=1))
    pools: dict[tuple[int, ...], IntArray] = {}
    no_donor = 0
    for i in candidates.tolist():
        after = _after(traces, graph, removed, [c for c in cols if failed[i, c]])
        key = tuple(after)
        if key not in pools:
            pools[key] = np.flatnonzero(traces.ran[:, after].any(axis=1)) if after else _empty()
        pool = pools[key]
        success[i] = True
        if not after:
            continue
        if pool.size == 0:
            no_donor += 1
            success[i] = False
            continue
        d = int(rng.choice(pool))
        donor[i] = d
        take = np.zeros(len(traces.nodes), dtype=bool)
        take[after] = ~traces.ran[sample[i], after] & traces.ran[d, after]
        filled[i] = take
        success[i] = not bool(((traces.node_success[d] == 0) & fatal & take).any())
    if candidates.size:
        names = ", ".join(sorted(n for n in removed if n in traces.nodes))
        notes.append(
            f"{candidates.size} failed runs failed only at pruned {names}: recovered, the nodes "
            f"after the failure filled in from {int((donor >= 0).sum())} resampled runs where "
            "they ran"
        )
    if no_donor:
        notes.append(f"{no_donor} of them had no run to resample from and stay failed")
    return Recovery(success, donor, filled)


def _after(
    traces: RunTraces, graph: WorkflowGraph, removed: frozenset[str], failed_cols: list[int]
) -> list[int]:
    later: set[str] = set()
    for k in failed_cols:
        later |= graph.descendants(traces.nodes[k])
    return sorted(traces.column(n) for n in later if n not in removed and n in traces.nodes)


def _empty() -> IntArray:
    return np.zeros(0, dtype=np.intp)
