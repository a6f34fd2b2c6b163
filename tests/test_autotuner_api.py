"""The optimisation API of the design documents: PerformanceAutotuner (seed-style plain
configurations, loaded workflow files, custom strategies, apply/rollback on plain
configurations) and WorkflowOptimizer (search algorithms from the registry, coroutines)."""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from autotune_bot import (
    OptimizationPriority,
    OptimizationStrategy,
    OptimizationSuggestion,
    OptimizationType,
    PerformanceAutotuner,
    WorkflowOptimizer,
)
from autotune_bot.analysis.analyzer import WorkflowReport
from autotune_bot.analysis.insight import Insight
from autotune_bot.errors import UsageError
from autotune_bot.search.registry import SEARCHERS
from autotune_bot.strategies.formation_selection import FormationSelectionStrategy

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo-repo"
REVIEW_METRICS = DEMO / "metrics" / "teams" / "review_team.json"
SEED_CONFIG = {"formation": "sequential", "member_count": 4}


class MyCustomStrategy(OptimizationStrategy):
    """Seed 002's "Custom Optimization Strategy", recording how it is called."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[Insight], dict[str, Any]]] = []

    def suggest(
        self, insights: Sequence[Insight], current_config: Mapping[str, Any]
    ) -> list[OptimizationSuggestion]:
        self.calls.append((list(insights), dict(current_config)))
        suggestions = []
        for insight in insights:
            if insight.bottleneck == "oversized_team":
                suggestions.append(
                    OptimizationSuggestion(
                        type=OptimizationType.MEMBER_SELECTION,
                        priority=OptimizationPriority.HIGH,
                        description="My custom optimization",
                        current_config=dict(current_config),
                        suggested_config={"custom_param": "new_value"},
                        expected_improvement=20.0,
                        confidence=0.8,
                        risk_level=0.3,
                    )
                )
        return suggestions

    def apply(
        self, config: Mapping[str, Any], suggestion: OptimizationSuggestion
    ) -> dict[str, Any]:
        new_config = dict(config)
        new_config.update(suggestion.suggested_config)
        new_config["applied_by"] = "MyCustomStrategy"
        return new_config


def _tuner(*, search: bool = False, **kw: Any) -> PerformanceAutotuner:
    tuner = PerformanceAutotuner(search=search, **kw)
    tuner.load_metrics_from_file(REVIEW_METRICS)
    return tuner


@pytest.fixture(scope="module")
def seed_style() -> list[OptimizationSuggestion]:
    return _tuner().suggest_optimizations("review_team", current_config=SEED_CONFIG)


@pytest.fixture(scope="module")
def from_file() -> list[OptimizationSuggestion]:
    tuner = _tuner(search=True)
    tuner.load_workflow_file(DEMO / "workflows" / "code_review.yaml")
    return tuner.suggest_optimizations("review_team")


def _by_type(
    suggestions: Sequence[OptimizationSuggestion],
) -> dict[OptimizationType, OptimizationSuggestion]:
    return {s.type: s for s in suggestions}


def test_public_names() -> None:
    import autotune_bot

    for name in (
        "PerformanceAutotuner",
        "WorkflowOptimizer",
        "OptimizationStrategy",
        "OptimizationSuggestion",
        "OptimizationType",
        "OptimizationPriority",
    ):
        assert name in autotune_bot.__all__
    assert OptimizationType.FORMATION_SELECTION.value == "formation_selection"
    assert OptimizationPriority.CRITICAL.rank < OptimizationPriority.LOW.rank


def test_suggest_with_a_plain_dict(seed_style: list[OptimizationSuggestion]) -> None:
    found = _by_type(seed_style)
    formation = found[OptimizationType.FORMATION_SELECTION]
    assert formation.current_config == {"formation": "sequential"}
    assert formation.suggested_config == {"formation": "parallel"}
    assert formation.target == "review_team"
    (change,) = formation.changes
    assert change.file == "<current_config>"
    assert change.new == "parallel"
    sizing = found[OptimizationType.TEAM_SIZING]
    assert "docs" in sizing.current_config["members"]
    assert "docs" not in sizing.suggested_config["members"]
    ranks = [s.priority.rank for s in seed_style]
    assert ranks == sorted(ranks)  # most urgent first
    assert seed_style[0].priority in (OptimizationPriority.CRITICAL, OptimizationPriority.HIGH)


def test_suggest_with_a_loaded_workflow_file(from_file: list[OptimizationSuggestion]) -> None:
    found = _by_type(from_file)
    (change,) = found[OptimizationType.FORMATION_SELECTION].changes
    assert change.file.endswith("workflows/code_review.yaml")
    assert change.line == 40
    (change,) = found[OptimizationType.TEAM_SIZING].changes
    assert change.line == 68
    # the search's best configuration comes last
    best = from_file[-1]
    assert best.type is OptimizationType.COMBINED
    summary = best.estimated_improvement
    assert summary is not None
    assert summary.duration_reduction > 2.0  # parallel without docs: about 3x faster
    assert summary.confidence == best.confidence


def test_unknown_team_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="nope"):
        _tuner().suggest_optimizations("nope", SEED_CONFIG)


def test_bad_plain_config_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown key 'formations'"):
        _tuner().suggest_optimizations("review_team", {"formations": "parallel"})


def test_custom_strategy_is_called_with_insights_and_plain_config() -> None:
    custom = MyCustomStrategy()
    suggestions = _tuner(strategies=[custom]).suggest_optimizations("review_team", SEED_CONFIG)
    ((insights, config),) = custom.calls
    assert all(isinstance(i, Insight) for i in insights)
    assert "oversized_team" in {i.bottleneck for i in insights}
    assert config["formation"] == "sequential"
    assert config["member_count"] == 4
    assert config["members"] == ["security", "performance", "style", "docs"]
    assert {"tool_budget", "timeout_seconds"} <= set(config)
    (only,) = suggestions  # no built-in strategy was given, none ran
    assert only.description == "My custom optimization"
    assert only.suggested_config == {"custom_param": "new_value"}


def test_custom_and_builtin_strategies_together() -> None:
    custom = MyCustomStrategy()
    tuner = _tuner(strategies=[custom, FormationSelectionStrategy()])
    suggestions = tuner.suggest_optimizations("review_team", SEED_CONFIG)
    assert {s.description for s in suggestions} >= {"My custom optimization"}
    assert OptimizationType.FORMATION_SELECTION in _by_type(suggestions)


def test_apply_optimizations_is_a_coroutine_and_records_history(
    seed_style: list[OptimizationSuggestion],
) -> None:
    tuner = _tuner()
    assert inspect.iscoroutinefunction(tuner.apply_optimizations)
    assert inspect.iscoroutinefunction(tuner.rollback_optimization)
    formation = _by_type(seed_style)[OptimizationType.FORMATION_SELECTION]
    config = dict(SEED_CONFIG)
    result = asyncio.run(tuner.apply_optimizations("review_team", [formation], config))
    assert result.success
    assert result.new_config == {"formation": "parallel", "member_count": 4}
    assert result.rollback_config == SEED_CONFIG
    assert config == SEED_CONFIG  # the caller's dict is not changed
    assert result.optimization is formation
    assert result.improvement_percentage == formation.expected_improvement
    assert result.validation_status == "skipped"
    (entry,) = tuner.get_optimization_history("review_team")
    assert entry["optimization"]["description"] == formation.description
    assert entry["config"] == result.new_config
    assert entry["validation_status"] == "skipped"
    # a second one comes first in the history
    asyncio.run(tuner.apply_optimizations("review_team", [formation], result.new_config))
    history = tuner.get_optimization_history("review_team")
    assert len(history) == 2
    assert history[0]["rollback_config"] == result.new_config


def test_apply_dry_run_and_nothing_to_apply(seed_style: list[OptimizationSuggestion]) -> None:
    tuner = _tuner()
    dry = asyncio.run(
        tuner.apply_optimizations("review_team", seed_style[:1], SEED_CONFIG, dry_run=True)
    )
    assert dry.success
    assert dry.validation_status == "dry_run"
    assert tuner.get_optimization_history("review_team") == []
    empty = asyncio.run(tuner.apply_optimizations("review_team", [], SEED_CONFIG))
    assert not empty.success
    assert empty.error == "nothing to apply"
    assert empty.new_config == SEED_CONFIG


def _ab_tuner() -> PerformanceAutotuner:
    """A tuner whose benchmark command is the formation-following simulator of the tests."""
    import json
    import sys

    from autotune_bot.settings import parse_settings_text

    simulator = Path(__file__).resolve().parent / "data" / "ab" / "simulate_run.py"
    command = json.dumps([sys.executable, "-S", str(simulator), "{workflow}"])
    settings = parse_settings_text(f"ab_test:\n  command: {command}\n  runs_per_arm: 12\n", "t")
    return _tuner(settings=settings)


def test_ab_testing_runs_the_benchmark_command(seed_style: list[OptimizationSuggestion]) -> None:
    formation = _by_type(seed_style)[OptimizationType.FORMATION_SELECTION]
    assert formation.suggested_config["formation"] == "parallel"
    tuner = _ab_tuner()
    result = asyncio.run(
        tuner.apply_optimizations("review_team", [formation], SEED_CONFIG, enable_ab_testing=True)
    )
    # the simulator makes parallel 40 % faster than sequential: a real, measured pass
    assert result.validation_status == "passed"
    assert result.success
    assert result.new_config["formation"] == "parallel"
    assert result.validation is not None
    assert result.validation.evidence == "measured"
    assert 25.0 < result.improvement_percentage < 50.0
    (entry,) = tuner.get_optimization_history("review_team")
    assert entry["validation_status"] == "passed"


def test_ab_testing_keeps_the_config_when_the_test_does_not_pass(
    seed_style: list[OptimizationSuggestion],
) -> None:
    tuner = _ab_tuner()
    worse = dataclasses.replace(
        _by_type(seed_style)[OptimizationType.FORMATION_SELECTION],
        suggested_config={"formation": "hierarchical"},
    )
    result = asyncio.run(
        tuner.apply_optimizations("review_team", [worse], SEED_CONFIG, enable_ab_testing=True)
    )
    assert result.validation_status == "failed"  # the simulator's manager adds 50 %
    assert not result.success
    assert result.new_config == SEED_CONFIG
    assert result.error is not None
    assert "worse" in result.error
    assert tuner.get_optimization_history("review_team") == []


def test_rollback(seed_style: list[OptimizationSuggestion]) -> None:
    tuner = _tuner()
    assert asyncio.run(tuner.rollback_optimization("review_team")) is False
    first, second = seed_style[0], seed_style[1]
    asyncio.run(tuner.apply_optimizations("review_team", [first], SEED_CONFIG))
    asyncio.run(tuner.apply_optimizations("review_team", [second], SEED_CONFIG))
    assert asyncio.run(tuner.rollback_optimization("review_team", rollback_index=5)) is False
    assert asyncio.run(tuner.rollback_optimization("review_team")) is True
    (left,) = tuner.get_optimization_history("review_team")
    assert left["optimization"]["description"] == first.description
    assert asyncio.run(tuner.rollback_optimization("review_team", rollback_index=0)) is True
    assert tuner.get_optimization_history("review_team") == []


def test_custom_strategy_apply_is_used() -> None:
    custom = MyCustomStrategy()
    tuner = _tuner(strategies=[custom])
    suggestions = tuner.suggest_optimizations("review_team", SEED_CONFIG)
    result = asyncio.run(tuner.apply_optimizations("review_team", suggestions, SEED_CONFIG))
    assert result.new_config.get("applied_by") == "MyCustomStrategy"


def test_applying_builtin_suggestions_keeps_the_plain_vocabulary(
    seed_style: list[OptimizationSuggestion],
) -> None:
    sizing = _by_type(seed_style)[OptimizationType.TEAM_SIZING]
    result = asyncio.run(_tuner().apply_optimizations("review_team", [sizing], SEED_CONFIG))
    assert result.new_config["member_count"] == 3


# --- WorkflowOptimizer ------------------------------------------------------------------


def _optimizer() -> WorkflowOptimizer:
    optimizer = WorkflowOptimizer(search_algorithm="hill_climbing", max_evaluations=20, seed=1)
    optimizer.load_metrics_from_file(
        DEMO / "metrics" / "runs" / "deep_research-2026-10-02.jsonl.gz"
    )
    optimizer.load_workflow_file(DEMO / "workflows" / "research.yaml")
    return optimizer


@pytest.fixture(scope="module")
def optimizer() -> WorkflowOptimizer:
    return _optimizer()


@pytest.fixture(scope="module")
def workflow_suggestions(optimizer: WorkflowOptimizer) -> list[OptimizationSuggestion]:
    return asyncio.run(optimizer.get_suggestions("deep_research", max_suggestions=4))


@pytest.mark.parametrize("name", list(SEARCHERS))
def test_search_algorithms_from_the_registry(name: str) -> None:
    optimizer = WorkflowOptimizer(search_algorithm=name)
    assert optimizer.options.algorithm == name


def test_unknown_search_algorithm_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as info:
        WorkflowOptimizer(search_algorithm="gradient_descent")
    message = str(info.value)
    assert "gradient_descent" in message
    assert all(name in message for name in SEARCHERS)


def test_workflow_optimizer_methods_are_coroutines() -> None:
    for method in ("get_suggestions", "analyze_workflow", "apply_suggestion"):
        assert inspect.iscoroutinefunction(getattr(WorkflowOptimizer, method)), method


def test_get_suggestions(workflow_suggestions: list[OptimizationSuggestion]) -> None:
    assert len(workflow_suggestions) == 4
    best = workflow_suggestions[0]
    assert best.type is OptimizationType.COMBINED
    assert best.strategy == "search:hill_climbing"
    assert all(s.target == "deep_research" and s.scope == "workflow" for s in workflow_suggestions)
    types = {s.type for s in workflow_suggestions[1:]}
    assert {OptimizationType.NODE_PARALLELIZATION, OptimizationType.PRUNING} <= types
    summary = best.estimated_improvement
    assert summary is not None
    assert summary.duration_reduction > 1.0


def test_analyze_workflow(optimizer: WorkflowOptimizer) -> None:
    report = asyncio.run(optimizer.analyze_workflow("deep_research"))
    assert isinstance(report, WorkflowReport)
    assert report.name == "deep_research"
    assert report.runs > 300
    kinds = {i.bottleneck for i in report.insights}
    assert {"parallelizable_nodes", "unused_output", "missing_caching"} <= kinds


def test_apply_suggestion_returns_the_patched_text(
    optimizer: WorkflowOptimizer, workflow_suggestions: list[OptimizationSuggestion]
) -> None:
    (pruning,) = [s for s in workflow_suggestions if s.type is OptimizationType.PRUNING]
    path = DEMO / "workflows" / "research.yaml"
    before = path.read_bytes()
    text = asyncio.run(optimizer.apply_suggestion("deep_research", pruning))
    assert "- id: legacy_enrich" not in text
    original = before.decode()
    assert "- id: legacy_enrich" in original
    kept = [line for line in original.splitlines() if line not in text.splitlines()]
    assert "        handler: bibliography.enrich_citations" in kept
    assert len(text.splitlines()) < len(original.splitlines())
    assert path.read_bytes() == before  # no file is written


def test_unknown_workflow_cannot_be_tuned(optimizer: WorkflowOptimizer) -> None:
    with pytest.raises(UsageError, match="no_such_flow") as info:
        asyncio.run(optimizer.get_suggestions("no_such_flow"))
    assert info.value.field == "workflow_id"


def test_analyze_unknown_workflow_is_a_usage_error(optimizer: WorkflowOptimizer) -> None:
    with pytest.raises(UsageError, match="no_such_flow"):
        asyncio.run(optimizer.analyze_workflow("no_such_flow"))
