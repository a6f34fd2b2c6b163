"""The sentences that explain an A/B verdict (:func:`autotune_bot.validation.decision.decide`).

Pure text: each function phrases a figure or a test already computed; none decides anything.
Ratios are variant/control, shown to three decimals with the interval when there is one;
p-values to three significant digits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from autotune_bot.validation.result import MetricComparison, MetricName, SuccessComparison

__all__ = [
    "ALL_ZERO_NOTE",
    "floored_note",
    "guardrail_fails",
    "not_measured_note",
    "paired_by_trial",
    "primary_worse",
    "repeated_trials",
    "success_fails",
    "tested_reasons",
    "too_few_runs",
    "unmatched_trials",
]

ALL_ZERO_NOTE = "not tested: every value is 0"


def too_few_runs(n_control: int, n_variant: int) -> str:
    return f"too few runs to test: {n_control} control, {n_variant} variant (at least 2 per arm)"


def repeated_trials(trials: Sequence[int]) -> str:
    return f"not paired: trial {_listed(trials)} occurs more than once in an arm; analysed unpaired"


def unmatched_trials(trials: Sequence[int]) -> str:
    return f"not paired: trial {_listed(trials)} has a run in one arm only; analysed unpaired"


def paired_by_trial(pairs: int) -> str:
    return f"paired by trial: {pairs} pairs"


def not_measured_note(metric: MetricName, missing: int, runs: int) -> str:
    return f"not measured: {missing} of {runs} runs report no {metric}"


def floored_note(floored: int) -> str:
    return f"{floored} value(s) ≤ 0 replaced by half the smallest positive value before taking logs"


def primary_worse(primary: MetricComparison, alpha: float) -> str:
    """The primary metric shown worse (its ``p_worse`` below ``alpha``)."""
    assert primary.p_worse is not None
    assert primary.ratio is not None
    return (
        f"{primary.metric} is worse: ratio {primary.ratio:.3f}{_shown(primary)}, "
        f"one-sided p = {primary.p_worse:.3g} < α {alpha:g} (H1: ratio > 1)"
    )


def guardrail_fails(guard: MetricComparison, tolerance: float, alpha: float) -> str:
    """The other metric worse by more than ``tolerance`` (its adjusted p below ``alpha``)."""
    assert guard.p_guardrail_adjusted is not None
    assert guard.ratio is not None
    return (
        f"{guard.metric} guardrail fails: worse by more than "
        f"{tolerance:.0%} (ratio {guard.ratio:.3f}{_shown(guard)}, "
        f"Holm-adjusted p = {guard.p_guardrail_adjusted:.3g} < α {alpha:g})"
    )


def success_fails(success: SuccessComparison, alpha: float) -> str:
    """The success rate lower by more than the margin (its adjusted p below ``alpha``)."""
    assert success.p_worse_adjusted is not None
    return (
        f"success guardrail fails: {_rates(success)}, lower by more than "
        f"{success.margin * 100:g} points "
        f"(Holm-adjusted p = {success.p_worse_adjusted:.3g} < α {alpha:g})"
    )


def tested_reasons(
    primary: MetricComparison,
    guard: MetricComparison,
    success: SuccessComparison,
    metrics: Iterable[MetricComparison],
    alpha: float,
) -> list[str]:
    """After the failures: the primary metric's margin test (when it was tested), the
    guardrails that hold and each metric's note, in that order."""
    reasons = []
    if primary.p_improvement is not None:
        reasons.append(_primary_sentence(primary, alpha))
    reasons.extend(_holding(guard, success, alpha))
    reasons.extend(f"{m.metric}: {m.note}" for m in metrics if m.note is not None)
    return reasons


def _holding(guard: MetricComparison, success: SuccessComparison, alpha: float) -> list[str]:
    held = []
    p_guard = guard.p_guardrail_adjusted
    if p_guard is not None and p_guard >= alpha:
        held.append(f"{guard.metric} guardrail holds (Holm-adjusted p = {p_guard:.3g})")
    p_success = success.p_worse_adjusted
    if p_success is not None and p_success >= alpha:
        held.append(
            f"success guardrail holds: {_rates(success)} (Holm-adjusted p = {p_success:.3g})"
        )
    return held


def _primary_sentence(primary: MetricComparison, alpha: float) -> str:
    p = primary.p_improvement
    assert p is not None
    assert primary.ratio is not None
    if p < alpha:
        return (
            f"{primary.metric} improves beyond the margin: ratio {primary.ratio:.3f}"
            f"{_shown(primary)} below {primary.threshold:.3f}, p = {p:.3g} < α {alpha:g}"
        )
    return (
        f"{primary.metric} not shown below the margin {primary.threshold:.3f}: ratio "
        f"{primary.ratio:.3f}{_shown(primary)}, p = {p:.3g} ≥ α {alpha:g}"
    )


def _listed(trials: Sequence[int]) -> str:
    shown = ", ".join(str(t) for t in trials[:5])
    return shown + (f" and {len(trials) - 5} more" if len(trials) > 5 else "")


def _shown(m: MetricComparison) -> str:
    if m.interval is None:
        return ""
    lo, hi = m.interval
    return f", {m.confidence:.0%} interval {lo:.3f}–{hi:.3f}"


def _rates(s: SuccessComparison) -> str:
    return (
        f"variant {s.successes_variant}/{s.n_variant}, control {s.successes_control}/{s.n_control}"
    )
