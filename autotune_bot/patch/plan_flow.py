"""Adding and removing elements of one-line flow collections (``[a, b]``, ``{k: v}``).

The collection is rewritten from its parts: kept elements keep their exact text (with any
edits inside them applied), new ones are rendered, and the file's separator and padding
(``[a, b]`` vs ``[ a,b ]``) are reused. Multi-line flow collections are refused.
"""

from __future__ import annotations

from ruamel.yaml.nodes import MappingNode, SequenceNode

from autotune_bot.patch.extent import entry_end, item_end
from autotune_bot.patch.locate import Doc, Located, check_subtree
from autotune_bot.patch.ops import Op
from autotune_bot.patch.render import flow, key_text
from autotune_bot.patch.splice import Replacement, Splicer

__all__ = ["rebuild_flow"]


def _spans(doc: Doc, loc: Located) -> list[tuple[int, int]]:
    node = loc.node
    if isinstance(node, MappingNode):
        return [
            (int(key.start_mark.index), entry_end(doc, node, j, loc.path))
            for j, (key, _) in enumerate(node.value)
        ]
    assert isinstance(node, SequenceNode)
    return [
        (int(item.start_mark.index), item_end(doc, node, i, loc.path))
        for i, item in enumerate(node.value)
    ]


def rebuild_flow(doc: Doc, loc: Located, ops: list[Op], splicer: Splicer) -> None:
    """Apply the removals/insertions/additions ``ops`` to the flow collection at ``loc``."""
    node, path, text = loc.node, loc.path, doc.src.text
    assert node is not None
    start, end = int(node.start_mark.index), int(node.end_mark.index)
    if text[start] not in "[{" or text[end - 1] not in "]}":
        doc.refuse("the flow collection has a tag or anchor; refusing to rewrite it", path, node)
    if "\n" in text[start:end]:
        doc.refuse("multi-line flow collections are not edited; refusing", path, node)
    spans = _spans(doc, loc)
    sep, pad_open, pad_close = ", ", "", ""
    if len(spans) >= 2:
        sep = text[spans[0][1] : spans[1][0]]
    if spans:
        pad_open, pad_close = text[start + 1 : spans[0][0]], text[spans[-1][1] : end - 1]
    if sep.strip() != ",":
        doc.refuse("unusual flow layout", path, node)
    removed: set[int] = set()
    for op in ops:
        if op.kind == "remove":
            check_subtree(doc, op.loc)
            removed.add(op.loc.steps[-1])
    pieces: list[str] = []
    for position in range(len(spans) + 1):
        pieces.extend(flow(op.value) for op in ops if op.kind == "insert" and op.index == position)
        if position < len(spans) and position not in removed:
            pieces.append(splicer.take(*spans[position]))
    for op in ops:
        if op.kind == "add":
            pieces.append(f"{key_text(op.loc.path[-1], in_flow=True)}: {flow(op.value)}")
    inner = pad_open + sep.join(pieces) + pad_close if pieces else ""
    order = min(op.order for op in ops)
    splicer.add(Replacement(start, end, text[start] + inner + text[end - 1], order, path))
