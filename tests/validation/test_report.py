"""Rendering A/B results: the text table and strict JSON."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np

from autotune_bot.settings.proposals import ABTestSettings
from autotune_bot.validation.decision import decide
from autotune_bot.validation.report import result_table, result_to_json
from autotune_bot.validation.result import ABTestResult
from autotune_bot.validation.runs import Arm, RunResult

N = 12


def runs(
    arm: Arm, scale: float, seed: int, cost: bool = True, failures: int = 0
) -> list[RunResult]:
    noise = np.random.default_rng(seed).lognormal(0.0, 0.2, N)
    return [
        RunResult(
            arm=arm,
            trial=i,
            input=None,
            duration_seconds=float(scale * x),
            cost_usd=float(0.01 * scale * x) if cost else None,
            success=i >= failures,
            exit_code=0 if i >= failures else 2,
            timed_out=False,
            source="result_file",
        )
        for i, x in enumerate(noise)
    ]


def test_table_shows_every_figure_of_the_result() -> None:
    result = decide(runs("control", 10, 1), runs("variant", 8, 2), ABTestSettings(), paired=True)
    text = result_table(result)
    duration = result.metric("duration")
    assert duration is not None
    assert duration.interval is not None
    assert duration.p_improvement is not None
    assert duration.p_improvement > 1e-4  # printed with 4 decimals
    assert duration.median_control is not None
    assert text.startswith("A/B test (measured evidence): PASSED\n")
    assert "paired by trial, paired t test on log ratios, one-sided α = 0.05" in text
    row = next(line for line in text.splitlines() if line.startswith("duration"))
    for figure in (
        f"{N}/{N}",
        f"{duration.median_control:.4g} s",
        f"{duration.ratio:.3f}",
        f"{duration.interval[0]:.3f}–{duration.interval[1]:.3f}",
        f"{duration.p_improvement:.4f}",
    ):
        assert figure in row
    assert "90% t interval" in text
    assert f"success rate: control {N}/{N} (100.0%), variant {N}/{N} (100.0%)" in text
    assert "verdict: passed" in text
    assert f"  - {result.reasons[0]}" in text
    assert f"runs per arm needed to decide: {result.required_runs_per_arm} (80% power" in text


def test_table_of_a_failed_rank_test_with_an_unmeasured_cost() -> None:
    result = decide(
        runs("control", 10, 1, cost=False),
        runs("variant", 10, 2, cost=False, failures=9),
        ABTestSettings(method="rank"),
        paired=False,
    )
    text = result_table(result)
    assert result.status == "failed"
    assert "A/B test (measured evidence): FAILED" in text
    assert "Mann-Whitney U test on log values" in text
    assert "Hodges-Lehmann interval" in text
    cost_row = next(line for line in text.splitlines() if line.startswith("cost"))
    assert "not measured" in cost_row
    assert f"variant 3/{N} (25.0%), difference -75.0 points" in text
    assert "  guardrail VIOLATED (tolerance 2 points; exact unconditional test" in text
    assert "  - success guardrail violated" in text


def test_evidence_label_and_runs_without_a_figure() -> None:
    # the same noise scaled by 0.98: the ratio lies between the margin and 1, where no number
    # of runs makes a verdict likely
    result = dataclasses.replace(
        decide(runs("control", 10, 1), runs("variant", 9.8, 1), ABTestSettings(), paired=False),
        evidence="recorded",
    )
    text = result_table(result)
    assert text.startswith("A/B test (recorded evidence): INCONCLUSIVE")
    assert "runs per arm needed to decide: –" in text


def test_guardrail_states_and_noninferiority_are_shown() -> None:
    result = decide(
        runs("control", 10, 1), runs("variant", 6, 2, failures=3), ABTestSettings(), paired=False
    )
    assert result.status == "inconclusive"
    text = result_table(result)
    cost_row = next(line for line in text.splitlines() if line.startswith("cost"))
    assert cost_row.endswith("holds, NI shown")  # the cost falls with the duration here
    assert "  guardrail beyond tolerance (tolerance 2 points;" in text
    assert "  non-inferiority (variant less than 2 points lower; information only): p = " in text
    assert text.rstrip().endswith("(80% power to reach failed at the observed values)")
    data = result_to_json(result)
    assert data["success"]["guardrail"] == "beyond_tolerance"
    assert data["success"]["runs_to_tell"] == result.required_runs_per_arm
    assert data["required_runs_decision"] == "failed"
    assert data["metrics"][1]["guardrail"] == "holds"
    assert data["metrics"][1]["noninferiority_shown"] is True
    assert data["success"]["noninferiority_shown"] is False


def test_paired_by_input_and_the_asymptotic_success_test_are_named() -> None:
    control = [dataclasses.replace(r, input=f"in{r.trial % 3}") for r in runs("control", 10, 1)]
    variant = [dataclasses.replace(r, input=f"in{r.trial % 3}") for r in runs("variant", 6, 2)]
    result = decide(control, variant, ABTestSettings(), paired=True)
    text = result_table(result)
    assert "paired by input (12 pairs on 3 distinct inputs, one mean log ratio per input)" in text
    assert result_to_json(result)["paired_units"] == 3
    big = dataclasses.replace(
        result, success=dataclasses.replace(result.success, test="farrington-manning-asymptotic")
    )
    assert "asymptotic Farrington-Manning score test (n_control × n_variant > 100,000)" in (
        result_table(big)
    )


def test_a_result_without_runs_renders() -> None:
    result = ABTestResult.not_run(
        "skipped",
        primary_metric="duration",
        method="t",
        alpha=0.05,
        margin_ratio=0.95,
        guardrail_ratio=1.1,
        success_margin=0.02,
        reasons=("A/B testing is disabled in .autotune.yml",),
    )
    text = result_table(result)
    assert "A/B test (measured evidence): SKIPPED" in text
    assert "  - A/B testing is disabled in .autotune.yml" in text
    assert "success rate:" not in text
    data = result_to_json(result)
    assert data["metrics"] == []
    assert data["success"]["rate_control"] is None


def test_json_is_strict_and_complete() -> None:
    result = decide(runs("control", 10, 1), runs("variant", 6, 2), ABTestSettings(), paired=False)
    data = json.loads(json.dumps(result_to_json(result), allow_nan=False))
    assert data["status"] == "passed"
    assert data["evidence"] == "measured"
    assert data["paired"] is False
    assert data["required_runs_per_arm"] == result.required_runs_per_arm
    duration = data["metrics"][0]
    assert duration["metric"] == "duration"
    assert duration["interval"]["confidence"] == 0.9
    assert duration["p_improvement"] == result.metrics[0].p_improvement
    assert data["success"]["difference"] == 0.0
    assert data["reasons"] == list(result.reasons)


def test_json_turns_non_finite_numbers_into_null() -> None:
    result = decide(runs("control", 10, 1), runs("variant", 6, 2), ABTestSettings(), paired=False)
    broken = dataclasses.replace(
        result.metrics[0], ratio=math.inf, interval=(0.0, math.inf), p_worse=math.nan
    )
    data = result_to_json(dataclasses.replace(result, metrics=(broken, result.metrics[1])))
    text = json.dumps(data, allow_nan=False)
    assert data["metrics"][0]["ratio"] is None
    assert data["metrics"][0]["interval"]["high"] is None
    assert data["metrics"][0]["p_worse"] is None
    assert "NaN" not in text
