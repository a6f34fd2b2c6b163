"""Outcomes and the objectives built on them."""

from __future__ import annotations

import math

import pytest

from autotune_bot.search.objective import (
    ChebyshevObjective,
    Guardrail,
    Outcome,
    PerSuccessObjective,
    WeightedObjective,
    make_objective,
)

BASE = Outcome(runs=100, success_rate=0.8, duration_per_run=100.0, cost_per_run=0.10)


def test_outcome_from_runs_and_per_success_figures() -> None:
    o = Outcome.from_runs([10.0, 20.0, 30.0, 40.0], [1.0, 1.0, 2.0, 0.0], [True, True, False, True])
    assert o.runs == 4
    assert o.success_rate == 0.75
    assert o.duration_per_run == 25.0
    assert o.duration_per_success == pytest.approx(100.0 / 3)  # total duration / successes
    assert o.cost_per_success == pytest.approx(4.0 / 3)


def test_no_success_means_infinite_cost_per_success() -> None:
    o = Outcome.from_runs([5.0, 6.0], [0.1, 0.1], [False, False])
    assert math.isinf(o.duration_per_success)
    assert math.isinf(o.cost_per_success)


def test_pool_is_the_outcome_of_all_runs() -> None:
    a = Outcome.from_runs([1.0, 3.0], [0.1, 0.3], [True, False])
    b = Outcome.from_runs([5.0, 7.0, 9.0], [0.5, 0.7, 0.9], [True, True, True])
    both = Outcome.from_runs([1.0, 3.0, 5.0, 7.0, 9.0], [0.1, 0.3, 0.5, 0.7, 0.9], [1, 0, 1, 1, 1])
    pooled = Outcome.pool([a, b])
    assert pooled.runs == both.runs
    assert pooled.success_rate == pytest.approx(both.success_rate)
    assert pooled.duration_per_success == pytest.approx(both.duration_per_success)
    assert pooled.cost_per_success == pytest.approx(both.cost_per_success)


def test_outcome_validation() -> None:
    with pytest.raises(ValueError, match="run"):
        Outcome(0, 1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="success rate"):
        Outcome(3, 1.5, 1.0, 1.0)
    with pytest.raises(ValueError, match="equally long"):
        Outcome.from_runs([1.0], [1.0, 2.0], [True])
    with pytest.raises(ValueError, match="nothing"):
        Outcome.pool([])


def test_per_success_scores_the_baseline_one_and_weights_are_configurable() -> None:
    objective = PerSuccessObjective(BASE)
    assert objective(BASE).value == pytest.approx(1.0)
    assert objective(BASE).feasible
    faster = Outcome(100, 0.8, 50.0, 0.10)  # half the duration, same cost
    assert objective(faster).value == pytest.approx(0.75)
    assert PerSuccessObjective(BASE, duration_weight=1.0, cost_weight=0.0)(faster).value == (
        pytest.approx(0.5)
    )
    # fewer successes make every success dearer
    flaky = Outcome(100, 0.4, 100.0, 0.10)
    assert objective(flaky).value == pytest.approx(2.0)


def test_per_success_guardrail_margin_and_absolute_limits() -> None:
    objective = PerSuccessObjective(BASE)  # success ≥ 0.78
    assert objective(Outcome(20, 0.78, 80.0, 0.1)).feasible
    slightly_worse = Outcome(20, 0.75, 80.0, 0.1)
    assert not objective(slightly_worse).feasible
    assert objective.slack(slightly_worse) == pytest.approx(-0.03)
    assert PerSuccessObjective(BASE, guardrail=Guardrail(success_margin=0.1))(
        slightly_worse
    ).feasible
    strict = PerSuccessObjective(BASE, guardrail=Guardrail(None, min_success_rate=0.9))
    assert not strict(BASE).feasible
    capped = PerSuccessObjective(BASE, guardrail=Guardrail(None, max_cost_per_run=0.05))
    assert not capped(BASE).feasible
    assert capped(Outcome(10, 0.8, 100.0, 0.04)).feasible
    assert capped.slack(Outcome(10, 0.8, 100.0, 0.04)) == pytest.approx(0.2)
    assert math.isinf(PerSuccessObjective(BASE, guardrail=None).slack(BASE))


def test_per_success_with_no_success_is_infinite_and_infeasible() -> None:
    value, feasible = PerSuccessObjective(BASE, guardrail=None)(Outcome(5, 0.0, 10.0, 0.01))
    assert math.isinf(value)
    assert not feasible


def test_weighted_sum_prefers_fast_failure_but_per_success_does_not() -> None:
    """The design's weighted sum is unsound: failing early is fast and cheap."""
    reliable = Outcome(50, 0.9, 90.0, 0.09)  # a bit better than the baseline on everything
    fails_fast = Outcome(50, 0.15, 20.0, 0.02)  # stops at once in 85 % of the runs
    weighted = WeightedObjective(BASE)
    assert weighted(fails_fast).value < weighted(reliable).value  # picks the failing one
    assert weighted(fails_fast).feasible  # nothing stops it: no guardrail by default
    per_success = PerSuccessObjective(BASE)
    assert per_success(reliable).value < per_success(fails_fast).value
    assert per_success(reliable).feasible
    assert not per_success(fails_fast).feasible


def test_weighted_sum_matches_the_design_formula() -> None:
    o = Outcome(10, 0.5, 50.0, 0.2)
    expected = 0.4 * 0.5 + 0.4 * 2.0 + 0.2 * 0.5
    assert WeightedObjective(BASE)(o).value == pytest.approx(expected)


def test_chebyshev_baseline_scores_one_and_respects_dominance() -> None:
    objective = ChebyshevObjective(BASE)
    assert objective(BASE).value == pytest.approx(1.0)
    better = Outcome(100, 0.85, 80.0, 0.08)
    worse = Outcome(100, 0.75, 120.0, 0.12)
    assert objective(better).value < 1.0 < objective(worse).value


def test_chebyshev_weights_choose_the_trade_off() -> None:
    fast_dear = Outcome(100, 0.8, 50.0, 0.15)
    slow_cheap = Outcome(100, 0.8, 150.0, 0.05)
    time_first = ChebyshevObjective(BASE, weights=(3.0, 1.0, 1.0))
    cost_first = ChebyshevObjective(BASE, weights=(1.0, 3.0, 1.0))
    assert time_first(fast_dear).value < time_first(slow_cheap).value
    assert cost_first(slow_cheap).value < cost_first(fast_dear).value


def test_make_objective_and_bad_options() -> None:
    assert isinstance(make_objective("per_success", BASE), PerSuccessObjective)
    assert isinstance(make_objective("weighted", BASE), WeightedObjective)
    assert isinstance(make_objective("chebyshev", BASE, rho=0.1), ChebyshevObjective)
    with pytest.raises(ValueError, match="unknown objective"):
        make_objective("fastest", BASE)
    with pytest.raises(ValueError, match="weights"):
        PerSuccessObjective(BASE, duration_weight=-1.0)
    with pytest.raises(ValueError, match="baseline"):
        PerSuccessObjective(Outcome(10, 0.0, 1.0, 1.0))
