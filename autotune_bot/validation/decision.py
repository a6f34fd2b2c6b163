"""The A/B verdict: compare a fixed sample of control and variant runs and decide.

* ``passed``: the margin test on the primary metric rejects H0 ratio ≥ 1 − min_improvement at α,
  and no guardrail fails;
* ``failed``: a one-sided test at α shows the variant worse on the primary metric (H1 ratio > 1),
  or a guardrail fails: the other metric worse by more than the tolerance (H1 ratio > 1 +
  tolerance) or the success rate lower by more than the margin, with Holm's correction across
  the guardrails;
* ``inconclusive``: neither (including too few runs, or a primary metric not measured).

The sample is fixed in advance (``runs_per_arm``): the decision is taken once, on all runs, so
it keeps its error rates (no peeking). Failed runs stay in the sample: their duration and cost
count, and they count as failures. A metric some run did not report (a cost of None) is "not
measured": reported, never filled in. With ``paired`` the runs of one trial index form a pair;
if any trial lacks its partner the analysis is unpaired, and the reasons say so. The success
guardrail is always an unpaired test.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Sequence
from typing import Literal

import numpy as np

from autotune_bot.settings.proposals import ABTestSettings
from autotune_bot.validation import verdict_reasons
from autotune_bot.validation.exact_binomial import success_worse_pvalue
from autotune_bot.validation.intervals import (
    IntervalKind,
    LogInterval,
    hodges_lehmann,
    t_interval,
)
from autotune_bot.validation.power import required_runs_per_arm
from autotune_bot.validation.result import (
    ABTestResult,
    MetricComparison,
    MetricName,
    SuccessComparison,
    ValidationStatus,
)
from autotune_bot.validation.run_notes import run_notes
from autotune_bot.validation.runs import RunResult
from autotune_bot.validation.statistics import FloatArray, holm, log_values, ratio_pvalue

__all__ = ["decide"]

_METRICS: tuple[MetricName, ...] = ("duration", "cost")


@dataclasses.dataclass(frozen=True)
class _Tested:
    comparison: MetricComparison
    logs: tuple[FloatArray, FloatArray] | None  # (control, variant) when tested
    log_ratio: float | None = None  # the estimate, on the log scale


def decide(
    control: Sequence[RunResult],
    variant: Sequence[RunResult],
    settings: ABTestSettings,
    *,
    paired: bool,
    evidence: Literal["measured", "recorded"] = "measured",
) -> ABTestResult:
    """Judge ``variant`` against ``control`` with the tests ``settings`` choose."""
    if any(r.arm != "control" for r in control) or any(r.arm != "variant" for r in variant):
        raise ValueError("runs passed for one arm belong to the other")
    alpha = settings.alpha
    margin = 1.0 - settings.min_improvement
    reasons: list[str] = []
    enough = len(control) >= 2 and len(variant) >= 2
    if not enough:
        reasons.append(verdict_reasons.too_few_runs(len(control), len(variant)))
    is_paired = False
    if paired and enough:
        ordered, why = _pair_by_trial(control, variant)
        reasons.append(why)
        if ordered is not None:
            control, variant = ordered
            is_paired = True

    tested = {
        name: _compare(name, control, variant, settings, paired=is_paired, enough=enough)
        for name in _METRICS
    }
    success = _success(control, variant, settings.success_margin, enough=enough)

    # Holm across the guardrails that could be tested
    guard_name: MetricName = "cost" if settings.primary_metric == "duration" else "duration"
    guard = tested[guard_name].comparison
    family: list[float] = []
    if guard.p_worse is not None:
        family.append(guard.p_worse)
    if success.p_worse is not None:
        family.append(success.p_worse)
    adjusted = list(holm(family))
    if guard.p_worse is not None:
        guard = dataclasses.replace(guard, p_guardrail_adjusted=adjusted.pop(0))
    if success.p_worse is not None:
        success = dataclasses.replace(success, p_worse_adjusted=adjusted.pop(0))
    primary = tested[settings.primary_metric].comparison
    metrics = tuple(guard if name == guard_name else tested[name].comparison for name in _METRICS)

    failures = _failures(primary, guard, success, settings)
    context = reasons  # too few runs, pairing
    reasons = failures + verdict_reasons.tested_reasons(primary, guard, success, metrics, alpha)
    reasons.extend(context)
    status: ValidationStatus
    if failures:
        status = "failed"
    elif primary.p_improvement is not None and primary.p_improvement < alpha:
        status = "passed"
    else:
        status = "inconclusive"

    runs_needed = None
    primary_tested = tested[settings.primary_metric]
    if primary_tested.logs is not None and primary_tested.log_ratio is not None:
        runs_needed, sentence = required_runs_per_arm(
            *primary_tested.logs,
            log_ratio=primary_tested.log_ratio,
            margin_ratio=margin,
            alpha=alpha,
            paired=is_paired,
            method=settings.method,
        )
        if runs_needed is None:
            reasons.append(sentence)
    return ABTestResult(
        status=status,
        primary_metric=settings.primary_metric,
        metrics=metrics,
        success=success,
        paired=is_paired,
        method=settings.method,
        alpha=alpha,
        margin_ratio=margin,
        guardrail_ratio=1.0 + settings.guardrail_tolerance,
        required_runs_per_arm=runs_needed,
        reasons=tuple(reasons),
        evidence=evidence,
        run_notes=run_notes(control, variant),
    )


def _pair_by_trial(
    control: Sequence[RunResult], variant: Sequence[RunResult]
) -> tuple[tuple[list[RunResult], list[RunResult]] | None, str]:
    """Both arms sorted by trial index, or None and why they cannot be paired."""
    repeated = sorted(
        t for arm in (control, variant) for t, k in Counter(r.trial for r in arm).items() if k > 1
    )
    if repeated:
        return None, verdict_reasons.repeated_trials(repeated)
    c_trials = {r.trial for r in control}
    v_trials = {r.trial for r in variant}
    if c_trials != v_trials:
        return None, verdict_reasons.unmatched_trials(sorted(c_trials ^ v_trials))
    ordered = (sorted(control, key=lambda r: r.trial), sorted(variant, key=lambda r: r.trial))
    return ordered, verdict_reasons.paired_by_trial(len(control))


def _value(run: RunResult, metric: MetricName) -> float | None:
    value = run.duration_seconds if metric == "duration" else run.cost_usd
    return value if value is not None and math.isfinite(value) else None


def _compare(
    name: MetricName,
    control: Sequence[RunResult],
    variant: Sequence[RunResult],
    settings: ABTestSettings,
    *,
    paired: bool,
    enough: bool,
) -> _Tested:
    primary = name == settings.primary_metric
    alpha = settings.alpha
    margin = 1.0 - settings.min_improvement
    threshold = margin if primary else 1.0 + settings.guardrail_tolerance
    kind: IntervalKind = "t" if settings.method == "t" else "hodges-lehmann"
    confidence = 1.0 - 2.0 * alpha
    cv = [_value(r, name) for r in control]
    vv = [_value(r, name) for r in variant]
    c_known = [x for x in cv if x is not None]
    v_known = [x for x in vv if x is not None]
    base = MetricComparison(
        metric=name,
        role="primary" if primary else "guardrail",
        measured=len(c_known) == len(cv) and len(v_known) == len(vv),
        n_control=len(c_known),
        n_variant=len(v_known),
        median_control=float(np.median(c_known)) if c_known else None,
        median_variant=float(np.median(v_known)) if v_known else None,
        ratio=None,
        interval=None,
        interval_kind=kind,
        confidence=confidence,
        threshold=threshold,
        p_improvement=None,
        p_worse=None,
        p_guardrail_adjusted=None,
    )
    if not base.measured:
        missing = len(cv) + len(vv) - len(c_known) - len(v_known)
        why = verdict_reasons.not_measured_note(name, missing, len(cv) + len(vv))
        return _Tested(
            dataclasses.replace(base, median_control=None, median_variant=None, note=why), None
        )
    if not enough:
        return _Tested(base, None)
    try:
        lc, lv, floored = log_values(c_known, v_known)
    except ValueError:
        return _Tested(dataclasses.replace(base, note=verdict_reasons.ALL_ZERO_NOTE), None)
    estimate = _interval(lc, lv, settings, paired=paired, confidence=confidence)
    interval = None
    if alpha < 0.5 and math.isfinite(estimate.low) and math.isfinite(estimate.high):
        interval = (_exp(estimate.low), _exp(estimate.high))

    def p(ratio: float, alternative: Literal["less", "greater"]) -> float:
        return float(
            ratio_pvalue(
                lc, lv, ratio=ratio, alternative=alternative, method=settings.method, paired=paired
            )
        )

    p_improvement = None
    if primary:
        p_improvement = p(margin, "less") if margin > 0 else 1.0
    note = verdict_reasons.floored_note(floored) if floored else None
    comparison = dataclasses.replace(
        base,
        ratio=_exp(estimate.estimate),
        interval=interval,
        p_improvement=p_improvement,
        p_worse=p(threshold if not primary else 1.0, "greater"),
        floored=floored,
        note=note,
    )
    return _Tested(comparison, (lc, lv), estimate.estimate)


def _exp(x: float) -> float:
    """exp that saturates at infinity instead of raising (ratios of extreme values)."""
    return math.exp(x) if x < 709.0 else math.inf


def _interval(
    lc: FloatArray, lv: FloatArray, settings: ABTestSettings, *, paired: bool, confidence: float
) -> LogInterval:
    # with α ≥ 0.5 there is no (1 − 2α) interval; the estimate alone is computed (at 50 %)
    level = confidence if confidence > 0 else 0.5
    if settings.method == "t":
        return t_interval(lc, lv, paired=paired, confidence=level)
    return hodges_lehmann(lc, lv, paired=paired, confidence=level)


def _success(
    control: Sequence[RunResult], variant: Sequence[RunResult], margin: float, *, enough: bool
) -> SuccessComparison:
    sc = sum(r.success for r in control)
    sv = sum(r.success for r in variant)
    p = success_worse_pvalue(sc, len(control), sv, len(variant), margin) if enough else None
    return SuccessComparison(
        successes_control=sc,
        n_control=len(control),
        successes_variant=sv,
        n_variant=len(variant),
        margin=margin,
        test="boschloo" if margin == 0 else "chan-farrington-manning",
        p_worse=p,
        p_worse_adjusted=None,
    )


def _failures(
    primary: MetricComparison,
    guard: MetricComparison,
    success: SuccessComparison,
    settings: ABTestSettings,
) -> list[str]:
    """One sentence per failed test: the verdict is "failed" when there is any."""
    alpha = settings.alpha
    found = []
    if primary.p_worse is not None and primary.p_worse < alpha and primary.ratio is not None:
        found.append(verdict_reasons.primary_worse(primary, alpha))
    p_guard = guard.p_guardrail_adjusted
    if p_guard is not None and p_guard < alpha and guard.ratio is not None:
        found.append(verdict_reasons.guardrail_fails(guard, settings.guardrail_tolerance, alpha))
    p_success = success.p_worse_adjusted
    if p_success is not None and p_success < alpha:
        found.append(verdict_reasons.success_fails(success, alpha))
    return found
