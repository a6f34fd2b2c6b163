"""Edits resolved into primitive operations on the document as read.

Every path of a batch is resolved before anything changes. Setting a collection over a
collection of the same kind becomes key-by-key / item-by-item operations, so unchanged parts
(and their comments) stay as they are. Two edits that touch the same node, or a node and
something inside it, are refused as overlapping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ruamel.yaml.nodes import MappingNode, SequenceNode

from autotune_bot.patch.edits import Edit, InsertItem, RemoveItem, RemoveKey, SetValue
from autotune_bot.patch.locate import Doc, Located, check_container, child, resolve
from autotune_bot.patch.plain import plain_at, same, to_plain
from autotune_bot.patch.render import check_value

__all__ = ["Op", "resolve_edits", "to_ops"]

OpKind = Literal["set", "remove", "insert", "add"]


@dataclass(frozen=True, slots=True)
class Op:
    """``set`` the node at ``loc``; ``remove`` its entry or item; ``insert`` ``value`` at
    ``index`` into the sequence at ``loc``; ``add`` the missing key ``loc`` points at."""

    kind: OpKind
    loc: Located
    order: int
    value: Any = None
    index: int = 0


def resolve_edits(doc: Doc, edits: Sequence[Edit]) -> list[Located]:
    """Resolve every edit's path against the original document (refusing bad paths)."""
    locs: list[Located] = []
    for edit in edits:
        if isinstance(edit, SetValue):
            loc = resolve(doc, edit.path, missing_ok=True)
        else:
            loc = resolve(doc, edit.path)
        if isinstance(edit, RemoveKey) and not isinstance(loc.parent, MappingNode):
            doc.refuse("RemoveKey needs a key of a mapping", edit.path, loc.node)
        if isinstance(edit, RemoveItem) and not isinstance(loc.parent, SequenceNode):
            doc.refuse("RemoveItem needs an item of a list", edit.path, loc.node)
        if isinstance(edit, InsertItem):
            if not isinstance(loc.node, SequenceNode):
                doc.refuse("InsertItem needs a list (it cannot create one)", edit.path, loc.node)
            if not 0 <= edit.index <= len(loc.node.value):
                doc.refuse(f"insert position {edit.index} is out of range", edit.path, loc.node)
        locs.append(loc)
    _check_overlaps(doc, edits, locs)
    return locs


def _address(loc: Located) -> tuple[object, ...]:
    if loc.node is None:
        return (*loc.steps[:-1], ("new", str(loc.path[-1])))
    return loc.steps


def _check_overlaps(doc: Doc, edits: Sequence[Edit], locs: list[Located]) -> None:
    addresses = [_address(loc) for loc in locs]
    for j, (edit, loc) in enumerate(zip(edits, locs, strict=True)):
        for i in range(j):
            a, b = addresses[i], addresses[j]
            short, outer = (a, edits[i]) if len(a) <= len(b) else (b, edit)
            long = b if short is a else a
            if long[: len(short)] != short:
                continue
            both_inserts = isinstance(edits[i], InsertItem) and isinstance(edit, InsertItem)
            if (len(short) == len(long) and both_inserts) or (
                len(short) < len(long) and isinstance(outer, InsertItem)
            ):
                continue
            doc.refuse(
                "overlapping edits: another edit in this batch touches this node",
                edit.path,
                loc.node or loc.parent,
            )


def to_ops(doc: Doc, data: Any, edits: Sequence[Edit], locs: list[Located]) -> list[Op]:
    """The primitive operations that carry out ``edits`` (``data``: the document's plain data)."""
    ops: list[Op] = []
    for order, (edit, loc) in enumerate(zip(edits, locs, strict=True)):
        if isinstance(edit, SetValue | InsertItem):
            try:
                check_value(to_plain(edit.value))
            except ValueError as err:
                doc.refuse(str(err), edit.path, loc.node or loc.parent)
        if isinstance(edit, SetValue):
            ops.extend(_set(doc, data, loc, to_plain(edit.value), order))
        elif isinstance(edit, RemoveKey | RemoveItem):
            ops.append(Op("remove", loc, order))
        else:
            ops.append(Op("insert", loc, order, to_plain(edit.value), edit.index))
    return ops


def _set(doc: Doc, data: Any, loc: Located, value: Any, order: int) -> list[Op]:
    node = loc.node
    if node is None:
        return [Op("add", loc, order, value)]
    if same(plain_at(data, loc.steps), value):
        return []
    if isinstance(node, MappingNode) and isinstance(value, dict) and value:
        check_container(doc, node, loc.path)
        return _set_mapping(doc, data, loc, node, value, order)
    if isinstance(node, SequenceNode) and isinstance(value, list) and value:
        check_container(doc, node, loc.path)
        return _set_sequence(doc, data, loc, node, value, order)
    return [Op("set", loc, order, value)]


def _set_mapping(
    doc: Doc, data: Any, loc: Located, node: MappingNode, value: dict[Any, Any], order: int
) -> list[Op]:
    ops: list[Op] = []
    matched: set[int] = set()
    for key, item in value.items():
        sub = resolve(doc, (*loc.path, key), missing_ok=True)
        if sub.node is not None:
            matched.add(sub.steps[-1])
        ops.extend(_set(doc, data, sub, item, order))
    for position, (key, _) in enumerate(node.value):
        if position not in matched:
            ops.append(Op("remove", child(loc, position, str(key.value)), order))
    return ops


def _set_sequence(
    doc: Doc, data: Any, loc: Located, node: SequenceNode, value: list[Any], order: int
) -> list[Op]:
    old = len(node.value)
    ops: list[Op] = []
    for index in range(min(old, len(value))):
        ops.extend(_set(doc, data, child(loc, index, index), value[index], order))
    ops.extend(Op("remove", child(loc, index, index), order) for index in range(len(value), old))
    ops.extend(Op("insert", loc, order, item, old) for item in value[old:])
    return ops
