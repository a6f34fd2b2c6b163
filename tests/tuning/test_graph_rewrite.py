"""Pruning and parallel groups as exact edits, checked against the loader's graph.

Each case checks the edits themselves, then applies them to plain data (a reference
application, independent of the patcher), re-parses the result with the loader and reads the
graph back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import pytest

from autotune_bot.patch.edits import InsertItem, RemoveItem, RemoveKey, SetValue
from autotune_bot.tuning.config import WorkflowConfig, workflow_config
from autotune_bot.tuning.readback import check_workflow_readback
from autotune_bot.tuning.suggestion import Change
from autotune_bot.tuning.workflow_edits import workflow_changes
from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.loader import parse_workflow_text
from autotune_bot.workflow.model import WorkflowDef, WorkflowFile

from .plain_apply import apply_plain, dump

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-repo" / "workflows"
RESEARCH = ("workflows", "deep_research", "nodes")


def load(text: str, path: str = "inline.yaml") -> tuple[WorkflowFile, WorkflowDef]:
    parsed = parse_workflow_text(text, path)
    return parsed, parsed.workflows[0]


def demo(name: str) -> tuple[WorkflowFile, WorkflowDef]:
    return load((DEMO / name).read_text(encoding="utf-8"), f"workflows/{name}")


def rewire(
    parsed: WorkflowFile,
    wf: WorkflowDef,
    removed: Sequence[str] = (),
    groups: Sequence[tuple[str, ...]] = (),
    *,
    with_document: bool = True,
) -> tuple[tuple[Change, ...], WorkflowDef]:
    """The changes, and the definition the edited file loads as (readback checked)."""
    current = workflow_config(wf)
    candidate = dataclasses.replace(
        current, removed=frozenset(removed), parallel_groups=tuple(groups)
    )
    document = parsed.document if with_document else None
    changes = workflow_changes(wf, current, candidate, document=document)
    text = dump(apply_plain(parsed.document, [c.edit for c in changes]))
    problems = check_workflow_readback(
        text, wf.path, wf.name, candidate, set(removed), groups, original=wf
    )
    assert problems == []
    return changes, load(text, wf.path)[1]


def successors(wf: WorkflowDef) -> dict[str, tuple[str, ...]]:
    graph = WorkflowGraph.from_workflow(wf)
    return {n: graph.successors(n) for n in wf.nodes}


def edits(changes: Sequence[Change]) -> list[object]:
    return [c.edit for c in changes]


IMPLICIT = """\
nodes:
  - id: a
  - id: b
  - id: c
"""


def test_prune_in_an_implicit_chain_only_removes_the_node() -> None:
    parsed, wf = load(IMPLICIT)
    changes, new = rewire(parsed, wf, ["b"])
    assert edits(changes) == [RemoveItem(("nodes", 1))]
    (change,) = changes
    assert (change.field, change.line, change.old, change.new) == ("nodes[b]", 3, "b", None)
    assert successors(new) == {"a": ("c",), "c": ()}


JUMP = """\
nodes:
  - id: a
  - id: x
    next: [c]
  - id: b
    next: [c]
  - id: c
"""


def test_prune_with_explicit_jump_gives_the_implicit_predecessor_a_next() -> None:
    parsed, wf = load(JUMP)
    changes, new = rewire(parsed, wf, ["x"])
    assert edits(changes) == [RemoveItem(("nodes", 1)), SetValue(("nodes", 0, "next"), ["c"])]
    assert changes[1].old is None
    assert successors(new)["a"] == ("c",)


EXPLICIT = """\
nodes:
  - id: a
    next: [x, y]
  - id: x
    next: [z, y]
  - id: y
    next: [z]
  - id: z
"""


def test_prune_replaces_the_node_in_explicit_next_lists() -> None:
    parsed, wf = load(EXPLICIT)
    changes, new = rewire(parsed, wf, ["x"])
    assert edits(changes) == [RemoveItem(("nodes", 1)), SetValue(("nodes", 0, "next"), ["z", "y"])]
    assert (changes[1].line, changes[1].old) == (3, ["x", "y"])
    assert successors(new)["a"] == ("z", "y")


def test_adjacent_prunes_reconnect_through_both() -> None:
    parsed, wf = load("nodes:\n  - id: a\n    next: [b]\n  - id: b\n  - id: c\n  - id: d\n")
    changes, new = rewire(parsed, wf, ["b", "c"])
    assert edits(changes) == [
        RemoveItem(("nodes", 1)),
        RemoveItem(("nodes", 2)),
        SetValue(("nodes", 0, "next"), ["d"]),
    ]
    assert successors(new)["a"] == ("d",)


def test_prune_a_sink_at_the_end() -> None:
    parsed, wf = demo("code_review.yaml")
    changes, new = rewire(parsed, wf, ["post_comment"])
    assert edits(changes) == [RemoveItem(("workflows", "code_review", "nodes", 4))]
    assert successors(new)["summarize"] == ()


def test_prune_legacy_enrich_in_the_demo() -> None:
    parsed, wf = demo("research.yaml")
    changes, new = rewire(parsed, wf, ["legacy_enrich"])
    assert edits(changes) == [RemoveItem((*RESEARCH, 3))]
    assert successors(new)["fetch_news"] == ("route",)


def test_prune_a_parallel_branch_drops_it_from_parallel_nodes() -> None:
    parsed, wf = demo("research.yaml")
    changes, new = rewire(parsed, wf, ["fact_check"])
    assert edits(changes) == [
        RemoveItem((*RESEARCH, 9)),
        SetValue((*RESEARCH, 8, "parallel_nodes"), ["citation_check"]),
    ]
    assert new.nodes["checks"].parallel_nodes == ("citation_check",)
    assert successors(new)["citation_check"] == ("report",)


def test_prune_the_join_target_rewrites_the_parallel_nodes_next() -> None:
    parsed, wf = demo("research.yaml")
    changes, new = rewire(parsed, wf, ["report"])
    assert edits(changes) == [RemoveItem((*RESEARCH, 11)), SetValue((*RESEARCH, 8, "next"), [])]
    assert successors(new)["fact_check"] == ()


IMPLICIT_JOIN = """\
nodes:
  - id: fan
    type: parallel
    parallel_nodes: [b1, b2]
  - id: b1
  - id: b2
  - id: x
    next: [z]
  - id: y
  - id: z
"""


def test_prune_the_implicit_join_target_writes_next_on_the_parallel_node() -> None:
    parsed, wf = load(IMPLICIT_JOIN)
    assert successors(wf)["b1"] == ("x",)
    changes, new = rewire(parsed, wf, ["x"])
    assert edits(changes) == [RemoveItem(("nodes", 3)), SetValue(("nodes", 0, "next"), ["z"])]
    assert successors(new)["b2"] == ("z",)


@pytest.mark.parametrize(
    ("node", "message"),
    [
        ("deep_dive", "routes to it on condition 'true'"),
        ("route", "condition node"),
        ("checks", "parallel node"),
        ("nowhere", "no node 'nowhere'"),
    ],
)
def test_prunes_the_file_cannot_express_raise(node: str, message: str) -> None:
    parsed, wf = demo("research.yaml")
    current = workflow_config(wf)
    candidate = dataclasses.replace(current, removed=frozenset({node}))
    with pytest.raises(ValueError, match=message):
        workflow_changes(wf, current, candidate, document=parsed.document)


def test_parallel_group_in_the_demo() -> None:
    parsed, wf = demo("research.yaml")
    changes, new = rewire(parsed, wf, (), [("fetch_papers", "fetch_news")])
    value = {
        "id": "fetch_papers_parallel",
        "type": "parallel",
        "parallel_nodes": ["fetch_papers", "fetch_news"],
        "join_strategy": "all",
        "next": ["legacy_enrich"],
    }
    assert edits(changes) == [InsertItem(RESEARCH, 1, value)]
    (change,) = changes
    assert (change.field, change.line, change.old, change.new) == (
        "nodes[fetch_papers_parallel]",
        28,
        None,
        value,
    )
    got = successors(new)
    assert got["plan"] == ("fetch_papers_parallel",)
    assert got["fetch_papers_parallel"] == ("fetch_papers", "fetch_news")
    assert got["fetch_papers"] == got["fetch_news"] == ("legacy_enrich",)


def test_prune_and_group_together() -> None:
    parsed, wf = demo("research.yaml")
    changes, new = rewire(parsed, wf, ["legacy_enrich"], [("fetch_papers", "fetch_news")])
    assert isinstance(changes[0].edit, RemoveItem)
    insert = changes[1].edit
    assert isinstance(insert, InsertItem)
    assert insert.value["next"] == ["route"]
    assert successors(new)["fetch_news"] == ("route",)


CHAIN = """\
nodes:
  - id: a
    next: [b]
  - id: b
    next: [c]
  - id: c
    next: [d]
  - id: d
  - id: b_parallel
    next: []
"""


def test_parallel_group_with_explicit_next_and_a_taken_id() -> None:
    parsed, wf = load(CHAIN)
    changes, new = rewire(parsed, wf, (), [("b", "c")])
    value = {
        "id": "parallel_b_c",
        "type": "parallel",
        "parallel_nodes": ["b", "c"],
        "join_strategy": "all",
        "next": ["d"],
    }
    assert edits(changes) == [
        SetValue(("nodes", 0, "next"), ["parallel_b_c"]),
        InsertItem(("nodes",), 1, value),
        RemoveKey(("nodes", 1, "next")),
        RemoveKey(("nodes", 2, "next")),
    ]
    got = successors(new)
    assert got["a"] == ("parallel_b_c",)
    assert got["b"] == got["c"] == ("d",)


def test_group_of_the_entry_node_becomes_the_new_entry() -> None:
    parsed, wf = load(IMPLICIT)
    changes, new = rewire(parsed, wf, (), [("a", "b")])
    assert edits(changes)[0] == InsertItem(
        ("nodes",),
        0,
        {
            "id": "a_parallel",
            "type": "parallel",
            "parallel_nodes": ["a", "b"],
            "join_strategy": "all",
            "next": ["c"],
        },
    )
    assert new.entry == "a_parallel"


@pytest.mark.parametrize(
    ("group", "message"),
    [
        (("plan", "fetch_news"), "not a chain"),
        (("legacy_enrich", "route"), "condition node"),
        (("fact_check", "citation_check"), "already a branch"),
        (("quick_summary", "research_team"), "not a chain"),
        (("deep_dive",), "two or more"),
    ],
)
def test_groups_that_are_not_chains_raise(group: tuple[str, ...], message: str) -> None:
    parsed, wf = demo("research.yaml")
    current = workflow_config(wf)
    candidate = dataclasses.replace(current, parallel_groups=(group,))
    with pytest.raises(ValueError, match=message):
        workflow_changes(wf, current, candidate, document=parsed.document)


def test_start_marker_cannot_be_a_branch() -> None:
    parsed, wf = demo("release_notes.yml")
    current = workflow_config(wf)
    candidate = dataclasses.replace(current, parallel_groups=(("start", "collect_commits"),))
    with pytest.raises(ValueError, match="'start' is a start node"):
        workflow_changes(wf, current, candidate, document=parsed.document)


def test_group_whose_first_node_a_condition_routes_to_raises() -> None:
    text = (
        "nodes:\n  - id: c\n    type: condition\n    branches: {yes: a, no: d}\n"
        "  - id: a\n  - id: b\n  - id: d\n"
    )
    _, wf = load(text)
    current = workflow_config(wf)
    candidate = dataclasses.replace(current, parallel_groups=(("a", "b"),))
    with pytest.raises(ValueError, match="conditional route"):
        workflow_changes(wf, current, candidate)


EDGES = ("workflow", "edges")


def test_workflow_dialect_prune_edits_single_edge_items() -> None:
    parsed, wf = demo("release_notes.yml")
    changes, new = rewire(parsed, wf, ["collect_commits"])
    assert edits(changes) == [
        RemoveItem(("workflow", "nodes", 1)),
        RemoveItem((*EDGES, 0)),
        RemoveItem((*EDGES, 1)),
        InsertItem(EDGES, 4, {"from": "start", "to": "release_team"}),
    ]
    assert [c.line for c in changes] == [16, 79, 80, 4]
    assert successors(new)["start"] == ("release_team",)


def test_workflow_dialect_prune_without_document_rewrites_the_list() -> None:
    parsed, wf = demo("release_notes.yml")
    changes, new = rewire(parsed, wf, ["collect_commits"], with_document=False)
    assert edits(changes)[1] == SetValue(
        EDGES,
        [
            {"from": "release_team", "to": "publish_notes"},
            {"from": "publish_notes", "to": "end"},
            {"from": "start", "to": "release_team"},
        ],
    )
    assert successors(new)["start"] == ("release_team",)


def test_workflow_dialect_parallel_group_joins_through_edges() -> None:
    parsed, wf = demo("release_notes.yml")
    changes, new = rewire(parsed, wf, (), [("collect_commits", "release_team")])
    value = {
        "id": "collect_commits_parallel",
        "type": "parallel",
        "parallel_nodes": ["collect_commits", "release_team"],
        "join_strategy": "all",
    }
    assert edits(changes) == [
        InsertItem(("workflow", "nodes"), 1, value),
        SetValue((*EDGES, 0, "to"), "collect_commits_parallel"),
        RemoveItem((*EDGES, 1)),
        RemoveItem((*EDGES, 2)),
        InsertItem(EDGES, 4, {"from": "collect_commits", "to": "publish_notes"}),
        InsertItem(EDGES, 4, {"from": "release_team", "to": "publish_notes"}),
    ]
    got = successors(new)
    assert got["start"] == ("collect_commits_parallel",)
    assert got["collect_commits"] == got["release_team"] == ("publish_notes",)


def test_readback_reports_an_unchanged_file() -> None:
    parsed, wf = demo("research.yaml")
    current = workflow_config(wf)
    candidate = WorkflowConfig(
        removed=frozenset({"legacy_enrich"}),
        parallel_groups=(("fetch_papers", "fetch_news"),),
        models=current.models,
    )
    problems = check_workflow_readback(
        parsed.text,
        wf.path,
        wf.name,
        candidate,
        {"legacy_enrich"},
        [("fetch_papers", "fetch_news")],
        original=wf,
    )
    assert any("'legacy_enrich' is still there" in p for p in problems)
    assert any("0 parallel nodes run it" in p for p in problems)


def test_prune_the_entry_of_an_implicit_chain() -> None:
    parsed, wf = load(IMPLICIT)
    changes, new = rewire(parsed, wf, ["a"])
    assert edits(changes) == [RemoveItem(("nodes", 0))]
    assert new.entry == "b"


def test_prune_an_entry_that_jumps_raises() -> None:
    _, wf = load("nodes:\n  - id: a\n    next: [c]\n  - id: b\n  - id: c\n")
    current = workflow_config(wf)
    candidate = dataclasses.replace(current, removed=frozenset({"a"}))
    with pytest.raises(ValueError, match="would start at 'b'"):
        workflow_changes(wf, current, candidate)


def test_readback_notices_a_wrong_entry() -> None:
    _, wf = load("nodes:\n  - id: a\n    next: [c]\n  - id: b\n  - id: c\n")
    moved = "nodes:\n  - id: b\n  - id: c\n"
    candidate = WorkflowConfig(removed=frozenset({"a"}))
    problems = check_workflow_readback(moved, wf.path, wf.name, candidate, {"a"}, [], original=wf)
    assert problems == ["inline.yaml: the workflow now starts at 'b', expected one of ['c']"]
