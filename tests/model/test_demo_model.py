"""The performance model on the bundled demo repository predicts what was planted there."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from autotune_bot.analysis.analyzer import AnalysisReport, analyze
from autotune_bot.model.predict import Forecast, predict_team, predict_workflow
from autotune_bot.model.prices import default_price_table, learn_prices, price_table
from autotune_bot.model.run_traces import run_traces
from autotune_bot.model.simulated import Simulated
from autotune_bot.model.traces import team_traces
from autotune_bot.model.workflow_model import simulate_workflow
from autotune_bot.repository import RepositoryInputs, load_inputs
from autotune_bot.tuning.config import team_config, workflow_config
from autotune_bot.workflow.dataflow import member_dependencies
from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.model import WorkflowDef

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-repo"


@pytest.fixture(scope="module")
def demo() -> tuple[RepositoryInputs, AnalysisReport]:
    inputs = load_inputs(DEMO)
    data = inputs.metrics
    return inputs, analyze(data.store, data.problems, inputs.workflows, inputs.settings)


def _definition(inputs: RepositoryInputs, name: str) -> WorkflowDef:
    return next(wf for f in inputs.workflows for wf in f.workflows if wf.name == name)


def test_review_team_in_parallel_takes_about_a_third(
    demo: tuple[RepositoryInputs, AnalysisReport],
) -> None:
    inputs, report = demo
    review = next(t for t in report.teams if t.team_id == "review_team")
    node = _definition(inputs, "code_review").nodes["review_team"]
    assert node.team is not None
    current = team_config(node)
    traces = team_traces(
        inputs.metrics.store,
        review.profile.rows,
        current.members,
        history=[older.rows for older in review.older],
    )
    forecast = predict_team(
        traces,
        current,
        replace(current, formation="parallel"),
        member_dependencies(node.team),
        np.random.default_rng(20261101),
        member_budgets={m.id: m.tool_budget.value for m in node.team.members},
        n_boot=500,
    )
    assert isinstance(forecast, Forecast), forecast
    # README: median 220.4 s now, 66.5 s when the team ran in parallel
    assert forecast.current.p50_duration == pytest.approx(220.4, abs=1.0)
    assert 60.0 < forecast.candidate.p50_duration < 75.0
    est = forecast.estimate
    assert est.duration is not None
    assert est.duration.interval is not None
    assert est.duration.interval[1] < -0.6
    assert est.basis.startswith("simulated from 675 recorded executions of review_team")
    assert any("overhead of parallel taken from 225 recorded executions" in n for n in est.notes)


def test_fetch_nodes_side_by_side_save_their_shorter_duration(
    demo: tuple[RepositoryInputs, AnalysisReport],
) -> None:
    inputs, report = demo
    store = inputs.metrics.store
    wf = _definition(inputs, "deep_research")
    graph = WorkflowGraph.from_workflow(wf)
    selection = next(w for w in report.workflows if w.name == wf.name).selection
    assert selection is not None
    traces = run_traces(store, selection.current.rows, wf)
    prices = price_table(default_price_table(), learn_prices(store), inputs.settings.models)
    current = workflow_config(wf)
    candidate = replace(current, parallel_groups=(("fetch_papers", "fetch_news"),))
    every = np.arange(len(traces))
    rng = np.random.default_rng(0)
    now = simulate_workflow(traces, wf, graph, current, current, prices, every, rng)
    then = simulate_workflow(traces, wf, graph, current, candidate, prices, every, rng)
    assert isinstance(now, Simulated)
    assert isinstance(then, Simulated)
    np.testing.assert_allclose(now.duration, traces.duration)
    both = traces.ran[:, traces.column("fetch_papers")] & traces.ran[:, traces.column("fetch_news")]
    saving = (now.duration - then.duration)[both]
    assert saving.mean() == pytest.approx(14.8, abs=0.3)  # README: 14.8 s a run on average
    forecast = predict_workflow(
        traces, wf, graph, current, candidate, prices, np.random.default_rng(1), n_boot=300
    )
    assert isinstance(forecast, Forecast)
    assert forecast.estimate.duration is not None
    assert forecast.estimate.duration.relative < -0.04
    assert forecast.estimate.success is not None
    assert forecast.estimate.success.relative == 0.0
