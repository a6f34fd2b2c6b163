"""Runs per arm needed to decide (normal approximation on the log scale), by hand."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autotune_bot.validation.power import (
    required_runs_per_arm,
    runs_to_show,
    success_runs_to_show,
    units_to_show,
)

# two log values with sample variance 0.25 (σ = 0.5): var([0, b]) = b² / 2
HALF = np.array([0.0, math.sqrt(0.5)])
Z = NormalDist().inv_cdf(0.95) + NormalDist().inv_cdf(0.8)  # 1.6449 + 0.8416


def test_five_percent_at_sigma_half_needs_about_1175_runs_per_arm() -> None:
    # (z_0.95 + z_0.8)² · 2σ² / log(0.95)² = 1174.9 for σ = 0.5 (the research notes' table)
    needed = required_runs_per_arm(
        HALF,
        HALF,
        log_ratio=math.log(0.95),
        margin_ratio=1.0,
        alpha=0.05,
        paired=False,
        method="t",
    )
    assert needed.runs == math.ceil(Z**2 * 2 * 0.25 / math.log(0.95) ** 2) == 1175
    assert needed.decision == "passed"
    assert "about 1175 runs per arm" in needed.sentence


def test_paired_uses_the_variance_of_log_ratios_and_no_factor_two() -> None:
    lc = np.array([0.0, 1.0, 2.0])
    lv = lc + np.array([-0.3, -0.1, -0.2])  # log ratios: variance 0.01
    needed = required_runs_per_arm(
        lc, lv, log_ratio=-0.2, margin_ratio=0.95, alpha=0.05, paired=True, method="t"
    )
    assert needed.runs == max(2, math.ceil(Z**2 * 0.01 / (math.log(0.95) + 0.2) ** 2))


def test_repeated_inputs_scale_the_inputs_not_the_repeats() -> None:
    # 3 inputs, 4 pairs each: the variance is that of the per-input means; the runs are
    # (inputs needed) × 4
    lc = np.zeros(3)
    lv = np.array([-0.5, -0.3, -0.4])  # variance 0.01
    needed = required_runs_per_arm(
        lc,
        lv,
        log_ratio=-0.4,
        margin_ratio=0.95,
        alpha=0.05,
        paired=True,
        method="t",
        pairs_per_unit=4.0,
    )
    units = math.ceil(Z**2 * 0.01 / (math.log(0.95) + 0.4) ** 2)
    assert needed.runs == 4 * max(2, units)
    assert "distinct inputs with about 4 pairs each" in needed.sentence


def test_rank_method_pays_for_its_efficiency() -> None:
    args = {"log_ratio": math.log(0.8), "margin_ratio": 0.95, "alpha": 0.05, "paired": False}
    t_runs = required_runs_per_arm(HALF, HALF, method="t", **args).runs  # type: ignore[arg-type]
    rank_runs = required_runs_per_arm(HALF, HALF, method="rank", **args).runs  # type: ignore[arg-type]
    base = Z**2 * 2 * 0.25 / (math.log(0.95) - math.log(0.8)) ** 2
    assert (t_runs, rank_runs) == (math.ceil(base), math.ceil(base * math.pi / 3))


def test_an_observed_regression_gives_the_runs_to_show_failed() -> None:
    # the ratio 1.3 is above 1: the figure is for the "worse" test (threshold 1), not the margin
    needed = required_runs_per_arm(
        HALF,
        HALF,
        log_ratio=math.log(1.3),
        margin_ratio=0.95,
        alpha=0.05,
        paired=False,
        method="t",
    )
    assert needed.decision == "failed"
    # 6.1826 · 0.5 / 0.26236² = 44.9 → 45
    assert needed.runs == math.ceil(Z**2 * 2 * 0.25 / math.log(1.3) ** 2) == 45
    assert "verdict failed" in needed.sentence


@pytest.mark.parametrize("observed", [0.95, 0.97, 1.0])
def test_no_answer_between_the_margin_and_one(observed: float) -> None:
    needed = required_runs_per_arm(
        HALF,
        HALF,
        log_ratio=math.log(observed),
        margin_ratio=0.95,
        alpha=0.05,
        paired=False,
        method="t",
    )
    assert needed.runs is None
    assert needed.decision is None
    assert "lies between the margin 0.950 and 1" in needed.sentence


def test_a_noiseless_effect_still_needs_two_runs() -> None:
    same = np.array([1.0, 1.0])
    needed = required_runs_per_arm(
        same, same - 0.5, log_ratio=-0.5, margin_ratio=0.95, alpha=0.05, paired=True, method="t"
    )
    assert needed.runs == 2


def test_guardrail_runs_and_success_runs_by_hand() -> None:
    # cost ratio 1.5 against a 1.1 tolerance, σ 0.5 unpaired
    runs = runs_to_show(
        HALF, HALF, effect=math.log(1.5) - math.log(1.1), alpha=0.05, paired=False, method="t"
    )
    assert runs == math.ceil(Z**2 * 2 * 0.25 / (math.log(1.5 / 1.1)) ** 2)
    # success 10/10 vs 8/10, margin 0.02: z² (0 + 0.16) / 0.18² = 30.5 → 31
    assert success_runs_to_show(1.0, 0.8, margin=0.02, alpha=0.05) == math.ceil(
        Z**2 * 0.16 / 0.18**2
    )
    assert success_runs_to_show(1.0, 0.8, margin=0.02, alpha=0.05) == 31
    assert success_runs_to_show(0.9, 0.9, margin=0.02, alpha=0.05) is None  # not beyond


def test_extreme_values_give_no_figure_instead_of_an_exception() -> None:
    # 1e-300 vs 1e300: log ratio ≈ 1381.6, beyond what exp can represent
    lc = np.log(np.array([1e-300, 2e-300]))
    lv = np.log(np.array([1e300, 2e300]))
    needed = required_runs_per_arm(
        lc,
        lv,
        log_ratio=float(np.mean(lv - lc)),
        margin_ratio=0.95,
        alpha=0.05,
        paired=False,
        method="t",
    )
    assert needed.decision == "failed"
    assert needed.runs == 2  # a huge, noiseless effect
    assert "inf" in needed.sentence  # the observed ratio overflows: printed as inf
    assert units_to_show(1.0, 1e-200, alpha=0.05, power=0.8, paired=True, method="t") is None
    assert units_to_show(1e300, 1e-10, alpha=0.05, power=0.8, paired=True, method="t") is None


extreme = st.floats(min_value=0.0, max_value=1.7e308, allow_subnormal=True)


@given(st.lists(extreme, min_size=2, max_size=6), st.lists(extreme, min_size=2, max_size=6))
@settings(max_examples=60, deadline=None)
def test_any_finite_values_give_a_figure_or_none(c: list[float], v: list[float]) -> None:
    lc = np.log(np.maximum(np.array(c), 5e-324))
    lv = np.log(np.maximum(np.array(v), 5e-324))
    needed = required_runs_per_arm(
        lc,
        lv,
        log_ratio=float(np.mean(lv) - np.mean(lc)),
        margin_ratio=0.95,
        alpha=0.05,
        paired=False,
        method="rank",
    )
    assert needed.runs is None or needed.runs >= 2


def test_rank_figures_respect_the_exact_tests_floor() -> None:
    # 2⁻⁴ = 0.0625 ≥ 0.05 > 2⁻⁵: 5 paired units; 1/C(6, 3) = 0.05 ≥ 0.05 > 1/C(8, 4): 4 runs
    assert units_to_show(0.0, 1.0, alpha=0.05, power=0.8, paired=True, method="rank") == 5
    assert units_to_show(0.0, 1.0, alpha=0.05, power=0.8, paired=False, method="rank") == 4
    assert units_to_show(0.0, 1.0, alpha=0.05, power=0.8, paired=True, method="t") == 2
