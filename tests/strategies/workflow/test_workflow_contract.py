"""Every workflow strategy on every demo workflow and on awkward targets: no exception, no
no-op candidate, dimensions whose current value is the configuration in force."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotune_bot.strategies.base import WorkflowStrategy, WorkflowTarget
from autotune_bot.strategies.batching import BatchingStrategy
from autotune_bot.strategies.caching import CachingStrategy
from autotune_bot.strategies.model_selection import ModelSelectionStrategy
from autotune_bot.strategies.node_parallelization import NodeParallelizationStrategy
from autotune_bot.strategies.pruning import PruningStrategy
from autotune_bot.strategies.tool_selection import ToolSelectionStrategy
from autotune_bot.tuning.dimension_names import parse_dim
from autotune_bot.tuning.suggestion import OptimizationType

from .conftest import DEMO_WORKFLOWS, Demo, build_target, candidate, timed_runs

STRATEGIES: tuple[WorkflowStrategy, ...] = (
    PruningStrategy(),
    NodeParallelizationStrategy(),
    ToolSelectionStrategy(),
    ModelSelectionStrategy(),
    CachingStrategy(),
    BatchingStrategy(),
)
EXPECTED_NAMES = {
    "pruning": OptimizationType.PRUNING,
    "node_parallelization": OptimizationType.NODE_PARALLELIZATION,
    "tool_selection": OptimizationType.TOOL_SELECTION,
    "model_selection": OptimizationType.MODEL_SELECTION,
    "caching": OptimizationType.CACHING,
    "batching": OptimizationType.BATCHING,
}
KIND = {
    "pruning": "prune",
    "node_parallelization": "parallel",
    "tool_selection": "tools",
    "model_selection": "model",
    "caching": "cache",
    "batching": "batch",
}


def _check(strategy: WorkflowStrategy, target: WorkflowTarget) -> int:
    proposals = strategy.propose(target)
    for p in proposals:
        assert p.type == strategy.optimization_type
        assert candidate(p) != target.current
        assert 0.0 <= p.risk_level <= 1.0
        assert p.evidence
        assert all(e.strip() for e in p.evidence)
        assert p.description
    for dim in strategy.dimensions(target):
        kind, nodes = parse_dim(dim.name)
        assert kind == KIND[strategy.name]
        assert all(n in target.workflow.nodes for n in nodes)
        assert len(dim.choices) >= 2
        assert dim.current == 0
    return len(proposals)


def test_names_types_and_documented_options() -> None:
    assert {s.name: s.optimization_type for s in STRATEGIES} == EXPECTED_NAMES
    for strategy in STRATEGIES:
        options = type(strategy).options  # type: ignore[attr-defined]
        assert isinstance(options, dict)
        for option in options:
            assert option in (type(strategy).__doc__ or "")


@pytest.mark.parametrize("name", DEMO_WORKFLOWS)
@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s.name)
def test_every_demo_workflow(demo: Demo, strategy: WorkflowStrategy, name: str) -> None:
    _check(strategy, demo.target(name))


def test_demo_release_notes_is_left_alone(demo: Demo) -> None:
    target = demo.target("release_notes")
    assert all(s.propose(target) == [] and s.dimensions(target) == [] for s in STRATEGIES)


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s.name)
def test_workflow_without_runs(tmp_path: Path, strategy: WorkflowStrategy) -> None:
    yaml = """\
workflows:
  wf:
    nodes:
      - id: a
        output: x
        tools: [t]
        llm_config: {model_hint: gpt-4o}
      - id: b
        output: unused
      - id: c
        goal: "Use {{ x }}"
"""
    other = timed_runs(1, 25, {"z": 1.0})
    for record in other:
        record["workflow_id"] = "elsewhere"
    target = build_target(tmp_path, yaml, other)
    assert target.report.runs == 0
    assert _check(strategy, target) == 0


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s.name)
def test_workflow_with_a_loop(tmp_path: Path, strategy: WorkflowStrategy) -> None:
    yaml = """\
workflows:
  wf:
    nodes:
      - id: a
        output: x
      - id: b
        goal: "Use {{ x }}"
        output: side
      - id: check
        type: condition
        condition: "x > 1"
        branches: {true: a, false: c}
      - id: c
        goal: "Use {{ x }}"
"""
    records = timed_runs(2, 30, {"a": 2.0, "b": 3.0, "c": 1.0}, success={"b": 0.5})
    target = build_target(tmp_path, yaml, records)
    _check(strategy, target)
    if strategy.name == "pruning":
        # b lies between a loop's nodes but is not on the back edge: it may go
        assert [candidate(p).removed for p in strategy.propose(target)] == [frozenset({"b"})]
