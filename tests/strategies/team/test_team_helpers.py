"""The shared pieces of the team strategies: caps from usage, limits failures pile up at,
member dependency questions, option reading."""

from __future__ import annotations

import numpy as np
import pytest

from autotune_bot.errors import SettingsError
from autotune_bot.strategies.options import bool_option, float_option, int_option
from autotune_bot.strategies.team_caps import ceil_to, limit_hits, nice_ceil, usage_cap
from autotune_bot.strategies.team_dependencies import (
    declared_dependencies,
    follows_file_order,
    removable_members,
    worker_groups,
)
from autotune_bot.strategies.team_parallelization import find_manager
from autotune_bot.workflow.loader import parse_workflow_text
from autotune_bot.workflow.model import TeamSpec

TEAM = """\
workflows:
  flow:
    nodes:
      - id: crew
        type: team
        members:
          - {id: planner, role: lead planner, goal: "Plan the work"}
          - {id: coder, role: coder, goal: "Implement the plan", input_from: [planner]}
          - {id: tester, role: tester, goal: "Test what the coder wrote"}
          - {id: writer, role: writer, goal: "Write the release text"}
          - {id: proof, role: proofreader, goal: "Proofread the writer's text"}
"""


@pytest.fixture(scope="module")
def team() -> TeamSpec:
    spec = parse_workflow_text(TEAM, "f").workflows[0].nodes["crew"].team
    assert spec is not None
    return spec


@pytest.mark.parametrize(
    ("value", "nice"),
    [(0.3, 1), (17.2, 18), (20.0, 20), (51.6, 55), (120.0, 120), (230.5, 240), (2001.0, 2100)],
)
def test_nice_ceil(value: float, nice: int) -> None:
    assert nice_ceil(value) == nice


def test_ceil_to() -> None:
    assert ceil_to(280.8, 10.0) == 290.0
    assert ceil_to(290.0, 10.0) == 290.0
    assert ceil_to(0.1 + 0.2, 0.05) == pytest.approx(0.3)


def test_usage_cap_covers_every_successful_run() -> None:
    values = np.array([*range(1, 101), np.nan], dtype=float)
    cap = usage_cap(values, 0.2, 0.0, 0.95)
    assert cap is not None
    assert (cap.n, cap.maximum, cap.base, cap.value, cap.cut) == (100, 100.0, 100.0, 120, 0)
    assert usage_cap(np.array([np.nan]), 0.2, 0.0, 0.95) is None


def test_limit_hits_compares_failure_rates() -> None:
    usage = np.array([10.0] * 20 + [5.0] * 80 + [np.nan])
    success = np.array([0] * 15 + [1] * 5 + [1] * 78 + [0] * 2 + [0], dtype=np.int8)
    hits = limit_hits(usage, success, 10.0, 0.95)
    assert (hits.at_limit, hits.failed_at_limit, hits.below, hits.failed_below) == (20, 15, 80, 2)
    assert hits.difference.estimate == pytest.approx(0.75 - 0.025)
    assert hits.piles_up(5)
    assert not hits.piles_up(16)


def test_dependencies(team: TeamSpec) -> None:
    declared = declared_dependencies(team)
    assert declared["coder"] == {"planner"}
    assert declared["tester"] == frozenset()  # named in goal text only
    assert follows_file_order(team)
    # the coder is read by the tester (goal text), the writer by the proofreader
    assert removable_members(team, ["coder", "proof"]) == ("proof",)
    assert removable_members(team, ["writer", "proof"]) == ("writer", "proof")
    assert worker_groups(team, "planner") == (("coder", "tester"), ("writer", "proof"))


def test_find_manager_by_role(team: TeamSpec) -> None:
    found = find_manager(team)
    assert found is not None
    assert found[0].id == "planner"
    assert "role reads as a lead" in found[1]


def test_options() -> None:
    options: dict[str, bool | int | float | str] = {"a": 0.5, "b": 3, "c": True, "d": "x"}
    assert float_option(options, "s", "a", 0.1) == 0.5
    assert float_option(options, "s", "b", 0.1) == 3.0
    assert float_option(options, "s", "missing", 0.1) == 0.1
    assert int_option(options, "s", "b", 1) == 3
    assert bool_option(options, "s", "c", False) is True
    with pytest.raises(SettingsError, match=r"^strategies\.s\.options\.d: expected a number"):
        float_option(options, "s", "d", 0.1)
    with pytest.raises(SettingsError, match=r"a number within \[0, 0.4\], got 0.5"):
        float_option(options, "s", "a", 0.1, high=0.4)
    with pytest.raises(SettingsError, match="expected an integer"):
        int_option(options, "s", "c", 1)
    with pytest.raises(SettingsError, match="expected true or false"):
        bool_option(options, "s", "b", False)
