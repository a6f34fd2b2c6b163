"""Where things are in a YAML file: composed nodes and resolved paths.

The file is composed (parsed to nodes that carry start/end marks) rather than loaded, so
every scalar, flow collection and key has an exact character span in the source text.
Nodes reached through an alias share the anchored node's marks, so edits that would
involve an anchor, alias or merge key are refused instead of guessed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

from ruamel.yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode

from autotune_bot.patch.error import PatchError
from autotune_bot.patch.render import Layout
from autotune_bot.patch.source_text import SourceText
from autotune_bot.workflow.model import YamlPath

__all__ = [
    "Doc",
    "Located",
    "check_container",
    "check_subtree",
    "child",
    "compose",
    "is_block_scalar",
    "is_empty_null",
    "is_flow",
    "parent_of",
    "resolve",
    "walk",
]

_CORE_TAG = "tag:yaml.org,2002:"


@dataclass(frozen=True, slots=True)
class Located:
    """A path resolved in the document: the containers it passes through (``parents``),
    the entry/item position taken in each (``steps``; -1 for a missing last key), and the
    node found there (``None`` when the last key is missing)."""

    path: YamlPath
    steps: tuple[int, ...]
    parents: tuple[Node, ...]
    node: Node | None
    key_node: Node | None

    @property
    def parent(self) -> Node | None:
        return self.parents[-1] if self.parents else None


@dataclass(frozen=True, slots=True)
class Doc:
    """The composed document of ``source`` with what the patcher needs to know about it."""

    source: str
    src: SourceText
    root: Node
    aliased: frozenset[int]
    layout: Layout

    def refuse(
        self, message: str, path: YamlPath, node: Node | None = None, offset: int | None = None
    ) -> NoReturn:
        """Raise :class:`PatchError` at ``node`` (or at ``offset``, or line 1)."""
        line = 1
        if node is not None:
            line = int(node.start_mark.line) + 1
        elif offset is not None:
            line = self.src.line_of(offset) + 1
        raise PatchError(message, source=self.source, line=line, path=path)


def compose(src: SourceText, source: str) -> Doc:
    """Compose the single document of ``src`` (already known to be valid YAML)."""
    from ruamel.yaml import YAML

    nodes = [
        n for n in YAML(typ="rt").compose_all(src.text) if n is not None and not is_empty_null(n)
    ]
    if len(nodes) != 1:
        line = nodes[1].start_mark.line + 1 if nodes else 1
        what = "several YAML documents" if nodes else "an empty document"
        raise PatchError(
            f"the file holds {what}; refusing to edit", source=source, line=line, path=()
        )
    root = nodes[0]
    seen: Counter[int] = Counter()
    step: Counter[int] = Counter()
    seq_offset: Counter[int] = Counter()
    gap: Counter[int] = Counter()
    for node, key in walk(root, seen):
        if isinstance(node, SequenceNode) and not node.flow_style:
            for item in node.value:
                if isinstance(item, MappingNode) and item.start_mark.line == node.start_mark.line:
                    gap[item.start_mark.column - node.start_mark.column] += 1
        if key is None or node.start_mark.line == key.start_mark.line:
            continue
        offset = node.start_mark.column - key.start_mark.column
        if isinstance(node, MappingNode) and not node.flow_style and offset > 0:
            step[offset] += 1
        elif isinstance(node, SequenceNode) and not node.flow_style and offset >= 0:
            seq_offset[offset] += 1
    indent = _most_common(step, 2)
    layout = Layout(indent, _most_common(seq_offset, indent), _most_common(gap, 2))
    aliased = frozenset(ident for ident, count in seen.items() if count > 1)
    return Doc(source, src, root, aliased, layout)


def _most_common(counts: Counter[int], default: int) -> int:
    return counts.most_common(1)[0][0] if counts else default


def walk(node: Node, seen: Counter[int], key: Node | None = None) -> Iterator[tuple[Node, Any]]:
    """Every node once (with its key when a mapping value); ``seen`` counts repeats."""
    seen[id(node)] += 1
    if seen[id(node)] > 1:
        return
    yield node, key
    if isinstance(node, MappingNode):
        for k, v in node.value:
            yield from walk(k, seen)
            yield from walk(v, seen, k)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            yield from walk(item, seen)


def is_empty_null(node: Node) -> bool:
    """A value written as nothing at all (``key:``), which has no span of its own."""
    return isinstance(node, ScalarNode) and node.tag == _CORE_TAG + "null" and node.value == ""


def is_flow(node: Node) -> bool:
    """A ``[...]`` or ``{...}`` collection."""
    return isinstance(node, CollectionNode) and bool(node.flow_style)


def is_block_scalar(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.style in ("|", ">")


def _key_matches(key: Node, step: str | int) -> bool:
    if not isinstance(key, ScalarNode):
        return False
    if key.tag == _CORE_TAG + "bool" or isinstance(step, bool):
        return str(key.value).lower() == str(step).lower()
    return str(key.value) == str(step)


def _find_key(doc: Doc, mapping: MappingNode, step: str | int, path: YamlPath) -> int | None:
    found = [j for j, (key, _) in enumerate(mapping.value) if _key_matches(key, step)]
    if len(found) > 1:
        kind = "bool" if isinstance(step, bool) else type(step).__name__
        found = [j for j in found if mapping.value[j][0].tag == _CORE_TAG + kind]
        if len(found) != 1:
            doc.refuse(f"key {step!r} is ambiguous in this mapping", path, mapping)
    return found[0] if found else None


def _name(node: Node) -> str:
    return f" &{node.anchor}" if node.anchor else ""


def check_container(doc: Doc, node: Node, path: YamlPath, at: Node | None = None) -> None:
    """Refuse to edit inside a collection that is anchored, aliased or merges keys
    (reported at ``at``, the key that leads to it, when given)."""
    if id(node) in doc.aliased or node.anchor:
        doc.refuse(
            f"the edit is inside the anchored or aliased collection{_name(node)}", path, at or node
        )
    if isinstance(node, MappingNode):
        for key, _ in node.value:
            if key.tag == _CORE_TAG + "merge":
                doc.refuse("the edit is inside a mapping with a `<<` merge key", path, key)


def check_subtree(doc: Doc, loc: Located) -> None:
    """Refuse to replace or remove text that holds an anchor, alias or merge key."""
    node, path = loc.node, loc.path
    assert node is not None
    at = loc.key_node or (loc.parent if id(node) in doc.aliased else node)
    seen: Counter[int] = Counter()
    for inner, _ in walk(node, seen):
        if inner.anchor or id(inner) in doc.aliased:
            doc.refuse(
                f"the edited region holds an anchor or alias{_name(inner)}", path, at or inner
            )
        if isinstance(inner, ScalarNode) and inner.tag == _CORE_TAG + "merge":
            doc.refuse("the edited region holds a `<<` merge key", path, at or inner)


def resolve(doc: Doc, path: YamlPath, *, missing_ok: bool = False) -> Located:
    """Follow ``path`` from the root; a missing last key is allowed when ``missing_ok``."""
    node: Node = doc.root
    parents: list[Node] = []
    steps: list[int] = []
    key_node: Node | None = None
    for depth, step in enumerate(path):
        where = path[: depth + 1]
        check_container(doc, node, where, key_node)
        parents.append(node)
        if isinstance(node, MappingNode):
            j = _find_key(doc, node, step, where)
            if j is None and missing_ok and depth == len(path) - 1:
                return Located(path, (*steps, -1), tuple(parents), None, None)
            if j is None:
                doc.refuse(f"key {step!r} not found", where, node)
            steps.append(j)
            key_node, node = node.value[j]
        elif (
            isinstance(node, SequenceNode) and isinstance(step, int) and not isinstance(step, bool)
        ):
            if not 0 <= step < len(node.value):
                doc.refuse(f"index {step} out of range ({len(node.value)} items)", where, node)
            steps.append(step)
            key_node, node = None, node.value[step]
        else:
            kind = "list" if isinstance(node, SequenceNode) else "scalar"
            doc.refuse(f"cannot step into a {kind} with {step!r}", where, node)
    return Located(path, tuple(steps), tuple(parents), node, key_node)


def child(loc: Located, position: int, step: str | int) -> Located:
    """The entry or item at ``position`` of the collection ``loc`` points at."""
    assert loc.node is not None
    parent = loc.node
    if isinstance(parent, MappingNode):
        key, node = parent.value[position]
    else:
        key, node = None, parent.value[position]
    return Located((*loc.path, step), (*loc.steps, position), (*loc.parents, parent), node, key)


def parent_of(loc: Located) -> Located:
    """The location of the collection that holds ``loc``."""
    parents = loc.parents[:-1]
    key = None
    if parents and isinstance(parents[-1], MappingNode):
        key = parents[-1].value[loc.steps[-2]][0]
    return Located(loc.path[:-1], loc.steps[:-1], parents, loc.parents[-1], key)
