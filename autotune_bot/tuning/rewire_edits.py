"""The YAML changes that make a workflow file say what a rewired plan says.

Compares a :class:`~autotune_bot.tuning.rewire_plan.RewirePlan` with the file it was read
from: removed nodes become ``RemoveItem``, inserted nodes ``InsertItem`` before the following
original node, changed ``next`` / ``parallel_nodes`` keys ``SetValue`` or ``RemoveKey``, and
``edges:`` items are removed, retargeted or appended. Every path refers to the document as it
was read. Without the document, a changed ``edges:`` list is rewritten whole.
"""

from __future__ import annotations

from typing import Any

from autotune_bot.patch.edits import InsertItem, RemoveItem, RemoveKey, SetValue
from autotune_bot.tuning.rewire_plan import PlanEntry, RewirePlan, written_next
from autotune_bot.tuning.suggestion import Change
from autotune_bot.workflow.model import Node
from autotune_bot.yaml_source import position_of_key

__all__ = ["plan_changes"]


def plan_changes(plan: RewirePlan) -> list[Change]:
    """The changes from the file to ``plan``: nodes first (file order), then `edges:` items."""
    wf = plan.wf
    nodes_path = (*wf.root_path, "nodes")
    out: list[Change] = []
    for node in plan.removed:
        edit = RemoveItem(node.path)
        out.append(Change(wf.path, None, f"nodes[{node.id}]", node.line, node.id, None, edit))
    for i, entry in enumerate(plan.entries):
        if entry.node is None:
            anchor = next(e.node for e in plan.entries[i:] if e.node is not None)
            value = _inserted_value(entry)
            insert = InsertItem(nodes_path, anchor.index, value)
            label = f"nodes[{entry.id}]"
            out.append(Change(wf.path, None, label, anchor.line, None, value, insert))
            continue
        node = entry.node
        out.extend(_key_change(wf.path, node, "next", written_next(node), entry.next))
        if entry.parallel_nodes != node.parallel_nodes:
            old, new = node.parallel_nodes, entry.parallel_nodes
            out.extend(_key_change(wf.path, node, "parallel_nodes", old, new))
    out.extend(_item_changes(plan))
    return out


def _inserted_value(entry: PlanEntry) -> dict[str, Any]:
    """The mapping of an inserted node as the plan has it now (later steps may retarget it)."""
    value = dict(entry.value or {})
    value["parallel_nodes"] = list(entry.parallel_nodes)
    if entry.next is None:
        value.pop("next", None)
    else:
        value["next"] = list(entry.next)
    return value


def _key_change(
    file: str, node: Node, key: str, old: tuple[str, ...] | None, new: tuple[str, ...] | None
) -> list[Change]:
    if old == new:
        return []
    pos = position_of_key(node.raw, key)
    line = pos.line if pos is not None else node.line
    path = (*node.path, key)
    old_value = list(old) if old is not None else None
    if new is None:
        return [Change(file, node.id, key, line, old_value, None, RemoveKey(path))]
    return [Change(file, node.id, key, line, old_value, list(new), SetValue(path, list(new)))]


def _item_changes(plan: RewirePlan) -> list[Change]:
    if plan.items is None:
        return []
    wf = plan.wf
    path = (*wf.root_path, "edges")
    if not plan.exact_items:
        final = [(i.source, i.targets, i.label) for i in plan.items if i.targets]
        if final == plan.original_items:
            return []
        value = [_item_value(s, t, label) for s, t, label in final]
        old = [_item_value(s, t, label) for s, t, label in plan.original_items]
        return [Change(wf.path, None, "edges", wf.line, old, value, SetValue(path, value))]
    out: list[Change] = []
    size = sum(1 for i in plan.items if i.index is not None)
    for item in plan.items:
        if item.source is None or item.targets == item.original:
            continue  # malformed (left alone) or unchanged
        if item.index is None:
            value = _item_value(item.source, item.targets, None)
            add = InsertItem(path, size, value)
            out.append(Change(wf.path, None, "edges", wf.line, None, value, add))
        elif not item.targets:
            old = _item_value(item.source, item.original, item.label)
            remove = RemoveItem((*path, item.index))
            out.append(Change(wf.path, None, f"edges[{item.index}]", item.line, old, None, remove))
        else:
            one = item.scalar and len(item.targets) == 1
            to: Any = item.targets[0] if one else list(item.targets)
            old_to: Any = item.original[0] if item.scalar else list(item.original)
            label = f"edges[{item.index}].to"
            edit = SetValue((*path, item.index, "to"), to)
            out.append(Change(wf.path, None, label, item.line, old_to, to, edit))
    return out


def _item_value(source: str | None, targets: tuple[str, ...], label: str | None) -> Any:
    to: Any = targets[0] if len(targets) == 1 else list(targets)
    value: dict[str, Any] = {"from": source, "to": to}
    if label is not None:
        value["condition"] = label
    return value
