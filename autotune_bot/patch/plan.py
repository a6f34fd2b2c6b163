"""Turning primitive operations into text replacements.

Value replacements are planned first; then block containers get their line edits; last,
flow collections are rewritten from their parts, innermost first, so edits inside a kept
element travel with it.
"""

from __future__ import annotations

from ruamel.yaml.nodes import MappingNode

from autotune_bot.patch.locate import Doc, Located, check_container, is_flow, parent_of
from autotune_bot.patch.ops import Op
from autotune_bot.patch.plan_block import plan_block_mapping, plan_block_sequence
from autotune_bot.patch.plan_flow import rebuild_flow
from autotune_bot.patch.plan_value import plan_set
from autotune_bot.patch.splice import Splicer

__all__ = ["plan_text"]


def plan_text(doc: Doc, ops: list[Op]) -> str:
    """The document's text with ``ops`` carried out."""
    splicer = Splicer(doc.src, doc.source)
    containers: dict[int, tuple[Located, list[Op]]] = {}
    for op in ops:
        if op.kind == "set":
            splicer.add_all(plan_set(doc, op))
            continue
        loc = op.loc if op.kind == "insert" else parent_of(op.loc)
        assert loc.node is not None
        containers.setdefault(id(loc.node), (loc, []))[1].append(op)
    flows: list[tuple[Located, list[Op]]] = []
    for loc, group in containers.values():
        node = loc.node
        assert node is not None
        check_container(doc, node, loc.path, loc.key_node)
        removed = {op.loc.steps[-1] for op in group if op.kind == "remove"}
        if is_flow(node):
            flows.append((loc, group))
        elif len(removed) == len(node.value) and (
            isinstance(node, MappingNode) or all(op.kind == "remove" for op in group)
        ):  # every entry goes: write the new value whole (`{}`, `[]` or the added keys)
            value: object = []
            if isinstance(node, MappingNode):
                value = {op.loc.path[-1]: op.value for op in group if op.kind == "add"}
            order = min(op.order for op in group)
            splicer.add_all(plan_set(doc, Op("set", loc, order, value)))
        elif isinstance(node, MappingNode):
            splicer.add_all(plan_block_mapping(doc, loc, group))
        else:
            splicer.add_all(plan_block_sequence(doc, loc, group))
    for loc, group in sorted(flows, key=lambda item: _length(item[0])):
        rebuild_flow(doc, loc, group, splicer)
    return splicer.result()


def _length(loc: Located) -> int:
    assert loc.node is not None
    return int(loc.node.end_mark.index - loc.node.start_mark.index)
