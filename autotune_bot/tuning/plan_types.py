"""The tuner's result as values: per target (a team or a workflow), the strategies'
suggestions, the search's best joint configuration and a summary of the search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from autotune_bot.tuning.config import TeamConfig, WorkflowConfig
from autotune_bot.tuning.suggestion import OptimizationSuggestion
from autotune_bot.workflow.model import Node, WorkflowDef

__all__ = ["ParetoEntry", "SearchSummary", "TargetPlan", "TuningPlan"]


@dataclass(frozen=True)
class ParetoEntry:
    """One non-dominated configuration found by the search (values that differ from now)."""

    changes: dict[str, Any]
    duration_per_success: float
    cost_per_success: float
    success_rate: float


@dataclass(frozen=True)
class SearchSummary:
    algorithm: str
    evaluations: int  # evaluations spent, re-evaluations of the shortlist included
    space_size: int
    dimensions: tuple[str, ...]
    shipped: dict[str, Any]  # values of the shipped configuration that differ from now
    pareto: tuple[ParetoEntry, ...]
    basis: str  # what the evaluations were, e.g. "performance model on resampled traces"


@dataclass(frozen=True)
class TargetPlan:
    scope: Literal["team", "workflow"]
    target: str  # team id or workflow name
    file: str  # workflow file holding the target
    location: str | None  # "file:line" of the team node or workflow definition
    suggestions: tuple[OptimizationSuggestion, ...]  # most urgent first
    best: OptimizationSuggestion | None  # the search's shipped configuration, if it changes
    search: SearchSummary | None
    notes: tuple[str, ...] = ()  # candidates dropped and why, strategies that found nothing
    # what applying needs (not part of the report): the parsed definition, the team node and
    # the configuration the suggestions start from
    workflow: WorkflowDef | None = None
    node: Node | None = None
    current: TeamConfig | WorkflowConfig | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.scope, self.target)


@dataclass(frozen=True)
class TuningPlan:
    targets: tuple[TargetPlan, ...]
    notes: tuple[str, ...] = ()

    def suggestions(self) -> list[OptimizationSuggestion]:
        return [s for t in self.targets for s in t.suggestions]
