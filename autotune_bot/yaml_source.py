"""Round-trip YAML loading that keeps line numbers.

Both the settings file and workflow files are read through here so that every error and
every tunable field can name its exact line. The loaded tree is ruamel.yaml's round-trip
representation (``CommentedMap``/``CommentedSeq``), which is also what the YAML patcher
edits, so comments, ordering and quoting survive a minimal edit.

Pure: takes text, returns values. Reading the file is the caller's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from autotune_bot.errors import YamlSyntaxError

if TYPE_CHECKING:
    from ruamel.yaml import YAML

# ruamel.yaml is imported on first use: `autotune analyze --metrics FILE` never needs it,
# and start-up time counts for that command.

__all__ = ["Position", "load_yaml", "position_of_item", "position_of_key", "position_of_node"]


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

    Raises :class:`YamlSyntaxError` naming ``source`` and the line of the problem.
    Multi-document files yield their first non-empty document.
    """
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

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
    except (TypeError, RecursionError, AttributeError, ValueError) as err:
        # ruamel.yaml lets some constructs escape as plain exceptions: a mapping used as a
        # key, nesting deeper than it can follow, an alias to an anchor it dropped.
        raise YamlSyntaxError(f"unsupported YAML: {err}", path=source) from err
    for doc in docs:
        if doc is not None:
            return doc
    return None


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
