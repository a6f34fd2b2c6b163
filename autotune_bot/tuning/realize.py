"""From a candidate configuration to a suggestion: exact changes, estimate, priority.

The YAML changes come from the configuration difference (``team_edits``/``workflow_edits``);
the estimate from the performance model, replaying every recorded execution of the target under
the current and the candidate configuration. ``confidence`` is the share of paired bootstrap
resamples of those executions in which the candidate scores better than the current
configuration on the objective, capped at 0.6 for changes whose effect on quality the data
cannot show (another model, another tool, batching). A candidate predicted to break the
success guardrail is dropped, with the reason. Pure apart from the passed ``rng``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from autotune_bot.model.compare import compare, paired_positions
from autotune_bot.model.simulated import Refusal, Simulated
from autotune_bot.settings import Settings
from autotune_bot.tuning.bindings import Binding, TeamBinding
from autotune_bot.tuning.config import TeamConfig, WorkflowConfig
from autotune_bot.tuning.plain_config import plain_team_config, plain_workflow_config
from autotune_bot.tuning.scoring import Scorer, scorer_for
from autotune_bot.tuning.suggestion import (
    Change,
    Estimate,
    OptimizationPriority,
    OptimizationSuggestion,
    OptimizationType,
)
from autotune_bot.tuning.targets import TeamSite, WorkflowSite
from autotune_bot.tuning.team_edits import team_changes
from autotune_bot.tuning.workflow_edits import workflow_changes

__all__ = ["Draft", "realize"]

IntArray = npt.NDArray[np.intp]

UNMEASURED_QUALITY = {
    OptimizationType.MODEL_SELECTION,
    OptimizationType.TOOL_SELECTION,
    OptimizationType.BATCHING,
}
QUALITY_CAP = 0.6
N_BOOT = 400


@dataclass(frozen=True)
class Draft:
    """A candidate and what is said about it, before realisation."""

    type: OptimizationType
    strategy: str
    description: str
    candidate: TeamConfig | WorkflowConfig
    risk_level: float
    evidence: tuple[str, ...]
    insights: tuple[str, ...] = ()
    estimate: Estimate | None = None
    quality_unmeasured: bool = False


def _changes(site: TeamSite | WorkflowSite, binding: Binding, draft: Draft) -> tuple[Change, ...]:
    if isinstance(site, TeamSite):
        assert isinstance(draft.candidate, TeamConfig)
        assert isinstance(binding.current, TeamConfig)
        return team_changes(site.workflow, site.node, binding.current, draft.candidate)
    assert isinstance(draft.candidate, WorkflowConfig)
    assert isinstance(binding.current, WorkflowConfig)
    return workflow_changes(
        site.workflow, binding.current, draft.candidate, document=site.file.document
    )


def _config_diff(
    current: TeamConfig | WorkflowConfig, candidate: TeamConfig | WorkflowConfig
) -> tuple[dict[str, object], dict[str, object]]:
    """The fields that change, in the plain vocabulary of ``current_config`` dicts."""
    if isinstance(current, TeamConfig):
        assert isinstance(candidate, TeamConfig)
        now, then = plain_team_config(current), plain_team_config(candidate)
    else:
        assert isinstance(candidate, WorkflowConfig)
        now, then = plain_workflow_config(current), plain_workflow_config(candidate)
    changed = [k for k in now if now[k] != then[k]]
    return {k: now[k] for k in changed}, {k: then[k] for k in changed}


def _win_share(
    now: Simulated, then: Simulated, scorer: Scorer, settings: Settings, rng: np.random.Generator
) -> float:
    """Share of paired resamples in which the candidate scores below the baseline (< 1)."""
    a, b = paired_positions(now, then)
    if a.size == 0:
        return 0.0
    wins = 0
    valid = 0
    for _ in range(N_BOOT):
        idx = rng.integers(0, a.size, size=a.size)
        base = _subset(now, a[idx])
        resampled = scorer_for(base, settings)
        if resampled is None:
            continue
        valid += 1
        value, _ = resampled.objective(resampled.outcome(_subset(then, b[idx])))
        wins += value < 1.0
    return wins / valid if valid else 0.0


def _subset(sim: Simulated, positions: IntArray) -> Simulated:
    return Simulated(
        sim.executions[positions],
        sim.duration[positions],
        sim.cost[positions],
        sim.success[positions],
        sim.notes,
        sim.basis,
    )


def _priority(
    improvement: float, confidence: float, breaks_constraint: bool
) -> OptimizationPriority:
    if not math.isfinite(improvement):
        return OptimizationPriority.LOW
    if breaks_constraint and improvement > 0 and confidence >= 0.8:
        return OptimizationPriority.CRITICAL
    if improvement >= 20 and confidence >= 0.8:
        return OptimizationPriority.HIGH
    if improvement >= 5:
        return OptimizationPriority.MEDIUM
    return OptimizationPriority.LOW


def realize(
    draft: Draft,
    site: TeamSite | WorkflowSite,
    binding: Binding,
    settings: Settings,
    rng: np.random.Generator,
) -> OptimizationSuggestion | str:
    """The suggestion, or a one-line reason why the draft is dropped."""
    target = site.report.team_id if isinstance(site, TeamSite) else site.workflow.name
    if draft.candidate == binding.current:
        return f"{draft.strategy}: candidate equals the current configuration"
    try:
        changes = _changes(site, binding, draft)
    except ValueError as err:
        return f"{draft.strategy}: cannot be written into {site.workflow.path}: {err}"
    if not changes:
        return f"{draft.strategy}: no YAML change expresses the candidate"
    every = np.arange(len(binding))
    now = binding.simulate(binding.current, every, rng)  # type: ignore[arg-type]
    then = binding.simulate(draft.candidate, every, rng)  # type: ignore[arg-type]
    improvement, confidence = math.nan, 0.0
    breaks = False
    if isinstance(now, Refusal) or isinstance(then, Refusal):
        reason = now.reason if isinstance(now, Refusal) else then.reason  # type: ignore[union-attr]
        estimate = draft.estimate or Estimate(f"not estimated: {reason}", 0)
    else:
        estimate = draft.estimate or compare(now, then, rng, settings.analysis.confidence)
        scorer = scorer_for(now, settings)
        if scorer is not None:
            value, feasible = scorer.objective(scorer.outcome(then))
            if not feasible:
                rate = float(then.success.mean())
                return (
                    f"{draft.strategy}: predicted success {100 * rate:.1f}% or cost breaks the "
                    "guardrails (objective in .autotune.yml)"
                )
            improvement = 100.0 * (1.0 - value)
            confidence = _win_share(now, then, scorer, settings, rng)
            if scorer.note:
                estimate = dataclasses.replace(estimate, notes=(*estimate.notes, scorer.note))
            floor = settings.constraints.min_success_rate
            rise = estimate.success.interval if estimate.success is not None else None
            breaks = (
                floor is not None
                and float(now.success.mean()) < floor
                and rise is not None
                and rise[0] > 0
            )
    if draft.quality_unmeasured or draft.type in UNMEASURED_QUALITY:
        confidence = min(confidence, QUALITY_CAP)
    before, after = _config_diff(binding.current, draft.candidate)
    return OptimizationSuggestion(
        type=draft.type,
        priority=_priority(improvement, confidence, breaks),
        description=draft.description,
        current_config=before,
        suggested_config=after,
        expected_improvement=improvement,
        confidence=round(confidence, 3),
        risk_level=draft.risk_level,
        strategy=draft.strategy,
        scope="team" if isinstance(binding, TeamBinding) else "workflow",
        target=target,
        changes=changes,
        estimate=estimate,
        evidence=draft.evidence,
        insights=draft.insights,
        candidate=draft.candidate,
    )
