"""Convenience: predict a candidate on every recorded execution and compare it with now.

The current configuration is simulated too (replaying the traces through their own
configuration reproduces them, up to the caps' censoring), so both sides of the comparison
rest on exactly the same executions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from autotune_bot.model.compare import compare
from autotune_bot.model.outcome import Prediction, outcome
from autotune_bot.model.prices import PriceTable
from autotune_bot.model.run_traces import RunTraces
from autotune_bot.model.simulated import Refusal, Simulated
from autotune_bot.model.team_model import simulate_team
from autotune_bot.model.traces import TeamTraces
from autotune_bot.model.workflow_model import DEFAULT_BATCH_SIZE, simulate_workflow
from autotune_bot.tuning.config import TeamConfig, WorkflowConfig
from autotune_bot.tuning.suggestion import Estimate
from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.model import WorkflowDef

__all__ = ["Forecast", "predict_team", "predict_workflow"]


@dataclass(frozen=True)
class Forecast:
    """Both configurations' predicted outcomes and the paired comparison."""

    current: Prediction
    candidate: Prediction
    estimate: Estimate


def _forecast(
    now: Simulated | Refusal,
    then: Simulated | Refusal,
    rng: np.random.Generator,
    confidence: float,
    n_boot: int,
) -> Forecast | Refusal:
    if isinstance(now, Refusal):
        return now
    if isinstance(then, Refusal):
        return then
    return Forecast(
        outcome(now, confidence),
        outcome(then, confidence),
        compare(now, then, rng, confidence, n_boot),
    )


def predict_team(
    traces: TeamTraces,
    current: TeamConfig,
    candidate: TeamConfig,
    dependencies: Mapping[str, frozenset[str]],
    rng: np.random.Generator,
    *,
    member_budgets: Mapping[str, float] | None = None,
    confidence: float = 0.95,
    n_boot: int = 2000,
    min_samples: int = 20,
    min_overhead_samples: int = 20,
) -> Forecast | Refusal:
    """Simulate ``current`` and ``candidate`` on every execution of ``traces`` and compare."""
    every = np.arange(len(traces))
    now, then = (
        simulate_team(
            traces,
            current,
            config,
            every,
            dependencies,
            member_budgets=member_budgets,
            min_samples=min_samples,
            min_overhead_samples=min_overhead_samples,
        )
        for config in (current, candidate)
    )
    return _forecast(now, then, rng, confidence, n_boot)


def predict_workflow(
    traces: RunTraces,
    wf: WorkflowDef,
    graph: WorkflowGraph,
    current: WorkflowConfig,
    candidate: WorkflowConfig,
    prices: PriceTable,
    rng: np.random.Generator,
    *,
    confidence: float = 0.95,
    n_boot: int = 2000,
    min_samples: int = 20,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Forecast | Refusal:
    """Simulate ``current`` and ``candidate`` on every run of ``traces`` and compare."""
    every = np.arange(len(traces))
    now = simulate_workflow(
        traces,
        wf,
        graph,
        current,
        current,
        prices,
        every,
        rng,
        min_samples=min_samples,
        batch_size=batch_size,
    )
    then = simulate_workflow(
        traces,
        wf,
        graph,
        current,
        candidate,
        prices,
        every,
        rng,
        min_samples=min_samples,
        batch_size=batch_size,
    )
    return _forecast(now, then, rng, confidence, n_boot)
