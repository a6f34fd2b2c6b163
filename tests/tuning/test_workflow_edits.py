"""Per-node settings (model, cache, batch, tools) as exact changes and edits."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from autotune_bot.patch.edits import RemoveItem, RemoveKey, SetValue
from autotune_bot.tuning.config import WorkflowConfig, workflow_config
from autotune_bot.tuning.readback import check_workflow_readback
from autotune_bot.tuning.workflow_edits import workflow_changes
from autotune_bot.workflow.loader import parse_workflow_text
from autotune_bot.workflow.model import WorkflowDef, WorkflowFile

from .plain_apply import apply_plain, dump

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-repo" / "workflows"
RESEARCH = ("workflows", "deep_research", "nodes")


def research() -> tuple[WorkflowFile, WorkflowDef, WorkflowConfig]:
    text = (DEMO / "research.yaml").read_text(encoding="utf-8")
    parsed = parse_workflow_text(text, "workflows/research.yaml")
    wf = parsed.workflows[0]
    return parsed, wf, workflow_config(wf)


def inline(text: str) -> tuple[WorkflowFile, WorkflowDef, WorkflowConfig]:
    parsed = parse_workflow_text(text, "inline.yaml")
    wf = parsed.workflows[0]
    return parsed, wf, workflow_config(wf)


def with_model(config: WorkflowConfig, node: str, model: str | None) -> WorkflowConfig:
    models = dict(config.models)
    if model is None:
        models.pop(node)
    else:
        models[node] = model
    return dataclasses.replace(config, models=tuple(sorted(models.items())))


def readback(parsed: WorkflowFile, wf: WorkflowDef, candidate: WorkflowConfig) -> list[str]:
    current = workflow_config(wf)
    changes = workflow_changes(wf, current, candidate, document=parsed.document)
    text = dump(apply_plain(parsed.document, [c.edit for c in changes]))
    removed = set(candidate.removed)
    return check_workflow_readback(text, wf.path, wf.name, candidate, removed, [], original=wf)


def test_unchanged_configuration_gives_no_changes() -> None:
    _, wf, current = research()
    assert workflow_changes(wf, current, current) == ()


def test_report_model_downgrade() -> None:
    parsed, wf, current = research()
    candidate = with_model(current, "report", "gpt-4o-mini")
    (change,) = workflow_changes(wf, current, candidate)
    assert (change.node, change.field, change.line) == ("report", "llm_config.model_hint", 167)
    assert (change.old, change.new) == ("gpt-4o", "gpt-4o-mini")
    assert change.edit == SetValue((*RESEARCH, 11, "llm_config", "model_hint"), "gpt-4o-mini")
    assert readback(parsed, wf, candidate) == []


AGENTS = """\
nodes:
  - id: plain_agent
    role: writer
  - id: tuned
    llm_config:
      model_hint: big
      temperature: 0.1
    tools:
      - {name: search, timeout: 5}
      - fetch
    cache:
      enabled: false
      tools: [search]
      ttl_seconds: 60
  - id: scripted
    type: compute
    allowed_tools: [grep, sed]
"""


def test_model_inserts_llm_config_when_absent_and_removes_the_hint() -> None:
    parsed, wf, current = inline(AGENTS)
    candidate = with_model(with_model(current, "plain_agent", "small"), "tuned", None)
    first, second = workflow_changes(wf, current, candidate)
    assert first.edit == SetValue(("nodes", 0, "llm_config"), {"model_hint": "small"})
    assert (first.old, first.line) == (None, 2)
    assert second.edit == RemoveKey(("nodes", 1, "llm_config", "model_hint"))
    assert (second.old, second.new, second.line) == ("big", None, 6)
    assert readback(parsed, wf, candidate) == []


def test_model_on_a_compute_node_raises() -> None:
    _, wf, current = inline(AGENTS)
    with pytest.raises(ValueError, match="compute node"):
        workflow_changes(wf, current, with_model(current, "scripted", "small"))


def test_cache_block_is_written_on_fetch_news() -> None:
    parsed, wf, current = research()
    candidate = dataclasses.replace(current, cached=(("fetch_news", ("web_search",)),))
    (change,) = workflow_changes(wf, current, candidate)
    block = {"enabled": True, "tools": ["web_search"], "ttl_seconds": 3600}
    assert change.edit == SetValue((*RESEARCH, 2, "cache"), block)
    assert (change.node, change.field, change.old, change.line) == ("fetch_news", "cache", None, 40)
    assert readback(parsed, wf, candidate) == []


def test_existing_cache_block_keeps_its_other_keys() -> None:
    parsed, wf, current = inline(AGENTS)
    assert current.cached == ()
    candidate = dataclasses.replace(current, cached=(("tuned", ("search", "fetch")),))
    enabled, tools = workflow_changes(wf, current, candidate)
    assert enabled.edit == SetValue(("nodes", 1, "cache", "enabled"), True)
    assert (enabled.field, enabled.old, enabled.line) == ("cache.enabled", False, 12)
    assert tools.edit == SetValue(("nodes", 1, "cache", "tools"), ["search", "fetch"])
    assert tools.old == ["search"]
    assert readback(parsed, wf, candidate) == []


def test_cache_and_batch_blocks_are_removed_when_a_node_leaves_the_set() -> None:
    text = (
        "nodes:\n  - id: a\n    cache: {enabled: true, tools: [x]}\n"
        "    batch: {enabled: true, tools: [x], max_batch_size: 4}\n"
    )
    parsed, wf, current = inline(text)
    candidate = dataclasses.replace(current, cached=(), batched=())
    changes = workflow_changes(wf, current, candidate)
    assert [c.edit for c in changes] == [
        RemoveKey(("nodes", 0, "cache")),
        RemoveKey(("nodes", 0, "batch")),
    ]
    assert changes[0].old == {"enabled": True, "tools": ["x"]}
    assert readback(parsed, wf, candidate) == []


def test_batch_block_is_written() -> None:
    parsed, wf, current = research()
    candidate = dataclasses.replace(current, batched=(("fetch_papers", ("arxiv",)),))
    (change,) = workflow_changes(wf, current, candidate)
    block = {"enabled": True, "tools": ["arxiv"], "max_batch_size": 10}
    assert change.edit == SetValue((*RESEARCH, 1, "batch"), block)
    assert readback(parsed, wf, candidate) == []


def test_tools_keep_the_key_and_the_mapping_entries() -> None:
    parsed, wf, current = inline(AGENTS)
    candidate = dataclasses.replace(
        current, tools=(("scripted", ("grep",)), ("tuned", ("search",)))
    )
    tuned, scripted = workflow_changes(wf, current, candidate)
    assert tuned.edit == SetValue(("nodes", 1, "tools"), [{"name": "search", "timeout": 5}])
    assert (tuned.old, tuned.new) == (["search", "fetch"], ["search"])
    assert scripted.edit == SetValue(("nodes", 2, "allowed_tools"), ["grep"])
    assert scripted.field == "allowed_tools"
    assert readback(parsed, wf, candidate) == []


def test_settings_of_a_pruned_node_are_not_written() -> None:
    parsed, wf, current = research()
    candidate = dataclasses.replace(
        current,
        removed=frozenset({"fetch_news"}),
        cached=(("fetch_news", ("web_search",)),),
        tools=(("fetch_news", ()),),
    )
    changes = workflow_changes(wf, current, candidate)
    assert [c.edit for c in changes] == [RemoveItem((*RESEARCH, 2))]
    assert readback(parsed, wf, candidate) == []


def test_unknown_nodes_raise() -> None:
    _, wf, current = research()
    with pytest.raises(ValueError, match="no node 'ghost'"):
        workflow_changes(wf, current, with_model(current, "ghost", "m"))
    with pytest.raises(ValueError, match="no node 'ghost'"):
        workflow_changes(wf, current, dataclasses.replace(current, removed=frozenset({"ghost"})))


def test_readback_names_settings_that_did_not_change() -> None:
    parsed, wf, current = research()
    candidate = dataclasses.replace(
        with_model(current, "report", "gpt-4o-mini"),
        cached=(("fetch_news", ("web_search",)),),
        tools=(("fetch_papers", ("arxiv",)),),
    )
    problems = check_workflow_readback(parsed.text, wf.path, wf.name, candidate, set(), [])
    assert len(problems) == 3
    assert any("'report' model reads back as 'gpt-4o'" in p for p in problems)
    assert any("cache blocks" in p for p in problems)
    assert any("'fetch_papers' tools" in p for p in problems)
