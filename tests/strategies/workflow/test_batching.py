"""BatchingStrategy: many calls of one tool with different arguments in one node and run."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from autotune_bot.strategies.batching import BatchingStrategy

from .conftest import DEMO_WORKFLOWS, Demo, Record, build_target, candidate, chain_yaml, timed_runs

STRATEGY = BatchingStrategy()
YAML = chain_yaml([("a", "x", ()), ("b", "y", ("x",))])


def _embeds(
    per_run: int, *, same_args: bool = False
) -> Callable[[random.Random, int, str], Record]:
    def extra(rng: random.Random, i: int, node: str) -> Record:
        if node != "b":
            return {}
        calls = [
            {
                "name": "embed",
                "args_hash": f"r{i}" if same_args else f"r{i}-{k}",
                "duration_seconds": round(rng.uniform(0.2, 0.9), 3),
                "cached": False,
            }
            for k in range(per_run)
        ]
        return {"tool_calls": calls}

    return extra


def test_demo_batches_the_fetch_nodes_searches(demo: Demo) -> None:
    target = demo.target("deep_research")
    got = {candidate(p).batched for p in STRATEGY.propose(target)}
    assert got == {
        (("fetch_papers", ("arxiv", "web_search")),),
        (("fetch_news", ("web_search",)),),
    }
    names = {d.name for d in STRATEGY.dimensions(target)}
    assert names == {"batch:fetch_papers", "batch:fetch_news"}


def test_demo_tools_option_limits_the_tools(demo: Demo) -> None:
    target = demo.target("deep_research", {"tools": "arxiv"})
    (proposal,) = STRATEGY.propose(target)
    assert candidate(proposal).batched == (("fetch_papers", ("arxiv",)),)
    assert "920 of those runs (76.7%)" in proposal.evidence[0]


@pytest.mark.parametrize("name", [n for n in DEMO_WORKFLOWS if n != "deep_research"])
def test_demo_workflows_without_call_lists_get_nothing(demo: Demo, name: str) -> None:
    assert STRATEGY.propose(demo.target(name)) == []


def test_saving_uses_the_shortest_call(tmp_path: Path) -> None:
    records = timed_runs(10, 30, {"a": 1.0, "b": 3.0}, extra=_embeds(4))
    target = build_target(tmp_path, YAML, records)
    (proposal,) = STRATEGY.propose(target)
    assert candidate(proposal).batched == (("b", ("embed",)),)
    fastest = min(
        c["duration_seconds"] for r in records for c in r["node_metrics"]["b"]["tool_calls"]
    )
    assert f"shortest recorded embed call ({fastest:.2f} s)" in proposal.evidence[1]
    assert f"saves a mean {3 * fastest:.2f} s per run" in proposal.evidence[1]
    assert "Estimate, not a measurement" in proposal.evidence[1]
    assert "mean 4.0 distinct argument sets" in proposal.evidence[0]
    (dim,) = STRATEGY.dimensions(target)
    assert dim.choices == ((), ("embed",))
    assert np.isclose(proposal.risk_level, 0.3)


def test_two_calls_a_run_need_a_lower_min_calls(tmp_path: Path) -> None:
    records = timed_runs(10, 30, {"a": 1.0, "b": 3.0}, extra=_embeds(2))
    assert STRATEGY.propose(build_target(tmp_path, YAML, records)) == []
    target = build_target(tmp_path, YAML, records, options={"min_calls": 2})
    assert len(STRATEGY.propose(target)) == 1


def test_identical_arguments_are_not_batching(tmp_path: Path) -> None:
    records = timed_runs(10, 30, {"a": 1.0, "b": 3.0}, extra=_embeds(4, same_args=True))
    assert STRATEGY.propose(build_target(tmp_path, YAML, records)) == []


def test_tools_option_excludes_other_tools(tmp_path: Path) -> None:
    records = timed_runs(10, 30, {"a": 1.0, "b": 3.0}, extra=_embeds(4))
    target = build_target(tmp_path, YAML, records, options={"tools": "search"})
    assert STRATEGY.propose(target) == []
