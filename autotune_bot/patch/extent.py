"""Text extents of composed nodes: where a value ends, where its `:` or `-` is.

Marks give where each node starts and, for scalars and flow collections, where it ends; a
block collection ends where its last value ends. Empty values (``key:``) have no text of
their own, so their extent is the indicator before them.
"""

from __future__ import annotations

from collections import Counter

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from autotune_bot.patch.locate import Doc, is_block_scalar, is_empty_null, is_flow, walk
from autotune_bot.workflow.model import YamlPath

__all__ = [
    "colon_after",
    "dash_before",
    "entry_end",
    "has_comment",
    "item_end",
    "node_end",
]

_WS = " \t\r\n"


def colon_after(doc: Doc, key: Node, path: YamlPath) -> int:
    """The offset of the ``:`` that follows ``key``."""
    text = doc.src.text
    pos: int = key.end_mark.index
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    if pos >= len(text) or text[pos] != ":":
        doc.refuse("unusual key layout (no `:` after the key)", path, key)
    return pos


def dash_before(doc: Doc, seq: SequenceNode, index: int, path: YamlPath) -> int:
    """The offset of the ``-`` that opens item ``index`` of a block sequence."""
    item = seq.value[index]
    if id(item) in doc.aliased:
        doc.refuse("the list item is an alias", path, item)
    text = doc.src.text
    pos: int = item.start_mark.index - 1
    while pos >= 0 and text[pos] in _WS:
        pos -= 1
    if pos < 0 or text[pos] != "-":
        doc.refuse("unusual list layout (no `-` before the item)", path, item)
    return pos


def node_end(doc: Doc, node: Node, path: YamlPath) -> int | None:
    """Where the node's own text ends (``None`` for an empty value)."""
    if id(node) in doc.aliased:
        doc.refuse("an alias is involved in the edited region", path, node)
    if is_empty_null(node):
        return None
    if is_block_scalar(node):
        text = doc.src.text
        pos = node.end_mark.index
        while pos > node.start_mark.index + 1 and text[pos - 1] in _WS:
            pos -= 1
        return int(pos)
    if isinstance(node, ScalarNode) or is_flow(node):
        return int(node.end_mark.index)
    if isinstance(node, MappingNode):
        return entry_end(doc, node, len(node.value) - 1, path)
    assert isinstance(node, SequenceNode)
    return item_end(doc, node, len(node.value) - 1, path)


def entry_end(doc: Doc, mapping: MappingNode, j: int, path: YamlPath) -> int:
    key, value = mapping.value[j]
    end = node_end(doc, value, path)
    return end if end is not None else colon_after(doc, key, path) + 1


def item_end(doc: Doc, seq: SequenceNode, i: int, path: YamlPath) -> int:
    end = node_end(doc, seq.value[i], path)
    return end if end is not None else dash_before(doc, seq, i, path) + 1


def scalar_spans(node: Node) -> list[tuple[int, int]]:
    """The spans of the scalars (with their quotes) inside ``node``."""
    seen: Counter[int] = Counter()
    return [
        (int(n.start_mark.index), int(n.end_mark.index))
        for n, _ in walk(node, seen)
        if isinstance(n, ScalarNode) and not is_empty_null(n)
    ]


def has_comment(doc: Doc, start: int, end: int, node: Node) -> bool:
    """Whether ``text[start:end]`` holds a ``#`` outside the scalars of ``node``."""
    spans = scalar_spans(node)
    text = doc.src.text
    return any(
        text[pos] == "#" and not any(s <= pos < e for s, e in spans) for pos in range(start, end)
    )
