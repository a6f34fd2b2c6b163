"""realize: a draft becomes a suggestion with exact changes, an estimate, a confidence and a
priority, or a one-line reason why it is dropped (no-op, unwritable, guardrail broken)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from autotune_bot.tuning.config import TeamConfig, WorkflowConfig
from autotune_bot.tuning.realize import QUALITY_CAP, Draft, _priority, realize
from autotune_bot.tuning.suggestion import OptimizationPriority, OptimizationType

from .conftest import DemoTuning

P = OptimizationPriority


def _team_draft(
    candidate: TeamConfig, kind: OptimizationType = OptimizationType.TIMEOUT_TUNING
) -> Draft:
    return Draft(kind, "probe", "A probe", candidate, 0.2, ("Because.",))


def _realize_team(demo: DemoTuning, candidate: TeamConfig, **kw: object) -> object:
    binding = demo.team_binding("review_team")
    draft = dataclasses.replace(_team_draft(candidate), **kw)  # type: ignore[arg-type]
    return realize(
        draft, demo.team_site("review_team"), binding, demo.settings, np.random.default_rng(3)
    )


def test_formation_switch_is_realised_with_changes_and_estimate(demo: DemoTuning) -> None:
    binding = demo.team_binding("review_team")
    candidate = dataclasses.replace(binding.current, formation="parallel")
    draft = _team_draft(candidate, OptimizationType.FORMATION_SELECTION)
    made = realize(
        draft, demo.team_site("review_team"), binding, demo.settings, np.random.default_rng(3)
    )
    assert not isinstance(made, str)
    assert (made.scope, made.target, made.strategy) == ("team", "review_team", "probe")
    assert made.candidate == candidate
    assert made.current_config == {"formation": "sequential"}
    assert made.suggested_config == {"formation": "parallel"}
    (change,) = made.changes
    assert (change.file, change.line, change.old, change.new) == (
        "workflows/code_review.yaml",
        40,
        "sequential",
        "parallel",
    )
    assert made.estimate is not None
    assert made.estimate.n == 675
    assert not made.estimate.validated
    assert made.estimate.duration is not None
    assert made.estimate.duration.relative < -0.5  # about 70% faster
    assert made.expected_improvement > 20
    assert made.confidence >= 0.8
    assert made.priority is P.HIGH
    assert made.evidence == ("Because.",)


def test_no_op_is_dropped(demo: DemoTuning) -> None:
    current = demo.team_binding("review_team").current
    reason = _realize_team(demo, current)
    assert reason == "probe: candidate equals the current configuration"


def test_candidate_breaking_the_success_guardrail_is_dropped_with_the_reason(
    demo: DemoTuning,
) -> None:
    current = demo.team_binding("review_team").current
    # a sequential review takes about 220 s: a 200 s timeout fails most executions
    reason = _realize_team(demo, dataclasses.replace(current, timeout_seconds=200.0))
    assert isinstance(reason, str)
    assert reason.startswith("probe: predicted success ")
    assert "guardrails" in reason
    assert "\n" not in reason


def test_candidate_that_cannot_be_written_is_dropped(demo: DemoTuning) -> None:
    current = demo.team_binding("review_team").current
    reason = _realize_team(demo, dataclasses.replace(current, members=("security", "ghost")))
    assert isinstance(reason, str)
    assert reason.startswith("probe: cannot be written into workflows/code_review.yaml")
    assert "ghost" in reason


def test_candidate_the_model_refuses_is_kept_unestimated(demo: DemoTuning) -> None:
    current = demo.team_binding("review_team").current
    made = _realize_team(demo, dataclasses.replace(current, formation="consensus"))
    assert not isinstance(made, str)
    assert math.isnan(made.expected_improvement)  # type: ignore[attr-defined]
    assert made.confidence == 0.0  # type: ignore[attr-defined]
    assert made.priority is P.LOW  # type: ignore[attr-defined]
    assert made.estimate.basis.startswith("not estimated: ")  # type: ignore[attr-defined]
    assert made.estimate.estimated is False  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def parallel_fetch(demo: DemoTuning) -> WorkflowConfig:
    plan = demo.target("workflow", "deep_research")
    (found,) = [s for s in plan.suggestions if s.strategy == "node_parallelization"]
    assert isinstance(found.candidate, WorkflowConfig)
    return found.candidate


@pytest.mark.parametrize(
    ("kind", "unmeasured", "capped"),
    [
        (OptimizationType.NODE_PARALLELIZATION, False, False),
        (OptimizationType.MODEL_SELECTION, False, True),
        (OptimizationType.TOOL_SELECTION, False, True),
        (OptimizationType.BATCHING, False, True),
        (OptimizationType.COMBINED, True, True),
    ],
)
def test_confidence_is_capped_when_quality_is_not_measured(
    demo: DemoTuning,
    parallel_fetch: WorkflowConfig,
    kind: OptimizationType,
    unmeasured: bool,
    capped: bool,
) -> None:
    draft = Draft(
        kind, "probe", "A probe", parallel_fetch, 0.4, ("Because.",), quality_unmeasured=unmeasured
    )
    made = realize(
        draft,
        demo.workflow_site("deep_research"),
        demo.workflow_binding("deep_research"),
        demo.settings,
        np.random.default_rng(5),
    )
    assert not isinstance(made, str)
    # running fetch_papers and fetch_news side by side wins in every resample
    if capped:
        assert made.confidence == QUALITY_CAP
    else:
        assert made.confidence > QUALITY_CAP


def test_demo_model_selection_suggestion_is_capped(demo: DemoTuning) -> None:
    plan = demo.target("workflow", "deep_research")
    (model,) = [s for s in plan.suggestions if s.type is OptimizationType.MODEL_SELECTION]
    assert 0.0 < model.confidence <= QUALITY_CAP
    for s in plan.suggestions:
        if s.type in (OptimizationType.BATCHING, OptimizationType.TOOL_SELECTION):
            assert s.confidence <= QUALITY_CAP


@pytest.mark.parametrize(
    ("improvement", "confidence", "breaks", "expected"),
    [
        (30.0, 0.9, False, P.HIGH),
        (20.0, 0.8, False, P.HIGH),
        (30.0, 0.7, False, P.MEDIUM),  # large but not sure enough for high
        (19.9, 0.99, False, P.MEDIUM),
        (5.0, 0.1, False, P.MEDIUM),
        (4.9, 1.0, False, P.LOW),
        (-3.0, 1.0, False, P.LOW),
        (1.0, 0.8, True, P.CRITICAL),  # restores a broken success floor
        (1.0, 0.7, True, P.LOW),
        (-1.0, 0.9, True, P.LOW),
        (math.nan, 1.0, True, P.LOW),
    ],
)
def test_priority_rules(improvement: float, confidence: float, breaks: bool, expected: P) -> None:
    assert _priority(improvement, confidence, breaks) is expected


def test_demo_priorities(demo: DemoTuning) -> None:
    review = demo.target("team", "review_team")
    by_strategy = {s.strategy: s for s in review.suggestions}
    assert by_strategy["formation_selection"].priority is P.HIGH
    assert by_strategy["team_sizing"].priority is P.MEDIUM
    assert by_strategy["tool_budget"].priority is P.LOW
    for s in demo.plan.suggestions():
        assert 0.0 <= s.confidence <= 1.0
        if s.priority is P.HIGH:
            assert s.expected_improvement >= 20
            assert s.confidence >= 0.8
