"""plan_tuning on the demo repository: the planted problems become suggestions with their
exact file:line changes, the healthy parts get none, suggestions are ranked, and the search
leaves dimensions of unmeasured quality out unless asked."""

from __future__ import annotations

import math

import pytest

from autotune_bot.analysis.analyzer import analyze
from autotune_bot.strategies.batching import BatchingStrategy
from autotune_bot.strategies.model_selection import ModelSelectionStrategy
from autotune_bot.tuning.config import TeamConfig, WorkflowConfig
from autotune_bot.tuning.plan_types import TargetPlan, TuningPlan
from autotune_bot.tuning.realize import QUALITY_CAP
from autotune_bot.tuning.suggestion import (
    OptimizationPriority,
    OptimizationSuggestion,
    OptimizationType,
)
from autotune_bot.tuning.tuner import TunerOptions, plan_tuning, rank

from .conftest import DemoTuning, make_suggestion

T = OptimizationType


def _by_strategy(target: TargetPlan) -> dict[str, list[OptimizationSuggestion]]:
    out: dict[str, list[OptimizationSuggestion]] = {}
    for s in target.suggestions:
        out.setdefault(s.strategy, []).append(s)
    return out


def _one(target: TargetPlan, strategy: str) -> OptimizationSuggestion:
    (found,) = _by_strategy(target)[strategy]
    return found


def test_targets_of_the_demo(demo: DemoTuning) -> None:
    keys = [t.key for t in demo.plan.targets]
    assert keys == [
        ("team", "research_team"),
        ("team", "review_team"),
        ("workflow", "code_review"),
        ("workflow", "deep_research"),
        ("workflow", "release_notes"),
    ]
    assert any("ghost_team" in n for n in demo.plan.notes)
    review = demo.target("team", "review_team")
    assert review.file == "workflows/code_review.yaml"
    assert review.location == "workflows/code_review.yaml:38"


def test_review_team_formation_goes_parallel_at_line_40(demo: DemoTuning) -> None:
    s = _one(demo.target("team", "review_team"), "formation_selection")
    assert s.type is T.FORMATION_SELECTION
    assert isinstance(s.candidate, TeamConfig)
    assert s.candidate.formation == "parallel"
    (change,) = s.changes
    assert (change.file, change.line, change.field) == (
        "workflows/code_review.yaml",
        40,
        "team_formation",
    )
    assert (change.old, change.new) == ("sequential", "parallel")
    assert s.priority is OptimizationPriority.HIGH


def test_review_team_drops_docs_at_line_68(demo: DemoTuning) -> None:
    s = _one(demo.target("team", "review_team"), "team_sizing")
    assert s.type is T.TEAM_SIZING
    assert isinstance(s.candidate, TeamConfig)
    assert s.candidate.members == ("security", "performance", "style")
    (change,) = s.changes
    assert (change.file, change.line, change.node) == (
        "workflows/code_review.yaml",
        68,
        "review_team",
    )
    assert change.old == "docs"
    assert change.new is None


def test_review_team_best_is_parallel_without_docs(demo: DemoTuning) -> None:
    review = demo.target("team", "review_team")
    assert review.best is not None
    assert review.best.type is T.COMBINED
    assert review.best.strategy == "search:hill_climbing"
    assert isinstance(review.best.candidate, TeamConfig)
    assert review.best.candidate.formation == "parallel"
    assert "docs" not in review.best.candidate.members
    assert sorted(c.line for c in review.best.changes) == [40, 68]
    assert review.search is not None
    assert review.search.algorithm == "hill_climbing"
    assert review.search.evaluations <= demo.settings.search.max_evaluations


def test_deep_research_suggestions(demo: DemoTuning) -> None:
    flow = demo.target("workflow", "deep_research")
    found = _by_strategy(flow)
    pruning = _one(flow, "pruning")
    assert isinstance(pruning.candidate, WorkflowConfig)
    assert pruning.candidate.removed == frozenset({"legacy_enrich"})
    (change,) = pruning.changes
    assert (change.file, change.line, change.field) == (
        "workflows/research.yaml",
        55,
        "nodes[legacy_enrich]",
    )
    parallel = _one(flow, "node_parallelization")
    assert isinstance(parallel.candidate, WorkflowConfig)
    assert parallel.candidate.parallel_groups == (("fetch_papers", "fetch_news"),)
    caching = _one(flow, "caching")
    assert isinstance(caching.candidate, WorkflowConfig)
    assert caching.candidate.cached == (("fetch_news", ("web_search",)),)
    model = _one(flow, "model_selection")
    (change,) = model.changes
    assert (change.file, change.line, change.node) == ("workflows/research.yaml", 167, "report")
    assert (change.old, change.new) == ("gpt-4o", "gpt-4o-mini")
    assert set(found) >= {"pruning", "node_parallelization", "caching", "model_selection"}
    assert all(s.scope == "workflow" and s.target == "deep_research" for s in flow.suggestions)


def test_deep_research_best_combines_the_measured_changes(demo: DemoTuning) -> None:
    flow = demo.target("workflow", "deep_research")
    assert flow.best is not None
    assert isinstance(flow.best.candidate, WorkflowConfig)
    assert flow.best.candidate.removed == frozenset({"legacy_enrich"})
    assert flow.best.candidate.parallel_groups == (("fetch_papers", "fetch_news"),)
    assert flow.best.candidate.models == flow.current.models  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["code_review", "release_notes"])
def test_healthy_workflows_get_no_suggestion(demo: DemoTuning, name: str) -> None:
    flow = demo.target("workflow", name)
    assert flow.suggestions == ()
    assert flow.best is None


def test_research_team_gets_no_formation_change(demo: DemoTuning) -> None:
    team = demo.target("team", "research_team")
    offered = [*team.suggestions, *([team.best] if team.best else [])]
    assert all(s.type is not T.FORMATION_SELECTION for s in offered)
    for s in offered:
        assert isinstance(s.candidate, TeamConfig)
        assert s.candidate.formation == "consensus"
        assert all(c.field != "team_formation" for c in s.changes)


def _key(s: OptimizationSuggestion) -> tuple[int, float]:
    gain = s.expected_improvement * s.confidence
    return (s.priority.rank, -gain if math.isfinite(gain) else math.inf)


def test_every_target_is_ranked(demo: DemoTuning) -> None:
    for target in demo.plan.targets:
        keys = [_key(s) for s in target.suggestions]
        assert keys == sorted(keys)
    review = demo.target("team", "review_team")
    assert [s.strategy for s in review.suggestions][:2] == ["formation_selection", "team_sizing"]


def test_rank_orders_by_priority_then_gain() -> None:
    low = make_suggestion("a", priority=OptimizationPriority.LOW, improvement=90.0, confidence=1.0)
    high_small = make_suggestion(
        "b", priority=OptimizationPriority.HIGH, improvement=20.0, confidence=0.8
    )
    high_big = make_suggestion(
        "c", priority=OptimizationPriority.HIGH, improvement=40.0, confidence=0.9
    )
    critical = make_suggestion("d", priority=OptimizationPriority.CRITICAL, improvement=1.0)
    unknown = make_suggestion("e", priority=OptimizationPriority.LOW, improvement=math.nan)
    ranked = rank([unknown, low, high_small, critical, high_big])
    assert [s.target for s in ranked] == ["d", "c", "b", "a", "e"]


def test_a_target_does_not_depend_on_the_other_targets(demo: DemoTuning) -> None:
    alone = analyze(
        demo.store,
        demo.inputs.metrics.problems,
        demo.inputs.workflows,
        demo.settings,
        team_ids=["review_team"],
        workflow_names=[],
    )
    plan = plan_tuning(alone, demo.inputs.workflows, demo.store, demo.settings)
    (review,) = plan.targets
    full = demo.target("team", "review_team")
    assert [s.candidate for s in review.suggestions] == [s.candidate for s in full.suggestions]
    assert [s.confidence for s in review.suggestions] == [s.confidence for s in full.suggestions]
    assert review.best is not None
    assert full.best is not None
    assert review.best.candidate == full.best.candidate
    assert review.search == full.search


def test_no_search_gives_no_best(demo: DemoTuning) -> None:
    alone = analyze(
        demo.store,
        demo.inputs.metrics.problems,
        demo.inputs.workflows,
        demo.settings,
        team_ids=["review_team"],
        workflow_names=[],
    )
    plan = plan_tuning(
        alone, demo.inputs.workflows, demo.store, demo.settings, TunerOptions(search=False)
    )
    (review,) = plan.targets
    assert review.best is None
    assert review.search is None
    assert _by_strategy(review).keys() >= {"formation_selection", "team_sizing"}


def _unmeasured_plan(demo: DemoTuning, include: bool) -> TuningPlan:
    settings = demo.with_settings(search={"include_unmeasured": include, "max_evaluations": 30})
    report = analyze(
        demo.store,
        demo.inputs.metrics.problems,
        demo.inputs.workflows,
        settings,
        team_ids=[],
        workflow_names=["deep_research"],
    )
    options = TunerOptions(strategies=[ModelSelectionStrategy(), BatchingStrategy()])
    return plan_tuning(report, demo.inputs.workflows, demo.store, settings, options)


@pytest.fixture(scope="module")
def unmeasured(demo: DemoTuning) -> TargetPlan:
    (flow,) = _unmeasured_plan(demo, True).targets
    return flow


def test_unmeasured_dimensions_stay_out_of_the_search_by_default(demo: DemoTuning) -> None:
    full = demo.target("workflow", "deep_research")
    assert full.search is not None
    kinds = {d.split(":")[0] for d in full.search.dimensions}
    assert kinds == {"prune", "parallel", "cache"}
    # with only model and batching strategies there is nothing left to search
    (flow,) = _unmeasured_plan(demo, False).targets
    assert flow.search is None
    assert flow.best is None
    # their suggestions are still made one by one
    assert {s.type for s in flow.suggestions} == {T.MODEL_SELECTION, T.BATCHING}


def test_include_unmeasured_searches_them(unmeasured: TargetPlan) -> None:
    assert unmeasured.search is not None
    kinds = {d.split(":")[0] for d in unmeasured.search.dimensions}
    assert kinds == {"model", "batch"}
    assert "model:report" in unmeasured.search.dimensions


def test_best_changing_a_model_has_capped_confidence(unmeasured: TargetPlan) -> None:
    assert unmeasured.best is not None
    assert isinstance(unmeasured.best.candidate, WorkflowConfig)
    assert unmeasured.best.candidate.models != unmeasured.current.models  # type: ignore[union-attr]
    assert unmeasured.best.confidence <= QUALITY_CAP


def test_best_risk_is_the_highest_risk_of_its_changes(demo: DemoTuning) -> None:
    flow = demo.target("workflow", "deep_research")
    assert flow.best is not None
    risks = {s.strategy: s.risk_level for s in flow.suggestions}
    assert flow.best.risk_level == max(
        risks["pruning"], risks["node_parallelization"], risks["caching"]
    )


def test_team_best_risk_is_the_highest_risk_of_its_changes(demo: DemoTuning) -> None:
    review = demo.target("team", "review_team")
    assert review.best is not None
    risks = {s.strategy: s.risk_level for s in review.suggestions}
    # the best changes the formation (0.5) and the members (team sizing, 0.25)
    assert review.best.risk_level == max(risks["formation_selection"], risks["team_sizing"])
