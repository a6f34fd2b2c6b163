"""The performance model bound to one target: its recorded traces and current configuration.

A binding simulates any candidate configuration of its target on a sample of the recorded
executions (all of them for an estimate, a bootstrap sample for one noisy search evaluation).
Building one reads the metrics store once; simulating is pure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.model.prices import PriceTable, default_price_table, learn_prices, price_table
from autotune_bot.model.run_traces import RunTraces, run_traces
from autotune_bot.model.simulated import Refusal, Simulated
from autotune_bot.model.team_model import simulate_team
from autotune_bot.model.traces import TeamTraces, team_traces
from autotune_bot.model.workflow_model import simulate_workflow
from autotune_bot.settings import Settings
from autotune_bot.tuning.config import TeamConfig, WorkflowConfig, team_config, workflow_config
from autotune_bot.tuning.targets import TeamSite, WorkflowSite
from autotune_bot.workflow.dataflow import member_dependencies
from autotune_bot.workflow.graph import WorkflowGraph

__all__ = ["Binding", "TeamBinding", "WorkflowBinding", "bind_team", "bind_workflow", "prices_for"]

IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class TeamBinding:
    traces: TeamTraces
    current: TeamConfig
    dependencies: dict[str, frozenset[str]]
    member_budgets: dict[str, float]
    min_samples: int

    def __len__(self) -> int:
        return len(self.traces)

    def simulate(
        self, candidate: TeamConfig, sample: IntArray, rng: np.random.Generator
    ) -> Simulated | Refusal:
        return simulate_team(
            self.traces,
            self.current,
            candidate,
            sample,
            self.dependencies,
            member_budgets=self.member_budgets,
            min_samples=self.min_samples,
        )


@dataclass(frozen=True)
class WorkflowBinding:
    traces: RunTraces
    site: WorkflowSite
    graph: WorkflowGraph
    current: WorkflowConfig
    prices: PriceTable
    min_samples: int

    def __len__(self) -> int:
        return len(self.traces)

    def simulate(
        self, candidate: WorkflowConfig, sample: IntArray, rng: np.random.Generator
    ) -> Simulated | Refusal:
        return simulate_workflow(
            self.traces,
            self.site.workflow,
            self.graph,
            self.current,
            candidate,
            self.prices,
            sample,
            rng,
            min_samples=self.min_samples,
        )


Binding = TeamBinding | WorkflowBinding


def prices_for(store: MetricsStore, settings: Settings) -> PriceTable:
    """The shipped table, updated with values learned from the metrics, then the overrides
    of ``.autotune.yml`` (``models:``)."""
    return price_table(default_price_table(), learn_prices(store), settings.models)


def bind_team(site: TeamSite, store: MetricsStore, settings: Settings) -> TeamBinding:
    node = site.node
    assert node.team is not None
    current = team_config(node)
    older = [p.rows for p in site.report.older]
    traces = team_traces(store, site.report.profile.rows, current.members, history=older)
    budgets: dict[str, float] = {}
    for member in node.team.members:
        value = member.tool_budget.value
        if isinstance(value, int | float) and not isinstance(value, bool):
            budgets[member.id] = float(value)
    return TeamBinding(
        traces,
        current,
        member_dependencies(node.team),
        budgets,
        settings.analysis.min_samples,
    )


def bind_workflow(
    site: WorkflowSite, store: MetricsStore, settings: Settings, prices: PriceTable
) -> WorkflowBinding:
    wf = site.workflow
    selection = site.report.selection
    rows = selection.current.rows if selection is not None else np.zeros(0, dtype=np.intp)
    return WorkflowBinding(
        run_traces(store, rows, wf),
        site,
        WorkflowGraph.from_workflow(wf),
        workflow_config(wf),
        prices,
        settings.analysis.min_samples,
    )
