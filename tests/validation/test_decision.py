"""The A/B verdict: every status reachable, for the documented reasons."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped]

from autotune_bot.settings.proposals import ABTestSettings
from autotune_bot.validation.decision import decide
from autotune_bot.validation.exact_binomial import (
    farrington_manning_pvalue,
    success_noninferior_pvalue,
    success_worse_pvalue,
)
from autotune_bot.validation.report import result_to_json
from autotune_bot.validation.runs import Arm, RunResult

N = 20
NOISE_C = np.random.default_rng(1).lognormal(0.0, 0.2, N)
NOISE_V = np.random.default_rng(2).lognormal(0.0, 0.2, N)


def runs(
    arm: Arm,
    durations: Sequence[float] | np.ndarray,
    costs: Sequence[float | None] | None = None,
    successes: Sequence[bool] | None = None,
    trials: Sequence[int] | None = None,
) -> list[RunResult]:
    costs = costs if costs is not None else [1.0] * len(durations)
    successes = successes if successes is not None else [True] * len(durations)
    trials = trials if trials is not None else range(len(durations))
    return [
        RunResult(
            arm=arm,
            trial=t,
            input=None,
            duration_seconds=float(d),
            cost_usd=None if c is None else float(c),
            success=s,
            exit_code=0 if s else 1,
            timed_out=False,
            source="stdout",
        )
        for d, c, s, t in zip(durations, costs, successes, trials, strict=True)
    ]


def runs_with_inputs(arm: Arm, durations: np.ndarray, inputs: Sequence[str]) -> list[RunResult]:
    return [
        dataclasses.replace(r, input=task)
        for r, task in zip(runs(arm, durations), inputs, strict=True)
    ]


def control(scale: float = 10.0, **kw: object) -> list[RunResult]:
    return runs("control", scale * NOISE_C, **kw)  # type: ignore[arg-type]


def variant(scale: float, **kw: object) -> list[RunResult]:
    return runs("variant", scale * NOISE_V, **kw)  # type: ignore[arg-type]


DEFAULT = ABTestSettings()


@pytest.mark.parametrize("method", ["t", "rank"])
@pytest.mark.parametrize("paired", [False, True])
def test_a_clear_improvement_passes(method: str, paired: bool) -> None:
    result = decide(control(), variant(6.0), ABTestSettings(method=method), paired=paired)
    assert result.status == "passed"
    duration = result.metric("duration")
    assert duration is not None
    assert duration.p_improvement is not None
    assert duration.p_improvement < 0.05
    assert duration.interval is not None
    assert duration.interval[1] < 0.95  # the interval is reported and lies below the margin
    assert result.reasons[0].startswith("duration improves beyond the margin")
    assert result.paired is paired
    assert result.required_runs_per_arm is not None


def test_a_clear_regression_fails_on_the_primary_metric() -> None:
    result = decide(control(), variant(14.0), DEFAULT, paired=False)
    assert result.status == "failed"
    assert result.reasons[0].startswith("duration is worse")
    # the runs needed are those of the decision the data point to: "failed" (threshold 1)
    lc, lv = np.log(10.0 * NOISE_C), np.log(14.0 * NOISE_V)
    variance = (np.var(lc, ddof=1) + np.var(lv, ddof=1)) / 2
    z = NormalDist().inv_cdf(0.95) + NormalDist().inv_cdf(0.8)
    by_hand = max(2, math.ceil(z**2 * 2 * variance / (np.mean(lv) - np.mean(lc)) ** 2))
    assert result.required_runs_per_arm == by_hand
    assert result.required_runs_decision == "failed"


def test_an_effect_between_the_margin_and_one_cannot_be_decided_by_more_runs() -> None:
    same = runs("variant", 10.0 * NOISE_C)
    result = decide(control(), same, DEFAULT, paired=False)  # ratio exactly 1
    assert result.required_runs_per_arm is None
    assert result.required_runs_decision is None
    assert any("lies between the margin 0.950 and 1" in r for r in result.reasons)


def test_no_change_is_inconclusive() -> None:
    same = runs("variant", 10.0 * NOISE_C)
    result = decide(control(), same, DEFAULT, paired=False)
    assert result.status == "inconclusive"
    duration = result.metric("duration")
    assert duration is not None
    assert duration.p_worse == pytest.approx(0.5)  # identical samples: t = 0
    assert duration.ratio == pytest.approx(1.0)


def test_success_guardrail_can_fail_a_faster_variant() -> None:
    # the variant crashes early in 8 of 20 runs: faster, but it fails more often; failed runs
    # stay in the sample
    ok = [i % 5 not in (1, 3) for i in range(N)]
    result = decide(control(), variant(6.0, successes=ok), DEFAULT, paired=False)
    assert result.status == "failed"
    assert result.success.successes_variant == 12
    assert result.success.n_variant == N
    assert result.metric("duration").n_variant == N  # type: ignore[union-attr]
    assert result.metric("duration").p_improvement < 0.05  # type: ignore[union-attr, operator]
    assert result.reasons[0].startswith("success guardrail violated")
    raw = success_worse_pvalue(N, N, 12, N, 0.02)
    assert result.success.p_worse == raw
    assert result.success.guardrail == "violated"


def test_a_faster_variant_that_crashes_more_often_does_not_pass() -> None:
    # 40 % faster, 2 of 10 runs crash: the harm test cannot show a 20-point drop with 10 runs,
    # but the observed drop is beyond the 2-point tolerance, so the verdict cannot be passed
    ok = [True] * 8 + [False] * 2
    result = decide(
        control()[:10], runs("variant", 6.0 * NOISE_V[:10], successes=ok), DEFAULT, paired=False
    )
    assert result.metric("duration").p_improvement < 0.05  # type: ignore[union-attr, operator]
    assert result.success.p_worse_adjusted is not None
    assert result.success.p_worse_adjusted >= 0.05  # not shown violated
    assert result.success.guardrail == "beyond_tolerance"
    assert result.status == "inconclusive"
    sentence = next(r for r in result.reasons if r.startswith("success guardrail beyond"))
    assert "variant 8/10, control 10/10, 20.0 points lower (tolerance 2 points)" in sentence
    # runs to show the drop: (z_0.95 + z_0.8)² · (1·0 + 0.8·0.2) / (0.2 − 0.02)² = 30.5 → 31
    assert result.success.runs_to_tell == 31
    assert "about 31 runs per arm would show it violated" in sentence
    assert result.required_runs_per_arm == 31
    assert result.required_runs_decision == "failed"


def test_cost_guardrail_can_fail_a_faster_variant() -> None:
    dear = variant(6.0, costs=(2.0 * NOISE_V).tolist())
    result = decide(control(costs=NOISE_C.tolist()), dear, DEFAULT, paired=False)
    assert result.status == "failed"
    assert result.reasons[0].startswith("cost guardrail violated: shown worse by more than 10%")
    assert result.metric("cost").guardrail == "violated"  # type: ignore[union-attr]
    cost = result.metric("cost")
    assert cost is not None
    assert cost.role == "guardrail"
    assert cost.p_improvement is None


def test_a_cost_rise_within_the_tolerance_does_not_fail() -> None:
    slightly = variant(6.0, costs=(1.02 * NOISE_V).tolist())
    result = decide(control(costs=NOISE_C.tolist()), slightly, DEFAULT, paired=False)
    assert result.status == "passed"
    cost = result.metric("cost")
    assert cost is not None
    assert cost.ratio is not None
    assert cost.ratio <= 1.1
    assert cost.guardrail == "holds"
    assert any(r.startswith("cost guardrail holds") for r in result.reasons)


def test_a_cost_rise_beyond_the_tolerance_blocks_a_pass_without_failing() -> None:
    # 8 runs, cost noise σ 0.5, true cost ×1.5: observed beyond 1.1 but not shown beyond it
    rng = np.random.default_rng(3)
    cheap, dear = rng.lognormal(0.0, 0.5, 8), 1.5 * rng.lognormal(0.0, 0.5, 8)
    result = decide(
        runs("control", 10.0 * NOISE_C[:8], costs=cheap.tolist()),
        runs("variant", 6.0 * NOISE_V[:8], costs=dear.tolist()),
        DEFAULT,
        paired=False,
    )
    cost = result.metric("cost")
    assert cost is not None
    assert cost.ratio == pytest.approx(math.exp(np.mean(np.log(dear)) - np.mean(np.log(cheap))))
    assert cost.ratio > 1.1
    assert cost.p_guardrail_adjusted is not None
    assert cost.p_guardrail_adjusted >= 0.05
    assert cost.guardrail == "beyond_tolerance"
    assert cost.noninferiority_shown is False
    assert result.status == "inconclusive"
    assert any(r.startswith("cost guardrail beyond its tolerance") for r in result.reasons)
    assert result.required_runs_decision == "failed"
    assert result.required_runs_per_arm == cost.runs_to_tell


def test_noninferiority_is_reported_but_not_required() -> None:
    result = decide(
        control(costs=NOISE_C.tolist()),
        variant(6.0, costs=(1.02 * NOISE_V).tolist()),
        DEFAULT,
        paired=False,
    )
    assert result.status == "passed"
    cost = result.metric("cost")
    assert cost is not None
    assert cost.p_noninferior == pytest.approx(
        stats.ttest_ind(
            np.log(1.02 * NOISE_V),
            np.log(NOISE_C) + math.log(1.1),
            equal_var=False,
            alternative="less",
        ).pvalue
    )
    # 20/20 vs 20/20 cannot show a success rate within 2 points: information only
    assert result.success.p_noninferior == success_noninferior_pvalue(N, N, N, N, 0.02)
    assert result.success.noninferiority_shown is False
    assert any("non-inferiority not shown" in r for r in result.reasons)


def test_holm_adjusts_across_both_guardrails() -> None:
    ok = [i not in (2, 9, 15) for i in range(N)]
    result = decide(
        control(costs=NOISE_C.tolist()),
        variant(6.0, costs=(1.15 * NOISE_V).tolist(), successes=ok),
        DEFAULT,
        paired=False,
    )
    cost = result.metric("cost")
    assert cost is not None
    assert cost.p_worse is not None
    assert result.success.p_worse is not None
    pc, ps = cost.p_worse, result.success.p_worse
    assert 0.001 < min(pc, ps) < 0.5  # both guardrails carry some evidence
    first = min(1.0, 2 * min(pc, ps))  # smallest p-value × 2, then the other one × 1
    second = max(first, max(pc, ps))
    want_cost, want_success = (first, second) if pc <= ps else (second, first)
    assert cost.p_guardrail_adjusted == pytest.approx(want_cost)
    assert result.success.p_worse_adjusted == pytest.approx(want_success)
    # the non-inferiority tests form their own Holm family
    nc, ns = cost.p_noninferior, result.success.p_noninferior
    assert nc is not None
    assert ns is not None
    first = min(1.0, 2 * min(nc, ns))
    second = max(first, max(nc, ns))
    want_cost, want_success = (first, second) if nc <= ns else (second, first)
    assert cost.p_noninferior_adjusted == pytest.approx(want_cost)
    assert result.success.p_noninferior_adjusted == pytest.approx(want_success)


def test_cost_as_primary_metric_with_duration_as_guardrail() -> None:
    cheaper = variant(10.0, costs=(0.5 * NOISE_V).tolist())
    settings_ = ABTestSettings(primary_metric="cost")
    result = decide(control(costs=NOISE_C.tolist()), cheaper, settings_, paired=False)
    assert result.status == "passed"
    assert result.metric("cost").role == "primary"  # type: ignore[union-attr]
    assert result.metric("duration").role == "guardrail"  # type: ignore[union-attr]
    assert result.reasons[0].startswith("cost improves beyond the margin")


def test_a_guardrail_reported_by_some_runs_is_compared_on_those() -> None:
    costs: list[float | None] = (1.03 * NOISE_V).tolist()
    costs[4] = None
    result = decide(
        control(costs=NOISE_C.tolist()), variant(6.0, costs=costs), DEFAULT, paired=False
    )
    cost = result.metric("cost")
    assert cost is not None
    assert cost.measured
    assert (cost.n_control, cost.n_variant, cost.left_out) == (N, N - 1, 1)
    kept = np.delete(1.03 * NOISE_V, 4)
    assert cost.p_worse == pytest.approx(
        stats.ttest_ind(
            np.log(kept), np.log(NOISE_C) + math.log(1.1), equal_var=False, alternative="greater"
        ).pvalue
    )
    assert "cost: compared on the runs that report a cost: 1 run(s) without one left out" in (
        result.reasons
    )
    assert cost.guardrail == "holds"
    assert result.status == "passed"


def test_a_guardrail_no_run_reports_is_not_measured_and_does_not_block() -> None:
    result = decide(
        control(costs=[None] * N), variant(6.0, costs=[None] * N), DEFAULT, paired=False
    )
    cost = result.metric("cost")
    assert cost is not None
    assert not cost.measured
    assert cost.guardrail == "not_measured"
    assert cost.median_control is None
    assert cost.ratio is None
    assert cost.p_worse is None
    assert "cost: not measured: 40 of 40 runs report no cost" in result.reasons
    # the success guardrail is then the only one: Holm leaves its p-value alone
    assert result.success.p_worse_adjusted == result.success.p_worse
    assert result.status == "passed"


def test_a_guardrail_too_few_runs_report_cannot_be_checked_and_blocks_a_pass() -> None:
    result = decide(
        control(costs=NOISE_C.tolist()), variant(6.0, costs=[None] * N), DEFAULT, paired=False
    )
    cost = result.metric("cost")
    assert cost is not None
    assert cost.guardrail == "unchecked"
    assert cost.left_out == N
    assert result.status == "inconclusive"
    assert any(
        "too few runs report a cost to compare (20 control, 0 variant" in r for r in result.reasons
    )


def test_primary_metric_not_measured_is_inconclusive() -> None:
    result = decide(
        control(costs=[None] * N), variant(6.0), ABTestSettings(primary_metric="cost"), paired=False
    )
    assert result.status == "inconclusive"
    assert result.required_runs_per_arm is None
    assert "cost: not measured: 20 of 40 runs report no cost" in result.reasons


def test_fewer_than_two_runs_is_inconclusive() -> None:
    result = decide(control()[:1], variant(1.0), DEFAULT, paired=True)
    assert result.status == "inconclusive"
    assert result.reasons[-1].startswith("too few runs to test: 1 control, 20 variant")
    assert all(m.p_improvement is None and m.p_worse is None for m in result.metrics)
    assert result.success.p_worse is None


def test_pairing_by_trial_whatever_the_order() -> None:
    rng = np.random.default_rng(5)
    task = rng.lognormal(0.0, 1.0, N)  # tasks differ a lot: pairing removes that
    c = task * rng.lognormal(0.0, 0.1, N)
    v = 0.85 * task * rng.lognormal(0.0, 0.1, N)
    order = rng.permutation(N)
    ctrl = runs("control", c[order], trials=order.tolist())
    var = runs("variant", v, trials=range(N))
    paired = decide(ctrl, var, DEFAULT, paired=True)
    unpaired = decide(ctrl, var, DEFAULT, paired=False)
    expected = stats.ttest_rel(np.log(v), np.log(c) + math.log(0.95), alternative="less").pvalue
    assert paired.paired
    assert paired.metric("duration").p_improvement == pytest.approx(expected)  # type: ignore[union-attr]
    assert paired.status == "passed"
    assert unpaired.status == "inconclusive"
    assert "paired by trial: 20 pairs" in paired.reasons
    assert paired.paired_units == N


def test_repeated_inputs_are_analysed_as_one_unit_per_input() -> None:
    # 20 pairs cycling 4 inputs: the test sees the 4 per-input mean log ratios
    rng = np.random.default_rng(8)
    task = rng.lognormal(0.0, 0.8, 4)
    effect = np.array([0.6, 0.9, 0.7, 0.8])  # heterogeneous per-input effects
    which = np.arange(N) % 4
    c = task[which] * rng.lognormal(0.0, 0.1, N)
    v = effect[which] * task[which] * rng.lognormal(0.0, 0.1, N)
    inputs = [f"in{i}" for i in which]
    result = decide(
        runs_with_inputs("control", c, inputs),
        runs_with_inputs("variant", v, inputs),
        DEFAULT,
        paired=True,
    )
    d = np.log(v) - np.log(c)
    per_input = np.array([d[which == k].mean() for k in range(4)])
    expected = stats.ttest_1samp(per_input - math.log(0.95), 0.0, alternative="less").pvalue
    duration = result.metric("duration")
    assert duration is not None
    assert duration.p_improvement == pytest.approx(expected)
    assert duration.ratio == pytest.approx(math.exp(per_input.mean()))
    assert result.paired
    assert result.paired_units == duration.paired_units == 4
    assert any(
        r.startswith("paired by input: 20 pairs on 4 distinct inputs") for r in result.reasons
    )
    # the runs needed keep 5 pairs per input and add inputs
    z = NormalDist().inv_cdf(0.95) + NormalDist().inv_cdf(0.8)
    units = z**2 * np.var(per_input, ddof=1) / (math.log(0.95) - per_input.mean()) ** 2
    assert result.required_runs_per_arm == max(2, math.ceil(max(2, math.ceil(units)) * 5))


def test_a_paired_guardrail_uses_the_pairs_where_both_runs_report_it() -> None:
    inputs = [f"in{i % 5}" for i in range(N)]
    costs_v: list[float | None] = (1.05 * NOISE_V).tolist()
    costs_v[7] = None  # pair 7 (input in2) loses its cost
    control_runs = [
        dataclasses.replace(r, input=task, cost_usd=float(c))
        for r, task, c in zip(control(), inputs, NOISE_C, strict=True)
    ]
    variant_runs = [
        dataclasses.replace(r, input=task)
        for r, task in zip(variant(6.0, costs=costs_v), inputs, strict=True)
    ]
    result = decide(control_runs, variant_runs, DEFAULT, paired=True)
    cost = result.metric("cost")
    assert cost is not None
    assert cost.left_out == 1
    assert cost.paired_units == 5
    keep = np.arange(N) != 7
    d = np.log(1.05 * NOISE_V) - np.log(NOISE_C)
    which = np.arange(N) % 5
    per_input = np.array([d[keep & (which == k)].mean() for k in range(5)])
    expected = stats.ttest_1samp(per_input - math.log(1.1), 0.0, alternative="greater").pvalue
    assert cost.p_worse == pytest.approx(expected)


def test_runs_that_cannot_be_paired_by_input_are_analysed_unpaired() -> None:
    one = ["same"] * N
    result = decide(
        runs_with_inputs("control", 10.0 * NOISE_C, one),
        runs_with_inputs("variant", 6.0 * NOISE_V, one),
        DEFAULT,
        paired=True,
    )
    assert not result.paired
    assert any("every pair ran the same input 'same'" in r for r in result.reasons)
    mixed = ["a", "b"] * (N // 2)
    result = decide(
        runs_with_inputs("control", 10.0 * NOISE_C, mixed),
        runs_with_inputs("variant", 6.0 * NOISE_V, mixed[::-1]),
        DEFAULT,
        paired=True,
    )
    assert not result.paired
    assert any("trial 0 ran input 'a' in the control arm and 'b'" in r for r in result.reasons)


def test_a_paired_rank_test_on_four_inputs_says_it_cannot_pass() -> None:
    inputs = [f"in{i % 4}" for i in range(N)]
    result = decide(
        runs_with_inputs("control", 10.0 * NOISE_C, inputs),
        runs_with_inputs("variant", 5.0 * NOISE_V, inputs),
        ABTestSettings(method="rank"),
        paired=True,
    )
    assert result.status == "inconclusive"
    assert result.metric("duration").p_improvement == pytest.approx(1 / 16)  # type: ignore[union-attr]
    assert any("signed-rank test cannot reach p < 0.05" in r for r in result.reasons)


def test_an_unpaired_rank_test_on_three_runs_per_arm_says_it_cannot_pass() -> None:
    # 1 / C(6, 3) = 0.05: the exact Mann-Whitney p-value cannot fall below α = 0.05
    result = decide(control()[:3], variant(5.0)[:3], ABTestSettings(method="rank"), paired=False)
    assert result.metric("duration").p_improvement == pytest.approx(0.05)  # type: ignore[union-attr]
    assert result.status == "inconclusive"
    assert any(
        "3 and 3 runs the Mann-Whitney test cannot reach p < 0.05" in r for r in result.reasons
    )
    assert result.required_runs_per_arm == 4  # the fewest with which it can


def test_large_samples_use_the_asymptotic_success_test() -> None:
    n = 400  # 400 × 400 > 100,000: the exact test would take about a second
    rng = np.random.default_rng(4)
    ok = [True] * 380 + [False] * 20
    result = decide(
        runs("control", 10.0 * rng.lognormal(0.0, 0.2, n), successes=ok),
        runs("variant", 6.0 * rng.lognormal(0.0, 0.2, n), successes=ok),
        DEFAULT,
        paired=False,
    )
    assert result.success.test == "farrington-manning-asymptotic"
    assert result.success.p_worse == pytest.approx(farrington_manning_pvalue(380, n, 380, n, 0.02))
    assert result.status == "passed"


def test_extreme_finite_values_give_a_verdict_not_a_traceback() -> None:
    tiny = runs("control", [1e-300, 2e-300, 3e-300], costs=[1e-300, 1e300, 5e-324])
    huge = runs("variant", [1e300, 1.7e308, 1e308], costs=[1.7e308, 1e-300, 1.0])
    for method in ("t", "rank"):
        for paired in (False, True):
            result = decide(tiny, huge, ABTestSettings(method=method), paired=paired)
            assert result.status in ("failed", "inconclusive")
            json.dumps(result_to_json(result), allow_nan=False)


def test_a_trial_without_partner_is_analysed_unpaired_and_said_so() -> None:
    result = decide(control()[:-1], variant(6.0), DEFAULT, paired=True)
    assert not result.paired
    assert "not paired: trial 19 has a run in one arm only; analysed unpaired" in result.reasons
    twice = runs("variant", 6.0 * NOISE_V, trials=[0, *range(N - 1)])
    result = decide(control(), twice, DEFAULT, paired=True)
    assert not result.paired
    assert any(r.startswith("not paired: trial 0 occurs more than once") for r in result.reasons)


def test_zero_durations_are_floored_and_reported() -> None:
    durations = 6.0 * NOISE_V
    durations[0] = 0.0
    result = decide(control(), runs("variant", durations), DEFAULT, paired=False)
    duration = result.metric("duration")
    assert duration is not None
    assert duration.floored == 1
    assert duration.p_improvement is not None
    assert any("1 value(s) ≤ 0 replaced" in r for r in result.reasons)


def test_all_zero_costs_cannot_be_compared() -> None:
    result = decide(control(costs=[0.0] * N), variant(6.0, costs=[0.0] * N), DEFAULT, paired=False)
    assert result.status == "passed"
    assert "cost: not tested: every value is 0" in result.reasons


def test_an_impossible_margin_never_passes() -> None:
    result = decide(control(), variant(1.0), ABTestSettings(min_improvement=1.0), paired=False)
    assert result.status == "inconclusive"
    assert result.metric("duration").p_improvement == 1.0  # type: ignore[union-attr]


def test_rank_method_uses_the_signed_rank_test_when_paired() -> None:
    result = decide(control(), variant(9.0), ABTestSettings(method="rank"), paired=True)
    d = np.log(9.0 * NOISE_V) - np.log(10.0 * NOISE_C) - math.log(0.95)
    expected = stats.wilcoxon(d, alternative="less", method="exact").pvalue
    assert result.metric("duration").p_improvement == pytest.approx(expected)  # type: ignore[union-attr]
    assert result.metric("duration").interval_kind == "hodges-lehmann"  # type: ignore[union-attr]


def test_arms_must_not_be_mixed_up() -> None:
    with pytest.raises(ValueError, match="other"):
        decide(variant(1.0), control(), DEFAULT, paired=False)


def test_recorded_evidence_is_labelled() -> None:
    result = decide(control(), variant(6.0), DEFAULT, paired=False, evidence="recorded")
    assert result.evidence == "recorded"


# --- properties -----------------------------------------------------------------------------

positive = st.floats(0.01, 1e4)
pairs = st.lists(st.tuples(positive, st.floats(1.0, 5.0)), min_size=2, max_size=15)


@given(pairs, st.sampled_from(["t", "rank"]))
@settings(max_examples=40, deadline=None)
def test_a_variant_no_faster_on_any_task_never_passes(
    data: list[tuple[float, float]], method: str
) -> None:
    c = [d for d, _ in data]
    v = [d * slower for d, slower in data]
    result = decide(
        runs("control", c), runs("variant", v), ABTestSettings(method=method), paired=True
    )
    assert result.status != "passed"


def _decides_with_strict_json(
    c: list[tuple[float, float | None, bool]],
    v: list[tuple[float, float | None, bool]],
    paired: bool,
    method: str,
) -> None:
    result = decide(
        runs("control", [d for d, _, _ in c], [x for _, x, _ in c], [s for _, _, s in c]),
        runs("variant", [d for d, _, _ in v], [x for _, x, _ in v], [s for _, _, s in v]),
        ABTestSettings(method=method),
        paired=paired,
    )
    assert result.status in ("passed", "failed", "inconclusive")
    json.dumps(result_to_json(result), allow_nan=False)


maybe_cost = st.one_of(st.none(), st.floats(0.0, 10.0))
run_data = st.lists(st.tuples(st.floats(0.0, 1e3), maybe_cost, st.booleans()), max_size=8)


@given(run_data, run_data, st.booleans(), st.sampled_from(["t", "rank"]))
@settings(max_examples=60, deadline=None)
def test_any_runs_give_a_verdict_and_strict_json(
    c: list[tuple[float, float | None, bool]],
    v: list[tuple[float, float | None, bool]],
    paired: bool,
    method: str,
) -> None:
    _decides_with_strict_json(c, v, paired, method)


extreme = st.floats(min_value=0.0, max_value=1.7e308, allow_subnormal=True)
extreme_runs = st.lists(
    st.tuples(extreme, st.one_of(st.none(), extreme), st.booleans()), min_size=2, max_size=6
)


@given(extreme_runs, extreme_runs, st.booleans(), st.sampled_from(["t", "rank"]))
@settings(max_examples=60, deadline=None)
def test_extreme_finite_values_never_raise(
    c: list[tuple[float, float | None, bool]],
    v: list[tuple[float, float | None, bool]],
    paired: bool,
    method: str,
) -> None:
    _decides_with_strict_json(c, v, paired, method)
