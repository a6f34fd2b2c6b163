"""PruningStrategy: unused outputs that cost time or fail, on the demo and on built data."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotune_bot.errors import SettingsError
from autotune_bot.strategies.pruning import PruningStrategy

from .conftest import DEMO_WORKFLOWS, Demo, build_target, candidate, chain_yaml, timed_runs

STRATEGY = PruningStrategy()
# a reads nothing; b writes `side` that nobody reads; c reads a; d (final) reads c
CHAIN = chain_yaml([("a", "x", ()), ("b", "side", ("x",)), ("c", "y", ("x",)), ("d", "z", ("y",))])
MEDIANS = {"a": 3.0, "b": 5.0, "c": 4.0, "d": 2.0}


def test_demo_prunes_legacy_enrich_only(demo: Demo) -> None:
    target = demo.target("deep_research")
    (proposal,) = STRATEGY.propose(target)
    assert candidate(proposal).removed == frozenset({"legacy_enrich"})
    assert candidate(proposal) != target.current
    assert set(proposal.insights) == {"unused_output", "unreliable_node"}
    text = " ".join(proposal.evidence)
    assert "workflows/research.yaml:55" in text
    assert "1170 of 1201" in text
    assert "55.3%" in text
    assert "4.04 s per run" in text
    assert "523 runs where it failed" in text
    assert 0.35 <= proposal.risk_level < 0.6 + 1e-9
    (dim,) = STRATEGY.dimensions(target)
    assert dim.name == "prune:legacy_enrich"
    assert dim.choices[dim.current] is False


@pytest.mark.parametrize("name", [n for n in DEMO_WORKFLOWS if n != "deep_research"])
def test_demo_healthy_workflows_get_nothing(demo: Demo, name: str) -> None:
    target = demo.target(name)
    assert STRATEGY.propose(target) == []
    assert STRATEGY.dimensions(target) == []


def test_reliable_node_on_the_critical_path_is_pruned(tmp_path: Path) -> None:
    target = build_target(tmp_path, CHAIN, timed_runs(1, 40, MEDIANS))
    (proposal,) = STRATEGY.propose(target)
    assert candidate(proposal).removed == frozenset({"b"})
    assert proposal.insights == ("unused_output",)
    assert "100.0% of its runs" in proposal.evidence[2]
    assert "predecessors (a)" in proposal.evidence[-1]
    assert "successors (c)" in proposal.evidence[-1]


def test_keep_option_protects_a_node(tmp_path: Path) -> None:
    target = build_target(tmp_path, CHAIN, timed_runs(1, 40, MEDIANS), options={"keep": "b, other"})
    assert STRATEGY.propose(target) == []
    assert STRATEGY.dimensions(target) == []


def test_bad_keep_option_is_a_settings_error(tmp_path: Path) -> None:
    target = build_target(tmp_path, CHAIN, timed_runs(1, 40, MEDIANS), options={"keep": 3})
    with pytest.raises(SettingsError, match=r"strategies\.pruning\.options\.keep"):
        STRATEGY.propose(target)


def test_too_few_runs_give_nothing(tmp_path: Path) -> None:
    target = build_target(tmp_path, CHAIN, timed_runs(1, 10, MEDIANS))
    assert STRATEGY.propose(target) == []


def test_node_with_a_read_output_is_kept(tmp_path: Path) -> None:
    yaml = CHAIN.replace("output: side", "output: [side, extra]").replace(
        'goal: "Work from {{ y }}"', 'goal: "Work from {{ y }} and {{ extra }}"'
    )
    target = build_target(tmp_path, yaml, timed_runs(1, 40, MEDIANS))
    assert STRATEGY.propose(target) == []


def test_condition_branch_target_is_kept(tmp_path: Path) -> None:
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
        branches: {true: b, false: c}
      - id: b
        goal: "Use {{ x }}"
        output: side
        next: [c]
      - id: c
        goal: "Use {{ x }}"
        output: y
"""
    target = build_target(tmp_path, yaml, timed_runs(1, 40, {"a": 3.0, "b": 5.0, "c": 4.0}))
    assert STRATEGY.propose(target) == []


def test_reliable_node_taking_next_to_no_time_is_kept(tmp_path: Path) -> None:
    records = timed_runs(1, 40, {**MEDIANS, "b": 0.05})
    assert STRATEGY.propose(build_target(tmp_path, CHAIN, records)) == []
    target = build_target(tmp_path, CHAIN, records, options={"min_time_share": 0.0})
    assert [candidate(p).removed for p in STRATEGY.propose(target)] == [frozenset({"b"})]


def test_unreliable_node_qualifies_whatever_its_time(tmp_path: Path) -> None:
    records = timed_runs(1, 60, {**MEDIANS, "b": 0.05}, success={"b": 0.5})
    (proposal,) = STRATEGY.propose(build_target(tmp_path, CHAIN, records))
    assert set(proposal.insights) == {"unused_output", "unreliable_node"}
    assert "runs where it failed" in " ".join(proposal.evidence)
