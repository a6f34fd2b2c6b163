"""Round-trip YAML loading that keeps line numbers.

Both the settings file and workflow files are read through here so that every error and
every tunable field can name its exact line. The loaded tree is ruamel.yaml's round-trip
representation (``CommentedMap``/``CommentedSeq``), which is also what the YAML patcher
edits, so comments, ordering and quoting survive a minimal edit.

Untrusted text is bounded before and after parsing: a text over :data:`MAX_YAML_BYTES` is
refused unparsed, and a loaded tree whose aliases expand it past :data:`MAX_YAML_NODES` nodes
("billion laughs"), that refers to shared collections more than :data:`MAX_YAML_ALIASES`
times, that contains itself, or that nests deeper than :data:`MAX_YAML_DEPTH` is refused with
one error naming the file. The loader is ruamel.yaml's round-trip one, which builds only
plain collections and scalars: tags such as ``!!python/object`` stay inert data.

Pure: takes text, returns values. Reading the file is the caller's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from autotune_bot.errors import YamlSyntaxError

if TYPE_CHECKING:
    from ruamel.yaml import YAML

# ruamel.yaml is imported on first use: `autotune analyze --metrics FILE` never needs it,
# and start-up time counts for that command.

__all__ = [
    "MAX_YAML_ALIASES",
    "MAX_YAML_BYTES",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "Position",
    "load_yaml",
    "position_of_item",
    "position_of_key",
    "position_of_node",
]

MAX_YAML_BYTES = 2 * 1024 * 1024  # of one workflow or settings file (UTF-8)
MAX_YAML_NODES = 1_000_000  # collections and scalars of a document, aliases expanded
MAX_YAML_ALIASES = 10_000  # repeated references to one already-seen collection
MAX_YAML_DEPTH = 100  # collections inside collections
_BRACKETS = re.compile(r"[\[\]{}]")


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column in a source file."""

    line: int
    column: int


def _new_yaml() -> YAML:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    return yaml


def load_yaml(text: str, source: str) -> Any:
    """Parse ``text`` (the content of ``source``) into a round-trip tree.

    Raises :class:`YamlSyntaxError` naming ``source`` and the line of the problem, or the
    limit a text or tree exceeds. Multi-document files yield their first non-empty document.
    """
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    size = len(text) if len(text) > MAX_YAML_BYTES else len(text.encode("utf-8", "replace"))
    if size > MAX_YAML_BYTES:
        raise YamlSyntaxError(
            f"YAML text of {size} bytes is over the limit of {MAX_YAML_BYTES} bytes; not parsed",
            path=source,
        )
    if _flow_depth(text) > MAX_YAML_DEPTH:
        raise YamlSyntaxError(
            f"YAML nested deeper than {MAX_YAML_DEPTH} levels; not loaded", path=source
        )
    yaml = _new_yaml()
    try:
        docs = list(yaml.load_all(text))
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = err.problem or err.context or "invalid YAML"
        raise YamlSyntaxError(f"invalid YAML: {problem}", path=source, line=line) from err
    except YAMLError as err:
        raise YamlSyntaxError(f"invalid YAML: {err}", path=source) from err
    except RecursionError as err:
        raise YamlSyntaxError(
            f"YAML nested too deeply to load (the limit is {MAX_YAML_DEPTH} levels)", path=source
        ) from err
    except (TypeError, AttributeError, ValueError) as err:
        # ruamel.yaml lets some constructs escape as plain exceptions: a mapping used as a
        # key, an alias to an anchor it dropped.
        raise YamlSyntaxError(f"unsupported YAML: {err}", path=source) from err
    for doc in docs:
        if doc is not None:
            _check_expansion(doc, source)
            return doc
    return None


def _flow_depth(text: str) -> int:
    """The deepest run of unclosed ``[``/``{`` in ``text`` (brackets in strings count too).

    The YAML scanner slows down with the square of flow nesting (seconds for a few thousand
    levels), so deep ``[[[[…`` is refused before parsing; ordinary text never comes close.
    """
    depth = deepest = 0
    for bracket in _BRACKETS.findall(text):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return deepest


def _check_expansion(doc: Any, source: str) -> None:
    """Refuse a tree that aliases expand too far, that holds itself, or that nests too deep.

    The expanded size is counted once per distinct collection (memoised by identity), so a
    billion-laughs document costs its written size to check, not its expanded size.
    """
    sizes: dict[int, int] = {}
    open_ids: set[int] = set()
    repeats = 0

    def refuse(message: str) -> YamlSyntaxError:
        return YamlSyntaxError(message, path=source)

    def size_of(node: Any, depth: int) -> int:
        nonlocal repeats
        if not isinstance(node, dict | list):
            return 1
        key = id(node)
        if key in open_ids:
            raise refuse("a YAML alias refers to a collection that contains it; not loaded")
        if key in sizes:
            repeats += 1
            if repeats > MAX_YAML_ALIASES:
                raise refuse(
                    f"more than {MAX_YAML_ALIASES} references to repeated YAML anchors; not loaded"
                )
            return sizes[key]
        if depth > MAX_YAML_DEPTH:
            raise refuse(f"YAML nested deeper than {MAX_YAML_DEPTH} levels; not loaded")
        open_ids.add(key)
        children = (
            [part for pair in node.items() for part in pair] if isinstance(node, dict) else node
        )
        total = 1
        for child in children:
            total += size_of(child, depth + 1)
            if total > MAX_YAML_NODES:
                raise refuse(
                    f"YAML aliases expand the document to more than {MAX_YAML_NODES} nodes "
                    "(an alias bomb?); not loaded"
                )
        open_ids.discard(key)
        sizes[key] = total
        return total

    size_of(doc, 0)


def position_of_node(node: Any) -> Position | None:
    """Where a mapping or sequence starts, if the loader recorded it."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap | CommentedSeq):
        return Position(node.lc.line + 1, node.lc.col + 1)
    return None


def position_of_key(mapping: Any, key: Any) -> Position | None:
    """Where ``key`` of ``mapping`` is written."""
    from ruamel.yaml.comments import CommentedMap

    if isinstance(mapping, CommentedMap) and key in mapping:
        try:
            line, col = mapping.lc.key(key)
        except (KeyError, TypeError):
            return position_of_node(mapping)
        return Position(line + 1, col + 1)
    return None


def position_of_item(seq: Any, index: int) -> Position | None:
    """Where item ``index`` of ``seq`` is written."""
    from ruamel.yaml.comments import CommentedSeq

    if isinstance(seq, CommentedSeq) and 0 <= index < len(seq):
        try:
            line, col = seq.lc.item(index)
        except (KeyError, TypeError):
            return position_of_node(seq)
        return Position(line + 1, col + 1)
    return None
