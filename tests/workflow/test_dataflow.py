"""Tests for context-key data flow and team member dependencies."""

from __future__ import annotations

from pathlib import Path

from autotune_bot.workflow.dataflow import (
    context_reads,
    context_writes,
    data_dependencies,
    member_dependencies,
    members_independent,
    parallelizable_runs,
    unused_outputs,
)
from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.loader import parse_workflow_text
from autotune_bot.workflow.model import TeamSpec, WorkflowDef

DATA = Path(__file__).resolve().parent.parent / "data" / "workflows"


def only(name: str) -> WorkflowDef:
    (wf,) = parse_workflow_text((DATA / name).read_text(encoding="utf-8"), name).workflows
    return wf


def inline(text: str) -> tuple[WorkflowDef, WorkflowGraph]:
    (wf,) = parse_workflow_text(text, "inline.yaml").workflows
    return wf, WorkflowGraph.from_workflow(wf)


def with_graph(name: str) -> tuple[WorkflowDef, WorkflowGraph]:
    wf = only(name)
    return wf, WorkflowGraph.from_workflow(wf)


def team_of(name: str, node_id: str) -> TeamSpec:
    team = only(name).nodes[node_id].team
    assert team is not None
    return team


def test_reads_and_writes_per_node() -> None:
    wf = only("research_pipeline.yaml")
    assert context_writes(wf) == {
        "gather": {"sources"},
        "clean": {"clean_sources"},
        "analyze": {"analysis", "confidence"},
        "approve": frozenset(),
        "report": {"report"},
    }
    assert context_reads(wf) == {
        "gather": {"topic"},
        "clean": {"sources"},
        "analyze": {"clean_sources", "topic"},
        "approve": {"topic"},
        "report": {"analysis"},
    }


def test_condition_expression_names_written_keys_count_as_reads() -> None:
    wf = only("quality_loop.yaml")
    reads = context_reads(wf)
    assert reads["good_enough"] == {"quality_score"}
    # `final = draft`: the assigned name is not a read.
    assert reads["publish"] == {"draft"}


def test_data_dependencies_need_a_key_and_an_ancestor() -> None:
    wf, g = with_graph("parallel_review.yaml")
    deps = data_dependencies(wf, g)
    assert deps["summarize"] == {"lint", "triage", "style_check"}
    assert deps["triage"] == {"security_scan"}
    assert deps["lint"] == {"fetch_diff"}
    assert deps["fetch_diff"] == frozenset()
    assert set(deps) == set(wf.nodes)


def test_data_dependencies_ignore_loop_back_edges() -> None:
    wf, g = with_graph("quality_loop.yaml")
    deps = data_dependencies(wf, g)
    # `revise` writes `draft` too, but only reaches `critique` through the loop edge.
    assert deps["critique"] == {"draft"}
    assert deps["good_enough"] == {"critique"}
    assert deps["revise"] == {"draft"}


def test_reading_a_key_written_later_is_not_a_dependency() -> None:
    wf, g = inline(
        "nodes:\n"
        "  - id: early\n    goal: 'Use {{ late_key }}'\n"
        "  - id: late\n    goal: 'Produce'\n    output: late_key\n"
    )
    assert data_dependencies(wf, g) == {"early": frozenset(), "late": frozenset()}


def test_parallelizable_run_is_found_where_planted() -> None:
    wf, g = with_graph("parallelizable_chain.yaml")
    # news, financials and competitors all read only `company`; the hitl gate ends the
    # run, and outlook → risks → score → final are linked by reads.
    assert parallelizable_runs(wf, g) == [("news", "financials", "competitors")]


def test_no_run_where_a_read_links_the_nodes() -> None:
    wf, g = with_graph("research_pipeline.yaml")
    assert parallelizable_runs(wf, g) == []
    wf, g = with_graph("parallel_review.yaml")  # security_scan → triage reads its report
    assert parallelizable_runs(wf, g) == []
    wf, g = with_graph("quality_loop.yaml")  # condition and loop target break chains
    assert parallelizable_runs(wf, g) == []


def test_a_read_inside_a_chain_gives_overlapping_maximal_runs() -> None:
    wf, g = inline(
        "nodes:\n"
        "  - {id: a, output: x}\n"
        "  - {id: b, output: y}\n"
        "  - {id: c, goal: 'uses {{ x }}', output: z}\n"
        "  - {id: d, output: w}\n"
    )
    assert parallelizable_runs(wf, g) == [("a", "b"), ("b", "c", "d")]


def test_two_nodes_writing_the_same_key_are_not_a_run() -> None:
    wf, g = inline("nodes:\n  - {id: a, output: out}\n  - {id: b, output: out}\n")
    assert parallelizable_runs(wf, g) == []


def test_runs_need_single_successor_and_single_predecessor_links() -> None:
    wf, g = inline(
        "nodes:\n"
        "  - {id: a, next: [b, c]}\n"
        "  - {id: b, next: [d]}\n"
        "  - {id: c, next: [d]}\n"
        "  - {id: d}\n"
        "  - {id: e}\n"
    )
    # a forks, d joins: only d → e is a plain link.
    assert parallelizable_runs(wf, g) == [("d", "e")]


def test_opaque_and_hitl_nodes_never_join_a_run() -> None:
    wf, g = inline(
        "nodes:\n"
        "  - {id: a}\n"
        "  - {id: b, type: start}\n"
        "  - {id: c}\n"
        "  - {id: d, type: hitl}\n"
        "  - {id: e, type: compute}\n"
        "  - {id: f, type: transform}\n"
    )
    assert parallelizable_runs(wf, g) == [("e", "f")]


def test_unused_outputs() -> None:
    wf, g = with_graph("research_pipeline.yaml")
    # `report` writes `report` but is the last node: its output is the result.
    assert unused_outputs(wf, g) == [("analyze", "confidence")]
    wf, g = with_graph("parallelizable_chain.yaml")
    assert unused_outputs(wf, g) == [("score", "debug_trace")]


def test_keys_read_only_by_a_condition_are_used() -> None:
    wf, g = with_graph("quality_loop.yaml")
    assert unused_outputs(wf, g) == []


def test_outputs_flowing_only_into_end_markers_are_results() -> None:
    wf, g = with_graph("workflow_dialect.yaml")
    assert unused_outputs(wf, g) == []


def test_member_dependencies_from_input_from() -> None:
    team = team_of("team_pipeline.yaml", "content_team")
    assert member_dependencies(team) == {
        "researcher": frozenset(),
        "drafter": {"researcher"},
        "polisher": {"drafter"},
    }
    assert not members_independent(team)


def test_member_dependencies_from_goal_text_resolve_roles() -> None:
    team = team_of("team_goal_refs.yaml", "design_team")
    assert member_dependencies(team) == {
        "architect": frozenset(),
        "implementer": {"architect"},
        "code_reviewer": {"architect", "implementer"},  # "the developer" is implementer's role
        "tester": {"code_reviewer"},
    }
    assert not members_independent(team)


def test_independent_members() -> None:
    assert members_independent(team_of("team_goal_refs.yaml", "independent_team"))
    assert members_independent(team_of("team_nested.yaml", "review_board"))
    # reports_to alone is not a data dependency
    assert members_independent(team_of("team_hierarchical.yaml", "build_feature"))


def test_a_shared_role_stands_for_every_member_holding_it() -> None:
    wf, _ = inline(
        "nodes:\n"
        "  - id: crew\n"
        "    type: team\n"
        "    members:\n"
        "      - {id: sec, role: reviewer, goal: 'Find bugs'}\n"
        "      - {id: perf, role: reviewer, goal: 'Find slow code'}\n"
        "      - {id: boss, role: lead, goal: 'Merge what each reviewer found'}\n"
        "      - {id: scribe, role: writer, goal: 'Write', input_from: [LEAD]}\n"
    )
    team = wf.nodes["crew"].team
    assert team is not None
    deps = member_dependencies(team)
    assert deps["boss"] == {"sec", "perf"}
    assert deps["scribe"] == {"boss"}  # roles match case-insensitively
    assert deps["sec"] == frozenset()
