"""Loaded YAML as plain, comparable Python data.

The patcher checks its work by comparing plain data: what the edited text loads to against
what the edits should have produced. Comparison is strict: types must match (``1`` is not
``true``, ``"300"`` is not ``300``) and mapping key order counts.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["plain_at", "same", "to_plain"]

_RECURSIVE = ("<recursive>",)


def to_plain(value: Any, _open: frozenset[int] = frozenset()) -> Any:
    """A round-trip YAML value (or an edit's value) as plain data.

    Tagged scalars become ``("!tag", tag, value)`` tuples so they compare by content; a
    collection that contains itself through an alias is cut at the repeat.
    """
    from ruamel.yaml.comments import TaggedScalar
    from ruamel.yaml.scalarbool import ScalarBoolean

    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, ScalarBoolean):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, TaggedScalar):
        return ("!tag", str(value.tag), to_plain(value.value))
    if isinstance(value, dict | list):
        if id(value) in _open:
            return _RECURSIVE
        inner = _open | {id(value)}
        if isinstance(value, dict):
            return {_key(k, inner): to_plain(v, inner) for k, v in value.items()}
        return [to_plain(item, inner) for item in value]
    return value


def _key(key: Any, inner: frozenset[int]) -> Any:
    converted = to_plain(key, inner)
    return repr(converted) if isinstance(converted, dict | list) else converted


def same(a: Any, b: Any) -> bool:
    """Strict equality: same types, same mapping order, NaN equals NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return len(a) == len(b) and all(
            same(ka, kb) and same(va, vb)
            for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True)
        )
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


def plain_at(root: Any, steps: tuple[int, ...]) -> Any:
    """The value reached by entry/item positions ``steps`` (as :class:`Located` records)."""
    value = root
    for step in steps:
        value = list(value.values())[step] if isinstance(value, dict) else value[step]
    return value
