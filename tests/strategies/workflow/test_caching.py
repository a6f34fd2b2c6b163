"""CachingStrategy: repeated tool calls (same tool and args_hash in one run) get a cache."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from autotune_bot.strategies.caching import CachingStrategy

from .conftest import DEMO_WORKFLOWS, Demo, Record, build_target, candidate, chain_yaml, timed_runs

STRATEGY = CachingStrategy()
YAML = chain_yaml([("a", "x", ()), ("b", "y", ("x",))])


def _calls(cached: bool) -> Callable[[random.Random, int, str], Record]:
    def extra(rng: random.Random, i: int, node: str) -> Record:
        if node != "b":
            return {}
        # b looks the same thing up twice in every run, and once something else
        same = f"h{i}"
        calls = [
            {"name": "lookup", "args_hash": same, "duration_seconds": 0.5, "cached": False},
            {"name": "lookup", "args_hash": same, "duration_seconds": 0.4, "cached": cached},
            {"name": "lookup", "args_hash": f"o{i}", "duration_seconds": 0.6, "cached": False},
        ]
        return {"tool_calls": calls, "tools": {"lookup": {"count": 3, "cost": 0.03}}, "cost": 0.05}

    return extra


def test_demo_caches_web_search_on_fetch_news(demo: Demo) -> None:
    target = demo.target("deep_research")
    (proposal,) = STRATEGY.propose(target)
    assert candidate(proposal).cached == (("fetch_news", ("web_search",)),)
    assert set(proposal.insights) == {"missing_caching", "redundant_operation"}
    first = proposal.evidence[0]
    assert "839 of the 1184 runs" in first
    assert "70.9%" in first
    assert "1107 repeated calls" in first
    assert "fetch_papers ×1107" in first
    assert "$0.0050 a call" in " ".join(proposal.evidence)
    assert proposal.risk_level < 0.35
    (dim,) = STRATEGY.dimensions(target)
    assert dim.name == "cache:fetch_news"
    assert dim.choices == ((), ("web_search",))


@pytest.mark.parametrize("name", [n for n in DEMO_WORKFLOWS if n != "deep_research"])
def test_demo_workflows_without_repeats_get_nothing(demo: Demo, name: str) -> None:
    assert STRATEGY.propose(demo.target(name)) == []
    assert STRATEGY.dimensions(demo.target(name)) == []


def test_repeats_within_one_node(tmp_path: Path) -> None:
    records = timed_runs(9, 30, {"a": 1.0, "b": 2.0}, extra=_calls(cached=False))
    target = build_target(tmp_path, YAML, records)
    (proposal,) = STRATEGY.propose(target)
    assert candidate(proposal).cached == (("b", ("lookup",)),)
    assert proposal.insights == ("missing_caching",)  # no other node repeats b's calls
    assert "30 of the 30 runs" in proposal.evidence[0]
    assert "b ×30" in proposal.evidence[0]
    assert "a mean 0.40 s each" in proposal.evidence[1]
    assert "$0.0100 a call" in proposal.evidence[2]
    assert not any("shared across" in e for e in proposal.evidence)


def test_repeats_already_served_from_a_cache_are_left_alone(tmp_path: Path) -> None:
    records = timed_runs(9, 30, {"a": 1.0, "b": 2.0}, extra=_calls(cached=True))
    assert STRATEGY.propose(build_target(tmp_path, YAML, records)) == []


def test_node_that_already_caches_the_tool(tmp_path: Path) -> None:
    yaml = YAML + "        cache: {enabled: true, tools: [lookup]}\n"
    records = timed_runs(9, 30, {"a": 1.0, "b": 2.0}, extra=_calls(cached=False))
    target = build_target(tmp_path, yaml, records)
    assert target.current.cached == (("b", ("lookup",)),)
    assert STRATEGY.propose(target) == []
    assert STRATEGY.dimensions(target) == []
