"""ToolSelectionStrategy: unused granted tools and declared alternatives to expensive tools."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from autotune_bot.errors import SettingsError
from autotune_bot.strategies.base import WorkflowTarget
from autotune_bot.strategies.tool_selection import ToolSelectionStrategy

from .conftest import DEMO_WORKFLOWS, Demo, Record, build_target, candidate, timed_runs

STRATEGY = ToolSelectionStrategy()
YAML = """\
workflows:
  wf:
    nodes:
      - id: n
        goal: Research
        tools: [search, calc, browse]
        output: notes
      - id: m
        goal: "Summarise {{ notes }}"
        tools: [lookup]
"""


def _tools(rng: random.Random, i: int, node: str) -> Record:
    if node == "n":
        calls = rng.randint(1, 4)
        return {
            "cost": 0.01 * calls + 0.002,
            "tools": {"search": {"count": calls, "cost": 0.01 * calls}, "calc": {"count": 1}},
        }
    return {"cost": 0.001, "tools": {"lookup": {"count": 2, "cost": 0.0}}}


def _target(tmp_path: Path, **options: str) -> WorkflowTarget:
    records = timed_runs(7, 40, {"n": 5.0, "m": 2.0}, extra=_tools)
    return build_target(tmp_path, YAML, records, options=options)


@pytest.mark.parametrize("name", DEMO_WORKFLOWS)
def test_demo_without_alternatives_gets_nothing(demo: Demo, name: str) -> None:
    # every granted tool of the demo is used; no alternatives are declared
    target = demo.target(name)
    assert STRATEGY.propose(target) == []
    assert STRATEGY.dimensions(target) == []


def test_demo_declared_alternative_replaces_the_expensive_tool(demo: Demo) -> None:
    target = demo.target("deep_research", {"alternatives": "web_search=arxiv"})
    proposals = {p.description: p for p in STRATEGY.propose(target)}
    assert set(proposals) == {
        "Use web_search → arxiv on fetch_papers of deep_research",
        "Use web_search → arxiv on fetch_news of deep_research",
    }
    papers = proposals["Use web_search → arxiv on fetch_papers of deep_research"]
    assert candidate(papers).tools == (("fetch_papers", ("arxiv",)),)
    assert papers.insights == ("expensive_tool",)
    assert "7134 calls at $0.0050 each" in papers.evidence[0]
    assert "saves a mean $0.0297 per run" in papers.evidence[1]
    dims = {d.name: d for d in STRATEGY.dimensions(target)}
    assert dims["tools:fetch_news"].choices == (("web_search",), ("arxiv",))
    assert dims["tools:fetch_papers"].choices[0] == ("web_search", "arxiv")


def test_unused_tools_are_dropped(tmp_path: Path) -> None:
    target = _target(tmp_path)
    (proposal,) = STRATEGY.propose(target)
    assert candidate(proposal).tools == (("n", ("search", "calc")),)
    assert "never called browse" in proposal.evidence[0]
    assert "40 runs" in proposal.evidence[0]
    assert "cannot be measured" in proposal.evidence[1]
    assert proposal.risk_level < 0.35
    (dim,) = STRATEGY.dimensions(target)
    assert dim.name == "tools:n"
    assert dim.choices == (("search", "calc", "browse"), ("search", "calc"))


def test_alternative_is_not_proposed_without_expensive_tool(tmp_path: Path) -> None:
    # search is the only tool with a cost, so it is an expensive_tool; calc is not
    target = _target(tmp_path, alternatives="calc=python")
    assert [candidate(p).tools for p in STRATEGY.propose(target)] == [(("n", ("search", "calc")),)]


def test_alternative_to_an_expensive_tool(tmp_path: Path) -> None:
    records = timed_runs(7, 40, {"n": 5.0, "m": 2.0}, extra=_tools)
    target = build_target(tmp_path, YAML, records, options={"alternatives": "search=lookup"})
    swap = [p for p in STRATEGY.propose(target) if p.insights == ("expensive_tool",)]
    (proposal,) = swap
    assert candidate(proposal).tools == (("n", ("lookup", "calc", "browse")),)
    assert "$0.0100 each" in proposal.evidence[0]
    assert "$0.0000 a call" in proposal.evidence[0]
    saved = sum(r["node_metrics"]["n"]["tools"]["search"]["cost"] for r in records) / 40
    assert f"saves a mean ${saved:.4f} per run" in proposal.evidence[1]


def test_costlier_alternative_is_not_proposed(tmp_path: Path) -> None:
    # `lookup` is recorded at $0.02 a call, more than search's $0.01
    def pricey(rng: random.Random, i: int, node: str) -> Record:
        if node == "m":
            return {"tools": {"lookup": {"count": 1, "cost": 0.02}}}
        return _tools(rng, i, node)

    records = timed_runs(7, 40, {"n": 5.0, "m": 2.0}, extra=pricey)
    target = build_target(tmp_path, YAML, records, options={"alternatives": "search=lookup"})
    assert all(p.insights != ("expensive_tool",) for p in STRATEGY.propose(target))


def test_unrecorded_tool_use_gives_nothing(tmp_path: Path) -> None:
    target = build_target(tmp_path, YAML, timed_runs(7, 40, {"n": 5.0, "m": 2.0}))
    assert STRATEGY.propose(target) == []


def test_malformed_alternatives_option(tmp_path: Path) -> None:
    target = _target(tmp_path, alternatives="search")
    with pytest.raises(SettingsError, match="alternatives"):
        STRATEGY.propose(target)
