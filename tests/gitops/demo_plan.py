"""The example repository analysed and tuned once, for the proposal and body tests, and small
builders of A/B results."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from autotune_bot.analysis.analyzer import AnalysisReport, analyze
from autotune_bot.gitops.target_patches import TargetPatch, target_patches
from autotune_bot.repository import load_inputs
from autotune_bot.settings import Settings
from autotune_bot.tuning.config import WorkflowConfig
from autotune_bot.tuning.plan_types import TargetPlan, TuningPlan
from autotune_bot.tuning.suggestion import (
    OptimizationPriority,
    OptimizationSuggestion,
    OptimizationType,
)
from autotune_bot.tuning.tuner import plan_tuning
from autotune_bot.validation.result import ABTestResult, MetricComparison, SuccessComparison
from autotune_bot.workflow.model import WorkflowFile

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-repo"
NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


@dataclass(frozen=True)
class Demo:
    settings: Settings
    report: AnalysisReport
    plan: TuningPlan
    files: dict[str, WorkflowFile]

    def target(self, scope: str, name: str) -> TargetPlan:
        (found,) = [t for t in self.plan.targets if t.key == (scope, name)]
        return found


@functools.cache
def demo() -> Demo:
    inputs = load_inputs(DEMO)
    report = analyze(
        inputs.metrics.store, inputs.metrics.problems, inputs.workflows, inputs.settings
    )
    plan = plan_tuning(report, inputs.workflows, inputs.metrics.store, inputs.settings)
    return Demo(inputs.settings, report, plan, {f.path: f for f in inputs.workflows})


@functools.cache
def demo_patches() -> tuple[TargetPatch, ...]:
    """The example plan's per-target patches (each target's best configuration alone)."""
    d = demo()
    found, failures = target_patches(d.plan, d.files, d.settings.constraints)
    assert failures == []
    return tuple(found)


def demo_patch(key: str) -> TargetPatch:
    (found,) = [tp for tp in demo_patches() if tp.key == key]
    return found


def with_model_change(d: Demo, model: str = "claude-3-5-sonnet") -> TuningPlan:
    """The demo plan where the ``code_review`` workflow target (same file as ``review_team``)
    also has a best configuration: its summarize node on another model."""
    target = d.target("workflow", "code_review")
    assert isinstance(target.current, WorkflowConfig)
    candidate = dataclasses.replace(target.current, models=(("summarize", model),))
    best = OptimizationSuggestion(
        type=OptimizationType.MODEL_SELECTION,
        priority=OptimizationPriority.MEDIUM,
        description=f"run summarize on {model}",
        current_config={},
        suggested_config={},
        expected_improvement=12.0,
        confidence=0.7,
        risk_level=0.4,
        strategy="model_selection",
        scope="workflow",
        target="code_review",
        candidate=candidate,
    )
    targets = tuple(
        dataclasses.replace(t, best=best) if t.key == ("workflow", "code_review") else t
        for t in d.plan.targets
    )
    return dataclasses.replace(d.plan, targets=targets)


def ab_result(
    status: str = "passed",
    *,
    ratio: float = 0.62,
    interval: tuple[float, float] = (0.55, 0.70),
    evidence: str = "measured",
) -> ABTestResult:
    """An A/B result with given figures (duration primary, cost guardrail)."""
    duration = MetricComparison(
        metric="duration",
        role="primary",
        measured=True,
        n_control=20,
        n_variant=20,
        median_control=200.0,
        median_variant=200.0 * ratio,
        ratio=ratio,
        interval=interval,
        interval_kind="t",
        confidence=0.9,
        threshold=0.95,
        p_improvement=0.0012,
        p_worse=0.99,
        p_guardrail_adjusted=None,
    )
    cost = dataclasses.replace(
        duration,
        metric="cost",
        role="guardrail",
        median_control=0.13,
        median_variant=0.13,
        ratio=1.0,
        interval=(0.97, 1.03),
        threshold=1.1,
        p_improvement=None,
        p_worse=0.001,
        p_guardrail_adjusted=0.002,
    )
    return ABTestResult(
        status=status,  # type: ignore[arg-type]
        primary_metric="duration",
        metrics=(duration, cost),
        success=SuccessComparison(19, 20, 19, 20, 0.02, "chan-farrington-manning", 0.3, 0.3),
        paired=True,
        method="t",
        alpha=0.05,
        margin_ratio=0.95,
        guardrail_ratio=1.1,
        required_runs_per_arm=None,
        reasons=("duration ratio shown below 0.95",),
        evidence=evidence,  # type: ignore[arg-type]
    )
