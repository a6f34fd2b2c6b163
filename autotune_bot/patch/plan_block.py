"""Adding and removing whole lines in block mappings and block sequences.

An entry or item owns its lines: from its key or dash line (plus a comment block directly
above it at the same indentation) through the last line of its value (plus comment lines
right after it that are indented deeper). Comments and blank lines between siblings stay
with the sibling that follows. New keys go after a mapping's last entry at the mapping's
indentation; new items take the sequence's dash column, dash spacing and blank-line rhythm.
"""

from __future__ import annotations

from dataclasses import replace

from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from autotune_bot.patch.extent import dash_before, entry_end, item_end
from autotune_bot.patch.locate import Doc, Located, check_subtree, is_flow
from autotune_bot.patch.ops import Op
from autotune_bot.patch.plan_value import seq_gap
from autotune_bot.patch.render import entry_lines, flow, is_collection, item_lines
from autotune_bot.patch.source_text import SourceText
from autotune_bot.patch.splice import Replacement, delete_lines, lines_after, lines_before
from autotune_bot.workflow.model import YamlPath

__all__ = ["plan_block_mapping", "plan_block_sequence"]


def _span(doc: Doc, start: int, end: int, own_line: bool, path: YamlPath) -> tuple[int, int]:
    """The lines owned by an entry/item whose text runs from ``start`` to ``end``."""
    src = doc.src
    col = src.column(start)
    first = src.line_of(start)
    if own_line:
        while first > 0 and src.is_comment(first - 1) and src.indent(first - 1) == col:
            first -= 1
    if not src.only_comment_after(end):
        doc.refuse("unusual layout: more text follows the value on its line", path, offset=end)
    last = src.line_of(end - 1)
    while last + 1 < src.line_count and src.is_comment(last + 1) and src.indent(last + 1) > col:
        last += 1
    return first, last


def _entry_span(doc: Doc, mapping: MappingNode, j: int, path: YamlPath) -> tuple[int, int]:
    key = mapping.value[j][0]
    if not isinstance(key, ScalarNode):
        doc.refuse("complex mapping keys are not supported", path, key)
    start = int(key.start_mark.index)
    own_line = doc.src.only_space_before(start)
    return _span(doc, start, entry_end(doc, mapping, j, path), own_line, path)


def _item_span(doc: Doc, seq: SequenceNode, i: int, path: YamlPath) -> tuple[int, int]:
    dash = dash_before(doc, seq, i, path)
    if not doc.src.only_space_before(dash):
        doc.refuse("unusual list layout: the `-` does not start its line", path, seq.value[i])
    return _span(doc, dash, item_end(doc, seq, i, path), True, path)


def _runs(positions: set[int], breaks: set[int]) -> list[tuple[int, int]]:
    """Consecutive removed positions, split where an insertion goes in between."""
    runs: list[tuple[int, int]] = []
    for position in sorted(positions):
        if runs and runs[-1][1] == position - 1 and position not in breaks:
            runs[-1] = (runs[-1][0], position)
        else:
            runs.append((position, position))
    return runs


def _widen(src: SourceText, first: int, last: int, at_start: bool, at_end: bool) -> tuple[int, int]:
    """Take one run of blank lines along, so a removal keeps the blank-line rhythm: the run
    after the removed lines when a blank line (or the container's start) precedes them, else
    the run before them when nothing of the container follows."""
    before_blank = first > 0 and src.is_blank(first - 1)
    after_blank = last + 1 < src.line_count and src.is_blank(last + 1)
    if after_blank and (before_blank or at_start) and not at_end:
        while last + 1 < src.line_count and src.is_blank(last + 1):
            last += 1
    elif before_blank and at_end:
        while first > 0 and src.is_blank(first - 1):
            first -= 1
    return first, last


def _removals(doc: Doc, loc: Located, removes: list[Op], inserts: set[int]) -> list[Replacement]:
    """Delete the lines of removed entries/items; ``inserts``: where items are inserted."""
    node = loc.node
    assert node is not None
    reps: list[Replacement] = []
    by_position = {op.loc.steps[-1]: op for op in removes}
    count = len(node.value)
    for first_pos, last_pos in _runs(set(by_position), inserts):
        op = by_position[first_pos]
        path = op.loc.path
        for position in range(first_pos, last_pos + 1):
            check_subtree(doc, by_position[position].loc)
        if isinstance(node, MappingNode):
            first, _ = _entry_span(doc, node, first_pos, path)
            _, last = _entry_span(doc, node, last_pos, path)
            key = node.value[first_pos][0]
            if not doc.src.only_space_before(int(key.start_mark.index)):
                reps.append(_compact_removal(doc, node, first_pos, last_pos, op))
                continue
        else:
            assert isinstance(node, SequenceNode)
            first, _ = _item_span(doc, node, first_pos, path)
            _, last = _item_span(doc, node, last_pos, path)
        at_end = last_pos == count - 1 and first_pos not in inserts
        first, last = _widen(doc.src, first, last, first_pos == 0, at_end)
        reps.append(delete_lines(doc.src, first, last, op.order, path))
    return reps


def _compact_removal(doc: Doc, mapping: MappingNode, first: int, last: int, op: Op) -> Replacement:
    """Remove the first keys of a ``- key: value`` item: the next key moves up after the dash."""
    path = op.loc.path
    src = doc.src
    start = int(mapping.value[first][0].start_mark.index)
    following = int(mapping.value[last + 1][0].start_mark.index)
    between = range(
        src.line_of(entry_end(doc, mapping, last, path) - 1) + 1, src.line_of(following)
    )
    if not src.only_space_before(following) or not all(src.is_blank(n) for n in between):
        doc.refuse("unusual layout around the first key of a list item", path, offset=start)
    return Replacement(start, following, "", op.order, path)


def plan_block_mapping(doc: Doc, loc: Located, ops: list[Op]) -> list[Replacement]:
    """Remove keys of, and add keys to, the block mapping at ``loc``."""
    mapping = loc.node
    assert isinstance(mapping, MappingNode)
    removes = [op for op in ops if op.kind == "remove"]
    adds = [op for op in ops if op.kind == "add"]
    count = len(mapping.value)
    reps = _removals(doc, loc, removes, set())
    if adds:
        _, last = _entry_span(doc, mapping, count - 1, loc.path)
        col = int(mapping.value[0][0].start_mark.column)
        for op in adds:
            lines = entry_lines(op.loc.path[-1], op.value, col, doc.layout)
            reps.append(lines_after(doc.src, last, lines, op.order, op.loc.path, len(loc.path)))
    return reps


def _separated(doc: Doc, seq: SequenceNode, before: int, path: YamlPath) -> bool:
    """Whether items ``before - 1`` and ``before`` are separated by a blank line."""
    if not 0 < before < len(seq.value):
        return False
    _, last = _item_span(doc, seq, before - 1, path)
    first, _ = _item_span(doc, seq, before, path)
    return any(doc.src.is_blank(line) for line in range(last + 1, first))


def plan_block_sequence(doc: Doc, loc: Located, ops: list[Op]) -> list[Replacement]:
    """Remove items of, and insert items into, the block sequence at ``loc``."""
    seq = loc.node
    assert isinstance(seq, SequenceNode)
    removes = [op for op in ops if op.kind == "remove"]
    inserts = [op for op in ops if op.kind == "insert"]
    count = len(seq.value)
    reps = _removals(doc, loc, removes, {op.index for op in inserts})
    if not inserts:
        return reps
    column = doc.src.column(dash_before(doc, seq, 0, loc.path))
    layout = replace(doc.layout, gap=seq_gap(doc, seq))
    for op in inserts:
        neighbour = seq.value[min(op.index, count - 1)]
        if is_flow(neighbour) and is_collection(op.value):
            lines = [" " * column + "-" + " " * (layout.gap - 1) + flow(op.value)]
        else:
            lines = item_lines(op.value, column, layout)
        gap = _separated(doc, seq, min(max(op.index, 1), count - 1), loc.path)
        if op.index < count:
            first, _ = _item_span(doc, seq, op.index, loc.path)
            new = lines + [""] * gap
            reps.append(lines_before(doc.src, first, new, op.order, loc.path, len(loc.path)))
        else:
            _, last = _item_span(doc, seq, count - 1, loc.path)
            new = [""] * gap + lines
            reps.append(lines_after(doc.src, last, new, op.order, loc.path, len(loc.path)))
    return reps
