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
    with_cost = bool(np.isfinite(baseline.cost).any())
    base = outcome_of(baseline, with_cost=with_cost)
    if base.success_rate <= 0 or base.duration_per_run <= 0 or base.cost_per_run <= 0:
        return None
    c = settings.constraints
    below_floor = c.min_success_rate is not None and base.success_rate < c.min_success_rate
    guardrail = Guardrail(
        success_margin=o.success_margin,
        # a target already below the floor must not get worse (the margin); it need not
        # clear the floor in one step
        min_success_rate=None if below_floor else c.min_success_rate,
        max_cost_per_run=c.max_cost_usd if with_cost else None,
    )
    notes = []
    cost_weight = o.cost if with_cost else 0.0
    if not with_cost and o.cost > 0:
        notes.append("no cost recorded: the objective leaves cost out")
    if not with_cost and c.max_cost_usd is not None:
        notes.append("no cost recorded: constraints.max_cost_usd cannot be checked")
    duration_weight = o.duration
    if o.kind == "per_success":
        if duration_weight + cost_weight <= 0:
            duration_weight = 1.0
            notes.append("per_success has no quality term: duration per successful run used")
        objective = make_objective(
            "per_success",
            base,
            duration_weight=duration_weight,
            cost_weight=cost_weight,
            guardrail=guardrail,
        )
    else:
        if duration_weight + cost_weight + o.quality <= 0:
            duration_weight = 1.0
            notes.append("only the cost had a weight and no cost is recorded: duration used")
        if o.kind == "chebyshev":
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
    return Scorer(objective, with_cost, "; ".join(notes) or None)
