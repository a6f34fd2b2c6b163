"""Team configuration differences as exact changes and edits."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from autotune_bot.patch.edits import RemoveItem, RemoveKey, SetValue
from autotune_bot.tuning.config import TeamConfig, team_config
from autotune_bot.tuning.suggestion import Change
from autotune_bot.tuning.team_edits import team_changes
from autotune_bot.workflow.loader import parse_workflow_text
from autotune_bot.workflow.model import Node, WorkflowDef

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-repo" / "workflows"


def demo_team(name: str, node_id: str) -> tuple[WorkflowDef, Node, TeamConfig]:
    text = (DEMO / name).read_text(encoding="utf-8")
    (wf,) = parse_workflow_text(text, f"workflows/{name}").workflows
    node = wf.nodes[node_id]
    return wf, node, team_config(node)


def inline_team(text: str) -> tuple[WorkflowDef, Node, TeamConfig]:
    (wf,) = parse_workflow_text(text, "inline.yaml").workflows
    node = next(n for n in wf.nodes.values() if n.team is not None)
    return wf, node, team_config(node)


def by_field(changes: tuple[Change, ...]) -> dict[str, Change]:
    out = {c.field: c for c in changes}
    assert len(out) == len(changes), "one change per field"
    return out


REVIEW = ("workflows", "code_review", "nodes", 2)
RELEASE = ("workflow", "nodes", 2, "team")


def test_same_configuration_gives_no_changes() -> None:
    wf, node, current = demo_team("code_review.yaml", "review_team")
    assert team_changes(wf, node, current, current) == ()


def test_review_team_parallel_without_docs() -> None:
    wf, node, current = demo_team("code_review.yaml", "review_team")
    candidate = dataclasses.replace(
        current, formation="parallel", members=("security", "performance", "style")
    )
    changes = by_field(team_changes(wf, node, current, candidate))
    assert set(changes) == {"team_formation", "members[docs]"}
    formation = changes["team_formation"]
    assert (formation.file, formation.node, formation.line) == (
        "workflows/code_review.yaml",
        "review_team",
        40,
    )
    assert (formation.old, formation.new) == ("sequential", "parallel")
    assert formation.edit == SetValue((*REVIEW, "team_formation"), "parallel")
    docs = changes["members[docs]"]
    assert (docs.line, docs.old, docs.new) == (68, "docs", None)
    assert docs.edit == RemoveItem((*REVIEW, "members", 3))
    assert "remove" in docs.describe()


def test_budget_timeout_and_multipliers() -> None:
    wf, node, current = demo_team("code_review.yaml", "review_team")
    candidate = dataclasses.replace(
        current,
        total_tool_budget=90,
        timeout_seconds=450.0,
        budget_multipliers=(("performance", 0.5), ("security", 1.5)),
    )
    changes = by_field(team_changes(wf, node, current, candidate))
    assert changes["total_tool_budget"].edit == SetValue((*REVIEW, "total_tool_budget"), 90)
    assert (changes["total_tool_budget"].old, changes["total_tool_budget"].line) == (120, 41)
    timeout = changes["timeout_seconds"]
    # an integral float is written as an int
    assert timeout.edit == SetValue((*REVIEW, "timeout_seconds"), 450)
    assert isinstance(timeout.new, int)
    multiplier = changes["members[security].tool_budget_multiplier"]
    assert multiplier.edit == SetValue((*REVIEW, "members", 0, "tool_budget_multiplier"), 1.5)
    assert (multiplier.old, multiplier.line) == (None, 47)
    assert "members[performance].tool_budget_multiplier" in changes


MULTIPLIED = """\
nodes:
  - id: crew
    type: team
    formation: parallel
    members:
      - id: a
        tool_budget_multiplier: 2.0
      - id: b
        input_from: [a]
        reports_to: a
"""


def test_multiplier_back_to_one_removes_the_key() -> None:
    wf, node, current = inline_team(MULTIPLIED)
    assert current.budget_multipliers == (("a", 2.0),)
    candidate = dataclasses.replace(current, budget_multipliers=())
    (change,) = team_changes(wf, node, current, candidate)
    assert change.field == "members[a].tool_budget_multiplier"
    assert change.edit == RemoveKey(("nodes", 0, "members", 0, "tool_budget_multiplier"))
    assert (change.old, change.new, change.line) == (2.0, None, 7)


def test_formation_key_as_written_and_absent_timeout_inserted() -> None:
    wf, node, current = inline_team(MULTIPLIED)
    assert current.timeout_seconds is None
    candidate = dataclasses.replace(current, formation="sequential", timeout_seconds=12.5)
    changes = by_field(team_changes(wf, node, current, candidate))
    assert changes["formation"].edit == SetValue(("nodes", 0, "formation"), "sequential")
    timeout = changes["timeout_seconds"]
    assert timeout.edit == SetValue(("nodes", 0, "timeout_seconds"), 12.5)
    assert (timeout.old, timeout.line) == (None, 2)


def test_missing_formation_is_inserted_as_team_formation() -> None:
    text = "nodes:\n  - id: t\n    type: team\n    members:\n      - id: a\n      - id: b\n"
    wf, node, current = inline_team(text)
    candidate = dataclasses.replace(current, formation="parallel")
    (change,) = team_changes(wf, node, current, candidate)
    assert change.edit == SetValue(("nodes", 0, "team_formation"), "parallel")
    assert change.old is None


def test_dropping_a_member_cleans_references_to_it() -> None:
    wf, node, current = inline_team(MULTIPLIED)
    candidate = dataclasses.replace(current, members=("b",), budget_multipliers=())
    changes = by_field(team_changes(wf, node, current, candidate))
    assert changes["members[a]"].edit == RemoveItem(("nodes", 0, "members", 0))
    assert changes["members[b].input_from"].edit == RemoveKey(
        ("nodes", 0, "members", 1, "input_from")
    )
    assert changes["members[b].reports_to"].edit == RemoveKey(
        ("nodes", 0, "members", 1, "reports_to")
    )
    # the dropped member's own multiplier is not edited separately
    assert "members[a].tool_budget_multiplier" not in changes


def test_nested_team_block_keys_and_timeout_removal() -> None:
    wf, node, current = demo_team("release_notes.yml", "release_team")
    candidate = dataclasses.replace(current, timeout_seconds=None, total_tool_budget=80)
    changes = by_field(team_changes(wf, node, current, candidate))
    assert changes["team.timeout_seconds"].edit == RemoveKey((*RELEASE, "timeout_seconds"))
    assert changes["team.timeout_seconds"].line == 33
    assert changes["team.total_tool_budget"].edit == SetValue((*RELEASE, "total_tool_budget"), 80)


def test_nested_team_absent_timeout_goes_into_the_block() -> None:
    text = (
        "workflow:\n  nodes:\n    - id: t\n      type: team\n      team:\n"
        "        formation: parallel\n        members:\n          - id: a\n"
    )
    wf, node, current = inline_team(text)
    candidate = dataclasses.replace(current, timeout_seconds=60.0)
    (change,) = team_changes(wf, node, current, candidate)
    assert change.field == "team.timeout_seconds"
    assert change.edit == SetValue(("workflow", "nodes", 0, "team", "timeout_seconds"), 60)
    assert change.line == 5


def test_sub_teams_order_written_as_input_from() -> None:
    wf, node, current = demo_team("release_notes.yml", "release_team")
    assert current.manager == "editor"
    candidate = dataclasses.replace(
        current,
        sub_teams=(("changelog_writer", "highlights_writer"), ("upgrade_guide_writer",)),
    )
    (change,) = team_changes(wf, node, current, candidate)
    # workers already report to the editor; only the order inside the first sub-team is new
    assert change.field == "team.members[highlights_writer].input_from"
    assert change.edit == SetValue((*RELEASE, "members", 2, "input_from"), ["changelog_writer"])


def test_single_sub_team_writes_no_order() -> None:
    wf, node, current = demo_team("release_notes.yml", "release_team")
    workers = ("changelog_writer", "highlights_writer", "upgrade_guide_writer")
    candidate = dataclasses.replace(current, sub_teams=(workers,))
    assert team_changes(wf, node, current, candidate) == ()


FLAT = """\
nodes:
  - id: crew
    type: team
    team_formation: sequential
    members:
      - id: lead
      - id: w1
      - id: w2
        input_from: [lead]
      - id: w3
        is_manager: true
"""


def test_new_hierarchy_sets_manager_and_reports_to() -> None:
    wf, node, current = inline_team(FLAT)
    assert current.manager == "w3"
    candidate = dataclasses.replace(
        current, formation="hierarchical", manager="lead", sub_teams=(("w1", "w2"), ("w3",))
    )
    changes = by_field(team_changes(wf, node, current, candidate))
    members = ("nodes", 0, "members")
    assert changes["members[lead].is_manager"].edit == SetValue((*members, 0, "is_manager"), True)
    assert changes["members[w3].is_manager"].edit == RemoveKey((*members, 3, "is_manager"))
    for index, worker in ((1, "w1"), (2, "w2"), (3, "w3")):
        assert changes[f"members[{worker}].reports_to"].edit == SetValue(
            (*members, index, "reports_to"), "lead"
        )
    # w2 keeps its own input_from and gains the previous member of its sub-team
    assert changes["members[w2].input_from"].edit == SetValue(
        (*members, 2, "input_from"), ["lead", "w1"]
    )
    assert changes["members[w2].input_from"].line == 9
    assert "members[w1].input_from" not in changes


def test_no_manager_removes_hierarchy_keys() -> None:
    wf, node, current = demo_team("release_notes.yml", "release_team")
    candidate = dataclasses.replace(current, formation="parallel", manager=None)
    changes = by_field(team_changes(wf, node, current, candidate))
    assert changes["team.members[editor].is_manager"].edit == RemoveKey(
        (*RELEASE, "members", 0, "is_manager")
    )
    removed = [f for f, c in changes.items() if f.endswith(".reports_to")]
    assert len(removed) == 3
    assert all(isinstance(changes[f].edit, RemoveKey) for f in removed)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"members": ("security", "intruder")}, "no member 'intruder'"),
        ({"budget_multipliers": (("ghost", 2.0),)}, "not kept"),
        ({"manager": "ghost"}, "manager 'ghost'"),
        ({"manager": "security", "sub_teams": (("security",),)}, "sub-team member"),
        ({"sub_teams": (("style",),)}, "need a manager"),
    ],
)
def test_impossible_candidates_raise(change: dict[str, object], message: str) -> None:
    wf, node, current = demo_team("code_review.yaml", "review_team")
    candidate = dataclasses.replace(current, **change)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        team_changes(wf, node, current, candidate)


def test_non_team_node_raises() -> None:
    wf, _, current = demo_team("code_review.yaml", "review_team")
    with pytest.raises(ValueError, match="not a team node"):
        team_changes(wf, wf.nodes["summarize"], current, current)
