"""End to end: search values → configuration → changes → patched text → read back."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from autotune_bot.patch.apply import apply_edits
from autotune_bot.tuning.config import TeamConfig, team_config, workflow_config
from autotune_bot.tuning.readback import check_team_readback, check_workflow_readback
from autotune_bot.tuning.space_map import (
    FORMATION,
    HIERARCHY,
    MEMBERS,
    TIMEOUT_SECONDS,
    apply_team_values,
    apply_workflow_values,
    cache_dim,
    model_dim,
    parallel_dim,
    prune_dim,
)
from autotune_bot.tuning.suggestion import Change
from autotune_bot.tuning.team_edits import team_changes
from autotune_bot.tuning.workflow_edits import workflow_changes
from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.loader import parse_workflow_text
from autotune_bot.workflow.model import WorkflowDef

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-repo" / "workflows"


def demo_text(name: str) -> tuple[str, str]:
    return (DEMO / name).read_text(encoding="utf-8"), f"workflows/{name}"


def patch(text: str, path: str, changes: Sequence[Change]) -> str:
    return apply_edits(text, [c.edit for c in changes], path)


def tune_team(
    text: str, path: str, node_id: str, values: Mapping[str, Any]
) -> tuple[str, TeamConfig]:
    (wf,) = parse_workflow_text(text, path).workflows
    node = wf.nodes[node_id]
    current = team_config(node)
    candidate = apply_team_values(current, values)
    new_text = patch(text, path, team_changes(wf, node, current, candidate))
    assert check_team_readback(new_text, path, wf.name, node_id, candidate) == []
    return new_text, candidate


def tune_workflow(text: str, path: str, values: Mapping[str, Any]) -> tuple[str, WorkflowDef]:
    parsed = parse_workflow_text(text, path)
    (wf,) = parsed.workflows
    current = workflow_config(wf)
    candidate = apply_workflow_values(current, values)
    changes = workflow_changes(wf, current, candidate, document=parsed.document)
    new_text = patch(text, path, changes)
    removed = set(candidate.removed)
    groups = candidate.parallel_groups
    problems = check_workflow_readback(
        new_text, path, wf.name, candidate, removed, groups, original=wf
    )
    assert problems == []
    return new_text, parse_workflow_text(new_text, path).workflows[0]


def successors(wf: WorkflowDef, node: str) -> tuple[str, ...]:
    return WorkflowGraph.from_workflow(wf).successors(node)


def test_review_team_parallel_without_docs() -> None:
    text, path = demo_text("code_review.yaml")
    values = {FORMATION: "parallel", MEMBERS: ("security", "performance", "style")}
    new_text, _ = tune_team(text, path, "review_team", values)
    assert "team_formation: parallel" in new_text
    assert "technical writer" not in new_text
    # comments and untouched nodes survive
    assert "# Four specialist reviewers." in new_text
    assert new_text.count("\n") == text.count("\n") - 7


def test_release_team_sub_teams_and_timeout() -> None:
    text, path = demo_text("release_notes.yml")
    split = ("editor", (("changelog_writer", "highlights_writer"), ("upgrade_guide_writer",)))
    new_text, candidate = tune_team(
        text, path, "release_team", {HIERARCHY: split, TIMEOUT_SECONDS: 350.0}
    )
    assert candidate.sub_teams == split[1]
    assert "timeout_seconds: 350\n" in new_text
    assert "input_from: [changelog_writer]" in new_text


def test_release_team_without_a_manager() -> None:
    text, path = demo_text("release_notes.yml")
    (wf,) = parse_workflow_text(text, path).workflows
    node = wf.nodes["release_team"]
    current = team_config(node)
    candidate = dataclasses.replace(current, formation="parallel", manager=None)
    new_text = patch(text, path, team_changes(wf, node, current, candidate))
    assert check_team_readback(new_text, path, wf.name, "release_team", candidate) == []
    assert "is_manager" not in new_text
    assert "reports_to" not in new_text


def test_team_readback_reports_what_was_not_written() -> None:
    text, path = demo_text("code_review.yaml")
    (wf,) = parse_workflow_text(text, path).workflows
    candidate = dataclasses.replace(
        team_config(wf.nodes["review_team"]), formation="parallel", total_tool_budget=90
    )
    problems = check_team_readback(text, path, wf.name, "review_team", candidate)
    assert len(problems) == 2
    assert "formation reads back as 'sequential', expected 'parallel'" in problems[0]
    assert check_team_readback(text, path, wf.name, "nobody", candidate) == [
        f"{path}: team node 'nobody' is missing after the change"
    ]
    assert "does not load" in check_team_readback("a: [", path, wf.name, "x", candidate)[0]


def test_deep_research_combined() -> None:
    text, path = demo_text("research.yaml")
    values = {
        prune_dim("legacy_enrich"): True,
        parallel_dim(("fetch_papers", "fetch_news")): True,
        model_dim("report"): "gpt-4o-mini",
        cache_dim("fetch_news"): ("web_search",),
    }
    new_text, wf = tune_workflow(text, path, values)
    assert "legacy_enrich" not in wf.nodes
    assert "old bibliography service" not in new_text
    assert successors(wf, "plan") == ("fetch_papers_parallel",)
    assert successors(wf, "fetch_papers") == successors(wf, "fetch_news") == ("route",)
    assert wf.nodes["report"].fields["model_hint"].value == "gpt-4o-mini"
    assert "# Both checks only read the findings" in new_text


@pytest.mark.parametrize(
    "values",
    [
        {prune_dim("legacy_enrich"): True},
        {parallel_dim(("fetch_papers", "fetch_news")): True},
        {prune_dim("fact_check"): True},
        {prune_dim("report"): True},
        {prune_dim("research_team"): True, prune_dim("report"): True},
    ],
)
def test_deep_research_single_moves(values: Mapping[str, Any]) -> None:
    text, path = demo_text("research.yaml")
    new_text, _ = tune_workflow(text, path, values)
    assert new_text != text


@pytest.mark.parametrize(
    "values",
    [
        {prune_dim("collect_commits"): True},
        {prune_dim("publish_notes"): True},
        {parallel_dim(("collect_commits", "release_team")): True},
    ],
)
def test_release_notes_edges_dialect(values: Mapping[str, Any]) -> None:
    text, path = demo_text("release_notes.yml")
    new_text, wf = tune_workflow(text, path, values)
    assert new_text.startswith("---\n")
    assert successors(wf, "start") != ()


EXPLICIT = """\
# explicit successors everywhere
nodes:
  - id: a
    next: [x, y]    # fan out
  - id: x
    next: [z]
  - id: y
    next: [z]
  - id: z
    next: [w]
  - id: w
"""

JUMP = """\
nodes:
  - id: a
  - id: x
    next: [c]
  - id: b
    next: [c]
  - id: c
  - id: d
"""

EDGES = """\
workflow:
  name: small
  nodes:
    - id: start
      type: start
    - id: a
    - id: b
    - id: c
    - id: end
      type: end
  edges:
    - from: start
      to: a
    - from: a
      to: [b]
    - from: b
      to: [c, end]
    - {from: c, to: end}
"""


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        (EXPLICIT, {prune_dim("x"): True}, {"a": ("z", "y")}),
        (EXPLICIT, {prune_dim("z"): True}, {"x": ("w",), "y": ("w",)}),
        (EXPLICIT, {prune_dim("x"): True, prune_dim("y"): True}, {"a": ("z",)}),
        (JUMP, {prune_dim("x"): True}, {"a": ("c",)}),
        (JUMP, {parallel_dim(("c", "d")): True}, {"x": ("c_parallel",), "d": ()}),
        (EDGES, {prune_dim("b"): True}, {"a": ("c", "end")}),
        (EDGES, {prune_dim("a"): True}, {"start": ("b",)}),
        (EDGES, {parallel_dim(("a", "b")): True}, {"start": ("a_parallel",), "a": ("c", "end")}),
    ],
)
def test_inline_workflows(
    text: str, values: Mapping[str, Any], expected: dict[str, tuple[str, ...]]
) -> None:
    new_text, wf = tune_workflow(text, "inline.yaml", values)
    for node, succ in expected.items():
        assert successors(wf, node) == succ
    if text is EXPLICIT:
        assert "# explicit successors everywhere" in new_text


def test_adjacent_groups_chain_into_each_other() -> None:
    text, path = demo_text("code_review.yaml")
    values = {
        parallel_dim(("fetch_diff", "static_checks")): True,
        parallel_dim(("review_team", "summarize")): True,
    }
    _, wf = tune_workflow(text, path, values)
    assert wf.entry == "fetch_diff_parallel"
    assert wf.nodes["fetch_diff_parallel"].next == ("review_team_parallel",)
    assert successors(wf, "static_checks") == ("review_team_parallel",)
    assert successors(wf, "summarize") == ("post_comment",)


def test_team_key_insertions_next_to_a_member_insertion() -> None:
    text = "nodes:\n  - id: t\n    type: team\n    members:\n      - id: a\n      - id: b\n"
    values = {TIMEOUT_SECONDS: 60.0, "budget_multipliers": (("b", 2.0),)}
    new_text, _ = tune_team(text, "inline.yaml", "t", values)
    assert "timeout_seconds: 60" in new_text


def test_team_readback_checks_the_sub_team_encoding() -> None:
    text, path = demo_text("release_notes.yml")
    (wf,) = parse_workflow_text(text, path).workflows
    workers = (("changelog_writer", "highlights_writer"), ("upgrade_guide_writer",))
    candidate = dataclasses.replace(team_config(wf.nodes["release_team"]), sub_teams=workers)
    problems = check_team_readback(text, path, wf.name, "release_team", candidate)
    assert problems == [
        f"{path}:27: team 'release_team': member 'highlights_writer' does not read input "
        "from 'changelog_writer'"
    ]
