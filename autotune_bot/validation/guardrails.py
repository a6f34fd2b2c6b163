"""The guardrails of an A/B test: the non-primary metric and the success rate.

A guardrail

* is **shown violated** when its harm test rejects at α after Holm's correction across the
  guardrails (other metric: H1 ratio > 1 + tolerance; success: H1 variant rate < control rate
  − margin) — the verdict is then ``failed``;
* **holds** when it is not shown violated *and* its observed value is within the tolerance
  (other metric: observed ratio ≤ 1 + tolerance; success: observed variant rate ≥ control rate
  − margin);
* is otherwise **beyond tolerance**: not shown violated, but observed worse than the tolerance
  allows; the verdict cannot be ``passed``, and the runs per arm that would show it violated at
  the observed value (80 % power, normal approximation) are reported.

Whether non-inferiority is actually *shown* (the one-sided test H1 "within the tolerance",
Holm across the guardrails) is reported for each guardrail, never gated on: with the runs an
A/B test can afford it rarely is (a 2-point success margin needs hundreds of runs per arm).
Pure.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

from autotune_bot.settings.proposals import ABTestSettings
from autotune_bot.validation.exact_binomial import (
    success_noninferior_pvalue,
    success_test_kind,
    success_worse_pvalue,
)
from autotune_bot.validation.metric_tests import MetricTest
from autotune_bot.validation.power import runs_to_show, success_runs_to_show
from autotune_bot.validation.result import GuardrailState, MetricComparison, SuccessComparison
from autotune_bot.validation.runs import RunResult
from autotune_bot.validation.statistics import holm

__all__ = ["judge_guardrails", "success_comparison"]

_SLACK = 1e-12  # rounding: a value exactly at the tolerance is within it


def success_comparison(
    control: Sequence[RunResult], variant: Sequence[RunResult], margin: float, *, enough: bool
) -> SuccessComparison:
    """Success counts and both one-sided tests (``enough``: at least 2 runs per arm)."""
    sc = sum(r.success for r in control)
    sv = sum(r.success for r in variant)
    nc, nv = len(control), len(variant)
    return SuccessComparison(
        successes_control=sc,
        n_control=nc,
        successes_variant=sv,
        n_variant=nv,
        margin=margin,
        test=success_test_kind(nc, nv, margin),
        p_worse=success_worse_pvalue(sc, nc, sv, nv, margin) if enough else None,
        p_worse_adjusted=None,
        p_noninferior=success_noninferior_pvalue(sc, nc, sv, nv, margin) if enough else None,
    )


def judge_guardrails(
    guard: MetricTest, success: SuccessComparison, settings: ABTestSettings
) -> tuple[MetricComparison, SuccessComparison]:
    """Both guardrails with Holm-adjusted p-values, their state and, beyond the tolerance, the
    runs per arm that would show them violated."""
    alpha = settings.alpha
    metric = guard.comparison
    harm = _holm_pair(metric.p_worse, success.p_worse)
    safe = _holm_pair(metric.p_noninferior, success.p_noninferior)
    metric = dataclasses.replace(
        metric,
        p_guardrail_adjusted=harm[0],
        p_noninferior_adjusted=safe[0],
        noninferiority_shown=None if safe[0] is None else safe[0] < alpha,
    )
    success = dataclasses.replace(
        success,
        p_worse_adjusted=harm[1],
        p_noninferior_adjusted=safe[1],
        noninferiority_shown=None if safe[1] is None else safe[1] < alpha,
    )
    return _metric_state(guard, metric, settings), _success_state(success, alpha)


def _holm_pair(first: float | None, second: float | None) -> tuple[float | None, float | None]:
    """Holm over the p-values that exist (one alone is left as it is)."""
    present = [p for p in (first, second) if p is not None]
    adjusted = list(holm(present))
    return (
        adjusted.pop(0) if first is not None else None,
        adjusted.pop(0) if second is not None else None,
    )


def _metric_state(
    guard: MetricTest, metric: MetricComparison, settings: ABTestSettings
) -> MetricComparison:
    if metric.guardrail is not None:  # not measured, unchecked, or every value 0 (holds)
        return metric
    ratio, p_adjusted = metric.ratio, metric.p_guardrail_adjusted
    if ratio is None or p_adjusted is None or guard.logs is None or guard.log_ratio is None:
        return dataclasses.replace(metric, guardrail="unchecked")
    within = ratio <= metric.threshold * (1 + _SLACK)
    runs = None
    if not within:
        runs = runs_to_show(
            *guard.logs,
            effect=guard.log_ratio - math.log(metric.threshold),
            alpha=settings.alpha,
            paired=guard.paired,
            method=settings.method,
            pairs_per_unit=guard.pairs_per_unit,
        )
    state: GuardrailState = (
        "violated" if p_adjusted < settings.alpha else "holds" if within else "beyond_tolerance"
    )
    return dataclasses.replace(metric, guardrail=state, runs_to_tell=runs)


def _success_state(success: SuccessComparison, alpha: float) -> SuccessComparison:
    rate_c, rate_v = success.rate_control, success.rate_variant
    p_adjusted = success.p_worse_adjusted
    if rate_c is None or rate_v is None or p_adjusted is None:
        return dataclasses.replace(success, guardrail="unchecked")
    within = rate_v >= rate_c - success.margin - _SLACK
    runs = None
    if not within:
        runs = success_runs_to_show(rate_c, rate_v, margin=success.margin, alpha=alpha)
    state: GuardrailState = (
        "violated" if p_adjusted < alpha else "holds" if within else "beyond_tolerance"
    )
    return dataclasses.replace(success, guardrail=state, runs_to_tell=runs)
