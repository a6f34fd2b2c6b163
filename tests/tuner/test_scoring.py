"""scorer_for: the objective of .autotune.yml relative to the current configuration's
simulation; duration alone when no cost is recorded; the guardrails; the three kinds."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from autotune_bot.model.simulated import Simulated
from autotune_bot.search.objective import (
    ChebyshevObjective,
    Guardrail,
    PerSuccessObjective,
    WeightedObjective,
)
from autotune_bot.settings import Settings
from autotune_bot.tuning.scoring import Scorer, outcome_of, scorer_for

N = 20


def sim(duration: float, cost: float | None, success: float = 1.0) -> Simulated:
    """N executions of ``duration`` s and ``cost`` USD (None: not recorded), the first
    ``success`` share of them successful."""
    ok = np.arange(N) < round(success * N)
    costs = np.full(N, math.nan if cost is None else cost)
    return Simulated(np.arange(N), np.full(N, duration), costs, ok, (), "test executions")


def scorer(baseline: Simulated, **settings: Any) -> Scorer:
    found = scorer_for(baseline, Settings.model_validate(settings))
    assert found is not None
    return found


def guardrail(s: Scorer) -> Guardrail:
    objective = s.objective
    assert isinstance(objective, PerSuccessObjective | ChebyshevObjective | WeightedObjective)
    assert objective.guardrail is not None
    return objective.guardrail


def value(s: Scorer, candidate: Simulated) -> tuple[float, bool]:
    score = s.objective(s.outcome(candidate))
    return score.value, score.feasible


def test_without_recorded_cost_the_objective_is_duration_only() -> None:
    s = scorer(sim(10.0, None))
    assert not s.with_cost
    assert s.note is not None
    assert "leaves cost out" in s.note
    assert isinstance(s.objective, PerSuccessObjective)
    # 20% faster is a 20% better objective, whatever the cost weight says
    assert value(s, sim(8.0, None)) == pytest.approx((0.8, True))
    # and a (recorded) cost of the candidate does not enter the score
    assert value(s, sim(8.0, 5.0))[0] == pytest.approx(0.8)


def test_with_recorded_cost_both_count_by_their_weights() -> None:
    s = scorer(sim(10.0, 2.0), objective={"duration": 0.75, "cost": 0.25})
    assert s.with_cost
    assert s.note is None
    # duration ratio 0.8, cost ratio 1.5
    assert value(s, sim(8.0, 3.0))[0] == pytest.approx(0.75 * 0.8 + 0.25 * 1.5)


def test_missing_costs_count_at_the_mean_recorded_cost() -> None:
    partial = sim(10.0, 2.0)
    partial.cost[: N // 2] = math.nan
    outcome = outcome_of(partial, with_cost=True)
    assert outcome.cost_per_run == pytest.approx(2.0)
    assert outcome_of(partial, with_cost=False).cost_per_run == pytest.approx(1.0)


def test_per_success_counts_failed_runs() -> None:
    s = scorer(sim(10.0, None))
    # same duration per run, but only 90% succeed: 1/0.9 per success
    got, feasible = value(s, sim(10.0, None, success=0.9))
    assert got == pytest.approx(1 / 0.9)
    assert not feasible  # 10 points below the baseline, more than the 0.02 margin


def test_guardrail_success_margin_from_settings() -> None:
    lenient = scorer(sim(10.0, None), objective={"success_margin": 0.15})
    assert guardrail(lenient).success_margin == 0.15
    assert value(lenient, sim(5.0, None, success=0.9))[1]
    strict = scorer(sim(10.0, None), objective={"success_margin": 0.05})
    assert not value(strict, sim(5.0, None, success=0.9))[1]


def test_guardrail_min_success_rate_only_when_the_baseline_keeps_it() -> None:
    kept = scorer(sim(10.0, None, success=0.95), constraints={"min_success_rate": 0.9})
    assert guardrail(kept).min_success_rate == 0.9
    # below the floor but within the margin: still refused
    broad = scorer(
        sim(10.0, None, success=0.95),
        constraints={"min_success_rate": 0.9},
        objective={"success_margin": 0.2},
    )
    assert not value(broad, sim(5.0, None, success=0.85))[1]
    # a baseline already below the floor cannot be held to it (every candidate would fail)
    below = scorer(sim(10.0, None, success=0.7), constraints={"min_success_rate": 0.9})
    assert guardrail(below).min_success_rate is None
    assert value(below, sim(5.0, None, success=0.7))[1]


def test_guardrail_max_cost_with_recorded_cost() -> None:
    s = scorer(sim(10.0, 2.0), constraints={"max_cost_usd": 2.5})
    assert guardrail(s).max_cost_per_run == 2.5
    assert value(s, sim(5.0, 2.4))[1]
    assert not value(s, sim(5.0, 3.0))[1]
    # without recorded cost there is nothing to hold the limit against
    assert (
        guardrail(scorer(sim(10.0, None), constraints={"max_cost_usd": 2.5})).max_cost_per_run
        is None
    )


def test_max_cost_constraint_holds_when_cost_is_not_in_the_objective() -> None:
    s = scorer(
        sim(10.0, 2.0), objective={"duration": 1.0, "cost": 0.0}, constraints={"max_cost_usd": 2.5}
    )
    assert not value(s, sim(5.0, 3.0))[1]


def test_kind_chebyshev_uses_the_three_weights() -> None:
    s = scorer(
        sim(10.0, 2.0),
        objective={"kind": "chebyshev", "duration": 0.6, "cost": 0.3, "quality": 0.1},
    )
    assert isinstance(s.objective, ChebyshevObjective)
    assert s.objective.weights == (0.6, 0.3, 0.1)
    assert value(s, sim(10.0, 2.0))[0] == pytest.approx(1.0)
    assert value(s, sim(5.0, 2.0))[0] < 1.0


def test_kind_weighted_uses_per_run_means() -> None:
    s = scorer(
        sim(10.0, 2.0), objective={"kind": "weighted", "duration": 0.4, "cost": 0.4, "quality": 0.2}
    )
    assert isinstance(s.objective, WeightedObjective)
    assert (s.objective.duration_weight, s.objective.cost_weight) == (0.4, 0.4)
    assert s.objective.quality_weight == 0.2
    # 0.4·0.5 + 0.4·1 + 0.2·(1 − 1)
    assert value(s, sim(5.0, 2.0))[0] == pytest.approx(0.6)


def test_kind_per_success_is_the_default() -> None:
    s = scorer(sim(10.0, 2.0))
    assert isinstance(s.objective, PerSuccessObjective)
    assert (s.objective.duration_weight, s.objective.cost_weight) == (0.5, 0.5)
    assert value(s, sim(10.0, 2.0)) == pytest.approx((1.0, True))


def test_quality_only_objective_does_not_add_a_duration_weight() -> None:
    s = scorer(
        sim(10.0, 2.0), objective={"kind": "chebyshev", "duration": 0, "cost": 0, "quality": 1}
    )
    assert isinstance(s.objective, ChebyshevObjective)
    assert s.objective.weights[0] == 0.0


def test_baseline_without_success_has_no_objective() -> None:
    assert scorer_for(sim(10.0, 2.0, success=0.0), Settings()) is None
