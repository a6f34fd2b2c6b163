"""One metric (duration or cost) of the two arms: its estimate, interval and one-sided tests.

* Primary metric: H1 ratio < margin (``p_improvement``) and H1 ratio > 1 (``p_worse``). Every
  run must report it; otherwise it is "not measured" and nothing is tested.
* Guardrail (the other metric): H1 ratio > 1 + tolerance (``p_worse``, harm) and H1 ratio <
  1 + tolerance (``p_noninferior``, reported only). It is compared on the runs that report it:
  none → "not measured"; some → those runs, the others counted as left out; fewer than 2 in an
  arm → "unchecked".

Paired (a :class:`~autotune_bot.validation.pairing.Pairing` is given): the pairs whose two runs
both report the metric, each arm's logs averaged per input (one unit per distinct input);
when fewer than 2 inputs remain, the metric is analysed unpaired and its note says so. Pure.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Literal

from autotune_bot.settings.proposals import ABTestSettings
from autotune_bot.validation import verdict_reasons
from autotune_bot.validation.intervals import IntervalKind, LogInterval, hodges_lehmann, t_interval
from autotune_bot.validation.pairing import Pairing, keep_pairs
from autotune_bot.validation.power import safe_exp
from autotune_bot.validation.result import GuardrailState, MetricComparison, MetricName
from autotune_bot.validation.runs import RunResult
from autotune_bot.validation.statistics import FloatArray, cluster_means, log_values, ratio_pvalue

__all__ = ["MetricTest", "compare_metric", "median"]


@dataclasses.dataclass(frozen=True)
class MetricTest:
    """A metric's comparison and what a power calculation needs from it."""

    comparison: MetricComparison
    logs: tuple[FloatArray, FloatArray] | None = None  # (control, variant) units, when tested
    log_ratio: float | None = None  # the estimate, on the log scale
    paired: bool = False
    pairs_per_unit: float = 1.0


def median(values: Sequence[float]) -> float | None:
    """The median, computed without overflow for extreme finite values; None when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    low, high = ordered[mid - 1], ordered[mid]
    return low + (high - low) / 2 if low >= 0 or high <= 0 else (low + high) / 2


def compare_metric(
    name: MetricName,
    control: Sequence[RunResult],
    variant: Sequence[RunResult],
    settings: ABTestSettings,
    *,
    pairing: Pairing | None,
    enough: bool,
) -> MetricTest:
    """Compare ``name`` between the arms (with ``pairing``: the arms are its ordered runs)."""
    primary = name == settings.primary_metric
    alpha = settings.alpha
    margin = 1.0 - settings.min_improvement
    threshold = margin if primary else 1.0 + settings.guardrail_tolerance
    cv = [_value(r, name) for r in control]
    vv = [_value(r, name) for r in variant]
    c_known = [x for x in cv if x is not None]
    v_known = [x for x in vv if x is not None]
    missing = len(cv) + len(vv) - len(c_known) - len(v_known)
    kind: IntervalKind = "t" if settings.method == "t" else "hodges-lehmann"
    base = MetricComparison(
        metric=name,
        role="primary" if primary else "guardrail",
        measured=True,
        n_control=len(c_known),
        n_variant=len(v_known),
        median_control=median(c_known),
        median_variant=median(v_known),
        ratio=None,
        interval=None,
        interval_kind=kind,
        confidence=1.0 - 2.0 * alpha,
        threshold=threshold,
        p_improvement=None,
        p_worse=None,
        p_guardrail_adjusted=None,
        left_out=0 if primary else missing,
    )
    if missing and (primary or not (c_known or v_known)):
        why = verdict_reasons.not_measured_note(name, missing, len(cv) + len(vv))
        return MetricTest(
            dataclasses.replace(
                base,
                measured=False,
                median_control=None,
                median_variant=None,
                left_out=0,
                note=why,
                guardrail=None if primary else "not_measured",
            )
        )
    unchecked: GuardrailState | None = None if primary else "unchecked"
    if not enough:
        return MetricTest(dataclasses.replace(base, guardrail=unchecked))
    notes = [verdict_reasons.left_out_note(name, missing)] if missing else []
    if len(c_known) < 2 or len(v_known) < 2:
        notes.append(verdict_reasons.too_few_values_note(name, len(c_known), len(v_known)))
        return MetricTest(dataclasses.replace(base, note="; ".join(notes), guardrail=unchecked))
    unit_pairing = pairing
    if pairing is not None and missing:
        both = [c is not None and v is not None for c, v in zip(cv, vv, strict=True)]
        unit_pairing = keep_pairs(pairing, both)
        if unit_pairing is None:
            notes.append(verdict_reasons.unpaired_metric_note(name))
    c_vals, v_vals = c_known, v_known
    if unit_pairing is not None:
        c_vals = [x for x in (_value(r, name) for r in unit_pairing.control) if x is not None]
        v_vals = [x for x in (_value(r, name) for r in unit_pairing.variant) if x is not None]
    try:
        lc, lv, floored = log_values(c_vals, v_vals)
    except ValueError:  # no positive value at all: every value is 0, the arms are equal
        notes.append(verdict_reasons.ALL_ZERO_NOTE)
        return MetricTest(
            dataclasses.replace(base, note="; ".join(notes), guardrail=None if primary else "holds")
        )
    if floored:
        notes.append(verdict_reasons.floored_note(floored))
    paired = unit_pairing is not None
    per_unit = 1.0
    if unit_pairing is not None:
        lc = cluster_means(lc, unit_pairing.clusters)
        lv = cluster_means(lv, unit_pairing.clusters)
        per_unit = unit_pairing.pairs / unit_pairing.n_clusters
    estimate = _interval(lc, lv, settings, paired=paired, confidence=base.confidence)
    interval = None
    if alpha < 0.5 and math.isfinite(estimate.low) and math.isfinite(estimate.high):
        interval = (safe_exp(estimate.low), safe_exp(estimate.high))

    def p(ratio: float, alternative: Literal["less", "greater"]) -> float:
        return float(
            ratio_pvalue(
                lc, lv, ratio=ratio, alternative=alternative, method=settings.method, paired=paired
            )
        )

    comparison = dataclasses.replace(
        base,
        ratio=safe_exp(estimate.estimate),
        interval=interval,
        p_improvement=(p(margin, "less") if margin > 0 else 1.0) if primary else None,
        p_worse=p(1.0 if primary else threshold, "greater"),
        p_noninferior=None if primary else p(threshold, "less"),
        floored=floored,
        note="; ".join(notes) or None,
        paired_units=len(lc) if paired else None,
    )
    return MetricTest(comparison, (lc, lv), estimate.estimate, paired, per_unit)


def _value(run: RunResult, metric: MetricName) -> float | None:
    value = run.duration_seconds if metric == "duration" else run.cost_usd
    return value if value is not None and math.isfinite(value) else None


def _interval(
    lc: FloatArray, lv: FloatArray, settings: ABTestSettings, *, paired: bool, confidence: float
) -> LogInterval:
    # with α ≥ 0.5 there is no (1 − 2α) interval; the estimate alone is computed (at 50 %)
    level = confidence if confidence > 0 else 0.5
    if settings.method == "t":
        return t_interval(lc, lv, paired=paired, confidence=level)
    return hodges_lehmann(lc, lv, paired=paired, confidence=level)
