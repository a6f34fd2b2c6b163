"""merge_candidates: accepted suggestions of one target become one configuration, field by
field for teams (the last suggestion changing a field wins), by union for workflows."""

from __future__ import annotations

import dataclasses

from autotune_bot.tuning.config import TeamConfig, WorkflowConfig
from autotune_bot.tuning.merge import merge_candidates

from .conftest import DemoTuning

TEAM = TeamConfig(
    formation="sequential",
    members=("a", "b", "c"),
    total_tool_budget=100,
    timeout_seconds=300.0,
)
FLOW = WorkflowConfig(
    models=(("plan", "gpt-4o"), ("report", "gpt-4o")),
    cached=(("fetch", ("web_search",)),),
)


def test_no_candidate_is_the_current_configuration() -> None:
    assert merge_candidates(TEAM, []) == TEAM
    assert merge_candidates(FLOW, []) == FLOW


def test_team_fields_changed_by_different_suggestions_are_all_kept() -> None:
    parallel = dataclasses.replace(TEAM, formation="parallel")
    smaller = dataclasses.replace(TEAM, members=("a", "b"))
    budget = dataclasses.replace(TEAM, total_tool_budget=40)
    merged = merge_candidates(TEAM, [parallel, smaller, budget])
    assert merged == dataclasses.replace(
        TEAM, formation="parallel", members=("a", "b"), total_tool_budget=40
    )
    # the order of non-conflicting suggestions does not matter
    assert merge_candidates(TEAM, [budget, smaller, parallel]) == merged


def test_team_conflict_goes_to_the_last_suggestion_changing_the_field() -> None:
    parallel = dataclasses.replace(TEAM, formation="parallel")
    pipeline = dataclasses.replace(TEAM, formation="pipeline", timeout_seconds=None)
    assert merge_candidates(TEAM, [parallel, pipeline]).formation == "pipeline"
    assert merge_candidates(TEAM, [pipeline, parallel]).formation == "parallel"
    # a later suggestion that leaves a field as it is does not undo an earlier change
    later = merge_candidates(TEAM, [pipeline, parallel])
    assert later.timeout_seconds is None


def test_team_multipliers_and_members_merge() -> None:
    multipliers = dataclasses.replace(TEAM, budget_multipliers=(("a", 0.5), ("b", 0.6)))
    smaller = dataclasses.replace(TEAM, members=("a", "b"))
    merged = merge_candidates(TEAM, [smaller, multipliers])
    assert merged.members == ("a", "b")
    assert merged.budget_multipliers == (("a", 0.5), ("b", 0.6))
    assert merged.formation == TEAM.formation


def test_workflow_pruning_and_groups_are_unions() -> None:
    prune_a = WorkflowConfig(removed=frozenset({"a"}), models=FLOW.models, cached=FLOW.cached)
    prune_b = dataclasses.replace(prune_a, removed=frozenset({"b"}))
    group = dataclasses.replace(FLOW, parallel_groups=(("x", "y"),))
    again = dataclasses.replace(FLOW, parallel_groups=(("x", "y"), ("p", "q")))
    merged = merge_candidates(FLOW, [prune_a, prune_b, group, again])
    assert merged.removed == frozenset({"a", "b"})
    assert merged.parallel_groups == (("x", "y"), ("p", "q"))  # no group twice, first order kept


def test_workflow_per_node_settings_are_unions_by_node() -> None:
    report = dataclasses.replace(FLOW, models=(("plan", "gpt-4o"), ("report", "gpt-4o-mini")))
    plan = dataclasses.replace(FLOW, models=(("plan", "o1"), ("report", "gpt-4o")))
    cache = dataclasses.replace(FLOW, cached=(("fetch", ("web_search",)), ("news", ("rss",))))
    batch = dataclasses.replace(FLOW, batched=(("fetch", ("arxiv",)),))
    tools = dataclasses.replace(FLOW, tools=(("fetch", ("arxiv",)),))
    merged = merge_candidates(FLOW, [report, plan, cache, batch, tools])
    # "plan" keeps report's change and report keeps plan's: each changed only its own node
    assert merged.models == (("plan", "o1"), ("report", "gpt-4o-mini"))
    assert merged.cached == (("fetch", ("web_search",)), ("news", ("rss",)))
    assert merged.batched == (("fetch", ("arxiv",)),)
    assert merged.tools == (("fetch", ("arxiv",)),)


def test_workflow_setting_switched_off_by_a_suggestion_stays_off() -> None:
    uncached = dataclasses.replace(FLOW, cached=())
    report = dataclasses.replace(FLOW, models=(("plan", "gpt-4o"), ("report", "gpt-4o-mini")))
    merged = merge_candidates(FLOW, [uncached, report])
    assert merged.cached == ()
    assert merged.model("report") == "gpt-4o-mini"
    # the same two in the other order
    assert merge_candidates(FLOW, [report, uncached]) == merged


def test_demo_suggestions_merge_into_the_search_result(demo: DemoTuning) -> None:
    """On the demo, accepting formation and sizing for review_team gives the configuration
    the search ships (parallel, without docs)."""
    review = demo.target("team", "review_team")
    by_strategy = {s.strategy: s for s in review.suggestions}
    chosen = [by_strategy["formation_selection"], by_strategy["team_sizing"]]
    assert review.current is not None
    merged = merge_candidates(review.current, [s.candidate for s in chosen])  # type: ignore[type-var]
    assert review.best is not None
    assert merged == review.best.candidate
