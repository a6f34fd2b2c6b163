"""The optimisation API of the design documents: PerformanceAutotuner (seed-style plain
configurations, loaded workflow files, custom strategies, apply/rollback on plain
configurations) and WorkflowOptimizer (search algorithms from the registry, coroutines)."""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import math
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


# --- A/B settings from the API, and the history with a repository ----------------------


def test_a_cost_budget_of_zero_skips_the_test_and_says_why(
    seed_style: list[OptimizationSuggestion], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json
    import sys

    from autotune_bot.settings import parse_settings_text

    simulator = Path(__file__).resolve().parent / "data" / "ab" / "simulate_run.py"
    command = json.dumps([sys.executable, "-S", str(simulator), "{workflow}"])
    text = f"ab_test:\n  command: {command}\n  runs_per_arm: 4\n  max_cost_usd: 0\n"
    tuner = _tuner(settings=parse_settings_text(text, "t"))
    monkeypatch.setenv("SIMULATOR_LOG", str(tmp_path / "runs.log"))
    formation = _by_type(seed_style)[OptimizationType.FORMATION_SELECTION]
    result = asyncio.run(
        tuner.apply_optimizations("review_team", [formation], SEED_CONFIG, enable_ab_testing=True)
    )
    assert result.validation_status == "skipped"
    assert not result.success
    assert result.new_config == SEED_CONFIG
    assert result.error == "not tested: ab_test.max_cost_usd is 0, so the budget allows no runs"
    assert not (tmp_path / "runs.log").exists()  # no run was made
    assert tuner.get_optimization_history("review_team") == []


@pytest.mark.parametrize("threshold", [-10.0, 0, 0.0, 100, 150.0, math.nan, True, "5"])
def test_a_threshold_outside_0_to_100_is_a_usage_error(threshold: Any) -> None:
    with pytest.raises(UsageError) as info:
        PerformanceAutotuner(ab_test_threshold=threshold)
    assert info.value.field == "ab_test_threshold"


def test_the_threshold_is_checked_again_and_sets_the_margin(
    seed_style: list[OptimizationSuggestion],
) -> None:
    formation = _by_type(seed_style)[OptimizationType.FORMATION_SELECTION]
    tuner = _ab_tuner()
    tuner.ab_test_threshold = -10.0  # changed after construction
    with pytest.raises(UsageError, match="ab_test_threshold"):
        asyncio.run(
            tuner.apply_optimizations(
                "review_team", [formation], SEED_CONFIG, enable_ab_testing=True
            )
        )
    tuner.ab_test_threshold = 10.0
    result = asyncio.run(
        tuner.apply_optimizations("review_team", [formation], SEED_CONFIG, enable_ab_testing=True)
    )
    assert result.validation is not None
    assert result.validation.margin_ratio == pytest.approx(0.90)  # 1 − 10 %


def _applied_repo(tmp_path: Path) -> Path:
    """A copy of the demo repository after `autotune apply --auto` of review_team."""
    import shutil

    from autotune_bot.cli import main

    repo = Path(shutil.copytree(DEMO, tmp_path / "repo"))
    assert main(["apply", "--auto", "--team-id", "review_team", "--repo", str(repo)]) == 0
    return repo


def _seed_loop(history: list[dict[str, Any]]) -> list[str]:
    """Seed 002's loop over the history, verbatim but for print."""
    lines = []
    for entry in history:
        lines.append(f"Timestamp: {entry['timestamp']}")
        lines.append(f"Optimization: {entry['optimization']['description']}")
        lines.append(f"Improvement: {entry['improvement_percentage']:.1f}%")
        lines.append(f"Status: {entry['validation_status']}")
    return lines


def test_repository_and_in_memory_changes_make_one_history(
    seed_style: list[OptimizationSuggestion],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from autotune_bot.rollback import RollbackError

    tuner = _tuner()
    formation = _by_type(seed_style)[OptimizationType.FORMATION_SELECTION]
    asyncio.run(tuner.apply_optimizations("review_team", [formation], SEED_CONFIG))  # older
    repo = _applied_repo(tmp_path)  # newer: the file's entry
    capsys.readouterr()
    review = repo / "workflows" / "code_review.yaml"
    applied_text = review.read_bytes()
    tuner.use_repository(repo)
    asyncio.run(tuner.apply_optimizations("review_team", [formation], SEED_CONFIG))  # newest
    history = tuner.get_optimization_history("review_team")
    assert [(e["stored_in"], e["index"]) for e in history] == [
        ("memory", 0),
        ("repository", 1),
        ("memory", 2),
    ]
    assert history[0]["timestamp"] >= history[1]["timestamp"] >= history[2]["timestamp"]
    assert len(_seed_loop(history)) == 12

    with pytest.raises(RollbackError) as info:
        asyncio.run(tuner.rollback_optimization("review_team", rollback_index=3))
    assert info.value.field == "rollback_index"
    assert "there is no index 3" in str(info.value)
    with pytest.raises(RollbackError) as info:
        asyncio.run(tuner.rollback_optimization("nope"))
    assert info.value.field == "team_id"
    assert "recorded targets: review_team" in str(info.value)

    # index 2: the oldest, in memory; nothing in the repository changes
    assert asyncio.run(tuner.rollback_optimization("review_team", rollback_index=2)) is True
    assert review.read_bytes() == applied_text
    assert [e["stored_in"] for e in tuner.get_optimization_history("review_team")] == [
        "memory",
        "repository",
    ]
    # index 1 now: the repository's change, reverse-patched
    assert asyncio.run(tuner.rollback_optimization("review_team", rollback_index=1)) is True
    assert review.read_bytes() == (DEMO / "workflows" / "code_review.yaml").read_bytes()
    kinds = [
        (e["stored_in"], e.get("kind"), e["index"])
        for e in tuner.get_optimization_history("review_team")
    ]
    assert kinds == [
        ("repository", "rollback", None),
        ("memory", "apply", 0),
        ("repository", "apply", None),
    ]


def test_the_seed_loop_formats_every_repository_entry(
    seed_style: list[OptimizationSuggestion], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime

    from autotune_bot.history import append_history, history_entry
    from autotune_bot.patch.diff import unified_diff

    repo = _applied_repo(tmp_path)
    tuner = PerformanceAutotuner()
    tuner.use_repository(repo)
    assert asyncio.run(tuner.rollback_optimization("review_team")) is True
    capsys.readouterr()
    # several suggestions applied together (interactive): the file has no single figure
    path = "workflows/code_review.yaml"
    text = (repo / path).read_text(encoding="utf-8")
    diff = unified_diff(text, text.replace("max_iterations: 20", "max_iterations: 21"), path)
    two = history_entry(seed_style[:2], diff, now=datetime.now(UTC), mode="interactive")
    assert two["improvement_percentage"] is None
    append_history(repo, [two])

    history = tuner.get_optimization_history("review_team")
    assert [e.get("kind") for e in history] == ["apply", "rollback", "apply"]
    lines = _seed_loop(history)
    assert len(lines) == 12
    multi, rollback, single = history
    assert multi["improvement_percentage"] == 0.0
    assert (
        "the estimates of the 2 suggestions applied together do not add up"
        in (multi["improvement_basis"])
    )
    assert rollback["optimization"]["description"] == rollback["description"]
    assert rollback["description"].startswith(f"rollback of {single['id']}")
    assert rollback["improvement_percentage"] == 0.0
    assert "claims no improvement" in rollback["improvement_basis"]
    assert single["improvement_percentage"] > 0  # the search's estimate, kept as recorded
    # the file itself is not rewritten: the multi-suggestion entry still says null there
    last = (repo / ".autotune" / "history.jsonl").read_text(encoding="utf-8").splitlines()[-1]
    assert '"improvement_percentage": null' in last
