"""Critical paths over a workflow graph, including `parallel` containers whose recorded
duration spans their branches."""

from __future__ import annotations

import numpy as np

from autotune_bot.analysis.workflow_profile import NodeMatrix, critical_paths
from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.model import Edge


def _matrix(nodes: tuple[str, ...], rows: list[list[float]]) -> NodeMatrix:
    d = np.array(rows, dtype=float)
    return NodeMatrix(nodes, d, np.isfinite(d), np.arange(len(rows), dtype=np.intp))


def test_parallel_container_time_is_not_added_to_its_branches() -> None:
    # a → checks ⇉ (fact, cite) → report; `checks` is recorded as spanning its branches
    nodes = ("a", "checks", "fact", "cite", "report")
    edges = [
        Edge("a", "checks", "next"),
        Edge("checks", "fact", "parallel"),
        Edge("checks", "cite", "parallel"),
        Edge("fact", "report", "join"),
        Edge("cite", "report", "join"),
    ]
    graph = WorkflowGraph(nodes, edges, "a")
    # checks took 7 s: its longest branch (6 s) plus 1 s of its own
    matrix = _matrix(nodes, [[2.0, 7.0, 6.0, 4.0, 3.0]])
    length, on_path = critical_paths(matrix, graph)
    assert length[0] == 2.0 + 1.0 + 6.0 + 3.0  # not 2 + 7 + 6 + 3
    assert on_path[0].tolist() == [True, True, True, False, True]


def test_container_without_recorded_branches_keeps_its_time() -> None:
    nodes = ("a", "checks", "fact", "cite", "report")
    edges = [
        Edge("a", "checks", "next"),
        Edge("checks", "fact", "parallel"),
        Edge("checks", "cite", "parallel"),
        Edge("fact", "report", "join"),
        Edge("cite", "report", "join"),
    ]
    graph = WorkflowGraph(nodes, edges, "a")
    matrix = _matrix(nodes, [[2.0, 7.0, np.nan, np.nan, 3.0]])
    length, _ = critical_paths(matrix, graph)
    assert length[0] == 12.0
