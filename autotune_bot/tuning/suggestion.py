"""What the tuner proposes: suggestions with exact changes, estimates and evidence.

The first eight fields of :class:`OptimizationSuggestion` are the ones the design documents
show (a custom strategy may build a suggestion from those alone); the others are what the
built-in strategies always fill in: the exact YAML changes, the estimate with its basis and
intervals, and the evidence. An estimate is never an A/B result: ``Estimate.validated`` stays
False until a real A/B test has measured the change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from autotune_bot.patch.edits import Edit
from autotune_bot.tuning.config import TeamConfig, WorkflowConfig

__all__ = [
    "Change",
    "Estimate",
    "ImprovementSummary",
    "MetricChange",
    "OptimizationPriority",
    "OptimizationSuggestion",
    "OptimizationType",
    "risk_label",
]


class OptimizationType(StrEnum):
    # team level
    TEAM_SIZING = "team_sizing"
    FORMATION_SELECTION = "formation_selection"
    TOOL_BUDGET = "tool_budget"
    TIMEOUT_TUNING = "timeout_tuning"
    MEMBER_SELECTION = "member_selection"
    PARALLELIZATION = "parallelization"  # a team split into parallel sub-teams
    # workflow level
    PRUNING = "pruning"
    NODE_PARALLELIZATION = "node_parallelization"
    TOOL_SELECTION = "tool_selection"
    MODEL_SELECTION = "model_selection"
    CACHING = "caching"
    BATCHING = "batching"
    # the search's best joint configuration
    COMBINED = "combined"


class OptimizationPriority(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 for critical … 3 for low (sort ascending for most urgent first)."""
        return ("critical", "high", "medium", "low").index(self.value)


def risk_label(risk_level: float) -> str:
    if risk_level < 0.15:
        return "very low"
    if risk_level < 0.35:
        return "low"
    if risk_level < 0.6:
        return "medium"
    return "high"


@dataclass(frozen=True, slots=True)
class Change:
    """One YAML change: where, what it was, what it becomes, and the edit that does it."""

    file: str
    node: str | None  # node id (None for definition-level fields)
    field: str  # e.g. "team_formation", "members[docs]", "llm_config.model_hint"
    line: int  # line of the field, or of the enclosing element when the field is absent
    old: Any  # None when the field is absent
    new: Any  # None when the field or item is removed
    edit: Edit

    def describe(self) -> str:
        where = f"{self.file}:{self.line}"
        subject = f"{self.node}.{self.field}" if self.node else self.field
        if self.new is None:
            return f"{where} {subject}: remove"
        old = "(absent)" if self.old is None else repr(self.old)
        return f"{where} {subject}: {old} → {self.new!r}"


@dataclass(frozen=True, slots=True)
class MetricChange:
    """Predicted value of one metric for the candidate next to the current one.

    For ``duration`` and ``cost`` the values are means per successful run and ``relative`` is
    (predicted − current) / current (negative is better); for ``success_rate`` ``relative`` is
    the difference in rate (positive is better).
    """

    metric: Literal["duration", "cost", "success_rate"]
    current: float
    predicted: float
    interval: tuple[float, float] | None  # interval of ``relative``
    relative: float


@dataclass(frozen=True, slots=True)
class Estimate:
    basis: str  # e.g. "simulated from recorded traces (450 executions)"; "not estimated: …"
    n: int  # recorded executions the estimate rests on (0 when not estimated)
    duration: MetricChange | None = None
    cost: MetricChange | None = None
    success: MetricChange | None = None
    notes: tuple[str, ...] = ()  # assumptions, refusals, extrapolation caveats
    validated: bool = False  # True only after a real A/B test measured the change

    @property
    def estimated(self) -> bool:
        return self.n > 0 and (self.duration, self.cost, self.success) != (None, None, None)


@dataclass(frozen=True)
class OptimizationSuggestion:
    type: OptimizationType
    priority: OptimizationPriority
    description: str
    current_config: dict[str, Any]
    suggested_config: dict[str, Any]
    expected_improvement: float  # percent improvement of the objective (point estimate)
    confidence: float  # 0..1
    risk_level: float  # 0..1
    strategy: str = ""
    scope: Literal["team", "workflow"] = "team"
    target: str = ""  # team id or workflow name
    changes: tuple[Change, ...] = ()
    estimate: Estimate | None = None
    evidence: tuple[str, ...] = ()
    insights: tuple[str, ...] = ()  # bottlenecks this addresses
    # the configuration this suggestion leads to (built-in strategies and the search)
    candidate: TeamConfig | WorkflowConfig | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def risk(self) -> str:
        return risk_label(self.risk_level)

    @property
    def strategy_type(self) -> str:
        """The design documents' name for :attr:`type`."""
        return self.type.value

    @property
    def estimated_improvement(self) -> ImprovementSummary | None:
        """The design documents' summary view of :attr:`estimate` (None when not estimated)."""
        e = self.estimate
        if e is None or not e.estimated:
            return None
        speedup = math.nan
        if e.duration is not None and e.duration.predicted > 0:
            speedup = e.duration.current / e.duration.predicted
        saving = -e.cost.relative if e.cost is not None else math.nan
        return ImprovementSummary(speedup, saving, self.confidence)


@dataclass(frozen=True, slots=True)
class ImprovementSummary:
    duration_reduction: float  # speed-up factor: current / predicted duration per success
    cost_reduction: float  # fraction of the cost per successful run saved
    confidence: float
