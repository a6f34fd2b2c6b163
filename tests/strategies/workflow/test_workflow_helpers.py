"""The workflow strategies' helpers: options, movable nodes, model substitutes."""

from __future__ import annotations

import numpy as np
import pytest

from autotune_bot.errors import SettingsError
from autotune_bot.model.prices import load_price_table
from autotune_bot.strategies.base import OptionValue
from autotune_bot.strategies.options import (
    bool_option,
    float_option,
    int_option,
    names_option,
    pairs_option,
)
from autotune_bot.strategies.workflow_model_choice import (
    closeness,
    provider,
    replacements,
    tier_rank,
)
from autotune_bot.strategies.workflow_runs import run_data
from autotune_bot.strategies.workflow_structure import final_nodes, fixed_nodes, node_location
from autotune_bot.strategies.workflow_tool_use import cost_per_call, tool_usage
from autotune_bot.workflow.graph import WorkflowGraph

from .conftest import Demo


def test_option_readers() -> None:
    options: dict[str, OptionValue] = {
        "n": 4,
        "x": 0.25,
        "flag": True,
        "names": "a, b,,a",
        "pairs": "a=b; c = d;",
    }
    assert int_option(options, "s", "n", 1) == 4
    assert int_option(options, "s", "missing", 7) == 7
    assert float_option(options, "s", "x", 0.5, high=1.0) == 0.25
    assert bool_option(options, "s", "flag", False) is True
    assert names_option(options, "s", "names") == ("a", "b")
    assert names_option(options, "s", "missing") is None
    assert pairs_option(options, "s", "pairs") == {"a": "b", "c": "d"}
    assert pairs_option(options, "s", "missing") == {}


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda o: int_option(o, "s", "v", 1), "v"),
        (lambda o: float_option(o, "s", "w", 0.5, high=1.0), "w"),
        (lambda o: bool_option(o, "s", "v", False), "v"),
        (lambda o: pairs_option(o, "s", "p"), "p"),
    ],
)
def test_bad_option_values_name_the_option(call: object, field: str) -> None:
    options = {"v": "three", "w": 1.5, "p": "a=b;c"}
    with pytest.raises(SettingsError, match=rf"strategies\.s\.options\.{field}"):
        call(options)  # type: ignore[operator]


def test_true_is_not_an_integer() -> None:
    with pytest.raises(SettingsError):
        int_option({"v": True}, "s", "v", 1)


def test_fixed_and_final_nodes_of_the_research_workflow(demo: Demo) -> None:
    wf = demo.definition("deep_research")
    graph = WorkflowGraph.from_workflow(wf)
    fixed = fixed_nodes(wf, graph)
    # routing nodes, branch targets and the parallel node's children
    assert {
        "route",
        "checks",
        "deep_dive",
        "quick_summary",
        "fact_check",
        "citation_check",
    } <= fixed
    assert {"plan", "fetch_papers", "fetch_news", "legacy_enrich", "research_team"}.isdisjoint(
        fixed
    )
    assert final_nodes(wf, graph) == frozenset({"report"})
    assert node_location(wf, "report") == "workflows/research.yaml:158"


def test_end_markers_do_not_hide_the_final_node(demo: Demo) -> None:
    wf = demo.definition("release_notes")
    graph = WorkflowGraph.from_workflow(wf)
    assert "publish_notes" in final_nodes(wf, graph)
    assert {"start", "end"} <= fixed_nodes(wf, graph)


def test_providers_and_closeness() -> None:
    assert provider("gpt-4o") == provider("o3-mini") == "openai"
    assert provider("claude-3-opus") == "anthropic"
    assert provider("gemini-1.5-pro") == "google"
    assert provider("mistral/mistral-large") == "mistral"
    assert closeness("gpt-4o", "gpt-4o-mini") == 2
    assert closeness("gpt-4o", "gpt-4.1-nano") == 1
    assert tier_rank("medium") == 1
    assert tier_rank(None) is None


TABLE = load_price_table(
    """{"models": {
    "big": {"input_usd_per_mtok": 10, "output_usd_per_mtok": 30, "tier": "large"},
    "big-mid": {"input_usd_per_mtok": 3, "output_usd_per_mtok": 9, "tier": "medium"},
    "big-small": {"input_usd_per_mtok": 1, "output_usd_per_mtok": 2, "tier": "small"},
    "other-small": {"input_usd_per_mtok": 0.1, "output_usd_per_mtok": 0.1, "tier": "small"},
    "big-free": {"tier": "small"}}}"""
)


def test_replacements_respect_tier_floor_and_provider() -> None:
    ins, outs = np.array([1000.0, 1200.0]), np.array([100.0, 150.0])
    big = TABLE.models["big"]
    names = [r.model.model for r in replacements(TABLE, big, 0, ins, outs)]
    assert names == ["big-small", "big-mid"]  # closest first, then cheapest; unpriced skipped
    assert [r.model.model for r in replacements(TABLE, big, 1, ins, outs)] == ["big-mid"]
    wide = replacements(TABLE, big, 0, ins, outs, cross_provider=True)
    assert "other-small" in [r.model.model for r in wide]
    assert replacements(TABLE, TABLE.models["big-small"], 0, ins, outs) == []


def test_tool_usage_and_cost_per_call_on_the_demo(demo: Demo) -> None:
    target = demo.target("deep_research")
    usage = tool_usage(target.store, run_data(target).node_rows)
    papers = usage["fetch_papers"]
    assert papers.recorded_runs == 1200
    assert papers.used == {"web_search": 1200, "arxiv": 1200}
    assert papers.calls["web_search"] == 7134
    assert set(usage) == {"fetch_papers", "fetch_news", "research_team"}
    prices = cost_per_call(target.store)
    assert prices["web_search"] == pytest.approx(0.005)
    assert prices["arxiv"] == 0.0
