"""Replacing one value in place: a scalar token, a flow collection or a whole block value.

A scalar keeps its quote style when the new value is a string; a collection replacing a
scalar is written in flow style when it fits on the line, otherwise in block style under
its key. Block scalars (``|``/``>``), custom tags, anchors and comments inside the replaced
text are refused rather than lost.
"""

from __future__ import annotations

from dataclasses import replace

from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from autotune_bot.patch.extent import colon_after, dash_before, has_comment, node_end
from autotune_bot.patch.locate import (
    Doc,
    Located,
    check_subtree,
    is_block_scalar,
    is_empty_null,
    is_flow,
)
from autotune_bot.patch.ops import Op
from autotune_bot.patch.render import block_lines, flow, inline, is_collection, item_lines, scalar
from autotune_bot.patch.splice import Replacement, lines_after

__all__ = ["plan_set", "seq_gap"]

_CORE_TAG = "tag:yaml.org,2002:"


def seq_gap(doc: Doc, seq: SequenceNode) -> int:
    """How far a block sequence's items sit from their dash (the file's default if unknown)."""
    first = seq.value[0]
    if first.start_mark.line == seq.start_mark.line and id(first) not in doc.aliased:
        return int(first.start_mark.column - seq.start_mark.column)
    return doc.layout.gap


def _slot(doc: Doc, loc: Located) -> tuple[int, int, str]:
    """The span the new value replaces, and the text that must precede the new value."""
    node, parent, path = loc.node, loc.parent, loc.path
    assert node is not None
    if (isinstance(node, ScalarNode) and not is_empty_null(node)) or is_flow(node):
        return int(node.start_mark.index), int(node.end_mark.index), ""
    end = node_end(doc, node, path)
    if parent is None:
        start = int(node.start_mark.index)
        return start, end if end is not None else start, ""
    if isinstance(parent, MappingNode):
        assert loc.key_node is not None
        start = colon_after(doc, loc.key_node, path) + 1
    elif isinstance(parent, SequenceNode) and not is_flow(parent):
        start = dash_before(doc, parent, loc.steps[-1], path) + 1
    else:
        doc.refuse("cannot place a value here", path, node)
    return start, end if end is not None else start, " "


def plan_set(doc: Doc, op: Op) -> list[Replacement]:
    """Replace the value at ``op.loc`` with ``op.value``."""
    loc, value, path = op.loc, op.value, op.loc.path
    node, parent = loc.node, loc.parent
    assert node is not None
    check_subtree(doc, loc)
    if not str(node.tag).startswith(_CORE_TAG):
        doc.refuse(f"the value has a custom tag {node.tag}; refusing to rewrite it", path, node)
    if is_block_scalar(node):
        doc.refuse("the value is a block scalar (| or >); refusing to rewrite it", path, node)
    quote = node.style if isinstance(node, ScalarNode) and node.style in ("'", '"') else None
    start, end, lead = _slot(doc, loc)
    if has_comment(doc, start, end, node):
        doc.refuse("the replaced value holds comments that would be lost", path, node)

    def put(text: str) -> list[Replacement]:
        return [Replacement(start, end, lead + text, op.order, path)]

    if parent is not None and is_flow(parent):
        return put(
            flow(value) if is_collection(value) else scalar(value, in_flow=True, quote=quote)
        )
    if not is_collection(value):
        return put(scalar(value, quote=quote))
    text = inline(value, doc.src.column(start) + len(lead))
    if text is not None or parent is None:
        return put(text if text is not None else flow(value))
    src = doc.src
    if isinstance(parent, MappingNode):
        assert loc.key_node is not None
        lines = block_lines(value, int(loc.key_node.start_mark.column), doc.layout)
        last = src.line_of(end - 1) if end > start else src.line_of(start)
        cut = colon_after(doc, loc.key_node, path) + 1  # `key:` keeps no trailing space
        return [
            Replacement(cut, end, "", op.order, path),
            lines_after(src, last, lines, op.order, path, len(path)),
        ]
    assert isinstance(parent, SequenceNode)
    dash = dash_before(doc, parent, loc.steps[-1], path)
    column = src.column(dash)
    layout = replace(doc.layout, gap=seq_gap(doc, parent))
    lines = item_lines(value, column, layout)
    text = src.eol.join([lines[0][column:], *lines[1:]])
    return [Replacement(dash, end, text, op.order, path)]
