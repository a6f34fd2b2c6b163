"""Golden edit cases: an input file under tests/data/patch/, a batch of edits, and the
expected unified diff in tests/data/patch/expected/<name>.diff."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autotune_bot.patch.apply import apply_edits
from autotune_bot.patch.diff import unified_diff
from autotune_bot.patch.edits import Edit, InsertItem, RemoveItem, RemoveKey, SetValue

DATA = Path(__file__).resolve().parent.parent / "data" / "patch"
EXPECTED = DATA / "expected"

TEAM = ("workflows", "code_review", "nodes")
ROUTER = ("workflow",)
CRLF = ("workflows", "crlf_flow", "nodes")
INLINE = ("workflow",)

PARALLEL_NODE = {
    "id": "fetch_parallel",
    "type": "parallel",
    "parallel_nodes": ["a", "b"],
    "join_strategy": "all",
    "next": ["c"],
}


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    edits: tuple[Edit, ...]


CASES = (
    Case(
        "scalar_member_budget",
        "team_workflows.yaml",
        (SetValue((*TEAM, 3, "members", 1, "tool_budget"), 3),),
    ),
    Case(
        "insert_team_timeout",
        "team_workflows.yaml",
        (SetValue((*TEAM, 3, "timeout_seconds"), 300),),
    ),
    Case(
        "insert_member_multiplier",
        "team_workflows.yaml",
        (SetValue((*TEAM, 3, "members", 0, "tool_budget_multiplier"), 0.8),),
    ),
    Case(
        "insert_cache_mapping",
        "team_workflows.yaml",
        (
            SetValue(
                (*TEAM, 0, "cache"),
                {"enabled": True, "tools": ["web_search"], "ttl_seconds": 3600},
            ),
        ),
    ),
    Case(
        "insert_llm_config_last_node",
        "team_workflows.yaml",
        (SetValue((*TEAM, 4, "llm_config"), {"model_hint": "gpt-4o-mini"}),),
    ),
    Case(
        "set_key_in_flow_llm_config",
        "team_workflows.yaml",
        (
            SetValue((*TEAM, 2, "llm_config", "model_hint"), "gpt-4o-mini"),
            SetValue((*TEAM, 2, "llm_config", "max_tokens"), 1024),
        ),
    ),
    Case(
        "remove_member_with_comment", "team_workflows.yaml", (RemoveItem((*TEAM, 3, "members", 1)),)
    ),
    Case("remove_node_with_comment", "team_workflows.yaml", (RemoveItem((*TEAM, 3)),)),
    Case("insert_parallel_node", "team_workflows.yaml", (InsertItem(TEAM, 1, PARALLEL_NODE),)),
    Case(
        "change_next_lists",
        "team_workflows.yaml",
        (
            SetValue((*TEAM, 0, "next"), ["triage", "summarize"]),
            SetValue((*TEAM, 2, "next"), ["review_team"]),
            SetValue((*TEAM, 3, "next"), []),
        ),
    ),
    Case(
        "branches_true_false",
        "team_workflows.yaml",
        (
            SetValue((*TEAM, 1, "branches", "true"), "review_team"),
            SetValue((*TEAM, 1, "branches", "false"), "quick_review"),
        ),
    ),
    Case(
        "quote_styles_kept",
        "team_workflows.yaml",
        (
            SetValue(("workflows", "code_review", "metadata", "owner"), "infra"),
            SetValue(("workflows", "code_review", "metadata", "version"), "1.5"),
            SetValue((*TEAM, 3, "members", 0, "role"), "yes"),
            SetValue((*TEAM, 3, "members", 0, "goal"), "Find injection bugs: SQL and shell"),
            SetValue((*TEAM, 3, "team_formation"), "sequential"),
        ),
    ),
    Case(
        "batch_same_list",
        "team_workflows.yaml",
        (
            RemoveItem((*TEAM, 1)),
            InsertItem(TEAM, 1, {"id": "gate", "type": "hitl", "prompt": "Proceed?"}),
            InsertItem(TEAM, 5, {"id": "publish", "goal": "Post the summary", "next": []}),
            SetValue((*TEAM, 4, "output"), "report"),
            RemoveKey((*TEAM, 2, "llm_config")),
            RemoveItem((*TEAM, 3, "members", 2)),
            SetValue((*TEAM, 3, "members", 1, "tool_budget"), 4),
        ),
    ),
    Case(
        "router_edges",
        "workflow_dialect.yaml",
        (
            RemoveItem((*ROUTER, "edges", 1)),
            InsertItem((*ROUTER, "edges"), 1, {"from": "classify", "to": "answer"}),
            InsertItem((*ROUTER, "edges"), 3, {"from": "answer", "to": "classify"}),
        ),
    ),
    Case(
        "router_node_fields",
        "workflow_dialect.yaml",
        (
            SetValue((*ROUTER, "nodes", 2, "tool_budget"), 4),
            SetValue((*ROUTER, "nodes", 2, "timeout_seconds"), 300),
            SetValue((*ROUTER, "nodes", 2, "goal"), "Answer the question # briefly"),
            RemoveKey((*ROUTER, "variables")),
        ),
    ),
    Case(
        "inline_edges_bom_no_newline",
        "inline_edges_bom.yaml",
        (
            RemoveItem((*INLINE, "edges", 0)),
            InsertItem((*INLINE, "edges"), 2, {"from": "c", "to": "a"}),
            SetValue((*INLINE, "nodes", 1, "tool_budget"), 4),
            SetValue((*INLINE, "max_iterations"), 3),
        ),
    ),
    Case(
        "crlf_nested_team",
        "crlf_team.yaml",
        (
            SetValue((*CRLF, 1, "team", "members", 1, "tool_budget"), 4),
            SetValue((*CRLF, 1, "team", "formation"), "pipeline"),
            SetValue((*CRLF, 1, "team", "members", 0, "llm_config", "model_hint"), "gpt-4o-mini"),
            SetValue((*CRLF, 1, "timeout_seconds"), 300),
            RemoveKey((*CRLF, 0, "tool_budget")),
        ),
    ),
    Case("crlf_remove_member", "crlf_team.yaml", (RemoveItem((*CRLF, 1, "team", "members", 0)),)),
)


def read(name: str) -> str:
    """A data file's exact text (line endings and byte-order mark kept)."""
    return (DATA / name).read_bytes().decode("utf-8")


def run(case: Case) -> tuple[str, str, str]:
    """(old text, new text, diff) for ``case``."""
    old = read(case.file)
    new = apply_edits(old, case.edits, case.file)
    return old, new, unified_diff(old, new, case.file)
