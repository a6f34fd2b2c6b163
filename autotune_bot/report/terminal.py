"""Readable terminal report for `autotune analyze` (with severity bars)."""

from __future__ import annotations

import math

from autotune_bot.analysis.analyzer import AnalysisReport, TeamReport, WorkflowReport
from autotune_bot.analysis.insight import Insight, Unsupported
from autotune_bot.analysis.profile import Distribution
from autotune_bot.analysis.workflow_profile import NodeProfile
from autotune_bot.metrics.problems import PROBLEM_KINDS

__all__ = ["render_report"]

RULE = "=" * 78


def _bar(severity: float, width: int = 10) -> str:
    filled = round(severity * width)
    return "[" + "█" * filled + "░" * (width - filled) + f"] {severity:.2f}/1.0"


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    if unit in (
        "rate",
        "share of runs",
        "share of cost",
        "share of critical path",
        "share of run time",
        "share of calls repeated",
    ):
        pct = 100 * value
        return f"{pct:.1f}%" if pct == 0 or abs(pct) >= 0.1 else f"{pct:.2g}%"
    text = f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{text} {unit}".rstrip() if unit and unit != "s" else text + (unit if unit else "")


def _dist_line(label: str, d: Distribution | None) -> str:
    if d is None:
        return f"  {label}: no data"
    parts = [f"n={d.n}", f"mean {d.mean:.1f}s", f"p50 {d.p50.estimate:.1f}s"]
    for q in (d.p95, d.p99):
        name = "p95" if q is d.p95 else "p99"
        parts.append(f"{name} {q.estimate:.1f}s" + ("" if q.supported else " (n too small)"))
    return f"  {label}: " + ", ".join(parts)


def _insight(k: int, i: Insight) -> list[str]:
    title = i.bottleneck.replace("_", " ").capitalize()
    where = f" — {i.component}" if i.component else ""
    e = i.evidence
    lines = [
        f"{k}. {title}{where}",
        f"   Severity: {_bar(i.severity)}",
        f"   Current:  {_fmt(i.current_value, i.unit)}",
        f"   Baseline: {_fmt(i.baseline_value, i.unit)}  ({e.baseline_source})",
    ]
    if e.interval is not None:
        lines.append(
            f"   Evidence: n={e.n}, {int(100 * e.confidence)}% interval "
            f"[{_fmt(e.interval[0])}, {_fmt(e.interval[1])}] on {e.interval_of}"
        )
    else:
        lines.append(f"   Evidence: n={e.n}, {e.interval_of}")
    if i.location:
        lines.append(f"   Where:    {i.location}")
    lines.append(f"   {i.message}.")
    lines.append(f"   → {i.recommendation}")
    return lines


def _unsupported(items: tuple[Unsupported, ...]) -> list[str]:
    if not items:
        return []
    out = ["", "  Not assessed (the data cannot support it):"]
    out += [f"   - {u.analysis}: {u.reason}" for u in items]
    return out


def _team(t: TeamReport) -> list[str]:
    p = t.profile
    out = [
        RULE,
        f"  Team: {t.team_id}" + (f"  ({t.location})" if t.location else ""),
        RULE,
        f"  Records: {t.selection.how} — {p.runs} runs"
        + (f"; {len(t.older)} older configuration(s) reported separately" if t.older else ""),
    ]
    s = p.success
    if p.outcomes:
        out.append(
            f"  Success: {100 * s.estimate:.1f}% "
            f"(95% interval {100 * s.low:.1f}–{100 * s.high:.1f}%, n={p.outcomes})"
        )
    out.append(_dist_line("Duration", p.duration))
    usage = []
    if p.tool_calls is not None:
        usage.append(f"tool calls mean {p.tool_calls.mean:.1f}")
    if p.cost is not None:
        usage.append(f"cost mean ${p.cost.mean:.4f}")
    if not math.isnan(p.mean_input_tokens):
        usage.append(f"tokens in/out {p.mean_input_tokens:,.0f}/{p.mean_output_tokens:,.0f}")
    if usage:
        out.append("  Usage: " + ", ".join(usage))
    for h in t.older:
        mean = f"mean {h.duration.mean:.1f}s" if h.duration else "no durations"
        out.append(
            f"  Older config {h.config}: {h.runs} runs, {mean}, "
            f"success {100 * h.success.estimate:.1f}%, formations {h.formations}"
        )
    if p.members:
        out.append(
            "  Members: "
            + ", ".join(
                f"{m.member_id} ({100 * m.success.estimate:.0f}% ok, "
                f"{m.duration.mean if m.duration else float('nan'):.1f}s)"
                for m in p.members
            )
        )
    out.append("")
    if t.insights:
        out.append(f"Found {len(t.insights)} performance issue(s):")
        for k, i in enumerate(t.insights, 1):
            out += ["", *_insight(k, i)]
    else:
        out.append("No bottleneck found in the analysed configuration.")
    return out + _unsupported(t.unsupported) + [""]


def _node_table(nodes: tuple[NodeProfile, ...]) -> list[str]:
    if not nodes:
        return []
    width = max(len(n.node_id) for n in nodes)
    out = [
        "",
        f"  {'node':<{width}}  {'runs':>6}  {'ok':>5}  {'mean s':>7}  {'p95 s':>7}"
        f"  {'tokens in/out':>13}  {'cost $':>8}  model",
    ]
    for n in nodes:
        ok = "n/a" if math.isnan(n.success.estimate) else f"{100 * n.success.estimate:.0f}%"
        mean = f"{n.duration.mean:.1f}" if n.duration else "n/a"
        p95 = f"{n.duration.p95.estimate:.1f}" if n.duration else "n/a"
        tokens = (
            ""
            if math.isnan(n.mean_input_tokens)
            else f"{n.mean_input_tokens:,.0f}/{n.mean_output_tokens:,.0f}"
        )
        cost = "" if math.isnan(n.mean_cost) else f"{n.mean_cost:.4f}"
        out.append(
            f"  {n.node_id:<{width}}  {n.runs:>6}  {ok:>5}  {mean:>7}  {p95:>7}"
            f"  {tokens:>13}  {cost:>8}  {', '.join(n.models)}"
        )
    return out


def _workflow(w: WorkflowReport) -> list[str]:
    out = [
        RULE,
        f"  Workflow: {w.name}" + (f"  ({w.path})" if w.path else ""),
        RULE,
        f"  Runs analysed: {w.runs}" + (f" ({w.selection.how})" if w.selection else ""),
        *_node_table(w.nodes),
        "",
    ]
    if w.insights:
        out.append(f"Found {len(w.insights)} performance issue(s):")
        for k, i in enumerate(w.insights, 1):
            out += ["", *_insight(k, i)]
    else:
        out.append("No bottleneck found.")
    return out + _unsupported(w.unsupported) + [""]


def render_report(report: AnalysisReport) -> str:
    out = [
        RULE,
        "  Performance Analysis",
        RULE,
        f"Read {report.records_read:,} records from {len(report.files_read)} metrics file(s).",
    ]
    for err in report.workflow_errors:
        out.append(f"Skipped workflow file: {err}")
    log = report.problems
    if log.total:
        out.append(f"Data problems: {log.total} (counted, not fatal):")
        for kind, count in sorted(log.counts.items()):
            first = log.examples.get(kind, [])
            where = f" e.g. {first[0].location()}" if first else ""
            out.append(f"  - {kind}: {count} — {PROBLEM_KINDS.get(kind, '')}{where}")
    for unknown in report.unknown_teams:
        where = ", ".join(f"{n} in {f}" for f, n in unknown.records.items())
        out.append(
            f"Team id {unknown.team_id!r} matches no team node in any workflow file "
            f"({where}); analysed from metrics alone."
        )
    out.append("")
    for t in report.teams:
        out += _team(t)
    for w in report.workflows:
        out += _workflow(w)
    if not report.teams and not report.workflows:
        out.append("Nothing to analyse: no team or workflow records matched.")
    return "\n".join(out) + "\n"
