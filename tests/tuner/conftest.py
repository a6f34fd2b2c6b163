"""The demo repository analysed and tuned once for the tuner tests, with its sites and
bindings, and small builders of suggestions and plans for tests that need no data."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from autotune_bot.analysis.analyzer import AnalysisReport, analyze
from autotune_bot.patch.edits import SetValue
from autotune_bot.repository import RepositoryInputs, load_inputs
from autotune_bot.settings import Settings
from autotune_bot.tuning.bindings import (
    TeamBinding,
    WorkflowBinding,
    bind_team,
    bind_workflow,
    prices_for,
)
from autotune_bot.tuning.plan_types import TargetPlan, TuningPlan
from autotune_bot.tuning.suggestion import (
    Change,
    Estimate,
    MetricChange,
    OptimizationPriority,
    OptimizationSuggestion,
    OptimizationType,
)
from autotune_bot.tuning.targets import TeamSite, WorkflowSite, team_sites, workflow_sites
from autotune_bot.tuning.tuner import TunerOptions, plan_tuning
from autotune_bot.workflow.model import WorkflowFile

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-repo"


class DemoTuning:
    """The demo repository: inputs, analysis, the default plan (search on, the demo's
    settings) and the tuner's sites and bindings for building drafts by hand."""

    def __init__(self) -> None:
        self.inputs: RepositoryInputs = load_inputs(DEMO)
        self.store = self.inputs.metrics.store
        self.settings: Settings = self.inputs.settings
        self.report: AnalysisReport = analyze(
            self.store, self.inputs.metrics.problems, self.inputs.workflows, self.settings
        )
        self.plan: TuningPlan = plan_tuning(
            self.report, self.inputs.workflows, self.store, self.settings, TunerOptions()
        )
        self.files: dict[str, WorkflowFile] = {f.path: f for f in self.inputs.workflows}
        self._teams, _ = team_sites(self.report, self.inputs.workflows, self.settings)
        self._flows, _ = workflow_sites(self.report, self.inputs.workflows)

    def target(self, scope: str, name: str) -> TargetPlan:
        (found,) = [t for t in self.plan.targets if t.key == (scope, name)]
        return found

    def team_site(self, team_id: str) -> TeamSite:
        (site,) = [s for s in self._teams if s.report.team_id == team_id]
        return site

    def workflow_site(self, name: str) -> WorkflowSite:
        (site,) = [s for s in self._flows if s.workflow.name == name]
        return site

    def team_binding(self, team_id: str, settings: Settings | None = None) -> TeamBinding:
        return bind_team(self.team_site(team_id), self.store, settings or self.settings)

    def workflow_binding(self, name: str, settings: Settings | None = None) -> WorkflowBinding:
        chosen = settings or self.settings
        prices = prices_for(self.store, chosen)
        return bind_workflow(self.workflow_site(name), self.store, chosen, prices)

    def with_settings(self, **sections: dict[str, Any]) -> Settings:
        """The demo's settings with some sections updated (values as in .autotune.yml)."""
        data = self.settings.model_dump(mode="json")
        for key, value in sections.items():
            data[key] = {**(data.get(key) or {}), **value}
        return Settings.model_validate(data)


@pytest.fixture(scope="session")
def demo() -> DemoTuning:
    return DemoTuning()


def make_suggestion(
    target: str = "team_a",
    *,
    description: str = "Do something",
    priority: OptimizationPriority = OptimizationPriority.MEDIUM,
    improvement: float = 10.0,
    confidence: float = 0.9,
    scope: str = "team",
    line: int = 5,
) -> OptimizationSuggestion:
    """A suggestion with one change and an estimate, for tests that need no data."""
    change = Change(
        file="workflows/x.yaml",
        node=target,
        field="team_formation",
        line=line,
        old="sequential",
        new="parallel",
        edit=SetValue(("workflows", "x", "nodes", 0, "team_formation"), "parallel"),
    )
    estimate = Estimate(
        basis="simulated from 40 recorded executions",
        n=40,
        duration=MetricChange("duration", 10.0, 8.0, (-0.3, -0.1), -0.2),
        cost=MetricChange("cost", 0.5, math.nan, None, math.nan),
        notes=("an assumption",),
    )
    return OptimizationSuggestion(
        type=OptimizationType.FORMATION_SELECTION,
        priority=priority,
        description=description,
        current_config={"formation": "sequential"},
        suggested_config={"formation": "parallel"},
        expected_improvement=improvement,
        confidence=confidence,
        risk_level=0.3,
        strategy="formation_selection",
        scope=scope,  # type: ignore[arg-type]
        target=target,
        changes=(change,),
        estimate=estimate,
        evidence=("It was slow (12.0 s).",),
    )


def make_plan(targets: Sequence[tuple[str, Sequence[OptimizationSuggestion], Any]]) -> TuningPlan:
    """A plan of team targets: (name, suggestions, best)."""
    return TuningPlan(
        tuple(
            TargetPlan(
                scope="team",
                target=name,
                file="workflows/x.yaml",
                location="workflows/x.yaml:3",
                suggestions=tuple(suggestions),
                best=best,
                search=None,
            )
            for name, suggestions, best in targets
        )
    )


@dataclass
class Script:
    """Scripted answers for the interactive dialogue; records prompts and output."""

    answers: list[str]
    prompts: list[str]
    said: list[str]

    def ask(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.answers:
            raise EOFError
        return self.answers.pop(0)

    def say(self, text: str) -> None:
        self.said.append(text)
