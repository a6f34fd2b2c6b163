"""What the analyzer reports: insights (bottlenecks found) and unsupported analyses.

An :class:`Insight` always carries the numbers it rests on: the current value, the baseline
it was compared with and where that baseline came from, the sample size and an interval.
When the data cannot support an analysis, the analyzer says so with an :class:`Unsupported`
entry instead of guessing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypedDict, TypeVar, Unpack

__all__ = [
    "TEAM_BOTTLENECKS",
    "WORKFLOW_BOTTLENECKS",
    "Evidence",
    "Finding",
    "Insight",
    "InsightBody",
    "Unsupported",
    "make_insight",
    "run_detectors",
]

Scope = Literal["team", "workflow"]

# Every bottleneck type the analyzer can report, with a one-line meaning (used in docs and
# in the JSON report's legend). Formation bottlenecks are `suboptimal_formation_<type>`.
TEAM_BOTTLENECKS: dict[str, str] = {
    "slow_execution": "mean duration significantly above the baseline",
    "high_latency_outliers": "more far-tail runs than the team's own distribution explains",
    "low_success_rate": "success rate significantly below the baseline",
    "excessive_tool_usage": "tool calls per member significantly above the baseline",
    "suboptimal_formation": "member timings show the formation costs avoidable time",
    "oversized_team": "members whose contribution the data shows to be nil",
}
WORKFLOW_BOTTLENECKS: dict[str, str] = {
    "slow_node": "node far slower than the workflow's typical node",
    "dominant_node": "node takes a large share of the critical path",
    "unreliable_node": "node success rate significantly below the threshold",
    "expensive_tool": "tool takes a large share of the workflow's cost",
    "missing_caching": "deterministic tool calls (same arguments) repeated without a cache",
    "redundant_operation": "the same tool call made by several nodes in one run",
    "unused_output": "node output that no other node reads",
    "parallelizable_nodes": "sequential nodes with no data dependency between them",
}


@dataclass(frozen=True, slots=True)
class Evidence:
    """The data an insight rests on."""

    n: int  # sample size behind the current value
    interval: tuple[float, float] | None  # interval for the current value (or the ratio)
    interval_of: str  # what the interval is about, e.g. "mean duration (s)"
    confidence: float
    baseline_source: str  # "declared in .autotune.yml", "history: config abc1234 (n=150)", ...
    details: Mapping[str, float | int | str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Insight:
    bottleneck: str  # e.g. "slow_execution", "suboptimal_formation_sequential", "slow_node"
    scope: Scope
    target: str  # team id or workflow name
    component: str | None  # node, member or tool the insight is about
    severity: float  # 0..1, see each detector for its formula
    current_value: float
    baseline_value: float | None
    unit: str
    evidence: Evidence
    affected: tuple[str, ...]
    message: str
    recommendation: str
    location: str | None = None  # "file:line" of the YAML element concerned

    def __post_init__(self) -> None:
        if not 0.0 <= self.severity <= 1.0 or math.isnan(self.severity):
            raise ValueError(f"severity must be within [0, 1], got {self.severity}")


@dataclass(frozen=True, slots=True)
class Unsupported:
    """An analysis that was not done, and why (too little data, a field missing, ...)."""

    analysis: str
    target: str
    reason: str


Finding = Insight | Unsupported  # what a detector returns, one per result


class InsightBody(TypedDict):
    """The fields of an :class:`Insight` a detector fills in (its subject comes from the
    detector's context)."""

    severity: float
    current_value: float
    baseline_value: float | None
    unit: str
    evidence: Evidence
    affected: tuple[str, ...]
    message: str
    recommendation: str


def make_insight(
    scope: Scope,
    target: str,
    location: str | None,
    bottleneck: str,
    component: str | None,
    **body: Unpack[InsightBody],
) -> Insight:
    return Insight(
        bottleneck=bottleneck,
        scope=scope,
        target=target,
        component=component,
        location=location,
        **body,
    )


Context = TypeVar("Context")


def run_detectors(
    registry: Mapping[str, Callable[[Context], list[Finding]]], ctx: Context
) -> list[Finding]:
    """Every detector of a registry on one context, findings in registry order."""
    findings: list[Finding] = []
    for detector in registry.values():
        findings.extend(detector(ctx))
    return findings


def clamp01(value: float) -> float:
    if math.isnan(value):
        return 0.0
    return min(1.0, max(0.0, value))


def log_severity(ratio: float, full_at: float = 4.0) -> float:
    """Severity of a ratio above 1 on a log scale: 1.0 → 0, ``full_at`` → 1 (2× → 0.5)."""
    if not ratio > 1.0:
        return 0.0
    return clamp01(math.log(ratio) / math.log(full_at))
