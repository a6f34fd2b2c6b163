"""Each workflow bottleneck fires on data where it is planted and stays silent on similar
data where it is not; analyses the data cannot support say so."""

from __future__ import annotations

import statistics
from collections.abc import Callable

import pytest

from autotune_bot.settings import Settings

from .conftest import (
    NodeSpec,
    Record,
    Synth,
    chain_yaml,
    insights_of,
    the_insight,
    unsupported_of,
    workflow_report,
)

T = Settings().analysis.thresholds
FLOW = "etl"
CHAIN = {"load": 2.0, "search": 2.5, "enrich": 3.0, "report": 2.0}


def chain_file(*nodes: NodeSpec) -> dict[str, str]:
    return {"etl.yaml": chain_yaml(FLOW, nodes)}


# load → search and enrich (both read only `data`) → report (reads both results).
INDEPENDENT = chain_file(
    NodeSpec("load", "data"),
    NodeSpec("search", "found", ("data",)),
    NodeSpec("enrich", "extra", ("data",)),
    NodeSpec("report", "final", ("found", "extra")),
)
# Same nodes, but enrich reads what search found: nothing can run side by side.
DEPENDENT = chain_file(
    NodeSpec("load", "data"),
    NodeSpec("search", "found", ("data",)),
    NodeSpec("enrich", "extra", ("found",)),
    NodeSpec("report", "final", ("extra",)),
)


def node_values(records: list[Record], node: str, key: str = "duration") -> list[float]:
    return [float(r["node_metrics"][node][key]) for r in records]


def node_line(yamls: dict[str, str], node: str) -> str:
    """``file:line`` of node ``node`` in the only file of ``yamls``."""
    ((name, text),) = yamls.items()
    (line,) = [k for k, row in enumerate(text.splitlines(), 1) if row.strip() == f"- id: {node}"]
    return f"{name}:{line}"


def run_total(records: list[Record]) -> float:
    return sum(float(r["duration"]) for r in records)


# --- slow_node ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("report_median", "fires"), [(20.0, True), (3.0, False)], ids=["planted", "absent"]
)
def test_slow_node(synth: Synth, report_median: float, fires: bool) -> None:
    records = synth.node_runs(FLOW, 300, CHAIN | {"report": report_median})
    report = workflow_report(synth.analyze(records, INDEPENDENT), FLOW)
    if not fires:
        assert insights_of(report, "slow_node") == []
        return
    insight = the_insight(report, "slow_node")
    means = {node: statistics.fmean(node_values(records, node)) for node in CHAIN}
    assert insight.target == FLOW
    assert insight.component == "report"
    assert insight.current_value == pytest.approx(means["report"])
    assert insight.baseline_value == pytest.approx(statistics.median(means.values()))
    assert insight.evidence.n == 300
    assert insight.evidence.baseline_source == "median of the workflow's 4 measured nodes"
    assert insight.location == node_line(INDEPENDENT, "report")


def test_slow_node_unsupported_with_two_nodes(synth: Synth) -> None:
    records = synth.node_runs(FLOW, 300, {"load": 2.0, "report": 20.0})
    report = workflow_report(synth.analyze(records), FLOW)
    assert "only 2 nodes" in unsupported_of(report, "slow_node").reason


# --- dominant_node -----------------------------------------------------------------------

FANOUT_YAML = """\
workflows:
  fanout:
    nodes:
      - id: fetch
        type: compute
        handler: fetch_document
        output: doc
        next: [split]
      - id: split
        type: parallel
        parallel_nodes: [deep, quick]
        join_strategy: all
        next: [summarize]
      - id: deep
        goal: "Study {{ doc }}"
        output: deep_notes
      - id: quick
        goal: "Skim {{ doc }}"
        output: quick_notes
      - id: summarize
        goal: "Merge {{ deep_notes }} and {{ quick_notes }}"
        output: summary
"""
FANOUT = {"fetch": 1.0, "deep": 25.0, "quick": 8.0, "summarize": 1.0}


def _fanout_runs(synth: Synth) -> list[Record]:
    return synth.node_runs(
        "fanout",
        300,
        FANOUT,
        sigma=0.1,
        run_duration=lambda d: d["fetch"] + max(d["deep"], d["quick"]) + d["summarize"],
    )


def test_dominant_node_on_critical_path_with_parallel_branches(synth: Synth) -> None:
    records = _fanout_runs(synth)
    report = workflow_report(synth.analyze(records, {"fanout.yaml": FANOUT_YAML}), "fanout")
    insight = the_insight(report, "dominant_node")
    # quick runs beside deep and always finishes first: it never bounds a run, although it
    # takes more than the threshold's share of the summed node time.
    summed = sum(sum(node_values(records, n)) for n in FANOUT)
    assert sum(node_values(records, "quick")) / summed > T.dominant_node_share
    assert insight.component == "deep"
    assert insight.current_value == pytest.approx(
        sum(node_values(records, "deep")) / run_total(records)
    )
    assert insight.baseline_value == T.dominant_node_share
    assert insight.evidence.n == 300
    assert insight.evidence.baseline_source == "critical path of each run"
    assert insight.evidence.details["on_critical_path_share_of_runs"] == 1.0


def test_dominant_node_without_workflow_file_treats_nodes_as_sequential(synth: Synth) -> None:
    records = _fanout_runs(synth)
    report = workflow_report(synth.analyze(records), "fanout")
    dominant = {i.component: i for i in insights_of(report, "dominant_node")}
    assert set(dominant) == {"deep", "quick"}
    assert "workflow file not found" in dominant["quick"].evidence.baseline_source


def test_dominant_node_silent_on_balanced_chain(synth: Synth) -> None:
    medians = {f"step{k}": 5.0 for k in range(6)}
    nodes = [NodeSpec(f"step{k}", f"out{k}", (f"out{k - 1}",) if k else ()) for k in range(6)]
    records = synth.node_runs(FLOW, 300, medians)
    report = workflow_report(synth.analyze(records, chain_file(*nodes)), FLOW)
    assert insights_of(report, "dominant_node") == []
    assert all(u.analysis != "dominant_node" for u in report.unsupported)


def test_too_few_runs_make_dominant_node_unsupported(synth: Synth) -> None:
    report = workflow_report(synth.analyze(synth.node_runs(FLOW, 10, CHAIN), INDEPENDENT), FLOW)
    assert unsupported_of(report, "dominant_node").reason == "only 10 runs"
    assert "only 0 nodes" in unsupported_of(report, "slow_node").reason
    assert report.insights == ()


# --- unreliable_node ---------------------------------------------------------------------


@pytest.mark.parametrize(("rate", "fires"), [(0.5, True), (0.97, False)], ids=["planted", "absent"])
def test_unreliable_node(synth: Synth, rate: float, fires: bool) -> None:
    records = synth.node_runs(FLOW, 300, CHAIN, success_rates={"search": rate})
    report = workflow_report(synth.analyze(records, INDEPENDENT), FLOW)
    if not fires:
        assert insights_of(report, "unreliable_node") == []
        return
    insight = the_insight(report, "unreliable_node")
    assert insight.component == "search"
    assert insight.current_value == pytest.approx(0.5)
    assert insight.baseline_value == T.unreliable_node_success_rate
    assert insight.evidence.n == 300
    assert insight.evidence.baseline_source == "analysis.thresholds.unreliable_node_success_rate"
    assert insight.evidence.details["error_TimeoutError"] == 150
    assert insight.evidence.interval is not None
    assert insight.evidence.interval[1] < T.unreliable_node_success_rate


# --- expensive_tool ----------------------------------------------------------------------


def _costed_runs(synth: Synth, search_cost: float) -> list[Record]:
    costs: dict[int, float] = {}

    def extra(i: int, node: str) -> Record:
        if node != "search":
            return {}
        web = search_cost * synth.lognormal(1.0, 0.2)
        grep = 0.001
        costs[i] = web + grep + 0.02
        return {
            "cost": web + grep,
            "tools": {"web_search": {"count": 3, "cost": web}, "grep": {"count": 5, "cost": grep}},
        }

    records = synth.node_runs(FLOW, 300, CHAIN, extra=extra)
    for i, rec in enumerate(records):
        rec["cost"] = costs[i]  # the search node's tools plus 0.02 of model calls
    return records


@pytest.mark.parametrize(
    ("search_cost", "fires"), [(0.05, True), (0.001, False)], ids=["planted", "absent"]
)
def test_expensive_tool(synth: Synth, search_cost: float, fires: bool) -> None:
    records = _costed_runs(synth, search_cost)
    report = workflow_report(synth.analyze(records, INDEPENDENT), FLOW)
    if not fires:
        assert insights_of(report, "expensive_tool") == []
        return
    insight = the_insight(report, "expensive_tool")
    web = sum(r["node_metrics"]["search"]["tools"]["web_search"]["cost"] for r in records)
    assert insight.affected == ("web_search",)
    assert insight.evidence.details["tool"] == "web_search"
    assert insight.evidence.details["calls"] == 900
    assert insight.current_value == pytest.approx(web / sum(r["cost"] for r in records))
    assert insight.baseline_value == T.expensive_tool_share
    assert insight.evidence.n == 300
    assert insight.evidence.baseline_source == "the workflow's recorded cost"


def test_expensive_tool_unsupported_without_tool_costs(synth: Synth) -> None:
    report = workflow_report(synth.analyze(synth.node_runs(FLOW, 300, CHAIN), INDEPENDENT), FLOW)
    assert "no per-node `tools`" in unsupported_of(report, "expensive_tool").reason


def test_expensive_tool_unsupported_without_any_cost(synth: Synth) -> None:
    records = synth.node_runs(
        FLOW, 300, CHAIN, extra=lambda i, node: {"tools": {"grep": {"count": 2}}}
    )
    report = workflow_report(synth.analyze(records, INDEPENDENT), FLOW)
    assert unsupported_of(report, "expensive_tool").reason == "no cost recorded"


# --- missing_caching and redundant_operation ---------------------------------------------


def _calls(tool: str, args: list[str], cached: list[bool] | None = None) -> list[Record]:
    flags = cached or [False] * len(args)
    return [
        {"name": tool, "args_hash": a, "duration_seconds": 0.4, "cached": c}
        for a, c in zip(args, flags, strict=True)
    ]


def _search_calls(repeat: bool, cached: bool = False) -> Callable[[int, str], Record]:
    # Per run: four web searches (two pairs of equal arguments when ``repeat``) and
    # three reads of distinct files.
    def extra(i: int, node: str) -> Record:
        if node != "search":
            return {}
        args = [f"q{i}a", f"q{i}a", f"q{i}b", f"q{i}b"] if repeat else [f"q{i}{k}" for k in "abcd"]
        hits = [False, cached, False, cached]
        return {"tool_calls": _calls("web_search", args, hits) + _calls("read", ["x", "y", "z"])}

    return extra


@pytest.mark.parametrize(
    ("repeat", "cached", "fires"),
    [(True, False, True), (False, False, False), (True, True, False)],
    ids=["planted", "distinct-arguments", "served-from-cache"],
)
def test_missing_caching(synth: Synth, repeat: bool, cached: bool, fires: bool) -> None:
    records = synth.node_runs(FLOW, 300, CHAIN, extra=_search_calls(repeat, cached))
    report = workflow_report(synth.analyze(records, INDEPENDENT), FLOW)
    if not fires:
        assert insights_of(report, "missing_caching") == []
        assert all(u.analysis != "missing_caching" for u in report.unsupported)
        return
    insight = the_insight(report, "missing_caching")
    assert insight.affected == ("web_search", "search")
    assert insight.evidence.details["tool"] == "web_search"
    assert insight.current_value == pytest.approx(0.5)  # 2 of 4 calls repeat an earlier one
    assert insight.baseline_value == T.cache_repeat_share
    assert insight.evidence.n == 1200
    assert insight.evidence.details["repeated_calls"] == 600
    assert insight.evidence.baseline_source == "per-call args_hash in the metrics"


def test_missing_caching_unsupported_without_args_hash(synth: Synth) -> None:
    def extra(i: int, node: str) -> Record:
        return {"tool_calls": [{"name": "web_search", "duration_seconds": 0.4}]}

    records = synth.node_runs(FLOW, 300, CHAIN, extra=extra)
    report = workflow_report(synth.analyze(records, INDEPENDENT), FLOW)
    assert "no args_hash" in unsupported_of(report, "missing_caching").reason
    assert insights_of(report, "redundant_operation") == []


def test_missing_caching_unsupported_without_tool_calls(synth: Synth) -> None:
    report = workflow_report(synth.analyze(synth.node_runs(FLOW, 300, CHAIN), INDEPENDENT), FLOW)
    assert "no per-call `tool_calls`" in unsupported_of(report, "missing_caching").reason


@pytest.mark.parametrize(
    ("shared", "fires"), [(0.6, True), (0.0, False)], ids=["planted", "absent"]
)
def test_redundant_operation(synth: Synth, shared: float, fires: bool) -> None:
    same = synth.outcomes(300, shared)

    def extra(i: int, node: str) -> Record:
        if node == "search":
            return {"tool_calls": _calls("web_search", [f"q{i}"])}
        if node == "enrich":
            return {"tool_calls": _calls("web_search", [f"q{i}" if same[i] else f"e{i}"])}
        return {}

    records = synth.node_runs(FLOW, 300, CHAIN, extra=extra)
    report = workflow_report(synth.analyze(records, INDEPENDENT), FLOW)
    if not fires:
        assert insights_of(report, "redundant_operation") == []
        return
    insight = the_insight(report, "redundant_operation")
    assert insight.component == "enrich"
    assert insight.affected == ("enrich", "search")
    assert insight.current_value == pytest.approx(0.6)
    assert insight.evidence.details["occurrences"] == 180
    assert insight.evidence.n == 300
    assert insight.evidence.baseline_source == "per-call args_hash in the metrics"


def test_redundant_operation_share_counts_runs_not_repeats(synth: Synth) -> None:
    # Two nodes repeat each other's two searches in every run: 100% of runs, 600 repeats.
    def extra(i: int, node: str) -> Record:
        if node in ("search", "enrich"):
            return {"tool_calls": _calls("web_search", [f"q{i}a", f"q{i}b"])}
        return {}

    records = synth.node_runs(FLOW, 300, CHAIN, extra=extra)
    report = workflow_report(synth.analyze(records, INDEPENDENT), FLOW)
    insight = the_insight(report, "redundant_operation")
    assert insight.current_value == 1.0
    assert insight.evidence.details["occurrences"] == 600
    assert "100% of runs" in insight.message


def test_unreliable_node_needs_enough_known_outcomes(synth: Synth) -> None:
    # search fails in 10 runs and records no success value in the other 290.
    records = synth.node_runs(FLOW, 300, CHAIN, success_rates={"search": 290 / 300})
    for r in records:
        if r["node_metrics"]["search"]["success"]:
            del r["node_metrics"]["search"]["success"]
    report = workflow_report(synth.analyze(records, INDEPENDENT), FLOW)
    assert insights_of(report, "unreliable_node") == []
    (search,) = [p for p in report.nodes if p.node_id == "search"]
    assert (search.runs, search.outcomes) == (300, 10)


# --- unused_output -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("read", "fires"), [(False, True), (True, False)], ids=["planted", "absent"]
)
def test_unused_output(synth: Synth, read: bool, fires: bool) -> None:
    yamls = chain_file(
        NodeSpec("load", "data"),
        NodeSpec("search", "found", ("data",)),
        NodeSpec("enrich", "notes", ("found",)),
        NodeSpec("report", "final", ("found", "notes") if read else ("found",)),
    )
    records = synth.node_runs(FLOW, 300, CHAIN)
    report = workflow_report(synth.analyze(records, yamls), FLOW)
    if not fires:
        assert insights_of(report, "unused_output") == []
        return
    insight = the_insight(report, "unused_output")  # report is terminal: its output is the result
    assert insight.component == "enrich"
    assert insight.evidence.details["output_key"] == "notes"
    share = sum(node_values(records, "enrich")) / run_total(records)
    assert insight.current_value == pytest.approx(share)
    assert insight.severity == pytest.approx(share)
    assert insight.evidence.n == 300
    assert insight.evidence.baseline_source == "data-flow analysis of the workflow file"
    assert insight.location == node_line(yamls, "enrich")


def test_workflow_file_not_found_makes_static_checks_unsupported(synth: Synth) -> None:
    records = synth.node_runs("ghost", 300, CHAIN)
    report = workflow_report(synth.analyze(records, INDEPENDENT), "ghost")
    assert report.path is None
    for analysis in ("unused_output", "parallelizable_nodes"):
        assert unsupported_of(report, analysis).reason == "workflow file not found"


def test_workflow_without_metrics_is_reported(synth: Synth) -> None:
    records = synth.node_runs("other", 300, CHAIN)
    report = workflow_report(synth.analyze(records, INDEPENDENT), FLOW)
    assert report.runs == 0
    assert "no workflow run records" in unsupported_of(report, "metrics").reason


# --- parallelizable_nodes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("yamls", "fires"), [(INDEPENDENT, True), (DEPENDENT, False)], ids=["planted", "absent"]
)
def test_parallelizable_nodes(synth: Synth, yamls: dict[str, str], fires: bool) -> None:
    records = synth.node_runs(FLOW, 300, CHAIN)
    report = workflow_report(synth.analyze(records, yamls), FLOW)
    if not fires:
        assert insights_of(report, "parallelizable_nodes") == []
        return
    insight = the_insight(report, "parallelizable_nodes")
    pairs = list(zip(node_values(records, "search"), node_values(records, "enrich"), strict=True))
    assert insight.component == "search"
    assert insight.affected == ("search", "enrich")
    assert insight.current_value == pytest.approx(statistics.fmean(map(sum, pairs)))
    assert insight.baseline_value == pytest.approx(statistics.fmean(map(max, pairs)))
    saved = sum(map(min, pairs)) / run_total(records)
    assert insight.evidence.details["saving_share_of_run"] == pytest.approx(saved)
    assert insight.evidence.n == 300
    assert insight.evidence.baseline_source == "data-flow analysis + recorded node durations"


def test_settings_thresholds_are_honoured(synth: Synth) -> None:
    records = synth.node_runs(FLOW, 300, CHAIN | {"report": 20.0})
    strict = Settings.model_validate({"analysis": {"thresholds": {"slow_node_ratio": 20.0}}})
    report = workflow_report(synth.analyze(records, INDEPENDENT, strict), FLOW)
    assert insights_of(report, "slow_node") == []
