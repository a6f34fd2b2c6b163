"""The workflow model against hand-computed expectations on small, exact stores."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from analysis.conftest import NodeSpec, Record, chain_yaml, run_record

from autotune_bot.model.prices import default_price_table
from autotune_bot.model.run_traces import RunTraces, run_traces
from autotune_bot.model.simulated import Refusal, Simulated
from autotune_bot.model.workflow_model import simulate_workflow
from autotune_bot.tuning.config import WorkflowConfig, workflow_config
from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.model import WorkflowDef

from .conftest import ingest, rows_of_runs, workflow

N = 25
PRICES = default_price_table()


def _node(duration: float, cost: float | None = None, ok: bool = True, **extra: Any) -> Record:
    entry: Record = {"duration": duration, "success": ok, **extra}
    if cost is not None:
        entry["cost"] = cost
    return entry


def _runs(nodes_of: Any, n: int = N, overhead: float = 0.5) -> list[Record]:
    out = []
    for i in range(n):
        nodes = nodes_of(i)
        total = sum(float(v["duration"]) for v in nodes.values())
        costs = [v["cost"] for v in nodes.values() if "cost" in v]
        out.append(
            run_record(
                "flow",
                i,
                nodes,
                minutes=10.0 * i,
                duration=total + overhead,
                cost=sum(costs) if costs else None,
            )
        )
    return out


def _setup(
    tmp_path: Path, specs: list[NodeSpec], records: list[Record]
) -> tuple[RunTraces, WorkflowDef, WorkflowGraph]:
    wf = workflow(chain_yaml("flow", specs))
    store = ingest(tmp_path, records)
    return run_traces(store, rows_of_runs(store), wf), wf, WorkflowGraph.from_workflow(wf)


def _simulate(
    setup: tuple[RunTraces, WorkflowDef, WorkflowGraph],
    candidate: WorkflowConfig,
    seed: int = 0,
) -> Simulated | Refusal:
    traces, wf, graph = setup
    return simulate_workflow(
        traces,
        wf,
        graph,
        workflow_config(wf),
        candidate,
        PRICES,
        np.arange(len(traces)),
        np.random.default_rng(seed),
    )


def _ok(result: Simulated | Refusal) -> Simulated:
    assert isinstance(result, Simulated), result
    return result


DIAMOND = [
    NodeSpec("a", "base"),
    NodeSpec("b", "left", ("base",)),
    NodeSpec("c", "right", ("base",)),
    NodeSpec("d", "result", ("left", "right")),
]


def test_a_parallel_group_runs_on_the_critical_path(tmp_path: Path) -> None:
    records = _runs(lambda i: {"a": _node(1), "b": _node(4 + i % 2), "c": _node(3), "d": _node(2)})
    setup = _setup(tmp_path, DIAMOND, records)
    traces = setup[0]
    np.testing.assert_allclose(traces.overhead, 0.5)
    now = _ok(_simulate(setup, WorkflowConfig()))
    np.testing.assert_allclose(now.duration, traces.duration)
    sim = _ok(_simulate(setup, WorkflowConfig(parallel_groups=(("b", "c"),))))
    b = 4 + np.arange(N) % 2
    np.testing.assert_allclose(sim.duration, 1 + np.maximum(b, 3) + 2 + 0.5)
    assert sim.success.all()
    refused = _simulate(setup, WorkflowConfig(parallel_groups=(("b", "d"),)))
    assert isinstance(refused, Refusal)
    assert "d reads the output of b" in refused.reason


def test_pruning_a_failing_node_recovers_its_runs_and_fills_in_the_rest(tmp_path: Path) -> None:
    specs = [NodeSpec("a", "base"), NodeSpec("x", "junk"), NodeSpec("b", "out", ("base",))]

    def nodes(i: int) -> dict[str, Record]:
        if i < 5:  # x fails and the run stops: b never runs
            return {"a": _node(1, 0.1), "x": _node(2, 0.2, ok=False)}
        return {"a": _node(1, 0.1), "x": _node(2, 0.2), "b": _node(3 + i * 0.1, 0.3)}

    setup = _setup(tmp_path, specs, _runs(nodes))
    traces = setup[0]
    assert traces.success.sum() == N - 5
    pruned = WorkflowConfig(removed=frozenset({"x"}))
    sim = _ok(_simulate(setup, pruned, seed=4))
    assert sim.success.all()
    recorded_b = 3 + np.arange(5, N) * 0.1
    np.testing.assert_allclose(sim.duration[5:], 1 + recorded_b + 0.5)
    filled_b = sim.duration[:5] - 1 - 0.5
    assert np.isin(np.round(filled_b, 6), np.round(recorded_b, 6)).all()
    np.testing.assert_allclose(sim.cost, 0.4)
    assert any(
        n.startswith("5 failed runs failed only at pruned x") and "filled in from 5" in n
        for n in sim.notes
    )
    again = _ok(_simulate(setup, pruned, seed=4))
    np.testing.assert_array_equal(again.duration, sim.duration)


def test_pruning_a_node_whose_failures_do_not_stop_runs_changes_no_outcome(
    tmp_path: Path,
) -> None:
    specs = [NodeSpec("a", "base"), NodeSpec("x", "junk"), NodeSpec("b", "out", ("base",))]

    def nodes(i: int) -> dict[str, Record]:
        return {"a": _node(1), "x": _node(2, ok=i % 3 != 0), "b": _node(3, ok=i != 1)}

    records = _runs(nodes)
    for rec in records:  # runs fail only when b fails
        rec["success"] = rec["node_metrics"]["b"]["success"]
    setup = _setup(tmp_path, specs, records)
    sim = _ok(_simulate(setup, WorkflowConfig(removed=frozenset({"x"}))))
    assert sim.success.tolist() == setup[0].success.tolist()
    np.testing.assert_allclose(sim.duration, 4.5)


def test_pruning_a_node_others_read_is_refused(tmp_path: Path) -> None:
    records = _runs(lambda i: {"a": _node(1), "b": _node(4), "c": _node(3), "d": _node(2)})
    refused = _simulate(_setup(tmp_path, DIAMOND, records), WorkflowConfig(removed=frozenset("b")))
    assert isinstance(refused, Refusal)
    assert "d reads the output of pruned b" in refused.reason


def _model_runs(tokens: bool) -> list[Record]:
    def nodes(i: int) -> dict[str, Record]:
        w = _node(5.0, 0.0075, model="gpt-4o")
        if tokens:
            w |= {"input_tokens": 1000, "output_tokens": 500}
        return {"a": _node(1.0, 0.0), "w": w}

    return _runs(nodes)


def test_a_model_change_costs_the_recorded_tokens_at_the_new_price(tmp_path: Path) -> None:
    specs = [NodeSpec("a", "base"), NodeSpec("w", "out", ("base",))]
    setup = _setup(tmp_path, specs, _model_runs(tokens=True))
    sim = _ok(_simulate(setup, WorkflowConfig(models=(("w", "gpt-4o-mini"),))))
    # 1000 * 0.15 + 500 * 0.60 USD per million tokens
    np.testing.assert_allclose(sim.cost, 0.00045)
    # table latencies: 10 s (gpt-4o-mini) / 12 s (gpt-4o) per 1000 output tokens
    np.testing.assert_allclose(sim.duration, 1.0 + 5.0 * 10 / 12 + 0.5)
    assert "quality of gpt-4o-mini on w is not measured; success held at the recorded value" in (
        sim.notes
    )
    unknown = _simulate(setup, WorkflowConfig(models=(("w", "no-such-model"),)))
    assert isinstance(unknown, Refusal)
    assert "no price for model no-such-model" in unknown.reason


def test_a_model_change_without_recorded_tokens_is_refused(tmp_path: Path) -> None:
    specs = [NodeSpec("a", "base"), NodeSpec("w", "out", ("base",))]
    setup = _setup(tmp_path, specs, _model_runs(tokens=False))
    refused = _simulate(setup, WorkflowConfig(models=(("w", "gpt-4o-mini"),)))
    assert isinstance(refused, Refusal)
    assert "tokens are not recorded in 25 of 25 runs" in refused.reason


def _call(args: str, duration: float) -> Record:
    return {"name": "web_search", "args_hash": args, "duration_seconds": duration, "cached": False}


def _search_runs() -> list[Record]:
    def nodes(i: int) -> dict[str, Record]:
        first = _node(
            3.0,
            0.005,
            tools={"web_search": {"count": 1, "cost": 0.005}},
            tool_calls=[_call("h1", 1.0)],
        )
        second = _node(
            4.0,
            0.01,
            tools={"web_search": {"count": 2, "cost": 0.01}},
            tool_calls=[_call("h1", 1.5), _call("h2", 0.7)],
        )
        return {"f1": first, "f2": second}

    return _runs(nodes)


SEARCHERS = [NodeSpec("f1", "one"), NodeSpec("f2", "two")]


def test_caching_subtracts_the_repeated_calls(tmp_path: Path) -> None:
    setup = _setup(tmp_path, SEARCHERS, _search_runs())
    traces = setup[0]
    assert int(traces.calls.repeat.sum()) == N  # the second h1 of every run
    sim = _ok(_simulate(setup, WorkflowConfig(cached=(("f2", ("web_search",)),))))
    np.testing.assert_allclose(sim.duration, traces.duration - 1.5)
    np.testing.assert_allclose(sim.cost, traces.cost - 0.005)
    first = _ok(_simulate(setup, WorkflowConfig(cached=(("f1", ("web_search",)),))))
    np.testing.assert_allclose(first.duration, traces.duration)  # f1 repeats nothing


def test_batching_credits_the_shortest_call_per_saved_call(tmp_path: Path) -> None:
    setup = _setup(tmp_path, SEARCHERS, _search_runs())
    traces = setup[0]
    sim = _ok(_simulate(setup, WorkflowConfig(batched=(("f2", ("web_search",)),))))
    # 2 calls in one batch: one call saved, credited with the shortest call (0.7 s)
    np.testing.assert_allclose(sim.duration, traces.duration - 0.7)
    assert any("an estimate" in n for n in sim.notes)


def test_removing_a_used_tool_is_refused(tmp_path: Path) -> None:
    setup = _setup(tmp_path, SEARCHERS, _search_runs())
    refused = _simulate(setup, WorkflowConfig(tools=(("f2", ()),)))
    assert isinstance(refused, Refusal)
    assert "f2 called web_search in 25 recorded runs" in refused.reason


@pytest.mark.parametrize("n", [5, 19])
def test_too_few_runs_are_refused(tmp_path: Path, n: int) -> None:
    records = _runs(lambda i: {"a": _node(1), "b": _node(4), "c": _node(3), "d": _node(2)}, n=n)
    refused = _simulate(_setup(tmp_path, DIAMOND, records), replace(WorkflowConfig()))
    assert isinstance(refused, Refusal)
    assert f"only {n} recorded runs" in refused.reason
