"""The pre-run design check against the normal-approximation formulas, computed by hand."""

from __future__ import annotations

import math

import pytest

from autotune_bot.validation.design_check import check_design

# z_0.95 + z_0.80 = 1.644854 + 0.841621 (normal tables)
Z = 2.486475


def test_unpaired_twenty_runs_at_sigma_half() -> None:
    # se = 0.5 · √(2/20) = 0.158114; z·se = 0.393147; r* = 0.95 · e^−0.393147 = 0.641185
    # target 10 %: n = z² · 2 · 0.25 / (log 0.95 − log 0.90)² = 3.091280 / 0.054067² = 1057.5
    check = check_design(20, alpha=0.05, min_improvement=0.05, sigma=0.5, paired=False)
    assert check.units == 20
    assert check.detectable_improvement == pytest.approx(1 - 0.641185, abs=2e-6)
    assert check.target_improvement == pytest.approx(0.10)
    assert check.runs_for_target == 1058
    assert check.inputs_for_target is None
    assert check.warning is not None
    assert "at least 35.9%" in check.warning
    assert "needs about 1058 runs per arm" in check.warning


def test_without_a_margin_it_is_the_research_notes_mde_formula() -> None:
    # MDE ≈ 1 − exp(−z · σ · √(2/n)) (min_improvement 0): n = 20, σ 0.5 → 1 − e^−0.393147
    check = check_design(20, alpha=0.05, min_improvement=0.0, sigma=0.5, paired=False)
    assert check.detectable_improvement == pytest.approx(1 - math.exp(-Z * 0.5 * math.sqrt(0.1)))
    assert check.detectable_improvement == pytest.approx(0.325068, abs=2e-6)


def test_paired_with_repeated_inputs_counts_the_inputs() -> None:
    # 20 runs on 4 inputs: 4 units, se = 0.2/√4 = 0.1; r* = 0.95 · e^−0.2486475 = 0.740862
    # target 10 %: units = z² · 0.04 / 0.054067² = 84.6 → 85 inputs, at 5 pairs each 425 runs
    check = check_design(
        20, alpha=0.05, min_improvement=0.05, sigma=0.2, paired=True, distinct_inputs=4
    )
    assert check.units == 4
    assert check.detectable_improvement == pytest.approx(1 - 0.740862, abs=2e-6)
    assert check.inputs_for_target == 85
    assert check.runs_for_target == 425
    assert check.warning is not None
    assert "85 distinct inputs" in check.warning


def test_rank_tests_pay_pi_over_three_and_have_a_floor() -> None:
    # se² × π/3: σ_eff = 0.5 · √(π/3) = 0.511663; n = 1057.5 · π/3 = 1107.4 → 1108
    check = check_design(
        20, alpha=0.05, min_improvement=0.05, sigma=0.5, paired=False, method="rank"
    )
    assert check.runs_for_target == 1108
    assert check.smallest_p == pytest.approx(1 / math.comb(40, 20))
    # 4 distinct inputs: the exact signed-rank test's smallest p is 1/16 > 0.05
    floor = check_design(
        20,
        alpha=0.05,
        min_improvement=0.05,
        sigma=0.1,
        paired=True,
        distinct_inputs=4,
        method="rank",
    )
    assert floor.smallest_p == 1 / 16
    assert floor.warning is not None
    assert "cannot reach p < 0.05" in floor.warning


def test_a_sufficient_design_has_no_warning() -> None:
    # paired σ 0.1, target 25 %: z² · 0.01 / log(0.95/0.75)² = 1.1 → 2 runs ≤ 50
    check = check_design(
        50, alpha=0.05, min_improvement=0.05, sigma=0.1, paired=True, extra_improvement=0.2
    )
    assert check.runs_for_target == 2
    assert check.warning is None


def test_one_input_cannot_be_paired() -> None:
    one = check_design(
        20, alpha=0.05, min_improvement=0.05, sigma=0.5, paired=True, distinct_inputs=1
    )
    unpaired = check_design(20, alpha=0.05, min_improvement=0.05, sigma=0.5, paired=False)
    assert one.detectable_improvement == unpaired.detectable_improvement
    assert one.runs_for_target == unpaired.runs_for_target


def test_extreme_and_invalid_planning_values() -> None:
    huge = check_design(20, alpha=0.05, min_improvement=0.05, sigma=1e300, paired=False)
    assert huge.detectable_improvement is None
    assert huge.runs_for_target is None
    assert huge.warning is not None
    assert "no true improvement short of 100 % passes" in huge.warning
    zero = check_design(20, alpha=0.05, min_improvement=0.05, sigma=0.0, paired=False)
    assert zero.detectable_improvement == pytest.approx(0.05)
    assert zero.runs_for_target == 2
    kwargs = {"alpha": 0.05, "min_improvement": 0.05, "sigma": 0.5, "paired": False}
    for name, value in (
        ("sigma", math.nan),
        ("sigma", -1.0),
        ("alpha", 1.0),
        ("extra_improvement", 0.0),
    ):
        with pytest.raises(ValueError, match=name):
            check_design(20, **{**kwargs, name: value})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="runs_per_arm"):
        check_design(1, alpha=0.05, min_improvement=0.05, sigma=0.5, paired=False)
