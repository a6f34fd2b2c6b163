"""The JSON form of `autotune suggest --format json` (documented in docs/suggestions-json.md).

Versioned by ``schema_version``; fields are only added within a version. Non-finite numbers
become ``null``. Values that are tuples in Python become lists.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from autotune_bot import __version__
from autotune_bot.patch.edits import Edit
from autotune_bot.tuning.config import TeamConfig, WorkflowConfig
from autotune_bot.tuning.plan_types import SearchSummary, TargetPlan, TuningPlan
from autotune_bot.tuning.suggestion import Change, Estimate, MetricChange, OptimizationSuggestion

__all__ = ["SCHEMA_VERSION", "plain", "plan_to_json", "suggestion_to_json"]

SCHEMA_VERSION = 1


def plain(value: Any) -> Any:
    """JSON-ready form of a value (tuples/frozensets → lists, NaN → None)."""
    if isinstance(value, float):
        return round(value, 6) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _config(config: TeamConfig | WorkflowConfig | None) -> dict[str, Any] | None:
    if config is None:
        return None
    return {f.name: plain(getattr(config, f.name)) for f in dataclasses.fields(config)}


def _edit(edit: Edit) -> dict[str, Any]:
    out: dict[str, Any] = {"op": type(edit).__name__, "path": plain(edit.path)}
    for name in ("value", "index"):
        if hasattr(edit, name):
            out[name] = plain(getattr(edit, name))
    return out


def _change(c: Change) -> dict[str, Any]:
    return {
        "file": c.file,
        "node": c.node,
        "field": c.field,
        "line": c.line,
        "old": plain(c.old),
        "new": plain(c.new),
        "edit": _edit(c.edit),
    }


def _metric(m: MetricChange | None) -> dict[str, Any] | None:
    if m is None:
        return None
    return {
        "current": plain(m.current),
        "predicted": plain(m.predicted),
        "relative": plain(m.relative),
        "interval": plain(m.interval),
    }


def _estimate(e: Estimate | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {
        "basis": e.basis,
        "n": e.n,
        "validated": e.validated,
        "duration_per_success": _metric(e.duration),
        "cost_per_success": _metric(e.cost),
        "success_rate": _metric(e.success),
        "notes": list(e.notes),
    }


def suggestion_to_json(s: OptimizationSuggestion) -> dict[str, Any]:
    return {
        "type": s.type.value,
        "strategy": s.strategy,
        "scope": s.scope,
        "target": s.target,
        "priority": s.priority.value,
        "description": s.description,
        "expected_improvement_percent": plain(s.expected_improvement),
        "confidence": plain(s.confidence),
        "risk_level": plain(s.risk_level),
        "risk": s.risk,
        "changes": [_change(c) for c in s.changes],
        "estimate": _estimate(s.estimate),
        "evidence": list(s.evidence),
        "insights": list(s.insights),
        "current_config": plain(s.current_config),
        "suggested_config": plain(s.suggested_config),
        "candidate": _config(s.candidate),
    }


def _search(summary: SearchSummary | None) -> dict[str, Any] | None:
    if summary is None:
        return None
    return {
        "algorithm": summary.algorithm,
        "evaluations": summary.evaluations,
        "space_size": summary.space_size,
        "dimensions": list(summary.dimensions),
        "shipped": plain(summary.shipped),
        "basis": summary.basis,
        "pareto": [plain(dataclasses.asdict(p)) for p in summary.pareto],
    }


def _target(t: TargetPlan) -> dict[str, Any]:
    return {
        "scope": t.scope,
        "target": t.target,
        "file": t.file,
        "location": t.location,
        "suggestions": [suggestion_to_json(s) for s in t.suggestions],
        "best": suggestion_to_json(t.best) if t.best is not None else None,
        "search": _search(t.search),
        "notes": list(t.notes),
    }


def plan_to_json(plan: TuningPlan) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": f"autotune-bot {__version__}",
        "targets": [_target(t) for t in plan.targets],
        "notes": list(plan.notes),
    }
