"""Plain Python values written as YAML text, in the layout of the file being edited.

Strings stay plain only when YAML 1.1 and 1.2 readers both read them back as the same
string (``yes``, ``null``, ``1:30``, ``0755``, text with ``: `` or `` #``, a leading ``{``…
are quoted). Collections render in flow style when they fit on the line, otherwise in
block style with the file's indentation. Lines are returned without line endings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = [
    "WIDTH",
    "Layout",
    "block_lines",
    "check_value",
    "entry_lines",
    "flow",
    "inline",
    "is_collection",
    "item_lines",
    "key_text",
    "scalar",
]

WIDTH = 80
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_INDICATORS = frozenset(",[]{}:")
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True, slots=True)
class Layout:
    """How the file indents: ``step`` for nested mappings, ``seq_offset`` for a block list
    under a key (0 when the dashes align with the key), ``gap`` from a dash to its item."""

    step: int = 2
    seq_offset: int = 2
    gap: int = 2


def check_value(value: Any) -> None:
    """Raise ValueError unless ``value`` is plain data the patcher can write."""
    if isinstance(value, dict):
        for key, item in value.items():
            if is_collection(key) or not isinstance(key, str | int | float | bool | None):
                raise ValueError(f"cannot write the mapping key {key!r} as YAML")
            check_value(item)
    elif isinstance(value, list):
        for item in value:
            check_value(item)
    elif not isinstance(value, str | int | float | bool | None):
        raise ValueError(f"cannot write a {type(value).__name__} value as YAML")


def is_collection(value: Any) -> bool:
    return isinstance(value, dict | list)


@lru_cache(maxsize=4096)
def _reads_as_str(text: str) -> bool:
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.resolver import VersionedResolver

    for version in ((1, 1), (1, 2)):
        tag = VersionedResolver(version=version).resolve(ScalarNode, text, (True, False))
        if str(tag) != _STR_TAG:
            return False
    return True


def _plain_ok(text: str, in_flow: bool) -> bool:
    if not text or text != text.strip() or not text.isprintable():
        return False
    if text[0] in _INDICATORS or ": " in text or " #" in text or text.endswith(":"):
        return False
    if in_flow and any(ch in _FLOW_INDICATORS for ch in text):
        return False
    return _reads_as_str(text)


def _double(text: str) -> str:
    out = []
    for ch in text:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif not ch.isprintable() and ch != " ":
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _string(text: str, in_flow: bool, quote: str | None) -> str:
    if quote == "'" and text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    if quote is None and _plain_ok(text, in_flow):
        return text
    return _double(text)


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        if exponent[0] not in "+-":
            exponent = "+" + exponent
        text = f"{mantissa}e{exponent}"
    return text


def scalar(value: Any, *, in_flow: bool = False, quote: str | None = None) -> str:
    """``value`` (not a collection) as a YAML scalar; strings keep ``quote`` (``'``/``"``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return _string(value, in_flow, quote)
    raise ValueError(f"cannot write a {type(value).__name__} value as YAML")


def key_text(key: Any, *, in_flow: bool = False) -> str:
    """A mapping key; only scalars can be written as keys."""
    if is_collection(key):
        raise ValueError("cannot write a collection as a mapping key")
    return scalar(key, in_flow=in_flow)


def flow(value: Any) -> str:
    """Any value in flow style (``{a: 1, b: [x, y]}``), on one line."""
    if isinstance(value, dict):
        inner = ", ".join(f"{key_text(k, in_flow=True)}: {flow(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(item) for item in value) + "]"
    return scalar(value, in_flow=True)


def _has_listed_mapping(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_listed_mapping(item) for item in value.values())
    if isinstance(value, list):
        return any(isinstance(item, dict) or _has_listed_mapping(item) for item in value)
    return False


def inline(value: Any, used: int) -> str | None:
    """``value`` on the current line (after ``used`` columns), or None when it needs a block:
    when it does not fit, or holds a list of mappings (written as block items, like nodes)."""
    if not is_collection(value) or not value:
        return flow(value) if is_collection(value) else scalar(value)
    text = flow(value)
    return text if used + len(text) <= WIDTH and not _has_listed_mapping(value) else None


def entry_lines(key: Any, value: Any, col: int, layout: Layout) -> list[str]:
    """``key: value`` at column ``col``, continuing on indented lines when long."""
    head = " " * col + key_text(key) + ":"
    text = inline(value, len(head) + 1)
    if text is not None:
        return [f"{head} {text}"]
    return [head, *block_lines(value, col, layout)]


def block_lines(value: Any, col: int, layout: Layout) -> list[str]:
    """The lines of a non-empty collection that is the value of a key at column ``col``."""
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            lines.extend(entry_lines(key, item, col + layout.step, layout))
    else:
        for item in value:
            lines.extend(item_lines(item, col + layout.seq_offset, layout))
    return lines


def item_lines(value: Any, dash_col: int, layout: Layout) -> list[str]:
    """A block-sequence item ``- value`` with its dash at ``dash_col``."""
    dash = " " * dash_col + "-" + " " * (layout.gap - 1)
    if isinstance(value, dict) and value:
        inner = dash_col + layout.gap
        lines: list[str] = []
        for key, item in value.items():
            lines.extend(entry_lines(key, item, inner, layout))
        return [dash + lines[0][inner:], *lines[1:]]
    text = flow(value) if is_collection(value) else scalar(value)
    return [dash + text]
