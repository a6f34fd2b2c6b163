"""The workflow model: replay recorded runs through a candidate workflow configuration.

Per sampled run, node durations and costs are changed by the candidate (model changes,
caching, batching: :mod:`~autotune_bot.model.model_change`,
:mod:`~autotune_bot.model.tool_effects`), pruned nodes are dropped (contributing no time or
cost, their failures no longer failing the run: :mod:`~autotune_bot.model.pruning` recovers
and fills in such runs), and the run's duration is the critical path over the candidate DAG
(:mod:`~autotune_bot.model.dag`: parallel groups side by side, pruned nodes bypassed) plus
the run's own overhead (recorded duration − critical path over the current graph). A run's
cost is its recorded cost minus pruned nodes' costs plus the changes and filled-in nodes'
costs. Success is the recorded one except for runs recovered by pruning; every other change
holds it, and the notes say what is not measured.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from autotune_bot.model.dag import candidate_dag, critical_path_lengths
from autotune_bot.model.model_change import apply_model_changes
from autotune_bot.model.prices import PriceTable
from autotune_bot.model.pruning import recover
from autotune_bot.model.run_traces import RunTraces, path_durations
from autotune_bot.model.simulated import Refusal, Simulated
from autotune_bot.model.tool_effects import apply_batching, apply_caching, tool_list_refusal
from autotune_bot.model.workflow_checks import workflow_refusal
from autotune_bot.tuning.config import WorkflowConfig
from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.model import WorkflowDef

__all__ = ["DEFAULT_BATCH_SIZE", "simulate_workflow"]

F64 = npt.NDArray[np.float64]
DEFAULT_BATCH_SIZE = 10


def simulate_workflow(
    traces: RunTraces,
    wf: WorkflowDef,
    graph: WorkflowGraph,
    current: WorkflowConfig,
    candidate: WorkflowConfig,
    prices: PriceTable,
    sample: npt.ArrayLike,
    rng: np.random.Generator,
    *,
    min_samples: int = 20,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Simulated | Refusal:
    """Duration, cost and success of the runs ``sample`` (indexes into ``traces``, repeats
    allowed) under ``candidate``, the runs having been recorded under ``current``.

    ``graph``: the current workflow graph; ``rng``: draws the runs that fill in the rest of
    runs recovered by pruning; ``batch_size``: calls per batch for batched tools. Fewer than
    ``min_samples`` distinct runs, or a change the data cannot support: a refusal.
    """
    s = np.asarray(sample, dtype=np.intp).reshape(-1)
    distinct = int(np.unique(s).size)
    if distinct < min_samples:
        return Refusal(
            f"{wf.name}: only {distinct} recorded runs back this estimate "
            f"(min_samples is {min_samples})"
        )
    if (reason := workflow_refusal(wf, graph, candidate)) is not None:
        return Refusal(reason)
    dag = candidate_dag(graph, candidate.removed, candidate.parallel_groups)
    if dag is None:
        return Refusal(f"{wf.name}: a parallel group is not a run of consecutive nodes")
    notes: list[str] = []
    duration = traces.node_duration.copy()
    delta = np.zeros(duration.shape)
    for reason in (
        tool_list_refusal(traces, wf, current, candidate, notes),
        apply_model_changes(traces, current, candidate, prices, duration, delta, notes),
        apply_caching(traces, current, candidate, duration, delta, notes),
        apply_batching(traces, current, candidate, batch_size, duration, notes),
    ):
        if reason is not None:
            return Refusal(reason)
    if candidate.parallel_groups:
        groups = "; ".join(", ".join(g) for g in candidate.parallel_groups)
        notes.append(f"{groups} side by side: their durations and success held as recorded")
    recovery = recover(traces, graph, candidate.removed, s, rng, notes)
    d, ran = duration[s], traces.ran[s].copy()
    cost = traces.cost[s].copy()
    removed = [traces.column(n) for n in candidate.removed]
    kept = np.ones(len(traces.nodes), dtype=bool)
    kept[removed] = False
    cost -= np.nansum(traces.node_cost[s][:, removed], axis=1)
    cost += (delta[s] * (ran & kept)).sum(axis=1)
    rows = np.flatnonzero(recovery.donor >= 0)
    donors = recovery.donor[rows]
    take = recovery.filled[rows]
    d[rows] = np.where(take, duration[donors], d[rows])
    ran[rows] |= take
    donor_cost = np.nan_to_num(traces.node_cost[donors]) + delta[donors]
    cost[rows] += (donor_cost * take).sum(axis=1)
    d[:, removed] = np.nan
    ran[:, removed] = False
    path = critical_path_lengths(path_durations(wf, traces.nodes, d, ran), traces.nodes, dag)
    run_duration = np.maximum(path + traces.overhead[s], 0.0)
    if candidate.removed:
        pruned = ", ".join(sorted(candidate.removed))
        notes.append(
            f"pruned {pruned}: its time and cost removed; its failures no longer fail runs"
        )
    basis = f"recorded runs of {wf.name}" + (f" ({traces.config})" if traces.config else "")
    return Simulated(s, run_duration, cost, recovery.success, tuple(notes), basis)
