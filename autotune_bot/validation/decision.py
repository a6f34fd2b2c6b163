"""The A/B verdict: compare a fixed sample of control and variant runs and decide.

* ``passed``: the margin test on the primary metric rejects H0 ratio ≥ 1 − min_improvement at
  α, and every guardrail holds (:mod:`autotune_bot.validation.guardrails`: not shown violated
  *and* observed within its tolerance; a guardrail metric no run reports does not block);
* ``failed``: a one-sided test at α shows the variant worse on the primary metric (H1 ratio >
  1), or a guardrail is shown violated: the other metric worse by more than the tolerance (H1
  ratio > 1 + tolerance) or the success rate lower by more than the margin, with Holm's
  correction across the guardrails;
* ``inconclusive``: neither (including too few runs, a primary metric not measured, a
  guardrail observed beyond its tolerance but not shown violated, or one that cannot be
  checked).

Guardrails only add conditions to a pass, so P(passed) never exceeds the margin test's level.
The sample is fixed in advance (``runs_per_arm``): the decision is taken once, on all runs, so
it keeps its error rates (no peeking). Failed runs stay in the sample: their duration and cost
count, and they count as failures. With ``paired`` the runs of one trial form a pair, and pairs
of the same input are averaged into one unit per input
(:mod:`autotune_bot.validation.pairing`); when the runs cannot be paired the analysis is
unpaired, and the reasons say why. The success guardrail is always an unpaired test.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from autotune_bot.settings.proposals import ABTestSettings
from autotune_bot.validation import verdict_reasons
from autotune_bot.validation.guardrails import judge_guardrails, success_comparison
from autotune_bot.validation.metric_tests import MetricTest, compare_metric
from autotune_bot.validation.pairing import Pairing, pair_runs
from autotune_bot.validation.power import RunsNeeded, required_runs_per_arm
from autotune_bot.validation.result import (
    ABTestResult,
    MetricComparison,
    MetricName,
    SuccessComparison,
    ValidationStatus,
)
from autotune_bot.validation.run_notes import run_notes
from autotune_bot.validation.runs import RunResult
from autotune_bot.validation.statistics import EXACT_RANK_SUM_LIMIT

__all__ = ["decide"]

_METRICS: tuple[MetricName, ...] = ("duration", "cost")


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
    context: list[str] = []
    enough = len(control) >= 2 and len(variant) >= 2
    if not enough:
        context.append(verdict_reasons.too_few_runs(len(control), len(variant)))
    pairing: Pairing | None = None
    if paired and enough:
        pairing, why = pair_runs(control, variant)
        context.append(why)
        if pairing is not None:
            control, variant = pairing.control, pairing.variant

    tested = {
        name: compare_metric(name, control, variant, settings, pairing=pairing, enough=enough)
        for name in _METRICS
    }
    guard_name: MetricName = "cost" if settings.primary_metric == "duration" else "duration"
    success = success_comparison(control, variant, settings.success_margin, enough=enough)
    guard, success = judge_guardrails(tested[guard_name], success, settings)
    primary_test = tested[settings.primary_metric]
    primary = primary_test.comparison
    metrics = tuple(guard if name == guard_name else tested[name].comparison for name in _METRICS)

    failures = _failures(primary, guard, success, settings)
    reasons = list(failures)
    if primary.p_improvement is not None:
        reasons.append(verdict_reasons.primary_sentence(primary, alpha))
        floor = _rank_floor(primary, settings)
        if floor is not None:
            reasons.append(floor)
    reasons += verdict_reasons.guardrail_sentences(guard, success, alpha)
    reasons += verdict_reasons.metric_notes(metrics)
    reasons += context
    status: ValidationStatus
    if failures:
        status = "failed"
    elif (
        primary.p_improvement is not None
        and primary.p_improvement < alpha
        and guard.guardrail in ("holds", "not_measured")
        and success.guardrail == "holds"
    ):
        status = "passed"
    else:
        status = "inconclusive"

    needed = _runs_needed(primary_test, guard, success, settings)
    if needed is not None and needed.sentence and (needed.runs is None or status == "inconclusive"):
        reasons.append(needed.sentence)
    return ABTestResult(
        status=status,
        primary_metric=settings.primary_metric,
        metrics=metrics,
        success=success,
        paired=pairing is not None,
        method=settings.method,
        alpha=alpha,
        margin_ratio=1.0 - settings.min_improvement,
        guardrail_ratio=1.0 + settings.guardrail_tolerance,
        required_runs_per_arm=None if needed is None else needed.runs,
        reasons=tuple(reasons),
        evidence=evidence,
        run_notes=run_notes(control, variant),
        required_runs_decision=None if needed is None else needed.decision,
        paired_units=None if pairing is None else pairing.n_clusters,
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
    if guard.guardrail == "violated":
        found.append(verdict_reasons.guardrail_violated(guard, settings.guardrail_tolerance, alpha))
    if success.guardrail == "violated":
        found.append(verdict_reasons.success_violated(success, alpha))
    return found


def _rank_floor(primary: MetricComparison, settings: ABTestSettings) -> str | None:
    """A rank test on so few units that its exact p-value cannot fall below α."""
    if settings.method != "rank" or primary.p_improvement is None:
        return None
    units = primary.paired_units
    if units is not None:  # signed-rank: each sign pattern has probability 2^−n
        smallest = 2.0**-units if units < 1075 else 0.0
        what = f"{units} paired units the signed-rank test"
    else:  # Mann-Whitney: each arrangement of the ranks has probability 1 / C(m + n, m)
        m, n = primary.n_control, primary.n_variant
        if m * n > EXACT_RANK_SUM_LIMIT:
            return None
        smallest = 1.0 / math.comb(m + n, m)
        what = f"{m} and {n} runs the Mann-Whitney test"
    if smallest < settings.alpha:
        return None
    return verdict_reasons.rank_floor(what, smallest, settings.alpha)


def _runs_needed(
    primary: MetricTest,
    guard: MetricComparison,
    success: SuccessComparison,
    settings: ABTestSettings,
) -> RunsNeeded | None:
    """Runs per arm for the decision the data point to: ``failed`` when the primary ratio is
    above 1 or a guardrail is observed beyond its tolerance (the smallest of those figures),
    else ``passed`` when the primary ratio is below the margin; None when not tested. A
    guardrail's figure comes without a sentence: the guardrail's own reason states it."""
    if primary.logs is None or primary.log_ratio is None:
        return None
    verdict = required_runs_per_arm(
        *primary.logs,
        log_ratio=primary.log_ratio,
        margin_ratio=1.0 - settings.min_improvement,
        alpha=settings.alpha,
        paired=primary.paired,
        method=settings.method,
        pairs_per_unit=primary.pairs_per_unit,
    )
    to_fail = [n for n in (guard.runs_to_tell, success.runs_to_tell) if n is not None]
    if verdict.decision == "failed" and verdict.runs is not None:
        to_fail = [n for n in to_fail if n < verdict.runs]
    if not to_fail:
        return verdict
    return RunsNeeded(min(to_fail), "failed", "")
