"""Tests for the workflow loader: dialects, edges, located fields, teams, reads, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autotune_bot.errors import InputError, WorkflowError, YamlSyntaxError
from autotune_bot.workflow.loader import (
    load_workflow_files,
    parse_workflow_text,
    read_workflow_file,
)
from autotune_bot.workflow.model import Field, WorkflowDef, WorkflowFile

DATA = Path(__file__).resolve().parent.parent / "data" / "workflows"
GOOD_FILES = sorted(p.name for p in DATA.glob("*.y*ml"))
BAD_FILES = sorted(p.name for p in (DATA / "invalid").glob("*.yaml"))


def load(name: str) -> WorkflowFile:
    return parse_workflow_text((DATA / name).read_text(encoding="utf-8"), f"wf/{name}")


def only(name: str) -> WorkflowDef:
    (wf,) = load(name).workflows
    return wf


def edge_set(wf: WorkflowDef) -> set[tuple[str, str, str]]:
    return {(e.source, e.target, e.kind) for e in wf.edges}


def test_corpus_is_varied() -> None:
    assert len(GOOD_FILES) >= 15
    assert len(BAD_FILES) >= 5


@pytest.mark.parametrize(
    ("name", "dialect", "shape"),
    [
        ("research_pipeline.yaml", "workflows", {"research": 5}),
        ("parallel_review.yaml", "workflows", {"code_review": 7}),
        ("quality_loop.yaml", "workflows", {"draft_loop": 5}),
        ("multi_workflows.yaml", "workflows", {"triage": 2, "nightly": 3, "empty_next": 1}),
        ("single_definition.yaml", "single", {"summarizer": 2}),
        ("single_unnamed.yml", "single", {"single_unnamed": 2}),
        ("workflow_dialect.yaml", "workflow", {"ticket_router": 6}),
        ("workflow_dialect_no_edges.yaml", "workflow", {"straight_line": 3}),
        ("workflow_dialect_bad_edges.yaml", "workflow", {"workflow_dialect_bad_edges": 2}),
        ("templates.yaml", "workflows", {"templated": 3}),
        ("anchors_and_tags.yaml", "workflows", {"anchored": 2}),
        ("unknown_types.yaml", "workflows", {"pipeline_check": 3}),
        ("team_nested.yaml", "workflows", {"nested_team": 2}),
        ("team_hierarchical.yaml", "workflows", {"feature_team": 1}),
        ("team_pipeline.yaml", "workflows", {"content_pipeline": 2}),
        ("team_goal_refs.yaml", "workflows", {"design_build": 2}),
        ("parallelizable_chain.yaml", "workflows", {"market_report": 9}),
        ("parallel_implicit.yaml", "workflows", {"fan_in": 6}),
        ("cache_and_compute.yaml", "workflows", {"cached": 5}),
    ],
)
def test_dialect_names_and_node_counts(name: str, dialect: str, shape: dict[str, int]) -> None:
    loaded = load(name)
    assert {wf.name: len(wf.nodes) for wf in loaded.workflows} == shape
    assert {wf.dialect for wf in loaded.workflows} == {dialect}
    assert all(wf.path == f"wf/{name}" for wf in loaded.workflows)


def test_every_good_file_is_listed_in_the_table() -> None:
    # Guards the parametrized table above against silently skipping new corpus files.
    assert len(GOOD_FILES) == 19


def test_node_types_default_to_agent_and_keep_file_order() -> None:
    wf = only("research_pipeline.yaml")
    assert [(n.id, n.type, n.index) for n in wf.nodes.values()] == [
        ("gather", "agent", 0),
        ("clean", "compute", 1),
        ("analyze", "agent", 2),
        ("approve", "hitl", 3),
        ("report", "agent", 4),
    ]
    assert wf.entry == "gather"
    assert wf.root_path == ("workflows", "research")
    assert wf.line == 3


def test_implicit_chaining() -> None:
    wf = only("research_pipeline.yaml")
    assert [(e.source, e.target, e.kind) for e in wf.edges] == [
        ("gather", "clean", "implicit"),
        ("clean", "analyze", "implicit"),
        ("analyze", "approve", "implicit"),
        ("approve", "report", "implicit"),
    ]


def test_parallel_branches_join_the_parallel_nodes_successor() -> None:
    wf = only("parallel_review.yaml")
    assert edge_set(wf) == {
        ("fetch_diff", "fan_out", "next"),
        ("fan_out", "lint", "parallel"),
        ("fan_out", "security_scan", "parallel"),
        ("fan_out", "style_check", "parallel"),
        ("lint", "summarize", "join"),
        ("security_scan", "triage", "next"),
        ("triage", "summarize", "next"),
        ("style_check", "summarize", "join"),
    }
    assert wf.nodes["fan_out"].parallel_nodes == ("lint", "security_scan", "style_check")
    assert wf.nodes["fan_out"].next == ("summarize",)


def test_parallel_without_next_joins_the_first_node_after_its_branches() -> None:
    wf = only("parallel_implicit.yaml")
    assert edge_set(wf) == {
        ("split_work", "split", "implicit"),
        ("split", "left", "parallel"),
        ("split", "right", "parallel"),
        ("left", "merge", "join"),
        ("right", "merge", "join"),
        ("merge", "done", "next"),  # `next: done` written as a single string
    }
    assert wf.nodes["split"].fields["join_strategy"].value == "first"


def test_condition_branches_with_boolean_keys() -> None:
    wf = only("quality_loop.yaml")
    cond = wf.nodes["good_enough"]
    assert cond.branches == {"true": "publish", "false": "revise"}
    branch_edges = [(e.target, e.label) for e in wf.edges if e.kind == "branch"]
    assert branch_edges == [("publish", "true"), ("revise", "false")]
    # A condition node has no implicit successor, and nor does the last node.
    assert not [
        e for e in wf.edges if e.source in ("good_enough", "publish") and e.kind != "branch"
    ]
    assert ("revise", "critique", "next") in edge_set(wf)


def test_workflow_dialect_uses_edges_and_start_node() -> None:
    loaded = load("workflow_dialect.yaml")
    (wf,) = loaded.workflows
    assert wf.entry == "begin"
    assert wf.root_path == ("workflow",)
    assert wf.line == 3
    assert edge_set(wf) == {
        ("begin", "classify", "edge"),
        ("classify", "route", "edge"),
        ("route", "billing_agent", "branch"),
        ("route", "tech_agent", "branch"),
        ("billing_agent", "finish", "edge"),
        ("tech_agent", "finish", "edge"),
    }
    assert wf.nodes["classify"].next == ("route",)
    assert not wf.nodes["begin"].known_type
    assert wf.nodes["finish"].type == "end"
    assert wf.nodes["classify"].reads == ()  # ${QUEUE_NAME} is an environment variable
    # start/end markers are opaque but expected: no "unknown node type" warning for them
    assert not [w for w in wf.warnings if "unknown node type" in w]


def test_workflow_dialect_without_edges_chains_implicitly() -> None:
    wf = only("workflow_dialect_no_edges.yaml")
    assert wf.entry == "start"
    assert edge_set(wf) == {("start", "work", "implicit"), ("work", "stop", "implicit")}


def test_bad_edges_become_warnings() -> None:
    wf = only("workflow_dialect_bad_edges.yaml")
    assert edge_set(wf) == {("a", "b", "edge")}
    prefix = "wf/workflow_dialect_bad_edges.yaml"
    assert wf.warnings == (
        f"{prefix}:7: node 'b': `edges` names missing node 'ghost'; ignored",
        f"{prefix}:8: edge from missing node 'phantom'; ignored",
        f"{prefix}:9: edge without both `from` and `to`; ignored",
    )


def test_unknown_types_are_opaque_nodes_with_warnings() -> None:
    wf = only("unknown_types.yaml")
    assert [(n.id, n.type, n.known_type) for n in wf.nodes.values()] == [
        ("validate", "validate_pipeline", False),
        ("run_tool", "tool_execution", False),
        ("report", "team", True),
    ]
    assert set(wf.nodes["validate"].fields) == {"cache"}
    assert edge_set(wf) == {("validate", "run_tool", "implicit"), ("run_tool", "report", "next")}
    prefix = "wf/unknown_types.yaml"
    assert wf.warnings == (
        f"{prefix}:4: node 'validate': unknown node type 'validate_pipeline'; kept as opaque",
        f"{prefix}:7: node 'run_tool': unknown node type 'tool_execution'; kept as opaque",
        f"{prefix}:10: node 'run_tool': `next` names missing node 'missing_node'; ignored",
        f"{prefix}:13: team 'report': unknown formation 'swarm'",
    )


def test_agent_fields_present_with_exact_lines() -> None:
    gather = only("research_pipeline.yaml").nodes["gather"]
    base = ("workflows", "research", "nodes", 0)
    expected = {
        "tool_budget": Field("tool_budget", 25, (*base, "tool_budget"), 15, True),
        "model_hint": Field(
            "model_hint", "claude-sonnet", (*base, "llm_config", "model_hint"), 18, True
        ),
        "temperature": Field("temperature", 0.2, (*base, "llm_config", "temperature"), 19, True),
        "max_tokens": Field("max_tokens", 4096, (*base, "llm_config", "max_tokens"), 20, True),
        "timeout": Field("timeout", 120, (*base, "timeout_seconds"), 21, True),
        "profile": Field("profile", "fast", (*base, "profile"), 22, True),
        "cache": Field("cache", None, (*base, "cache"), 11, False),
    }
    assert gather.fields == expected
    assert gather.tools == ("web_search", "fetch_url")
    assert gather.outputs == ("sources",)
    assert type(gather.fields["model_hint"].value) is str


def test_absent_fields_carry_default_path_and_node_line() -> None:
    wf = only("research_pipeline.yaml")
    analyze = wf.nodes["analyze"]
    base = ("workflows", "research", "nodes", 2)
    assert analyze.line == 34
    assert analyze.fields["tool_budget"] == Field(
        "tool_budget", 15, (*base, "tool_budget"), 34, False
    )
    assert analyze.fields["model_hint"] == Field(
        "model_hint", None, (*base, "llm_config", "model_hint"), 34, False
    )
    assert analyze.fields["timeout"] == Field("timeout", None, (*base, "timeout"), 34, False)
    approve = wf.nodes["approve"]
    assert approve.fields["timeout"] == Field(
        "timeout", 300, ("workflows", "research", "nodes", 3, "timeout"), 42, False
    )
    clean = wf.nodes["clean"]
    assert (clean.fields["timeout"].value, clean.fields["timeout"].line) == (30, 32)
    assert clean.fields["timeout"].present
    assert wf.nodes["report"].fields["timeout"].line == 52


def test_compute_hitl_parallel_and_cache_fields() -> None:
    wf = only("cache_and_compute.yaml")
    search = wf.nodes["search"]
    assert search.fields["cache"].value == {
        "enabled": True,
        "tools": ["web_search"],
        "ttl_seconds": 3600,
    }
    assert type(search.fields["cache"].value) is dict
    assert search.fields["cache"].line == 10
    crunch = wf.nodes["crunch"].fields
    assert (crunch["parallel"].value, crunch["parallel"].line) == (True, 20)
    assert (crunch["fail_fast"].value, crunch["fail_fast"].line) == (False, 21)
    assert (crunch["timeout"].value, crunch["timeout"].present) == (60, False)
    assert wf.nodes["check"].fields["timeout"].value == 60
    fan = wf.nodes["fan"]
    assert (fan.fields["join_strategy"].value, fan.fields["join_strategy"].present) == (
        "all",
        False,
    )
    # A parallel node without branches chains like any other node.
    assert ("fan", "tail", "implicit") in edge_set(wf)


def test_execution_fields() -> None:
    wf = only("research_pipeline.yaml")
    ex = wf.execution
    assert (ex["max_timeout_seconds"].value, ex["max_timeout_seconds"].line) == (900, 8)
    assert (ex["max_retries"].value, ex["max_retries"].line) == (2, 9)
    assert ex["max_iterations"] == Field(
        "max_iterations", None, ("workflows", "research", "execution", "max_iterations"), 7, False
    )
    nightly = load("multi_workflows.yaml").workflows[1]
    assert nightly.execution["default_node_timeout"].value == 120


def _walk(document: Any, path: tuple[str | int, ...]) -> Any:
    node = document
    for key in path:
        node = node[key]
    return node


def _all_fields(wf: WorkflowDef) -> list[Field]:
    fields = [*wf.execution.values()]
    for node in wf.nodes.values():
        fields.extend(node.fields.values())
        if node.team is not None:
            team = node.team
            fields.extend([team.formation, team.total_tool_budget, team.max_iterations])
            fields.extend(f for f in (team.timeout_seconds, team.merge_strategy) if f)
            for member in team.members:
                fields.append(member.tool_budget)
                fields.extend(
                    f for f in (member.model_hint, member.tool_budget_multiplier) if f is not None
                )
    return fields


@pytest.mark.parametrize("name", GOOD_FILES)
def test_present_field_paths_lead_to_their_values(name: str) -> None:
    loaded = load(name)
    lines = loaded.text.splitlines()
    for wf in loaded.workflows:
        for field in _all_fields(wf):
            if field.present:
                assert _walk(loaded.document, field.path) == field.value, field
                line = lines[field.line - 1]
                assert str(field.path[-1]) in line or "<<" in line
            else:
                with pytest.raises(KeyError):
                    _walk(loaded.document, field.path)


def test_nested_team_block() -> None:
    node = only("team_nested.yaml").nodes["review_board"]
    team = node.team
    assert team is not None
    base = ("workflows", "nested_team", "nodes", 1)
    assert team.nested
    assert team.formation == Field("formation", "parallel", (*base, "team", "formation"), 13, True)
    assert team.total_tool_budget.value == 40
    assert team.total_tool_budget.path == (*base, "team", "total_tool_budget")
    # Written on the node next to the block: found there.
    assert team.timeout_seconds == Field(
        "timeout_seconds", 600, (*base, "timeout_seconds"), 11, True
    )
    assert team.max_iterations == Field(
        "max_iterations", 50, (*base, "team", "max_iterations"), 12, False
    )
    assert team.merge_strategy is not None
    assert team.merge_strategy.value == "list"
    assert team.members_path == (*base, "team", "members")
    assert [(m.id, m.role, m.line, m.tool_budget.value) for m in team.members] == [
        ("legal", "lawyer", 17, 10),
        ("finance", "accountant", 21, 15),
    ]
    assert team.members[0].tool_budget.line == 20
    assert team.members[1].tool_budget.path == (*base, "team", "members", 1, "tool_budget")
    assert node.reads == ("brief",)  # from the node goal and a member goal
    assert node.outputs == ("review",)


def test_hierarchical_team_members() -> None:
    team = only("team_hierarchical.yaml").nodes["build_feature"].team
    assert team is not None
    assert not team.nested
    assert (team.formation.value, team.formation.line) == ("hierarchical", 6)
    assert team.total_tool_budget.value == 80
    assert team.max_iterations.value == 30
    assert team.timeout_seconds is not None
    assert team.timeout_seconds.value == 900
    assert team.merge_strategy is not None
    assert team.merge_strategy.line == 10
    lead, backend, frontend = team.members
    assert lead.is_manager
    assert not backend.is_manager
    assert lead.model_hint is not None
    assert (lead.model_hint.value, lead.model_hint.line) == ("large-model", 18)
    assert backend.model_hint is None
    assert backend.reports_to == frontend.reports_to == "lead"
    assert backend.tools == ("read", "write", "run_tests")  # from allowed_tools
    assert (backend.tool_budget.value, backend.tool_budget.line) == (30, 23)
    assert frontend.tool_budget_multiplier is not None
    assert frontend.tool_budget_multiplier.value == 0.5
    assert backend.tool_budget_multiplier is None
    assert frontend.path == ("workflows", "feature_team", "nodes", 0, "members", 2)


def test_pipeline_team_formation_key_and_input_from() -> None:
    team = only("team_pipeline.yaml").nodes["content_team"].team
    assert team is not None
    assert team.formation.path[-1] == "formation"
    assert team.formation.value == "pipeline"
    assert [(m.id, m.input_from) for m in team.members] == [
        ("researcher", ()),
        ("drafter", ("researcher",)),
        ("polisher", ("drafter",)),  # written as a single string
    ]
    assert team.total_tool_budget == Field(
        "total_tool_budget",
        100,
        ("workflows", "content_pipeline", "nodes", 0, "total_tool_budget"),
        4,
        False,
    )
    assert team.timeout_seconds is None
    assert team.merge_strategy is None


def test_goal_refs_name_other_members_by_id_or_role() -> None:
    wf = only("team_goal_refs.yaml")
    team = wf.nodes["design_team"].team
    assert team is not None
    assert [(m.id, m.goal_refs) for m in team.members] == [
        ("architect", ()),
        ("implementer", ("architect",)),  # "the Architect's plan"
        ("code_reviewer", ("architect", "developer")),
        ("tester", ("code_reviewer",)),  # "the code reviewer"; id taken from the role
    ]
    other = wf.nodes["independent_team"].team
    assert other is not None
    assert all(m.goal_refs == () for m in other.members)


def test_formation_defaults_to_sequential() -> None:
    text = "nodes:\n  - id: crew\n    type: team\n    members:\n      - role: solo\n"
    team = parse_workflow_text(text, "t.yaml").workflows[0].nodes["crew"].team
    assert team is not None
    assert team.formation == Field(
        "formation", "sequential", ("nodes", 0, "team_formation"), 2, False
    )
    assert team.members[0].id == "solo"


def test_template_reads_skip_environment_variables_and_loop_variables() -> None:
    wf = only("templates.yaml")
    assert wf.nodes["write"].reads == ("destination", "itinerary", "budget", "stops")
    assert wf.nodes["translate"].reads == ("guide", "language")
    assert wf.nodes["plan"].outputs == ("itinerary", "budget")
    prompt = wf.nodes["write"].raw["prompt"]
    assert "{{ ctx.destination }}" in prompt
    assert "${API_KEY}" in prompt


def test_reads_from_inputs_and_input_mapping() -> None:
    wf = only("research_pipeline.yaml")
    assert wf.nodes["gather"].reads == ("topic",)
    assert wf.nodes["clean"].reads == ("sources",)
    assert wf.nodes["analyze"].reads == ("clean_sources", "topic")
    assert wf.nodes["approve"].reads == ("topic",)
    assert wf.nodes["analyze"].outputs == ("analysis", "confidence")


def test_anchors_merge_keys_and_custom_tags_load() -> None:
    wf = only("anchors_and_tags.yaml")
    first, second = wf.nodes["first"], wf.nodes["second"]
    assert first.fields["tool_budget"].value == 20  # from the merged anchor
    assert first.fields["model_hint"].value == "small-model"
    assert (second.fields["tool_budget"].value, second.fields["tool_budget"].line) == (8, 17)
    assert second.fields["model_hint"].value == "small-model"  # via alias
    assert first.reads == ()  # the `!include` goal is opaque
    assert second.reads == ("first_result",)
    assert second.tools == ("search",)
    assert wf.line == 8


def test_single_definition_name_from_field_or_stem() -> None:
    assert only("single_definition.yaml").name == "summarizer"
    assert only("single_definition.yaml").root_path == ()
    assert only("single_unnamed.yml").name == "single_unnamed"


def test_several_workflows_in_one_file() -> None:
    loaded = load("multi_workflows.yaml")
    assert [wf.name for wf in loaded.workflows] == ["triage", "nightly", "empty_next"]
    assert [wf.line for wf in loaded.workflows] == [2, 12, 29]
    assert [wf.entry for wf in loaded.workflows] == ["read_issue", "collect", "only"]
    assert loaded.workflows[2].edges == ()
    assert loaded.workflows[2].warnings == ()


def test_empty_next_list_means_nothing_follows() -> None:
    text = "nodes:\n  - id: a\n    next: []\n  - id: b\n"
    wf = parse_workflow_text(text, "t.yaml").workflows[0]
    assert wf.edges == ()


@pytest.mark.parametrize(
    ("name", "error", "line", "field", "words"),
    [
        ("not_yaml.yaml", YamlSyntaxError, 7, None, "invalid YAML"),
        ("no_nodes.yaml", WorkflowError, 2, "nodes", "no `nodes`"),
        ("node_without_id.yaml", WorkflowError, 6, "nodes[1].id", "has no `id`"),
        ("duplicate_ids.yaml", WorkflowError, 8, "id", "duplicate node id 'step'"),
        ("nodes_not_list.yaml", WorkflowError, 3, "nodes", "must be a list"),
        ("member_without_id.yaml", WorkflowError, 9, "members[1].id", "neither `id` nor `role`"),
        ("not_a_workflow.yaml", WorkflowError, 2, None, "not a workflow"),
    ],
)
def test_invalid_files_raise_located_errors(
    name: str, error: type[InputError], line: int, field: str | None, words: str
) -> None:
    display = f"wf/invalid/{name}"
    with pytest.raises(error) as info:
        parse_workflow_text((DATA / "invalid" / name).read_text(encoding="utf-8"), display)
    err = info.value
    assert (err.path, err.line, err.field) == (display, line, field)
    message = str(err)
    assert message.startswith(f"{display}:{line}: ")
    assert words in message
    assert "\n" not in message


def test_duplicate_id_message_names_first_definition() -> None:
    with pytest.raises(WorkflowError, match=r"first defined at line 4"):
        load("invalid/duplicate_ids.yaml")


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just a string\n", "workflows: []\n"])
def test_documents_that_are_not_workflows(text: str) -> None:
    with pytest.raises(WorkflowError, match=r"^x\.yaml:\d+: "):
        parse_workflow_text(text, "x.yaml")


def test_bad_file_among_good_files_does_not_stop_the_others() -> None:
    names = ["research_pipeline.yaml", "invalid/not_yaml.yaml", "quality_loop.yaml"]
    names += ["invalid/duplicate_ids.yaml", "team_nested.yaml"]
    pairs = [(n, (DATA / n).read_text(encoding="utf-8")) for n in names]
    loaded, errors = load_workflow_files(pairs)
    assert [f.path for f in loaded] == [
        "research_pipeline.yaml",
        "quality_loop.yaml",
        "team_nested.yaml",
    ]
    assert [(type(e), e.path) for e in errors] == [
        (YamlSyntaxError, "invalid/not_yaml.yaml"),
        (WorkflowError, "invalid/duplicate_ids.yaml"),
    ]


def test_read_workflow_file_reads_utf8(tmp_path: Path) -> None:
    target = tmp_path / "w.yaml"
    target.write_text('nodes:\n  - id: café\n    goal: "Grüße"\n', encoding="utf-8")
    loaded = read_workflow_file(target, "repo/w.yaml")
    assert loaded.path == "repo/w.yaml"
    assert list(loaded.workflows[0].nodes) == ["café"]


def test_read_workflow_file_reports_decode_errors(tmp_path: Path) -> None:
    target = tmp_path / "latin1.yaml"
    target.write_bytes("nodes:\n  - id: a\n    goal: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"^repo/latin1\.yaml:3: not UTF-8") as info:
        read_workflow_file(target, "repo/latin1.yaml")
    assert info.value.line == 3


def test_read_workflow_file_reports_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^repo/none\.yaml: cannot read"):
        read_workflow_file(tmp_path / "none.yaml", "repo/none.yaml")


_CORPUS = {name: (DATA / name).read_text(encoding="utf-8") for name in GOOD_FILES}


@pytest.mark.filterwarnings("ignore::ruamel.yaml.error.ReusedAnchorWarning")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(GOOD_FILES),
    cuts=st.lists(st.integers(min_value=0, max_value=60), max_size=4),
    dup=st.integers(min_value=0, max_value=60),
)
def test_damaged_files_fail_cleanly(name: str, cuts: list[int], dup: int) -> None:
    lines = _CORPUS[name].splitlines(keepends=True)
    if lines:
        lines.insert(dup % len(lines), lines[dup % len(lines)])
    for cut in cuts:
        if lines:
            del lines[cut % len(lines)]
    text = "".join(lines)
    try:
        loaded = parse_workflow_text(text, name)
    except InputError as err:
        error: InputError | None = err
    else:
        error = None
        assert all(wf.nodes for wf in loaded.workflows)
    if error is not None:
        assert str(error).startswith(f"{name}:")
