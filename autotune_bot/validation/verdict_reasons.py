"""The sentences that explain an A/B verdict (:func:`autotune_bot.validation.decision.decide`).

Pure text: each function phrases a figure or a test already computed; none decides anything.
Ratios are variant/control, shown to three decimals with the interval when there is one;
p-values to three significant digits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from autotune_bot.validation.power import DEFAULT_POWER
from autotune_bot.validation.result import MetricComparison, MetricName, SuccessComparison

__all__ = [
    "ALL_ZERO_NOTE",
    "different_inputs",
    "floored_note",
    "guardrail_sentences",
    "guardrail_violated",
    "left_out_note",
    "metric_notes",
    "not_measured_note",
    "paired_by_input",
    "paired_by_trial",
    "primary_sentence",
    "primary_worse",
    "rank_floor",
    "repeated_trials",
    "single_input",
    "success_violated",
    "too_few_runs",
    "too_few_values_note",
    "unmatched_trials",
    "unpaired_metric_note",
]

ALL_ZERO_NOTE = "not tested: every value is 0"
_INFO = "information only, not required to pass"


def too_few_runs(n_control: int, n_variant: int) -> str:
    return f"too few runs to test: {n_control} control, {n_variant} variant (at least 2 per arm)"


def repeated_trials(trials: Sequence[int]) -> str:
    return f"not paired: trial {_listed(trials)} occurs more than once in an arm; analysed unpaired"


def unmatched_trials(trials: Sequence[int]) -> str:
    return f"not paired: trial {_listed(trials)} has a run in one arm only; analysed unpaired"


def different_inputs(trial: int, control_input: str | None, variant_input: str | None) -> str:
    return (
        f"not paired: trial {trial} ran input {control_input!r} in the control arm and "
        f"{variant_input!r} in the variant arm; analysed unpaired"
    )


def single_input(task: str | None) -> str:
    return (
        f"not paired: every pair ran the same input {task!r}, and a paired test needs at least "
        "2 distinct inputs; analysed unpaired"
    )


def paired_by_trial(pairs: int) -> str:
    return f"paired by trial: {pairs} pairs"


def paired_by_input(pairs: int, inputs: int) -> str:
    return (
        f"paired by input: {pairs} pairs on {inputs} distinct inputs; pairs of the same input are "
        f"not independent, so each input's mean log ratio is one observation (n = {inputs})"
    )


def rank_floor(what: str, smallest: float, alpha: float) -> str:
    """``what``: e.g. "4 paired units the signed-rank test"."""
    return (
        f"with {what} cannot reach p < {alpha:g} (its smallest p-value is {smallest:.3g}): "
        "no verdict is possible; use more runs or distinct inputs, or method t"
    )


def not_measured_note(metric: MetricName, missing: int, runs: int) -> str:
    return f"not measured: {missing} of {runs} runs report no {metric}"


def left_out_note(metric: MetricName, missing: int) -> str:
    return f"compared on the runs that report a {metric}: {missing} run(s) without one left out"


def too_few_values_note(metric: MetricName, n_control: int, n_variant: int) -> str:
    return (
        f"too few runs report a {metric} to compare ({n_control} control, {n_variant} variant; "
        "at least 2 per arm): the guardrail cannot be checked, so the verdict cannot be passed"
    )


def unpaired_metric_note(metric: MetricName) -> str:
    return (
        f"not paired: fewer than 2 distinct inputs have both runs reporting a {metric}; "
        "analysed unpaired"
    )


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


def guardrail_violated(guard: MetricComparison, tolerance: float, alpha: float) -> str:
    """The other metric shown worse by more than ``tolerance`` (adjusted p below ``alpha``)."""
    assert guard.p_guardrail_adjusted is not None
    assert guard.ratio is not None
    return (
        f"{guard.metric} guardrail violated: shown worse by more than "
        f"{tolerance:.0%} (ratio {guard.ratio:.3f}{_shown(guard)}, "
        f"Holm-adjusted p = {guard.p_guardrail_adjusted:.3g} < α {alpha:g})"
    )


def success_violated(success: SuccessComparison, alpha: float) -> str:
    """The success rate shown lower by more than the margin (adjusted p below ``alpha``)."""
    assert success.p_worse_adjusted is not None
    return (
        f"success guardrail violated: {_rates(success)}, shown lower by more than "
        f"{success.margin * 100:g} points "
        f"(Holm-adjusted p = {success.p_worse_adjusted:.3g} < α {alpha:g})"
    )


def primary_sentence(primary: MetricComparison, alpha: float) -> str:
    """The margin test's outcome (``p_improvement`` must exist)."""
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


def guardrail_sentences(
    guard: MetricComparison, success: SuccessComparison, alpha: float
) -> list[str]:
    """The guardrails that hold or are beyond their tolerance (violations are phrased by
    :func:`guardrail_violated` / :func:`success_violated`)."""
    out = []
    if guard.guardrail in ("holds", "beyond_tolerance") and guard.p_guardrail_adjusted is not None:
        assert guard.ratio is not None
        where = f"ratio {guard.ratio:.3f}{_shown(guard)}"
        if guard.guardrail == "holds":
            out.append(
                f"{guard.metric} guardrail holds: {where} within {guard.threshold:.3f}, not shown "
                f"worse (Holm-adjusted p = {guard.p_guardrail_adjusted:.3g}); "
                f"{_noninferiority(guard.p_noninferior_adjusted, alpha)}"
            )
        else:
            out.append(
                f"{guard.metric} guardrail beyond its tolerance: {where} above "
                f"{guard.threshold:.3f}, but not shown worse (Holm-adjusted p = "
                f"{guard.p_guardrail_adjusted:.3g} ≥ α {alpha:g}), so the verdict cannot be "
                f"passed; {_to_tell(guard.runs_to_tell, 'ratio were the observed one')}"
            )
    if success.guardrail in ("holds", "beyond_tolerance") and success.p_worse_adjusted is not None:
        assert success.difference is not None
        if success.guardrail == "holds":
            out.append(
                f"success guardrail holds: {_rates(success)}, within {success.margin * 100:g} "
                f"points, not shown worse (Holm-adjusted p = {success.p_worse_adjusted:.3g}); "
                f"{_noninferiority(success.p_noninferior_adjusted, alpha)}"
            )
        else:
            out.append(
                f"success guardrail beyond its tolerance: {_rates(success)}, "
                f"{-success.difference * 100:.1f} points lower (tolerance "
                f"{success.margin * 100:g} points), but not shown worse (Holm-adjusted p = "
                f"{success.p_worse_adjusted:.3g} ≥ α {alpha:g}), so the verdict cannot be "
                f"passed; {_to_tell(success.runs_to_tell, 'rates were the observed ones')}"
            )
    return out


def metric_notes(metrics: Iterable[MetricComparison]) -> list[str]:
    return [f"{m.metric}: {m.note}" for m in metrics if m.note is not None]


def _noninferiority(p_adjusted: float | None, alpha: float) -> str:
    if p_adjusted is None:
        return f"non-inferiority not tested ({_INFO})"
    if p_adjusted < alpha:
        return f"non-inferiority shown (Holm-adjusted p = {p_adjusted:.3g} < α {alpha:g})"
    return (
        f"non-inferiority not shown (Holm-adjusted p = {p_adjusted:.3g} ≥ α {alpha:g}: "
        f"too few runs to prove it; {_INFO})"
    )


def _to_tell(runs: int | None, what: str) -> str:
    if runs is None:
        return "the runs needed to tell cannot be computed"
    return (
        f"about {runs} runs per arm would show it violated with {DEFAULT_POWER:.0%} power if "
        f"the true {what} (normal approximation)"
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
