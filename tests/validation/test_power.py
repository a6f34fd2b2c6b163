"""Runs per arm needed to decide (normal approximation on the log scale)."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from autotune_bot.validation.power import required_runs_per_arm

# two log values with sample variance 0.25 (σ = 0.5): var([0, b]) = b² / 2
HALF = np.array([0.0, math.sqrt(0.5)])


def test_five_percent_at_sigma_half_needs_about_1175_runs_per_arm() -> None:
    # (z_0.95 + z_0.8)² · 2σ² / log(0.95)² = 1174.9 for σ = 0.5 (the research notes' table)
    runs, sentence = required_runs_per_arm(
        HALF,
        HALF,
        log_ratio=math.log(0.95),
        margin_ratio=1.0,
        alpha=0.05,
        paired=False,
        method="t",
    )
    z = NormalDist().inv_cdf(0.95) + NormalDist().inv_cdf(0.8)
    assert runs == math.ceil(z**2 * 2 * 0.25 / math.log(0.95) ** 2) == 1175
    assert "1175 runs per arm" in sentence


def test_paired_uses_the_variance_of_log_ratios_and_no_factor_two() -> None:
    lc = np.array([0.0, 1.0, 2.0])
    lv = lc + np.array([-0.3, -0.1, -0.2])  # log ratios: variance 0.01
    runs, _ = required_runs_per_arm(
        lc, lv, log_ratio=-0.2, margin_ratio=0.95, alpha=0.05, paired=True, method="t"
    )
    z = NormalDist().inv_cdf(0.95) + NormalDist().inv_cdf(0.8)
    assert runs == max(2, math.ceil(z**2 * 0.01 / (math.log(0.95) + 0.2) ** 2))


def test_rank_method_pays_for_its_efficiency() -> None:
    args = {"log_ratio": math.log(0.8), "margin_ratio": 0.95, "alpha": 0.05, "paired": False}
    t_runs, _ = required_runs_per_arm(HALF, HALF, method="t", **args)  # type: ignore[arg-type]
    rank_runs, _ = required_runs_per_arm(HALF, HALF, method="rank", **args)  # type: ignore[arg-type]
    z = NormalDist().inv_cdf(0.95) + NormalDist().inv_cdf(0.8)
    base = z**2 * 2 * 0.25 / (math.log(0.95) - math.log(0.8)) ** 2
    assert (t_runs, rank_runs) == (math.ceil(base), math.ceil(base * math.pi / 3))


@pytest.mark.parametrize("observed", [0.95, 1.0, 1.3])
def test_no_answer_when_the_effect_is_not_beyond_the_margin(observed: float) -> None:
    runs, sentence = required_runs_per_arm(
        HALF,
        HALF,
        log_ratio=math.log(observed),
        margin_ratio=0.95,
        alpha=0.05,
        paired=False,
        method="t",
    )
    assert runs is None
    assert "not below the margin" in sentence


def test_a_noiseless_effect_still_needs_two_runs() -> None:
    same = np.array([1.0, 1.0])
    runs, _ = required_runs_per_arm(
        same, same - 0.5, log_ratio=-0.5, margin_ratio=0.95, alpha=0.05, paired=True, method="t"
    )
    assert runs == 2
