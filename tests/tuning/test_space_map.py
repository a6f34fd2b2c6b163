"""Search point values mapped onto team and workflow configurations."""

from __future__ import annotations

import pytest

from autotune_bot.tuning.config import TeamConfig, WorkflowConfig
from autotune_bot.tuning.space_map import (
    BUDGET_MULTIPLIERS,
    FORMATION,
    HIERARCHY,
    MEMBERS,
    TIMEOUT_SECONDS,
    TOTAL_TOOL_BUDGET,
    apply_team_values,
    apply_workflow_values,
    batch_dim,
    cache_dim,
    model_dim,
    parallel_dim,
    prune_dim,
    tools_dim,
)

TEAM = TeamConfig(
    formation="sequential",
    members=("lead", "a", "b", "c"),
    total_tool_budget=100,
    timeout_seconds=300.0,
    budget_multipliers=(("a", 2.0),),
    manager="lead",
)


def test_no_values_is_the_current_configuration() -> None:
    assert apply_team_values(TEAM, {}) == TEAM
    assert apply_workflow_values(WorkflowConfig(), {}) == WorkflowConfig()


def test_plain_team_values() -> None:
    got = apply_team_values(
        TEAM,
        {
            FORMATION: "parallel",
            TOTAL_TOOL_BUDGET: 80,
            TIMEOUT_SECONDS: None,
            BUDGET_MULTIPLIERS: (("b", 0.5), ("a", 1.0)),
        },
    )
    assert got.formation == "parallel"
    assert got.total_tool_budget == 80
    assert got.timeout_seconds is None
    # a multiplier of 1 is the default and is not kept
    assert got.budget_multipliers == (("b", 0.5),)
    assert got.manager == "lead"


def test_members_keep_file_order_and_drop_their_settings() -> None:
    got = apply_team_values(TEAM, {MEMBERS: ("c", "lead", "b")})
    assert got.members == ("lead", "b", "c")
    assert got.budget_multipliers == ()
    assert got.manager == "lead"


def test_dropping_the_manager_drops_the_hierarchy() -> None:
    got = apply_team_values(TEAM, {MEMBERS: ("a", "b"), HIERARCHY: ("lead", (("a", "b"),))})
    assert (got.manager, got.sub_teams) == (None, ())
    assert got.formation == "sequential"


def test_hierarchy_pair_sets_formation_and_cleans_sub_teams() -> None:
    got = apply_team_values(
        TEAM,
        {
            FORMATION: "parallel",
            MEMBERS: ("lead", "a", "b"),
            HIERARCHY: ("lead", (("lead", "a"), ("a", "c"), ("b",), ("c",))),
        },
    )
    assert got.formation == "hierarchical"
    assert got.manager == "lead"
    assert got.sub_teams == (("a",), ("b",))


def test_hierarchy_none_clears_sub_teams_but_keeps_the_manager() -> None:
    split = TeamConfig("hierarchical", ("lead", "a"), 10, None, (), "lead", (("a",),))
    got = apply_team_values(split, {HIERARCHY: None})
    assert (got.manager, got.sub_teams) == ("lead", ())


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"members_kept": ("a",)}, "unknown team dimension"),
        ({MEMBERS: ("a", "zed")}, "'zed'"),
        ({MEMBERS: ()}, "at least one"),
    ],
)
def test_bad_team_values_raise(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        apply_team_values(TEAM, values)


def test_dimension_names() -> None:
    assert prune_dim("x") == "prune:x"
    assert parallel_dim(("a", "b")) == "parallel:a,b"
    assert (model_dim("x"), cache_dim("x"), tools_dim("x"), batch_dim("x")) == (
        "model:x",
        "cache:x",
        "tools:x",
        "batch:x",
    )


CURRENT = WorkflowConfig(
    models=(("a", "big"), ("b", "big")),
    cached=(("b", ("search",)),),
)


def test_workflow_values() -> None:
    got = apply_workflow_values(
        CURRENT,
        {
            parallel_dim(("a", "b")): True,
            model_dim("a"): "small",
            cache_dim("b"): (),
            cache_dim("c"): ("fetch",),
            batch_dim("c"): ("fetch", "grep"),
            tools_dim("a"): ("search",),
        },
    )
    assert got.parallel_groups == (("a", "b"),)
    assert got.models == (("a", "small"), ("b", "big"))
    assert got.cached == (("c", ("fetch",)),)
    assert got.batched == (("c", ("fetch", "grep")),)
    assert got.tools == (("a", ("search",)),)
    assert got.removed == frozenset()


def test_pruned_node_leaves_groups_and_settings() -> None:
    got = apply_workflow_values(
        CURRENT,
        {
            prune_dim("b"): True,
            parallel_dim(("a", "b")): True,
            parallel_dim(("c", "b", "d")): True,
            model_dim("b"): "small",
            cache_dim("b"): ("search",),
        },
    )
    assert got.removed == frozenset({"b"})
    # (a, b) is left with one node and dropped; (c, b, d) runs as (c, d)
    assert got.parallel_groups == (("c", "d"),)
    assert got.models == (("a", "big"),)
    assert got.cached == ()


def test_overlapping_groups_keep_the_first_in_name_order() -> None:
    got = apply_workflow_values(
        WorkflowConfig(),
        {parallel_dim(("b", "c")): True, parallel_dim(("a", "b")): True},
    )
    assert got.parallel_groups == (("a", "b"),)


def test_false_values_undo() -> None:
    start = WorkflowConfig(removed=frozenset({"x"}), parallel_groups=(("a", "b"),))
    got = apply_workflow_values(start, {prune_dim("x"): False, parallel_dim(("a", "b")): False})
    assert got == WorkflowConfig()


@pytest.mark.parametrize("name", ["skip:x", "prune:", "formation"])
def test_bad_workflow_dimensions_raise(name: str) -> None:
    with pytest.raises(ValueError, match="unknown workflow dimension"):
        apply_workflow_values(WorkflowConfig(), {name: True})
