"""NodeParallelizationStrategy: data-flow independent runs of nodes, sized by recorded time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autotune_bot.strategies.node_parallelization import NodeParallelizationStrategy

from .conftest import DEMO_WORKFLOWS, Demo, build_target, candidate, chain_yaml, timed_runs

STRATEGY = NodeParallelizationStrategy()


def test_demo_groups_the_two_fetch_nodes(demo: Demo) -> None:
    target = demo.target("deep_research")
    (proposal,) = STRATEGY.propose(target)
    assert candidate(proposal).parallel_groups == (("fetch_papers", "fetch_news"),)
    assert proposal.insights == ("parallelizable_nodes",)
    text = " ".join(proposal.evidence)
    assert "1184 runs" in text
    assert "fetch_papers 22.8 s, fetch_news 15.6 s" in text
    assert "save a mean 14.8 s per run" in text
    # legacy_enrich reads both fetch outputs: it is not part of the group
    assert "legacy_enrich" not in proposal.description
    (dim,) = STRATEGY.dimensions(target)
    assert dim.name == "parallel:fetch_papers,fetch_news"
    assert dim.choices == (False, True)
    assert dim.current == 0


@pytest.mark.parametrize("name", [n for n in DEMO_WORKFLOWS if n != "deep_research"])
def test_demo_chains_with_dependencies_get_nothing(demo: Demo, name: str) -> None:
    target = demo.target(name)
    assert STRATEGY.propose(target) == []
    assert STRATEGY.dimensions(target) == []


def test_saving_is_the_shorter_node_per_run(tmp_path: Path) -> None:
    yaml = chain_yaml(
        [("a", "x", ()), ("b", "p", ("x",)), ("c", "q", ("x",)), ("d", "r", ("p", "q"))]
    )
    records = timed_runs(3, 60, {"a": 2.0, "b": 10.0, "c": 4.0, "d": 1.0})
    target = build_target(tmp_path, yaml, records)
    (proposal,) = STRATEGY.propose(target)
    assert candidate(proposal).parallel_groups == (("b", "c"),)
    expected = np.mean(
        [
            min(r["node_metrics"]["b"]["duration"], r["node_metrics"]["c"]["duration"])
            for r in records
        ]
    )
    assert f"save a mean {expected:.1f} s per run" in proposal.evidence[2]


def test_overlapping_groups_open_only_the_best_dimension(tmp_path: Path) -> None:
    # c reads a: (a, b) and (b, c) are alternatives
    yaml = chain_yaml([("a", "x", ()), ("b", "y", ()), ("c", "z", ("x",))])
    records = timed_runs(4, 60, {"a": 10.0, "b": 6.0, "c": 3.0})
    target = build_target(tmp_path, yaml, records)
    groups = {candidate(p).parallel_groups for p in STRATEGY.propose(target)}
    assert groups == {(("a", "b"),), (("b", "c"),)}
    assert [d.name for d in STRATEGY.dimensions(target)] == ["parallel:a,b"]


def test_branch_targets_are_never_grouped(tmp_path: Path) -> None:
    yaml = """\
workflows:
  wf:
    nodes:
      - id: a
        output: x
        goal: Start
      - id: route
        type: condition
        condition: "x > 1"
        branches: {true: b, false: e}
      - id: b
        goal: "Use {{ x }}"
        output: p
      - id: c
        goal: "Use {{ x }}"
        output: q
        next: [d]
      - id: e
        goal: "Use {{ x }}"
        output: q
      - id: d
        goal: "Use {{ p }} and {{ q }}"
"""
    records = timed_runs(5, 60, {"a": 2.0, "b": 8.0, "c": 8.0, "d": 1.0})
    target = build_target(tmp_path, yaml, records)
    assert STRATEGY.propose(target) == []


def test_too_few_runs_give_nothing(tmp_path: Path) -> None:
    yaml = chain_yaml([("a", "x", ()), ("b", "y", ()), ("c", "z", ("x", "y"))])
    target = build_target(tmp_path, yaml, timed_runs(6, 10, {"a": 5.0, "b": 5.0, "c": 1.0}))
    assert STRATEGY.propose(target) == []
