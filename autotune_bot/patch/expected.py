"""What a batch of edits should do to the document's plain data.

The patcher edits text; this module applies the same edits to plain data in Python, so the
edited text can be checked against it. Paths were resolved against the original document:
keys first, then list changes deepest-first, so no index shifts before it is used.
Setting a mapping over a mapping keeps the existing keys' order (new keys go last) and
their spelling (``true:`` stays a boolean key), as the text edit does.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from autotune_bot.patch.edits import Edit, InsertItem, RemoveItem, RemoveKey, SetValue
from autotune_bot.patch.locate import Located
from autotune_bot.patch.plain import to_plain

__all__ = ["expected_data"]

_Key = tuple[Any, ...]


def expected_data(data: Any, edits: Sequence[Edit], locs: Sequence[Located]) -> Any:
    """``data`` (the original plain data) with ``edits`` applied."""
    result = copy.deepcopy(data)
    keys = [_key_path(data, loc) for loc in locs]
    removals: dict[_Key, set[int]] = {}
    inserts: dict[_Key, list[tuple[int, Any]]] = {}
    for edit, key in zip(edits, keys, strict=True):
        if isinstance(edit, SetValue):
            value = to_plain(edit.value)
            if not key:
                result = _merge(result, value)
                continue
            parent = _walk(result, key[:-1])
            old = parent[key[-1]] if _has(parent, key[-1]) else None
            parent[key[-1]] = _merge(old, value) if _has(parent, key[-1]) else value
        elif isinstance(edit, RemoveKey):
            del _walk(result, key[:-1])[key[-1]]
        elif isinstance(edit, RemoveItem):
            removals.setdefault(key[:-1], set()).add(key[-1])
        elif isinstance(edit, InsertItem):
            inserts.setdefault(key, []).append((edit.index, to_plain(edit.value)))
    for container in sorted(set(removals) | set(inserts), key=len, reverse=True):
        items = _walk(result, container)
        gone = removals.get(container, set())
        added = inserts.get(container, [])
        rebuilt: list[Any] = []
        for index in range(len(items) + 1):
            rebuilt.extend(value for at, value in added if at == index)
            if index < len(items) and index not in gone:
                rebuilt.append(items[index])
        items[:] = rebuilt
    return result


def _has(parent: Any, key: Any) -> bool:
    return key in parent if isinstance(parent, dict) else 0 <= key < len(parent)


def _key_path(data: Any, loc: Located) -> _Key:
    keys: list[Any] = []
    value = data
    for step, position in zip(loc.path, loc.steps, strict=True):
        if position < 0:
            keys.append(step)
            break
        if isinstance(value, dict):
            key = list(value)[position]
            keys.append(key)
            value = value[key]
        else:
            keys.append(position)
            value = value[position]
    return tuple(keys)


def _walk(value: Any, keys: _Key) -> Any:
    for key in keys:
        value = value[key]
    return value


def _text(key: Any) -> str:
    return str(key).lower() if isinstance(key, bool) else str(key)


def _merge(old: Any, new: Any) -> Any:
    """``new`` set over ``old``, keeping what the key-by-key text edit keeps."""
    if isinstance(old, dict) and isinstance(new, dict) and new:
        merged: dict[Any, Any] = {}
        for key, value in new.items():
            match = [k for k in old if type(k) is type(key) and k == key]
            match = match or [k for k in old if _text(k) == _text(key)]
            target = match[0] if match else key
            merged[target] = _merge(old[match[0]], value) if match else value
        ordered = {k: merged[k] for k in old if k in merged}
        ordered.update((k, v) for k, v in merged.items() if k not in ordered)
        return ordered
    if isinstance(old, list) and isinstance(new, list) and new:
        common = [_merge(a, b) for a, b in zip(old, new, strict=False)]
        return common + new[len(old) :]
    return new
