"""Outcome summaries and the paired bootstrap comparison."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autotune_bot.model.compare import compare
from autotune_bot.model.outcome import outcome
from autotune_bot.model.simulated import Simulated

N = 400


def _sim(
    duration: np.ndarray,
    success: np.ndarray,
    cost: np.ndarray | None = None,
    executions: np.ndarray | None = None,
    notes: tuple[str, ...] = (),
) -> Simulated:
    return Simulated(
        np.arange(duration.size) if executions is None else executions,
        duration,
        np.full(duration.size, np.nan) if cost is None else cost,
        success,
        notes,
        "recorded executions of t (config abc1234)",
    )


def _pair() -> tuple[Simulated, Simulated]:
    """Current: log-normal durations; candidate: 30% faster with 2% jitter, 10% dearer, and
    10 more failures (of 400)."""
    rng = np.random.default_rng(11)
    d0 = rng.lognormal(3.0, 0.5, N)
    d1 = 0.7 * d0 * (1.0 + rng.normal(0.0, 0.02, N))
    ok0 = np.ones(N, dtype=bool)
    ok0[:20] = False
    ok1 = ok0.copy()
    ok1[20:30] = False
    current = _sim(d0, ok0, 0.01 * d0, notes=("current note",))
    candidate = _sim(d1, ok1, 0.011 * d0, notes=("candidate note", "current note"))
    return current, candidate


def test_outcome_charges_failed_runs_to_the_successful_ones() -> None:
    sim = _sim(np.array([10.0, 20.0, 30.0]), np.array([True, False, True]))
    out = outcome(sim)
    assert out.duration_per_success == 30.0
    assert out.success_rate == pytest.approx(2 / 3)
    assert out.success_interval[0] < 2 / 3 < out.success_interval[1]
    assert math.isnan(out.cost_per_success)
    assert out.cost_interval is None
    assert out.duration_interval is not None
    assert out.duration_interval[0] < 30.0 < out.duration_interval[1]


def test_paired_bootstrap_contains_the_true_change() -> None:
    current, candidate = _pair()
    est = compare(current, candidate, np.random.default_rng(5), 0.95, n_boot=1000)
    assert est.n == N
    assert est.basis == f"simulated from {N} recorded executions of t (config abc1234)"
    assert est.validated is False
    assert est.notes == ("candidate note", "current note")
    assert est.duration is not None
    assert est.cost is not None
    assert est.success is not None
    wins0, wins1 = N - 20, N - 30
    true_duration = 0.7 * wins0 / wins1 - 1.0  # the jitter averages out
    assert est.duration.interval is not None
    low, high = est.duration.interval
    assert low <= true_duration <= high
    # pairing: common variation cancels; with the pairs broken the interval is far wider
    order = np.random.default_rng(2).permutation(N)
    unpaired = _sim(candidate.duration[order], candidate.success[order])
    loose = compare(current, unpaired, np.random.default_rng(5), 0.95, n_boot=1000)
    assert loose.duration is not None
    assert loose.duration.relative == pytest.approx(est.duration.relative)
    assert loose.duration.interval is not None
    assert 3 * (high - low) < loose.duration.interval[1] - loose.duration.interval[0]
    assert est.cost.relative == pytest.approx(1.1 * wins0 / wins1 - 1.0)
    assert est.cost.interval is not None
    assert est.cost.interval[0] <= est.cost.relative <= est.cost.interval[1]
    assert est.success.relative == pytest.approx(-10 / N)
    assert est.success.interval is not None
    assert est.success.interval[0] <= -10 / N <= est.success.interval[1]


def test_the_comparison_is_reproducible_with_a_seed() -> None:
    current, candidate = _pair()
    first = compare(current, candidate, np.random.default_rng(9), n_boot=500)
    second = compare(current, candidate, np.random.default_rng(9), n_boot=500)
    assert first == second
    other = compare(current, candidate, np.random.default_rng(10), n_boot=500)
    assert other.duration is not None
    assert first.duration is not None
    assert other.duration.interval != first.duration.interval


def test_only_executions_both_replayed_are_compared() -> None:
    current, candidate = _pair()
    kept = np.arange(50, N)
    subset = _sim(candidate.duration[kept], candidate.success[kept], executions=kept)
    est = compare(current, subset, np.random.default_rng(1), n_boot=200)
    assert est.n == N - 50
    assert est.duration is not None
    expected = candidate.duration[kept].sum() / candidate.success[kept].sum()
    assert est.duration.predicted == pytest.approx(expected)
    assert est.cost is None  # the subset carries no cost
