"""The A/B verdict: every status reachable, for the documented reasons."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped]

from autotune_bot.settings.proposals import ABTestSettings
from autotune_bot.validation.decision import decide
from autotune_bot.validation.exact_binomial import success_worse_pvalue
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
    assert result.required_runs_per_arm is None
    assert any("no sample size would be enough" in r for r in result.reasons)


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
    assert result.reasons[0].startswith("success guardrail fails")
    raw = success_worse_pvalue(N, N, 12, N, 0.02)
    assert result.success.p_worse == raw


def test_cost_guardrail_can_fail_a_faster_variant() -> None:
    dear = variant(6.0, costs=(2.0 * NOISE_V).tolist())
    result = decide(control(costs=NOISE_C.tolist()), dear, DEFAULT, paired=False)
    assert result.status == "failed"
    assert result.reasons[0].startswith("cost guardrail fails: worse by more than 10%")
    cost = result.metric("cost")
    assert cost is not None
    assert cost.role == "guardrail"
    assert cost.p_improvement is None


def test_a_cost_rise_within_the_tolerance_does_not_fail() -> None:
    slightly = variant(6.0, costs=(1.02 * NOISE_V).tolist())
    result = decide(control(costs=NOISE_C.tolist()), slightly, DEFAULT, paired=False)
    assert result.status == "passed"
    assert any(r.startswith("cost guardrail holds") for r in result.reasons)


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


def test_cost_as_primary_metric_with_duration_as_guardrail() -> None:
    cheaper = variant(10.0, costs=(0.5 * NOISE_V).tolist())
    settings_ = ABTestSettings(primary_metric="cost")
    result = decide(control(costs=NOISE_C.tolist()), cheaper, settings_, paired=False)
    assert result.status == "passed"
    assert result.metric("cost").role == "primary"  # type: ignore[union-attr]
    assert result.metric("duration").role == "guardrail"  # type: ignore[union-attr]
    assert result.reasons[0].startswith("cost improves beyond the margin")


def test_missing_costs_are_not_measured_and_not_invented() -> None:
    costs: list[float | None] = [1.0] * N
    costs[4] = None
    result = decide(control(), variant(6.0, costs=costs), DEFAULT, paired=False)
    cost = result.metric("cost")
    assert cost is not None
    assert not cost.measured
    assert (cost.n_control, cost.n_variant) == (N, N - 1)
    assert cost.median_control is None
    assert cost.ratio is None
    assert cost.p_worse is None
    assert "cost: not measured: 1 of 40 runs report no cost" in result.reasons
    # the success guardrail is then the only one: Holm leaves its p-value alone
    assert result.success.p_worse_adjusted == result.success.p_worse
    assert result.status == "passed"


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
    result = decide(
        runs("control", [d for d, _, _ in c], [x for _, x, _ in c], [s for _, _, s in c]),
        runs("variant", [d for d, _, _ in v], [x for _, x, _ in v], [s for _, _, s in v]),
        ABTestSettings(method=method),
        paired=paired,
    )
    assert result.status in ("passed", "failed", "inconclusive")
    json.dumps(result_to_json(result), allow_nan=False)
