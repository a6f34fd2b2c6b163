"""revert_configs: the recorded ``before`` configuration written back minimally."""

from __future__ import annotations

from typing import Any

import pytest

from autotune_bot.history_configs import plain_config
from autotune_bot.rollback_config import (
    ConfigRefusedError,
    ConfigUnsupportedError,
    revert_configs,
)
from autotune_bot.tuning.config import team_config, workflow_config
from autotune_bot.workflow.loader import parse_workflow_text

PATH = "workflows/review.yaml"

BEFORE = """\
# Review bot. Keep this comment.
workflows:
  review:
    nodes:
      - id: team
        type: team
        team_formation: 'sequential'   # chosen by hand in v2
        total_tool_budget: 60  # budget
        members:
          - id: a
            role: "first reviewer"
            goal: >-
              Read {{diff}} carefully.
          - id: b
            role: second reviewer
            goal: Check the work.
            input_from: [a, c]
          - id: c
            role: third reviewer
            goal: Tidy up.
        next: [sum]
      - id: sum
        type: agent
        role: writer
        goal: "Summarise."
        llm_config:
          model_hint: "big-model"   # the expensive one
"""

# the change: parallel, member c dropped (and b's link to it), as the tuner writes it
AFTER = (
    BEFORE.replace("'sequential'", "'parallel'")
    .replace("            input_from: [a, c]\n", "            input_from: [a]\n")
    .replace(
        "          - id: c\n            role: third reviewer\n            goal: Tidy up.\n", ""
    )
)


def _team_entry(before: str, after: str) -> dict[str, Any]:
    configs = []
    for text in (before, after):
        (wf,) = parse_workflow_text(text, PATH).workflows
        configs.append(plain_config(team_config(wf.nodes["team"])))
    return {
        "scope": "team",
        "target": "team",
        "file": PATH,
        "before": configs[0],
        "after": configs[1],
    }


def _model_entry(before: str, after: str) -> dict[str, Any]:
    configs = []
    for text in (before, after):
        (wf,) = parse_workflow_text(text, PATH).workflows
        configs.append(plain_config(workflow_config(wf)))
    return {
        "scope": "workflow",
        "target": "review",
        "file": PATH,
        "before": configs[0],
        "after": configs[1],
    }


def test_the_fields_go_back_and_every_other_byte_stays() -> None:
    later = AFTER.replace("total_tool_budget: 60  # budget", "total_tool_budget: 80  # raised")
    done = revert_configs([_team_entry(BEFORE, AFTER)], {PATH: later}, originals={PATH: BEFORE})
    new = done.texts[PATH]
    assert "team_formation: 'sequential'   # chosen by hand in v2\n" in new
    assert "total_tool_budget: 80  # raised\n" in new  # a later edit nearby is kept
    assert "input_from: [a, c]" in new  # the link the change took out is back
    expected = BEFORE.replace("total_tool_budget: 60  # budget", "total_tool_budget: 80  # raised")
    assert new == expected
    assert done.restored == (f"{PATH}: team.formation", f"{PATH}: team.members")
    assert not done.undone


def test_a_field_a_person_changed_since_is_refused_by_name() -> None:
    later = AFTER.replace("'parallel'", "hierarchical")
    with pytest.raises(ConfigRefusedError) as caught:
        revert_configs([_team_entry(BEFORE, AFTER)], {PATH: later}, originals={PATH: BEFORE})
    message = str(caught.value)
    assert message.startswith(f"{PATH}: team: formation was changed since the merge")
    assert '"hierarchical"' in message
    assert '"parallel"' in message
    assert "\n" not in message


def test_a_change_already_undone_leaves_nothing_to_do() -> None:
    done = revert_configs([_team_entry(BEFORE, AFTER)], {PATH: BEFORE})
    assert done.undone
    assert done.texts == {}
    assert done.already == (f"{PATH}: team.formation", f"{PATH}: team.members")


def test_a_removed_member_needs_the_text_before_the_change() -> None:
    with pytest.raises(ConfigUnsupportedError, match="member 'c' to restore is not recorded"):
        revert_configs([_team_entry(BEFORE, AFTER)], {PATH: AFTER})


def test_a_model_goes_back_keeping_its_quoting_and_comment() -> None:
    after = BEFORE.replace('"big-model"', '"small-model"')
    entry = _model_entry(BEFORE, after)
    later = after.replace('goal: "Summarise."', 'goal: "Summarise briefly."')
    done = revert_configs([entry], {PATH: later})
    assert done.texts[PATH] == BEFORE.replace('goal: "Summarise."', 'goal: "Summarise briefly."')
    assert done.restored == (f"{PATH}: review.models.sum",)


def test_structural_changes_are_left_to_the_stored_diff() -> None:
    entry = _model_entry(BEFORE, BEFORE)
    entry["after"] = {**entry["after"], "removed": ["sum"]}
    with pytest.raises(ConfigUnsupportedError, match="pruned nodes"):
        revert_configs([entry], {PATH: BEFORE})


def test_members_the_change_added_cannot_be_taken_out() -> None:
    entry = _team_entry(AFTER, BEFORE)  # "before" lacks c, "after" has it
    with pytest.raises(ConfigUnsupportedError, match="members the change added"):
        revert_configs([entry], {PATH: BEFORE})
