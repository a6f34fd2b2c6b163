"""Rendering an A/B result: strict JSON (no NaN or infinity) and the plain-text table the
``autotune benchmark`` command prints. Pure: values in, strings and dicts out."""

from __future__ import annotations

import math
from typing import Any

from autotune_bot.validation.evidence import evidence_label
from autotune_bot.validation.exact_binomial import EXACT_TABLE_LIMIT
from autotune_bot.validation.power import DEFAULT_POWER
from autotune_bot.validation.result import ABTestResult, MetricComparison, SuccessComparison

__all__ = ["result_table", "result_to_json"]

_DASH = "–"


def _num(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _metric_json(m: MetricComparison) -> dict[str, Any]:
    interval = None
    if m.interval is not None:
        interval = {
            "low": _num(m.interval[0]),
            "high": _num(m.interval[1]),
            "confidence": _num(m.confidence),
            "kind": m.interval_kind,
        }
    return {
        "metric": m.metric,
        "role": m.role,
        "measured": m.measured,
        "n_control": m.n_control,
        "n_variant": m.n_variant,
        "median_control": _num(m.median_control),
        "median_variant": _num(m.median_variant),
        "ratio": _num(m.ratio),
        "ratio_kind": m.interval_kind,
        "interval": interval,
        "threshold": _num(m.threshold),
        "p_improvement": _num(m.p_improvement),
        "p_worse": _num(m.p_worse),
        "p_guardrail_adjusted": _num(m.p_guardrail_adjusted),
        "values_floored": m.floored,
        "left_out": m.left_out,
        "paired_units": m.paired_units,
        "guardrail": m.guardrail,
        "p_noninferior": _num(m.p_noninferior),
        "p_noninferior_adjusted": _num(m.p_noninferior_adjusted),
        "noninferiority_shown": m.noninferiority_shown,
        "runs_to_tell": m.runs_to_tell,
        "note": m.note,
    }


def _success_json(s: SuccessComparison) -> dict[str, Any]:
    return {
        "successes_control": s.successes_control,
        "n_control": s.n_control,
        "rate_control": _num(s.rate_control),
        "successes_variant": s.successes_variant,
        "n_variant": s.n_variant,
        "rate_variant": _num(s.rate_variant),
        "difference": _num(s.difference),
        "margin": _num(s.margin),
        "test": s.test,
        "p_worse": _num(s.p_worse),
        "p_worse_adjusted": _num(s.p_worse_adjusted),
        "guardrail": s.guardrail,
        "p_noninferior": _num(s.p_noninferior),
        "p_noninferior_adjusted": _num(s.p_noninferior_adjusted),
        "noninferiority_shown": s.noninferiority_shown,
        "runs_to_tell": s.runs_to_tell,
    }


def result_to_json(result: ABTestResult) -> dict[str, Any]:
    """The result as plain JSON values; numbers that do not exist are null."""
    return {
        "status": result.status,
        "evidence": result.evidence,
        "primary_metric": result.primary_metric,
        "paired": result.paired,
        "paired_units": result.paired_units,
        "method": result.method,
        "alpha": _num(result.alpha),
        "margin_ratio": _num(result.margin_ratio),
        "guardrail_ratio": _num(result.guardrail_ratio),
        "required_runs_per_arm": result.required_runs_per_arm,
        "required_runs_decision": result.required_runs_decision,
        "metrics": [_metric_json(m) for m in result.metrics],
        "success": _success_json(result.success),
        "reasons": list(result.reasons),
        "run_notes": list(result.run_notes),
    }


# --- text -----------------------------------------------------------------------------------


def _method_label(result: ABTestResult) -> str:
    if result.method == "t":
        test = "paired t test on log ratios" if result.paired else "Welch t test on log values"
    else:
        test = (
            "Wilcoxon signed-rank test on log ratios"
            if result.paired
            else "Mann-Whitney U test on log values"
        )
    design = "unpaired"
    if result.paired:
        design = "paired by trial"
        primary = result.metric(result.primary_metric)
        if result.paired_units is not None and primary is not None:
            pairs = primary.n_control
            if result.paired_units < pairs:
                design = (
                    f"paired by input ({pairs} pairs on {result.paired_units} distinct inputs, "
                    "one mean log ratio per input)"
                )
    return f"{design}, {test}, one-sided α = {result.alpha:g}"


def _value(metric: str, value: float | None) -> str:
    if value is None:
        return _DASH
    return f"{value:.4g} s" if metric == "duration" else f"${value:.4g}"


def _p(value: float | None) -> str:
    return _DASH if value is None else f"{value:.4f}" if value >= 1e-4 else f"{value:.1e}"


_STATES = {
    "holds": "holds",
    "violated": "VIOLATED",
    "beyond_tolerance": "beyond tolerance",
    "unchecked": "unchecked",
    "not_measured": "not measured",
}


def _state(m: MetricComparison) -> str:
    if m.guardrail is None:
        return _DASH
    state = _STATES[m.guardrail]
    if m.noninferiority_shown is not None and m.guardrail != "violated":
        state += ", NI shown" if m.noninferiority_shown else ", NI not shown"
    return state


def _metric_row(m: MetricComparison) -> list[str]:
    counts = f"{m.n_control}/{m.n_variant}" + (f" ({m.left_out} left out)" if m.left_out else "")
    if not m.measured:
        return [m.metric, m.role, counts, _DASH, _DASH, "not measured", "", "", "", "", _state(m)]
    interval = _DASH if m.interval is None else f"{m.interval[0]:.3f}–{m.interval[1]:.3f}"
    return [
        m.metric,
        m.role,
        counts,
        _value(m.metric, m.median_control),
        _value(m.metric, m.median_variant),
        _DASH if m.ratio is None else f"{m.ratio:.3f}",
        interval,
        _p(m.p_improvement),
        _p(m.p_worse),
        _p(m.p_guardrail_adjusted),
        _state(m),
    ]


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]


def _rate(successes: int, n: int) -> str:
    return f"{successes}/{n}" + (f" ({successes / n:.1%})" if n else "")


_SUCCESS_TESTS = {
    "boschloo": "Boschloo exact test",
    "chan-farrington-manning": "exact unconditional test, Farrington-Manning score (Chan 1998)",
    "farrington-manning-asymptotic": (
        f"asymptotic Farrington-Manning score test (n_control × n_variant > {EXACT_TABLE_LIMIT:,})"
    ),
}


def _success_lines(s: SuccessComparison) -> list[str]:
    diff = _DASH if s.difference is None else f"{s.difference * 100:+.1f} points"
    state = _DASH if s.guardrail is None else _STATES[s.guardrail]
    shown = {None: _DASH, True: "shown", False: "not shown"}[s.noninferiority_shown]
    return [
        f"success rate: control {_rate(s.successes_control, s.n_control)}, "
        f"variant {_rate(s.successes_variant, s.n_variant)}, difference {diff}",
        f"  guardrail {state} (tolerance {s.margin * 100:g} points; {_SUCCESS_TESTS[s.test]})",
        f"  harm (variant more than {s.margin * 100:g} points lower): p = {_p(s.p_worse)}, "
        f"Holm-adjusted {_p(s.p_worse_adjusted)}",
        f"  non-inferiority (variant less than {s.margin * 100:g} points lower; information "
        f"only): p = {_p(s.p_noninferior)}, Holm-adjusted {_p(s.p_noninferior_adjusted)}: {shown}",
    ]


def result_table(result: ABTestResult) -> str:
    """The plain-text report of one A/B test."""
    lines = [
        f"A/B test ({result.evidence} evidence): {result.status.upper()}",
        f"evidence: {evidence_label(result.evidence)}",
        f"analysis: {_method_label(result)}",
        f"pass needs the {result.primary_metric} ratio (variant/control) shown below "
        f"{result.margin_ratio:.3f} and every guardrail to hold: the other metric's ratio "
        f"observed at most {result.guardrail_ratio:.3f} and not shown above it, the success "
        f"rate observed at most {result.success.margin * 100:g} points lower and not shown "
        "lower by more (Holm across guardrails)",
    ]
    if result.metrics:
        confidence = result.metrics[0].confidence
        kind = "t" if result.metrics[0].interval_kind == "t" else "Hodges-Lehmann"
        header = [
            "metric",
            "role",
            "n c/v",
            "median control",
            "median variant",
            "ratio",
            f"{confidence:.0%} {kind} interval",
            "p improve",
            "p worse",
            "p guardrail (Holm)",
            "guardrail",
        ]
        lines += ["", *_table([header, *(_metric_row(m) for m in result.metrics)])]
    if result.success.n_control or result.success.n_variant:
        lines += ["", *_success_lines(result.success)]
    lines += ["", f"verdict: {result.status}"]
    lines += [f"  - {reason}" for reason in result.reasons]
    if result.run_notes:
        lines += ["runs:", *(f"  - {note}" for note in result.run_notes)]
    needed = result.required_runs_per_arm
    lines.append(
        "runs per arm needed to decide: "
        + (
            f"{needed} ({DEFAULT_POWER:.0%} power to reach {result.required_runs_decision} "
            "at the observed values)"
            if needed is not None
            else _DASH
        )
    )
    return "\n".join(lines) + "\n"
