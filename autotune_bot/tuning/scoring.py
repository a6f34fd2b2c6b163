"""Scoring simulated executions with the objective of ``.autotune.yml``.

Converts a simulation into the search's :class:`~autotune_bot.search.objective.Outcome` and
builds the configured objective relative to the current configuration. When no execution
records a cost, the objective is on duration alone (and says so): a cost of 1 per run stands in
for every configuration so the cost ratio is neutral.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autotune_bot.model.simulated import Simulated
from autotune_bot.search.objective import Guardrail, Objective, Outcome, make_objective
from autotune_bot.settings import Settings

__all__ = ["Scorer", "outcome_of", "scorer_for"]


def outcome_of(sim: Simulated, *, with_cost: bool) -> Outcome:
    cost = sim.cost if with_cost else np.ones_like(sim.duration)
    if with_cost and not np.isfinite(cost).all():
        # executions without a cost count at the mean cost of those with one
        finite = cost[np.isfinite(cost)]
        cost = np.where(np.isfinite(cost), cost, finite.mean() if finite.size else 1.0)
    return Outcome.from_runs(sim.duration, cost, sim.success)


@dataclass(frozen=True)
class Scorer:
    objective: Objective
    with_cost: bool
    note: str | None  # e.g. "no cost recorded: objective on duration only"

    def outcome(self, sim: Simulated) -> Outcome:
        return outcome_of(sim, with_cost=self.with_cost)


def scorer_for(baseline: Simulated, settings: Settings) -> Scorer | None:
    """The objective relative to ``baseline`` (the current configuration's simulation), or
    None when the baseline has no successful execution to be relative to."""
    o = settings.objective
    with_cost = bool(np.isfinite(baseline.cost).any()) and o.cost > 0
    base = outcome_of(baseline, with_cost=with_cost)
    if base.success_rate <= 0 or base.duration_per_run <= 0 or base.cost_per_run <= 0:
        return None
    c = settings.constraints
    guardrail = Guardrail(
        success_margin=o.success_margin,
        min_success_rate=c.min_success_rate
        if c.min_success_rate is None or base.success_rate >= c.min_success_rate
        else None,
        max_cost_per_run=c.max_cost_usd if with_cost else None,
    )
    cost_weight = o.cost if with_cost else 0.0
    duration_weight = o.duration if (o.duration > 0 or cost_weight > 0) else 1.0
    note = None
    if not with_cost and o.cost > 0:
        note = "no cost recorded: the objective uses duration only"
    if o.kind == "per_success":
        objective = make_objective(
            "per_success",
            base,
            duration_weight=duration_weight,
            cost_weight=cost_weight,
            guardrail=guardrail,
        )
    elif o.kind == "chebyshev":
        weights = (duration_weight, cost_weight, o.quality)
        objective = make_objective("chebyshev", base, weights=weights, guardrail=guardrail)
    else:
        objective = make_objective(
            "weighted",
            base,
            duration_weight=duration_weight,
            cost_weight=cost_weight,
            quality_weight=o.quality,
            guardrail=guardrail,
        )
    return Scorer(objective, with_cost, note)
