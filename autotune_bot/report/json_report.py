"""The JSON form of an analysis report (`autotune analyze --format json`).

The shape is documented in docs/analysis-json.md and versioned by ``schema_version``:
fields are only ever added within a version. Non-finite numbers become ``null``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from autotune_bot import __version__
from autotune_bot.analysis.analyzer import AnalysisReport, TeamReport, WorkflowReport
from autotune_bot.analysis.insight import Insight, Unsupported
from autotune_bot.analysis.profile import Distribution, MemberProfile, TeamProfile
from autotune_bot.analysis.selection import ConfigGroup, Selection
from autotune_bot.analysis.stats import Interval, QuantileEstimate
from autotune_bot.analysis.workflow_profile import NodeProfile

__all__ = ["SCHEMA_VERSION", "report_to_json"]

SCHEMA_VERSION = 1


def _num(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 6)


def _interval(iv: Interval | None) -> dict[str, Any] | None:
    if iv is None:
        return None
    return {
        "estimate": _num(iv.estimate),
        "low": _num(iv.low),
        "high": _num(iv.high),
        "confidence": iv.confidence,
    }


def _quantile(q: QuantileEstimate) -> dict[str, Any]:
    return {
        "estimate": _num(q.estimate),
        "low": _num(q.low),
        "high": _num(q.high),
        "supported": q.supported,
        "note": q.note,
    }


def _dist(d: Distribution | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {
        "n": d.n,
        "mean": _num(d.mean),
        "mean_interval": _interval(d.mean_interval),
        "p50": _quantile(d.p50),
        "p95": _quantile(d.p95),
        "p99": _quantile(d.p99),
        "min": _num(d.minimum),
        "max": _num(d.maximum),
    }


def _details(details: Mapping[str, float | int | str]) -> dict[str, Any]:
    return {k: (_num(v) if isinstance(v, float) else v) for k, v in details.items()}


def insight_to_json(i: Insight) -> dict[str, Any]:
    e = i.evidence
    return {
        "bottleneck": i.bottleneck,
        "scope": i.scope,
        "target": i.target,
        "component": i.component,
        "severity": round(i.severity, 4),
        "current_value": _num(i.current_value),
        "baseline_value": _num(i.baseline_value),
        "unit": i.unit,
        "message": i.message,
        "recommendation": i.recommendation,
        "location": i.location,
        "affected": list(i.affected),
        "evidence": {
            "n": e.n,
            "interval": [_num(e.interval[0]), _num(e.interval[1])] if e.interval else None,
            "interval_of": e.interval_of,
            "confidence": e.confidence,
            "baseline_source": e.baseline_source,
            "details": _details(e.details),
        },
    }


def _unsupported(items: tuple[Unsupported, ...]) -> list[dict[str, str]]:
    return [{"analysis": u.analysis, "reason": u.reason} for u in items]


def _group(g: ConfigGroup) -> dict[str, Any]:
    return {
        "config": g.config,
        "runs": int(g.rows.size),
        "first_timestamp": _num(g.first_timestamp),
        "last_timestamp": _num(g.last_timestamp),
    }


def _selection(sel: Selection | None, older: tuple[TeamProfile, ...] = ()) -> dict[str, Any] | None:
    if sel is None:
        return None
    summaries = []
    for k, g in enumerate(sel.older):
        item = _group(g)
        if k < len(older):
            p = older[k]
            item["mean_duration_s"] = _num(p.duration.mean if p.duration else None)
            item["success_rate"] = _num(p.success.estimate)
            item["formations"] = p.formations
        summaries.append(item)
    return {"rule": sel.how, "current": _group(sel.current), "older": summaries}


def _member(m: MemberProfile) -> dict[str, Any]:
    return {
        "member_id": m.member_id,
        "runs": m.runs,
        "success_rate": _interval(m.success),
        "duration_s": _dist(m.duration),
        "mean_tool_calls": _num(m.mean_tool_calls),
        "time_share": _num(m.time_share),
        "tool_share": _num(m.tool_share),
        "failures": m.failures,
        "team_success_dependence": _interval(m.success_dependence),
    }


def _team_profile(p: TeamProfile) -> dict[str, Any]:
    return {
        "runs": p.runs,
        "runs_with_outcome": p.outcomes,
        "success_rate": _interval(p.success),
        "duration_s": _dist(p.duration),
        "duration_successful_s": _dist(p.duration_successful),
        "tool_calls": _dist(p.tool_calls),
        "cost_usd": _dist(p.cost),
        "mean_input_tokens": _num(p.mean_input_tokens),
        "mean_output_tokens": _num(p.mean_output_tokens),
        "formations": p.formations,
        "member_count": _num(p.member_count),
        "consensus_rounds": _dist(p.consensus_rounds),
        "members": [_member(m) for m in p.members],
    }


def _team(t: TeamReport) -> dict[str, Any]:
    return {
        "team_id": t.team_id,
        "workflow": t.workflow,
        "location": t.location,
        "selection": _selection(t.selection, t.older),
        "profile": _team_profile(t.profile),
        "insights": [insight_to_json(i) for i in t.insights],
        "unsupported": _unsupported(t.unsupported),
    }


def _node(n: NodeProfile) -> dict[str, Any]:
    return {
        "node_id": n.node_id,
        "runs": n.runs,
        "success_rate": _interval(n.success),
        "duration_s": _dist(n.duration),
        "mean_input_tokens": _num(n.mean_input_tokens),
        "mean_output_tokens": _num(n.mean_output_tokens),
        "mean_cost_usd": _num(n.mean_cost),
        "models": list(n.models),
        "errors": n.errors,
    }


def _workflow(w: WorkflowReport) -> dict[str, Any]:
    return {
        "name": w.name,
        "path": w.path,
        "runs": w.runs,
        "selection": _selection(w.selection),
        "nodes": [_node(n) for n in w.nodes],
        "insights": [insight_to_json(i) for i in w.insights],
        "unsupported": _unsupported(w.unsupported),
    }


def report_to_json(report: AnalysisReport, settings_path: str | None) -> dict[str, Any]:
    log = report.problems
    examples = [
        {
            "kind": p.kind,
            "file": p.path,
            "line": p.line,
            "record": None if p.record is None else p.record + 1,
            "detail": p.detail,
        }
        for kind in sorted(log.examples)
        for p in log.examples[kind]
    ]
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": f"autotune-bot {__version__}",
        "inputs": {
            "settings": settings_path,
            "files_read": list(report.files_read),
            "records_read": report.records_read,
            "workflow_errors": [str(e) for e in report.workflow_errors],
        },
        "data_problems": {
            "total": log.total,
            "by_kind": dict(sorted(log.counts.items())),
            "by_file": dict(sorted(log.per_file.items())),
            "examples": examples,
        },
        "unknown_teams": [
            {"team_id": u.team_id, "records": u.records} for u in report.unknown_teams
        ],
        "teams": [_team(t) for t in report.teams],
        "workflows": [_workflow(w) for w in report.workflows],
    }
