"""synthetic_team_file: the design documents' plain team configuration becomes a one-node
workflow file read by the real loader; unknown keys and bad member counts are usage errors."""

from __future__ import annotations

from typing import Any

import pytest

from autotune_bot.errors import UsageError
from autotune_bot.tuning.config import team_config
from autotune_bot.tuning.synthetic import SYNTHETIC_PATH, synthetic_team_file
from autotune_bot.workflow.model import Node

RECORDED = ("security", "performance", "style", "docs")


def team_node(config: dict[str, Any], recorded: tuple[str, ...] = RECORDED) -> Node:
    wf_file = synthetic_team_file("review_team", config, recorded)
    assert wf_file.path == SYNTHETIC_PATH
    (wf,) = wf_file.workflows
    assert wf.name == "review_team_workflow"
    node = wf.nodes["review_team"]
    assert node.type == "team"
    assert node.team is not None
    return node


def test_seed_style_dict_becomes_a_team_node() -> None:
    node = team_node({"formation": "sequential", "member_count": 3})
    assert node.team is not None
    assert node.team.formation.value == "sequential"
    # the recorded members come first, in the order given
    assert [m.id for m in node.team.members] == ["security", "performance", "style"]
    config = team_config(node)
    assert config.formation == "sequential"
    assert config.total_tool_budget == 100  # the framework default
    assert config.timeout_seconds is None


def test_more_members_than_recorded_get_generated_names() -> None:
    node = team_node({"formation": "parallel", "member_count": 6})
    assert node.team is not None
    assert [m.id for m in node.team.members] == [*RECORDED, "member5", "member6"]


def test_member_count_defaults_to_the_recorded_members() -> None:
    node = team_node({"formation": "parallel"})
    assert node.team is not None
    assert [m.id for m in node.team.members] == list(RECORDED)


def test_explicit_members_and_settings() -> None:
    node = team_node(
        {
            "team_formation": "pipeline",
            "members": ["a", {"id": "b", "role": "editor", "input_from": ["a"]}],
            "tool_budget": 40,
            "timeout_seconds": 120,
            "max_iterations": 7,
        }
    )
    team = node.team
    assert team is not None
    assert [m.id for m in team.members] == ["a", "b"]
    assert team.members[1].role == "editor"
    assert team.members[1].input_from == ("a",)
    assert team.total_tool_budget.value == 40
    assert team.timeout_seconds is not None
    assert team.timeout_seconds.value == 120
    assert team.max_iterations.value == 7
    assert team_config(node).timeout_seconds == 120.0


def test_changes_name_lines_of_the_synthetic_file() -> None:
    node = team_node({"formation": "sequential", "member_count": 2})
    assert node.team is not None
    line = node.team.formation.line
    assert line is not None
    assert line > 1


def test_unknown_key_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as info:
        synthetic_team_file("t", {"formation": "parallel", "budget": 5}, RECORDED)
    message = str(info.value)
    assert message.startswith("current_config: unknown key 'budget'")
    assert "member_count" in message  # the known keys are listed
    assert "\n" not in message


@pytest.mark.parametrize("count", [0, -2, "3", 2.5, True, None])
def test_bad_member_count_is_a_usage_error(count: object) -> None:
    with pytest.raises(UsageError) as info:
        synthetic_team_file("t", {"member_count": count}, ())
    assert info.value.field == "current_config"
    assert "member_count" in str(info.value)


def test_no_members_and_nothing_recorded_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="positive member_count"):
        synthetic_team_file("t", {"formation": "parallel"}, ())


def test_bad_member_entry_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"members\[1\]"):
        synthetic_team_file("t", {"members": ["a", {"role": "no id"}]}, RECORDED)
