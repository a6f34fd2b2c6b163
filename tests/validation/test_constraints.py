"""Constraint checks on small workflow files written here: every graph rule and every user
rule, each with a case that breaks it and one that keeps it."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from autotune_bot.search.space import Dimension
from autotune_bot.settings import Settings
from autotune_bot.settings.models import Constraints
from autotune_bot.strategies.base import TeamTarget, WorkflowTarget
from autotune_bot.tuning.config import team_config, workflow_config
from autotune_bot.tuning.dimension_names import MEMBERS, cache_dim, parallel_dim, prune_dim
from autotune_bot.tuning.plan_types import TargetPlan, TuningPlan
from autotune_bot.tuning.suggestion import (
    Estimate,
    MetricChange,
    OptimizationPriority,
    OptimizationSuggestion,
    OptimizationType,
)
from autotune_bot.tuning.team_edits import team_changes
from autotune_bot.validation.constraints import (
    ConstraintViolation,
    check_estimate,
    check_patched_text,
    check_suggestion,
)
from autotune_bot.validation.plan_constraints import (
    allowed_dimensions,
    constraint_notes,
    protected_target,
    screen_suggestions,
    within_constraints,
)
from autotune_bot.validation.violations import ConstraintCheck
from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.loader import parse_workflow_text
from autotune_bot.workflow.model import WorkflowFile

PATH = "workflows/flow.yaml"


def wf_file(body: str, path: str = PATH) -> WorkflowFile:
    return parse_workflow_text(body, path)


def rules(before: str, after: str, constraints: Constraints | None = None) -> list[str]:
    return [v.rule for v in check_patched_text(wf_file(before), after, constraints)]


def found(before: str, after: str, constraints: Constraints | None = None) -> list[Any]:
    return check_patched_text(wf_file(before), after, constraints)


CHAIN = """\
workflows:
  flow:
    nodes:
      - id: start
        type: compute
        output: question
      - id: a
        type: agent
        goal: Answer {{question}}.
        output: answer
      - id: b
        type: agent
        goal: Check $ctx.answer.
        output: verdict
      - id: c
        type: compute
        inputs: {verdict: $ctx.verdict}
"""


# --- graph rules --------------------------------------------------------------------------


def test_an_unchanged_or_harmless_change_breaks_nothing() -> None:
    assert found(CHAIN, CHAIN) == []
    harmless = CHAIN.replace(
        "type: compute\n        output: question",
        "type: compute\n        timeout: 5\n        output: question",
    )
    assert harmless != CHAIN
    assert found(CHAIN, harmless) == []


def test_an_edge_to_a_missing_node_is_dangling() -> None:
    after = CHAIN.replace(
        "        output: verdict\n", "        output: verdict\n        next: [c, ghost]\n"
    )
    (v,) = found(CHAIN, after)
    assert (v.rule, v.file, v.subject) == ("graph.dangling_edge", PATH, "b")
    assert "ghost" in v.message
    assert "\n" not in str(v)


def test_a_dangling_edge_the_original_had_is_not_the_change_s_fault() -> None:
    before = CHAIN.replace(
        "        output: verdict\n", "        output: verdict\n        next: [ghost]\n"
    )
    after = before.replace(
        "type: compute\n        output: question",
        "type: compute\n        timeout: 5\n        output: question",
    )
    assert found(before, after) == []


def test_an_edges_item_from_a_missing_node_is_dangling() -> None:
    before = """\
workflow:
  name: flow
  nodes:
    - {id: s, type: start}
    - {id: a, type: agent, goal: go}
    - {id: e, type: end}
  edges:
    - {from: s, to: a}
    - {from: a, to: e}
"""
    after = before + "    - {from: ghost, to: a}\n"
    assert rules(before, after) == ["graph.dangling_edge"]


LOOP = CHAIN.replace(
    "        inputs: {verdict: $ctx.verdict}\n",
    "        inputs: {verdict: $ctx.verdict}\n        next: [a]\n",
)


def test_a_new_loop_needs_an_iteration_limit() -> None:
    (v,) = found(CHAIN, LOOP)
    assert (v.rule, v.subject) == ("graph.unbounded_cycle", "a")
    assert "a, b, c" in v.message


def test_a_loop_bounded_by_execution_max_iterations_is_valid() -> None:
    bounded = LOOP.replace("  flow:\n", "  flow:\n    execution: {max_iterations: 5}\n")
    assert rules(CHAIN, bounded) == []


def test_a_loop_bounded_by_a_node_level_limit_is_valid() -> None:
    bounded = LOOP.replace("        next: [a]\n", "        next: [a]\n        max_iterations: 3\n")
    assert rules(CHAIN, bounded) == []
    # a limit on a node outside the loop does not bound it
    outside = LOOP.replace(
        "        output: question\n", "        output: question\n        max_iterations: 3\n"
    )
    assert rules(CHAIN, outside) == ["graph.unbounded_cycle"]


def test_removing_the_limit_of_an_existing_loop_is_reported_keeping_it_is_not() -> None:
    bounded = LOOP.replace("  flow:\n", "  flow:\n    execution: {max_iterations: 5}\n")
    assert rules(bounded, LOOP) == ["graph.unbounded_cycle"]
    retimed = LOOP.replace(
        "type: compute\n        output: question",
        "type: compute\n        timeout: 5\n        output: question",
    )
    assert rules(LOOP, retimed) == []  # the unbounded loop was there before


def test_a_key_a_remaining_node_read_must_still_be_written() -> None:
    # `a` writes `answer`, which `b` reads; `a`'s output is renamed away
    after = CHAIN.replace("        output: answer\n", "        output: reply\n")
    (v,) = found(CHAIN, after)
    assert (v.rule, v.subject) == ("graph.lost_output", "b")
    assert "`answer`" in v.message
    assert "by a)" in v.message


def test_a_key_nobody_read_may_go() -> None:
    after = CHAIN.replace(
        "        inputs: {verdict: $ctx.verdict}\n", "        inputs: {}\n"
    ).replace("        output: verdict\n", "")
    assert rules(CHAIN, after) == []


def test_the_writer_of_a_key_must_still_run_before_its_reader() -> None:
    # `b` (reads answer) now comes before `a` (writes answer)
    after = """\
workflows:
  flow:
    nodes:
      - id: start
        type: compute
        output: question
      - id: b
        type: agent
        goal: Check $ctx.answer.
        output: verdict
      - id: a
        type: agent
        goal: Answer {{question}}.
        output: answer
      - id: c
        type: compute
        inputs: {verdict: $ctx.verdict}
"""
    assert [(v.rule, v.subject) for v in found(CHAIN, after)] == [("graph.data_order", "b")]


def test_the_start_node_must_stay() -> None:
    before = "workflows:\n  flow:\n    nodes:\n      - {id: s, type: compute}\n"
    before += "      - {id: a, type: agent, goal: go}\n"
    after = "workflows:\n  flow:\n    nodes:\n      - {id: a, type: agent, goal: go}\n"
    (v,) = found(before, after)
    assert (v.rule, v.subject) == ("graph.missing_entry", "s")


def test_a_lost_key_is_reported_as_lost_even_when_the_start_goes_with_it() -> None:
    after = CHAIN.replace(
        "      - id: start\n        type: compute\n        output: question\n", ""
    )
    assert rules(CHAIN, after) == ["graph.lost_output", "graph.missing_entry"]
    # a reader that no longer names the key has lost nothing
    after = after.replace("Answer {{question}}.", "Answer.")
    assert rules(CHAIN, after) == ["graph.missing_entry"]


def test_a_reachable_node_must_stay_reachable() -> None:
    after = CHAIN.replace("        output: answer\n", "        output: answer\n        next: []\n")
    # nothing follows `a` any more: b and c cannot be reached, and b, which reads a's
    # `answer`, no longer runs after a
    assert [(v.rule, v.subject) for v in found(CHAIN, after)] == [
        ("graph.data_order", "b"),
        ("graph.unreachable_node", "b"),
        ("graph.unreachable_node", "c"),
    ]


def test_a_workflow_gone_from_the_file_is_reported() -> None:
    two = CHAIN + "  other:\n    nodes:\n      - {id: x, type: agent, goal: go}\n"
    assert rules(two, CHAIN) == ["graph.missing_workflow"]


def test_a_text_that_does_not_load_raises_an_input_error() -> None:
    from autotune_bot.errors import InputError

    with pytest.raises(InputError):
        check_patched_text(wf_file(CHAIN), "workflows: [unclosed\n")


def test_the_loop_fixture_is_a_cycle_of_the_graph() -> None:
    graph = WorkflowGraph.from_workflow(wf_file(LOOP).workflows[0])
    assert [(e.source, e.target) for e in graph.back_edges()] == [("c", "a")]


# --- protected files, nodes and roles --------------------------------------------------


def test_a_protected_file_must_not_change() -> None:
    after = CHAIN.replace(
        "type: compute\n        output: question",
        "type: compute\n        timeout: 5\n        output: question",
    )
    protect = Constraints(protected_files=("workflows/*.yaml",))
    (v,) = found(CHAIN, after, protect)
    assert (v.rule, v.subject) == ("constraints.protected_files", None)
    assert "workflows/*.yaml" in v.message
    assert found(CHAIN, after, Constraints(protected_files=("other/*.yaml",))) == []
    assert found(CHAIN, after, Constraints(protected_files=("**/flow.yaml",)))
    assert found(CHAIN, CHAIN, protect) == []  # unchanged: nothing to object to


def test_a_protected_node_must_not_be_changed() -> None:
    after = CHAIN.replace(
        "        output: answer\n", "        output: answer\n        timeout: 9\n"
    )
    (v,) = found(CHAIN, after, Constraints(protected_nodes=("a",)))
    assert (v.rule, v.subject) == ("constraints.protected_nodes", "a")
    assert "changed" in v.message
    assert found(CHAIN, after, Constraints(protected_nodes=("b",))) == []


def test_a_protected_node_must_not_be_removed() -> None:
    two = CHAIN + "      - {id: d, type: compute}\n"
    (v,) = found(two, CHAIN, Constraints(protected_nodes=("d",)))
    assert (v.rule, v.subject) == ("constraints.protected_nodes", "d")
    assert "removed" in v.message


def test_a_protected_node_must_not_be_rewired() -> None:
    # `c` keeps its mapping, but `b` now skips to the end: c's incoming edge is gone
    after = CHAIN.replace(
        "        output: verdict\n", "        output: verdict\n        next: []\n"
    )
    got = found(CHAIN, after, Constraints(protected_nodes=("c",)))
    assert [(v.rule, v.subject) for v in got if v.rule.startswith("constraints.")] == [
        ("constraints.protected_nodes", "c")
    ]
    assert "rewired" in got[-1].message


TEAM = """\
workflows:
  flow:
    nodes:
      - id: writer
        type: agent
        role: Technical Writer
        goal: Write.
        output: text
      - id: review
        type: team
        team_formation: parallel
        goal: Review {{text}}.
        members:
          - id: sec
            role: security reviewer
            goal: Find bugs.
          - id: docs
            role: technical writer
            goal: Check docs.
          - id: style
            role: stylist
            goal: Check style.
"""
WRITERS = Constraints(protected_roles=("  technical WRITER ",))


def _without_member(text: str, member: str) -> str:
    lines = text.splitlines(keepends=True)
    start = lines.index(f"          - id: {member}\n")
    return "".join(lines[:start] + lines[start + 3 :])


def test_a_member_with_a_protected_role_must_not_be_removed() -> None:
    (v,) = found(TEAM, _without_member(TEAM, "docs"), WRITERS)
    assert (v.rule, v.subject) == ("constraints.protected_roles", "review.docs")
    assert "removed" in v.message
    assert "technical writer" in v.message
    assert found(TEAM, _without_member(TEAM, "style"), WRITERS) == []


def test_a_member_with_a_protected_role_must_not_be_disabled() -> None:
    after = TEAM.replace(
        "            goal: Check docs.\n",
        "            goal: Check docs.\n            enabled: false\n",
    )
    (v,) = found(TEAM, after, WRITERS)
    assert (v.rule, v.subject) == ("constraints.protected_roles", "review.docs")
    assert "disabled" in v.message


def test_a_node_with_a_protected_role_must_not_be_removed_or_disabled() -> None:
    disabled = TEAM.replace(
        "        output: text\n", "        output: text\n        enabled: false\n"
    )
    (v,) = found(TEAM, disabled, WRITERS)
    assert (v.rule, v.subject) == ("constraints.protected_roles", "writer")
    lines = TEAM.splitlines(keepends=True)
    removed = "".join(lines[:3] + lines[8:]).replace("Review {{text}}.", "Review.")
    got = found(TEAM, removed, WRITERS)
    assert ("constraints.protected_roles", "writer") in [(v.rule, v.subject) for v in got]


def test_removing_a_team_node_removes_its_protected_members() -> None:
    lines = TEAM.splitlines(keepends=True)
    after = "".join(lines[:8])
    got = [(v.rule, v.subject) for v in found(TEAM, after, WRITERS)]
    assert got == [("constraints.protected_roles", "review.docs")]


def test_without_constraints_only_the_graph_is_checked() -> None:
    assert found(TEAM, _without_member(TEAM, "docs")) == []


# --- estimate limits -----------------------------------------------------------------------


def estimate(
    success: tuple[float, float] | None, cost: tuple[float, float] | None = None
) -> Estimate:
    def change(metric: Any, pair: tuple[float, float], relative: float) -> MetricChange:
        return MetricChange(metric, pair[0], pair[1], None, relative)

    return Estimate(
        basis="simulated from 40 recorded executions",
        n=40,
        success=None
        if success is None
        else change("success_rate", success, success[1] - success[0]),
        cost=None if cost is None else change("cost", cost, cost[1] / cost[0] - 1),
    )


@pytest.mark.parametrize(
    ("now", "then", "broken"),
    [
        (0.95, 0.88, True),  # drops below the floor
        (0.95, 0.90, False),  # exactly at the floor
        (0.95, 0.93, False),
        (0.70, 0.75, False),  # already below: better is allowed
        (0.70, 0.70, False),  # ... and so is equal
        (0.70, 0.65, True),  # ... worse is not
    ],
)
def test_min_success_rate(now: float, then: float, broken: bool) -> None:
    check = check_estimate(estimate((now, then)), Constraints(min_success_rate=0.9), PATH)
    assert [v.rule for v in check.violations] == (
        ["constraints.min_success_rate"] if broken else []
    )
    assert check.unchecked == ()


def test_max_cost_is_per_run_not_per_success() -> None:
    # 0.10 USD per successful run at 80 % success is 0.08 USD per run
    e = estimate((0.8, 0.8), (0.12, 0.10))
    over = check_estimate(e, Constraints(max_cost_usd=0.07), PATH)
    (v,) = over.violations
    assert v.rule == "constraints.max_cost_usd"
    assert "$0.0800" in v.message
    assert check_estimate(e, Constraints(max_cost_usd=0.09), PATH).ok  # 0.08 ≤ 0.09 < 0.10


def test_limits_without_a_value_are_unchecked_not_violated() -> None:
    both = Constraints(min_success_rate=0.9, max_cost_usd=1.0)
    check = check_estimate(estimate((0.95, 0.95), None), both, PATH)
    assert check.ok
    assert [line.split(" not checked")[0] for line in check.unchecked] == [
        "constraints.max_cost_usd"
    ]
    nothing = check_estimate(None, both, PATH)
    assert nothing.ok
    assert len(nothing.unchecked) == 2
    assert all("no estimate" in line for line in nothing.unchecked)
    # no limits: nothing checked, nothing unchecked
    assert check_estimate(None, Constraints(), PATH) == ConstraintCheck()
    assert check_estimate(estimate((0.9, 0.1)), Constraints(), PATH) == ConstraintCheck()


def test_a_violation_names_a_known_rule() -> None:
    with pytest.raises(ValueError, match="unknown constraint rule"):
        ConstraintViolation("constraints.nope", PATH, None, "x")


# --- suggestions and planning ---------------------------------------------------------------


def suggestion(
    changes: tuple[Any, ...] = (), e: Estimate | None = None, strategy: str = "member_selection"
) -> OptimizationSuggestion:
    return OptimizationSuggestion(
        type=OptimizationType.MEMBER_SELECTION,
        priority=OptimizationPriority.MEDIUM,
        description="drop a member",
        current_config={},
        suggested_config={},
        expected_improvement=10.0,
        confidence=0.7,
        risk_level=0.3,
        strategy=strategy,
        scope="team",
        target="review",
        changes=changes,
        estimate=e,
    )


def drop_member(member: str) -> OptimizationSuggestion:
    f = wf_file(TEAM)
    wf = f.workflows[0]
    node = wf.nodes["review"]
    now = team_config(node)
    then = dataclasses.replace(now, members=tuple(m for m in now.members if m != member))
    return suggestion(team_changes(wf, node, now, then))


def test_check_suggestion_applies_the_changes_to_the_text() -> None:
    f = wf_file(TEAM)
    check = check_suggestion(drop_member("docs"), f, WRITERS)
    assert [(v.rule, v.subject) for v in check.violations] == [
        ("constraints.protected_roles", "review.docs")
    ]
    assert check_suggestion(drop_member("style"), f, WRITERS).ok
    assert check_suggestion(drop_member("docs"), f, Constraints()).ok


def test_within_constraints_drops_with_the_rule_and_passes_reasons_through() -> None:
    f = wf_file(TEAM)
    dropped, notes = within_constraints(drop_member("docs"), f, WRITERS)
    assert isinstance(dropped, str)
    assert dropped.startswith("member_selection: not proposed: constraints.protected_roles: ")
    assert notes == ()
    kept = drop_member("style")
    assert within_constraints(kept, f, WRITERS) == (kept, ())
    assert within_constraints("x: some reason", f, WRITERS) == ("x: some reason", ())


def test_screen_suggestions_keeps_the_good_and_notes_the_rest() -> None:
    f = wf_file(TEAM)
    floor = Constraints(min_success_rate=0.9, protected_roles=WRITERS.protected_roles)
    good = dataclasses.replace(drop_member("style"), estimate=estimate((0.95, 0.94)))
    unknown = dataclasses.replace(drop_member("style"), strategy="custom")
    bad = drop_member("docs")
    kept, notes = screen_suggestions([good, unknown, bad], f, floor)
    assert kept == [good, unknown]
    assert notes[0].startswith("custom: constraints.min_success_rate not checked")
    assert any("not proposed: constraints.protected_roles" in n for n in notes)


def test_protected_target() -> None:
    c = Constraints(protected_files=("workflows/flow.yaml",), protected_nodes=("review",))
    assert "constraints.protected_files" in (protected_target(PATH, None, c) or "")
    assert "constraints.protected_nodes" in (protected_target("w/x.yaml", "review", c) or "")
    assert protected_target("w/x.yaml", "other", c) is None
    assert protected_target("w/x.yaml", None, c) is None


def _team_target(constraints: Constraints) -> TeamTarget:
    wf = wf_file(TEAM).workflows[0]
    node = wf.nodes["review"]
    settings = Settings(constraints=constraints)
    return TeamTarget("review", wf, node, None, None, settings, team_config(node))  # type: ignore[arg-type]


def test_the_member_dimension_keeps_only_sets_with_protected_members() -> None:
    everyone = ("sec", "docs", "style")
    choices = (("sec",), ("sec", "docs"), everyone, ("docs", "style"))
    dim = Dimension(MEMBERS, choices, 2)
    (kept,) = allowed_dimensions([dim], _team_target(WRITERS))
    assert kept.choices == (("sec", "docs"), everyone, ("docs", "style"))
    assert kept.choices[kept.current] == everyone
    lone = Dimension(MEMBERS, (("sec",), everyone), 1)
    assert allowed_dimensions([lone], _team_target(WRITERS)) == []
    assert allowed_dimensions([dim, lone], _team_target(Constraints())) == [dim, lone]


def _workflow_target(constraints: Constraints, text: str = CHAIN) -> WorkflowTarget:
    wf = wf_file(text).workflows[0]
    settings = Settings(constraints=constraints)
    graph = WorkflowGraph.from_workflow(wf)
    return WorkflowTarget(wf, graph, None, None, settings, workflow_config(wf))  # type: ignore[arg-type]


def test_workflow_dimensions_touching_a_protected_node_are_dropped() -> None:
    dims = [
        Dimension(prune_dim("a"), (False, True), 0),
        Dimension(prune_dim("c"), (False, True), 0),
        Dimension(cache_dim("a"), ((), ("t",)), 0),
        Dimension(parallel_dim(("a", "b")), (False, True), 0),
    ]
    names = [
        d.name
        for d in allowed_dimensions(dims, _workflow_target(Constraints(protected_nodes=("b",))))
    ]
    # pruning a rewires b; pruning c rewires b; grouping a and b moves b; caching a leaves b
    assert names == [cache_dim("a")]
    names = [
        d.name
        for d in allowed_dimensions(dims, _workflow_target(Constraints(protected_nodes=("start",))))
    ]
    # pruning a rewires start; grouping a,b gives start a new successor
    assert names == [prune_dim("c"), cache_dim("a")]


def test_pruning_a_node_with_a_protected_role_is_not_searched() -> None:
    dims = [
        Dimension(prune_dim("writer"), (False, True), 0),
        Dimension(cache_dim("writer"), ((), ("t",)), 0),
    ]
    kept = allowed_dimensions(dims, _workflow_target(WRITERS, TEAM))
    assert [d.name for d in kept] == [cache_dim("writer")]


def test_constraint_notes_pick_the_notes_naming_a_rule() -> None:
    target = TargetPlan(
        scope="team",
        target="review",
        file=PATH,
        location=None,
        suggestions=(),
        best=None,
        search=None,
        notes=(
            "formation: same change as sizing",
            "sizing: not proposed: constraints.protected_roles: x",
        ),
    )
    plan = TuningPlan(
        (target,),
        (
            "team t: not tuned: node 't' is protected (constraints.protected_nodes)",
            "workflow w: no runs",
        ),
    )
    assert constraint_notes(plan) == [
        "team t: not tuned: node 't' is protected (constraints.protected_nodes)",
        "team review: sizing: not proposed: constraints.protected_roles: x",
    ]
