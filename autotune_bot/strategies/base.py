"""The strategy contract.

:class:`OptimizationStrategy` is the contract the design documents show: ``suggest(insights,
current_config)`` returns suggestions and ``apply(config, suggestion)`` returns the updated
plain configuration. A user's custom strategy subclasses it directly.

The built-in strategies subclass :class:`TeamStrategy` or :class:`WorkflowStrategy`: they read
the parsed YAML and the recorded data through a target (:class:`TeamTarget`,
:class:`WorkflowTarget`) and return :class:`Proposal` values, a candidate configuration plus
its description and evidence. The tuner (``autotune_bot.tuning``) turns a proposal into an
:class:`~autotune_bot.tuning.suggestion.OptimizationSuggestion`: it derives the YAML changes
from the configuration difference and predicts the effect with the performance model. Every
built-in also says which search dimensions it opens (``dimensions``); the joint search space is
the union of them. Strategies are pure: no I/O, no clock, no global randomness.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from autotune_bot.analysis.analyzer import TeamReport, WorkflowReport
from autotune_bot.analysis.insight import Insight
from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.search.space import Dimension
from autotune_bot.settings import Settings
from autotune_bot.tuning.config import TeamConfig, WorkflowConfig
from autotune_bot.tuning.suggestion import Estimate, OptimizationSuggestion, OptimizationType
from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.model import Node, WorkflowDef

__all__ = [
    "OptimizationStrategy",
    "Proposal",
    "TeamStrategy",
    "TeamTarget",
    "WorkflowStrategy",
    "WorkflowTarget",
]

OptionValue = bool | int | float | str


@dataclass(frozen=True)
class TeamTarget:
    """A team node with its recorded executions."""

    team_id: str
    workflow: WorkflowDef
    node: Node  # the team node (``node.team`` is set)
    report: TeamReport  # profile of the analysed executions, insights, selection
    store: MetricsStore
    settings: Settings
    current: TeamConfig
    options: Mapping[str, OptionValue] = field(default_factory=dict)  # this strategy's options

    @property
    def rows(self) -> Any:
        """Team-table rows of the analysed executions."""
        return self.report.profile.rows


@dataclass(frozen=True)
class WorkflowTarget:
    """A workflow definition with its recorded runs."""

    workflow: WorkflowDef
    graph: WorkflowGraph
    report: WorkflowReport  # node profiles, insights, selection (may hold no runs)
    store: MetricsStore
    settings: Settings
    current: WorkflowConfig
    options: Mapping[str, OptionValue] = field(default_factory=dict)


@dataclass(frozen=True)
class Proposal:
    """A built-in strategy's candidate, before the tuner estimates it."""

    type: OptimizationType
    description: str
    candidate: TeamConfig | WorkflowConfig
    risk_level: float  # 0..1
    evidence: tuple[str, ...]  # one sentence each, with the numbers
    insights: tuple[str, ...] = ()  # bottleneck names this addresses
    # set when the strategy can estimate better than trace simulation (e.g. a price table);
    # otherwise the tuner runs the performance model
    estimate: Estimate | None = None


class OptimizationStrategy(ABC):
    """The design documents' strategy contract; subclass it for a custom strategy."""

    name: ClassVar[str] = ""

    @abstractmethod
    def suggest(
        self, insights: Sequence[Insight], current_config: Mapping[str, Any]
    ) -> list[OptimizationSuggestion]:
        """Suggestions for a target, given its insights and its current plain configuration."""

    def apply(
        self, config: Mapping[str, Any], suggestion: OptimizationSuggestion
    ) -> dict[str, Any]:
        """The plain configuration with the suggestion applied (a new dict)."""
        new_config = copy.deepcopy(dict(config))
        new_config.update(copy.deepcopy(suggestion.suggested_config))
        return new_config


class _Builtin(OptimizationStrategy):
    scope: ClassVar[Literal["team", "workflow"]]
    optimization_type: ClassVar[OptimizationType]

    def suggest(
        self, insights: Sequence[Insight], current_config: Mapping[str, Any]
    ) -> list[OptimizationSuggestion]:
        # The built-ins need the parsed YAML and the recorded data, which a plain dict does not
        # carry; PerformanceAutotuner calls them through `propose` with a target.
        raise TypeError(
            f"strategy {self.name!r} needs recorded data: use PerformanceAutotuner, "
            "which calls it with a team or workflow target"
        )


class TeamStrategy(_Builtin):
    scope: ClassVar[Literal["team", "workflow"]] = "team"

    @abstractmethod
    def propose(self, target: TeamTarget) -> list[Proposal]:
        """Candidates for this team; never the current configuration."""

    def dimensions(self, target: TeamTarget) -> list[Dimension]:
        """Search dimensions this strategy opens for the team (names from
        :mod:`autotune_bot.tuning.team_space`); none by default."""
        return []


class WorkflowStrategy(_Builtin):
    scope: ClassVar[Literal["team", "workflow"]] = "workflow"

    @abstractmethod
    def propose(self, target: WorkflowTarget) -> list[Proposal]:
        """Candidates for this workflow; never the current configuration."""

    def dimensions(self, target: WorkflowTarget) -> list[Dimension]:
        """Search dimensions this strategy opens for the workflow; none by default."""
        return []
