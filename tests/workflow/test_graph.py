"""Tests for the execution graph: adjacency, back edges, DAG order and critical path."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.loader import parse_workflow_text
from autotune_bot.workflow.model import Edge, WorkflowDef

DATA = Path(__file__).resolve().parent.parent / "data" / "workflows"


def only(name: str) -> WorkflowDef:
    (wf,) = parse_workflow_text((DATA / name).read_text(encoding="utf-8"), name).workflows
    return wf


def graph(nodes: str, edges: str, entry: str | None = None) -> WorkflowGraph:
    """Build from "a b c" and "a>b b>c" (kind "next")."""
    ids = nodes.split()
    pairs = [tuple(e.split(">")) for e in edges.split()]
    return WorkflowGraph(ids, [Edge(a, b, "next") for a, b in pairs], entry or ids[0])


def test_adjacency_of_a_parallel_workflow() -> None:
    g = WorkflowGraph.from_workflow(only("parallel_review.yaml"))
    assert g.nodes[:3] == ("fetch_diff", "fan_out", "lint")
    assert g.successors("fan_out") == ("lint", "security_scan", "style_check")
    assert g.predecessors("summarize") == ("lint", "triage", "style_check")
    assert g.successors("summarize") == ()
    assert g.back_edges() == ()
    assert g.entry == "fetch_diff"


def test_duplicate_edges_collapse_in_adjacency() -> None:
    edges = [Edge("c", "x", "branch", "yes"), Edge("c", "x", "branch", "maybe")]
    g = WorkflowGraph(["c", "x"], edges, "c")
    assert g.successors("c") == ("x",)
    assert g.predecessors("x") == ("c",)
    assert len(g.edges) == 2


def test_unknown_node_raises_key_error() -> None:
    g = graph("a b", "a>b")
    with pytest.raises(KeyError):
        g.successors("zzz")
    with pytest.raises(KeyError):
        g.ancestors("zzz")


def test_condition_loop_back_edge_is_detected() -> None:
    wf = only("quality_loop.yaml")
    g = WorkflowGraph.from_workflow(wf)
    assert g.back_edges() == (Edge("revise", "critique", "next"),)
    assert g.is_back_edge("revise", "critique")
    assert g.successors("revise") == ("critique",)  # still an edge
    assert g.dag_successors("revise") == ()
    assert g.topological_order() == ("draft", "critique", "good_enough", "revise", "publish")
    assert g.descendants("critique") == {"good_enough", "revise", "publish"}
    assert g.ancestors("critique") == {"draft"}


def test_self_loop_and_nested_cycles() -> None:
    g = graph("a b c d", "a>b b>b b>c c>a c>d")
    assert {(e.source, e.target) for e in g.back_edges()} == {("b", "b"), ("c", "a")}
    assert g.topological_order() == ("a", "b", "c", "d")


def test_back_edge_depends_on_dfs_from_entry() -> None:
    # The same cycle, entered at a different node, is closed by a different edge.
    assert [(e.source, e.target) for e in graph("a b", "a>b b>a", "a").back_edges()] == [("b", "a")]
    assert [(e.source, e.target) for e in graph("a b", "a>b b>a", "b").back_edges()] == [("a", "b")]


def test_topological_order_uses_file_order_for_ties() -> None:
    g = graph("start z y x end", "start>x start>y start>z x>end y>end z>end")
    assert g.topological_order() == ("start", "z", "y", "x", "end")


def test_topological_order_respects_edges_against_file_order() -> None:
    g = graph("a c b", "a>b b>c")
    assert g.topological_order() == ("a", "b", "c")


def test_unreachable_nodes_come_last() -> None:
    g = graph("a orphan b c", "a>b b>c orphan>c")
    assert g.reachable_from_entry() == {"a", "b", "c"}
    assert g.topological_order() == ("a", "b", "c", "orphan")
    assert g.ancestors("c") == {"a", "b", "orphan"}


def test_cycle_among_unreachable_nodes_is_broken() -> None:
    g = graph("a x y", "x>y y>x")
    assert g.reachable_from_entry() == {"a"}
    assert len(g.back_edges()) == 1
    assert set(g.topological_order()) == {"a", "x", "y"}


def test_critical_path_of_a_chain_sums() -> None:
    g = graph("a b c", "a>b b>c")
    assert g.critical_path({"a": 1.0, "b": 2.5, "c": 4.0}) == (7.5, ("a", "b", "c"))


def test_critical_path_of_parallel_branches_takes_the_slowest() -> None:
    # P -> (a1 -> a2) | b -> join: branch a costs 3 + 4 = 7, branch b costs 9.
    edges = [
        Edge("p", "a1", "parallel"),
        Edge("p", "b", "parallel"),
        Edge("a1", "a2", "next"),
        Edge("a2", "join", "join"),
        Edge("b", "join", "join"),
    ]
    g = WorkflowGraph(["p", "a1", "a2", "b", "join"], edges, "p")
    durations = {"p": 1.0, "a1": 3.0, "a2": 4.0, "b": 9.0, "join": 2.0}
    assert g.critical_path(durations) == (12.0, ("p", "b", "join"))
    durations["a2"] = 6.5  # now branch a (9.5) is slower
    assert g.critical_path(durations) == (12.5, ("p", "a1", "a2", "join"))


def test_critical_path_on_loaded_parallel_workflow() -> None:
    g = WorkflowGraph.from_workflow(only("parallel_review.yaml"))
    durations = {
        "fetch_diff": 2.0,
        "lint": 10.0,
        "security_scan": 6.0,
        "triage": 5.0,
        "style_check": 3.0,
        "summarize": 4.0,
    }
    total, path = g.critical_path(durations)
    assert total == 17.0  # 2 + max(10, 6 + 5, 3) + 4
    assert path == ("fetch_diff", "fan_out", "security_scan", "triage", "summarize")


def test_critical_path_with_condition_branches_and_loop() -> None:
    g = WorkflowGraph.from_workflow(only("quality_loop.yaml"))
    # The branch that did not run gets 0; the loop edge is ignored.
    durations = {"draft": 5.0, "critique": 2.0, "good_enough": 0.1, "revise": 0.0, "publish": 1.0}
    total, path = g.critical_path(durations)
    assert math.isclose(total, 8.1)
    assert path == ("draft", "critique", "good_enough", "publish")


def test_critical_path_treats_missing_negative_and_nan_as_zero() -> None:
    g = graph("a b c", "a>b a>c")
    total, path = g.critical_path({"a": 2.0, "b": -5.0, "c": math.nan})
    assert total == 2.0
    assert path == ("a", "b")  # extended to a sink; ties go to file order
    assert g.critical_path({}) == (0.0, ("a", "b"))


def test_critical_path_of_empty_graph() -> None:
    assert WorkflowGraph([], [], None).critical_path({"x": 1.0}) == (0.0, ())


def test_entry_must_be_a_node() -> None:
    with pytest.raises(KeyError):
        WorkflowGraph(["a"], [], "b")


def test_edges_to_unknown_nodes_are_dropped() -> None:
    g = WorkflowGraph(["a"], [Edge("a", "ghost", "next")], "a")
    assert g.edges == ()
    assert g.successors("a") == ()


def test_ancestors_and_descendants_are_transitive() -> None:
    g = WorkflowGraph.from_workflow(only("parallel_implicit.yaml"))
    assert g.ancestors("merge") == {"split_work", "split", "left", "right"}
    assert g.descendants("split") == {"left", "right", "merge", "done"}
    assert g.ancestors("split_work") == frozenset()
    assert g.descendants("done") == frozenset()
    assert g.reachable_from_entry() == set(g.nodes)


def test_long_chain_does_not_hit_recursion_limits() -> None:
    n = 5000
    ids = [f"n{i}" for i in range(n)]
    g = WorkflowGraph(ids, [Edge(a, b, "next") for a, b in itertools.pairwise(ids)], "n0")
    assert g.topological_order() == tuple(ids)
    assert g.critical_path(dict.fromkeys(ids, 1.0))[0] == float(n)


@st.composite
def random_graphs(draw: st.DrawFn) -> tuple[WorkflowGraph, dict[str, float]]:
    n = draw(st.integers(min_value=1, max_value=7))
    ids = [f"n{i}" for i in range(n)]
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=14))
    costs = draw(st.lists(st.integers(min_value=0, max_value=9), min_size=n, max_size=n))
    g = WorkflowGraph(ids, [Edge(a, b, "next") for a, b in pairs], ids[0])
    return g, {node: float(c) for node, c in zip(ids, costs, strict=True)}


def _longest(g: WorkflowGraph, durations: dict[str, float]) -> float:
    best = 0.0

    def walk(node: str, total: float) -> None:
        nonlocal best
        total += durations[node]
        best = max(best, total)
        for succ in g.dag_successors(node):
            walk(succ, total)

    for node in g.nodes:
        walk(node, 0.0)
    return best


@settings(max_examples=300, deadline=None)
@given(random_graphs())
def test_dag_views_are_consistent(case: tuple[WorkflowGraph, dict[str, float]]) -> None:
    g, durations = case
    order = g.topological_order()
    assert sorted(order) == sorted(g.nodes)
    position = {node: i for i, node in enumerate(order)}
    reachable = g.reachable_from_entry()
    for edge in g.edges:
        if g.is_back_edge(edge.source, edge.target):
            continue
        assert edge.target not in g.ancestors(edge.source)  # no cycle left in the DAG
        if edge.source in reachable:
            assert position[edge.source] < position[edge.target]
    total, path = g.critical_path(durations)
    assert total == _longest(g, durations)
    assert total == sum(durations[node] for node in path)
    for a, b in itertools.pairwise(path):
        assert b in g.dag_successors(a)
