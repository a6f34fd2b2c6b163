"""Readable terminal output of `autotune suggest`: per target, numbered suggestions with their
exact changes, estimate, confidence, risk and evidence, then the search's best configuration."""

from __future__ import annotations

import math

from autotune_bot.tuning.describe import describe_values
from autotune_bot.tuning.plan_types import SearchSummary, TargetPlan, TuningPlan
from autotune_bot.tuning.suggestion import Estimate, MetricChange, OptimizationSuggestion

__all__ = ["render_plan", "render_suggestion"]

RULE = "=" * 78
_ICONS = {"critical": "🔴", "high": "🟠", "medium": "🟡", "low": "🟢"}


def _pct(value: float) -> str:
    return f"{100 * value:+.1f}%"


def _metric(m: MetricChange) -> str:
    if m.metric == "success_rate":
        text = f"success {100 * m.current:.1f}% → {100 * m.predicted:.1f}%"
        if m.interval is not None:
            lo, hi = m.interval
            text += f" ({100 * m.relative:+.1f} pts, interval {100 * lo:+.1f} to {100 * hi:+.1f})"
        return text
    unit = "s" if m.metric == "duration" else " USD"
    digits = 1 if m.metric == "duration" else 4
    text = (
        f"{m.metric} per successful run {m.current:.{digits}f}{unit} → "
        f"{m.predicted:.{digits}f}{unit} ({_pct(m.relative)}"
    )
    if m.interval is not None:
        text += f", interval {_pct(m.interval[0])} to {_pct(m.interval[1])}"
    return text + ")"


def estimate_lines(e: Estimate | None, indent: str = "   ") -> list[str]:
    if e is None:
        return [f"{indent}Estimate: not estimated"]
    status = "validated by an A/B test" if e.validated else "not validated"
    lines = [f"{indent}Estimate: {e.basis} — {status}"]
    for m in (e.duration, e.cost, e.success):
        if m is not None:
            lines.append(f"{indent}  {_metric(m)}")
    lines += [f"{indent}  note: {note}" for note in e.notes]
    return lines


def render_suggestion(k: int, s: OptimizationSuggestion, *, details: bool = True) -> list[str]:
    icon = _ICONS.get(s.priority.value, "")
    if not math.isfinite(s.expected_improvement):
        expected = "not estimated"
    elif abs(s.expected_improvement) < 0.05:
        expected = "no measurable change on the recorded executions"
    else:
        expected = f"{s.expected_improvement:+.1f}% on the objective"
    lines = [
        f"{k}. {icon} {s.description}",
        f"   Type:       {s.type.value}   Priority: {s.priority.value}",
        f"   Expected:   {expected}",
        f"   Confidence: {s.confidence:.2f}   Risk: {s.risk} ({s.risk_level:.2f})",
    ]
    if not details:
        return lines
    if s.changes:
        lines.append("   Changes:")
        lines += [f"     - {c.describe()}" for c in s.changes]
    lines += estimate_lines(s.estimate)
    if s.evidence:
        lines.append("   Evidence:")
        lines += [f"     - {line}" for line in s.evidence]
    return lines


def _search(summary: SearchSummary) -> list[str]:
    lines = [
        f"  Search: {summary.algorithm}, {summary.evaluations} evaluations over "
        f"{summary.space_size:,} configurations ({', '.join(summary.dimensions)}); "
        f"{summary.basis}"
    ]
    if summary.pareto:
        lines.append("  Pareto front (duration/success s, cost/success USD, success):")
        for p in summary.pareto[:8]:
            what = describe_values(p.changes) if p.changes else "current configuration"
            lines.append(
                f"   - {p.duration_per_success:.1f}s, {p.cost_per_success:.4f}, "
                f"{100 * p.success_rate:.1f}%: {what}"
            )
    return lines


def _target(t: TargetPlan) -> list[str]:
    kind = "Team" if t.scope == "team" else "Workflow"
    where = f"  ({t.location})" if t.location else ""
    lines = ["", RULE, f"  {kind}: {t.target}{where}", RULE]
    if not t.suggestions and t.best is None:
        lines.append("No change worth proposing.")
    for k, s in enumerate(t.suggestions, 1):
        lines += render_suggestion(k, s)
        lines.append("")
    if t.best is not None:
        best = render_suggestion(0, t.best)
        best[0] = f"★ {t.best.description}"
        lines += best
    if t.search is not None:
        lines += _search(t.search)
    if t.notes:
        lines.append("  Notes:")
        lines += [f"   - {n}" for n in t.notes]
    return lines


def render_plan(plan: TuningPlan) -> str:
    total = len(plan.suggestions())
    lines = [RULE, "  Optimization Suggestions", RULE, f"Generated {total} suggestion(s)."]
    lines.append(
        "Estimates are simulated from recorded traces: not validated, none is an A/B result."
    )
    for note in plan.notes:
        lines.append(f"Note: {note}")
    for t in plan.targets:
        lines += _target(t)
    return "\n".join(lines) + "\n"
