"""The YAML changes that turn a workflow definition's configuration into a candidate.

Graph changes (pruned nodes, new parallel groups) are made by
:mod:`autotune_bot.tuning.graph_rewrite`; this module adds the per-node settings:

* model: ``llm_config.model_hint`` of an agent node (``llm_config:`` inserted when absent;
  the key removed when the candidate names no model);
* caching: the bot's own ``cache: {enabled: true, tools: [..], ttl_seconds: 3600}`` block
  (Victor has no caching field; the runtime must honour it); an existing block keeps its other
  keys and gets ``enabled``/``tools`` set; the block is removed when the node leaves the set;
* batching: the bot's ``batch: {enabled: true, tools: [..], max_batch_size: 10}`` block, the
  same way;
* tools: the node's ``tools`` list (or ``allowed_tools`` when that is the key it uses); tool
  entries written as mappings keep their mapping.

Settings of pruned nodes are not written. Changes come graph first, then settings in file
order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autotune_bot.patch.edits import RemoveKey, SetValue
from autotune_bot.tuning.config import WorkflowConfig
from autotune_bot.tuning.graph_rewrite import graph_changes
from autotune_bot.tuning.suggestion import Change
from autotune_bot.workflow.model import Node, WorkflowDef
from autotune_bot.workflow.yaml_fields import plain
from autotune_bot.yaml_source import position_of_key

__all__ = ["BATCH_DEFAULTS", "CACHE_DEFAULTS", "workflow_changes"]

CACHE_DEFAULTS: Mapping[str, Any] = {"ttl_seconds": 3600}
BATCH_DEFAULTS: Mapping[str, Any] = {"max_batch_size": 10}


def workflow_changes(
    wf: WorkflowDef,
    current: WorkflowConfig,
    candidate: WorkflowConfig,
    *,
    document: Any = None,
) -> tuple[Change, ...]:
    """One change per YAML edit between ``current`` and ``candidate``.

    ``document`` (the file's round-trip tree, ``WorkflowFile.document``) lets edits of an
    ``edges:`` list touch single items; without it a changed list is rewritten whole. Raises
    ``ValueError`` when the candidate cannot be written (unknown node, a condition routing to
    a pruned node, a group that is not a chain, …).
    """
    new_removed = set(candidate.removed) - set(current.removed)
    unknown = sorted(new_removed - wf.nodes.keys())
    if unknown:
        raise ValueError(f"workflow '{wf.name}' has no node '{unknown[0]}' to prune")
    removed = [n for n in wf.nodes if n in new_removed]
    groups = [g for g in candidate.parallel_groups if g not in current.parallel_groups]
    changes = graph_changes(wf, removed, groups, document)
    gone = set(candidate.removed)
    changes += _model_changes(wf, current, candidate, gone)
    changes += _block_changes(wf, "cache", current.cached, candidate.cached, gone)
    changes += _block_changes(wf, "batch", current.batched, candidate.batched, gone)
    changes += _tool_changes(wf, current, candidate, gone)
    return tuple(changes)


def _node(wf: WorkflowDef, node_id: str) -> Node:
    node = wf.nodes.get(node_id)
    if node is None or not isinstance(node.raw, dict):
        raise ValueError(f"workflow '{wf.name}' has no node '{node_id}'")
    return node


def _targets(wf: WorkflowDef, gone: set[str], *tables: Mapping[str, Any]) -> list[Node]:
    """Nodes named in any of ``tables`` and not pruned, in file order (unknown names raise)."""
    names = {name for table in tables for name in table} - gone
    for name in sorted(names):
        _node(wf, name)
    return [node for node in wf.nodes.values() if node.id in names]


def _model_changes(
    wf: WorkflowDef, current: WorkflowConfig, candidate: WorkflowConfig, gone: set[str]
) -> list[Change]:
    old_models, new_models = dict(current.models), dict(candidate.models)
    out: list[Change] = []
    for node in _targets(wf, gone, old_models, new_models):
        old, new = old_models.get(node.id), new_models.get(node.id)
        if old == new:
            continue
        hint = node.fields.get("model_hint")
        if hint is None:
            raise ValueError(f"node '{node.id}' is a {node.type} node: it has no model to set")
        llm = node.raw.get("llm_config")
        field = "llm_config.model_hint"
        if new is None:
            if hint.present:
                out.append(
                    Change(wf.path, node.id, field, hint.line, old, None, RemoveKey(hint.path))
                )
        elif isinstance(llm, dict):
            out.append(
                Change(wf.path, node.id, field, hint.line, old, new, SetValue(hint.path, new))
            )
        elif llm is None:
            edit = SetValue((*node.path, "llm_config"), {"model_hint": new})
            out.append(Change(wf.path, node.id, field, node.line, None, new, edit))
        else:
            raise ValueError(f"node '{node.id}': `llm_config` is not a mapping")
    return out


def _block_changes(
    wf: WorkflowDef,
    key: str,
    current: tuple[tuple[str, tuple[str, ...]], ...],
    candidate: tuple[tuple[str, tuple[str, ...]], ...],
    gone: set[str],
) -> list[Change]:
    """The bot's ``cache:`` / ``batch:`` blocks."""
    defaults = CACHE_DEFAULTS if key == "cache" else BATCH_DEFAULTS
    old_sets, new_sets = dict(current), dict(candidate)
    out: list[Change] = []
    for node in _targets(wf, gone, old_sets, new_sets):
        old, new = old_sets.get(node.id), new_sets.get(node.id)
        if old == new:
            continue
        block = node.raw.get(key)
        path = (*node.path, key)
        line = _key_line(node, key)
        if new is None:
            if key in node.raw:
                out.append(Change(wf.path, node.id, key, line, plain(block), None, RemoveKey(path)))
            continue
        if not isinstance(block, dict):
            value = {"enabled": True, "tools": list(new), **defaults}
            old_value = plain(block) if key in node.raw else None
            out.append(Change(wf.path, node.id, key, line, old_value, value, SetValue(path, value)))
            continue
        if block.get("enabled") is not True:
            edit = SetValue((*path, "enabled"), True)
            at = _key_line(node, key, block, "enabled")
            out.append(
                Change(
                    wf.path, node.id, f"{key}.enabled", at, plain(block.get("enabled")), True, edit
                )
            )
        if plain(block.get("tools")) != list(new):
            edit = SetValue((*path, "tools"), list(new))
            at = _key_line(node, key, block, "tools")
            out.append(
                Change(
                    wf.path, node.id, f"{key}.tools", at, plain(block.get("tools")), list(new), edit
                )
            )
    return out


def _tool_changes(
    wf: WorkflowDef, current: WorkflowConfig, candidate: WorkflowConfig, gone: set[str]
) -> list[Change]:
    old_tools, new_tools = dict(current.tools), dict(candidate.tools)
    out: list[Change] = []
    for node in _targets(wf, gone, new_tools):
        new = tuple(new_tools[node.id])
        old = tuple(old_tools.get(node.id, node.tools))
        if old == new:
            continue
        raw = node.raw
        key = "allowed_tools" if "tools" not in raw and "allowed_tools" in raw else "tools"
        written = raw.get(key)
        entries = {_tool_name(v): plain(v) for v in written} if isinstance(written, list) else {}
        value = [entries.get(name, name) for name in new]
        edit = SetValue((*node.path, key), value)
        out.append(
            Change(wf.path, node.id, key, _key_line(node, key), list(node.tools), list(new), edit)
        )
    return out


def _tool_name(entry: Any) -> str | None:
    name = entry.get("name") if isinstance(entry, dict) else entry
    return str(name) if isinstance(name, str) else None


def _key_line(node: Node, key: str, mapping: Any = None, inner: str | None = None) -> int:
    """Line of ``key`` on the node (or of ``inner`` inside ``mapping``), else the node's."""
    pos = position_of_key(mapping, inner) if inner is not None else None
    pos = pos or position_of_key(node.raw, key)
    return pos.line if pos is not None else node.line
