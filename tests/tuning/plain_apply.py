"""A reference application of edits to plain data, for checking edits without the patcher.

Paths refer to the data as given: key edits are applied first, then list removals and
insertions, innermost lists first, so no edit shifts another edit's indexes.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Sequence
from typing import Any

from ruamel.yaml import YAML

from autotune_bot.patch.edits import Edit, InsertItem, RemoveItem, RemoveKey, SetValue
from autotune_bot.workflow.yaml_fields import plain


def apply_plain(data: Any, edits: Sequence[Edit]) -> Any:
    result = copy.deepcopy(plain(data))
    for edit in edits:
        if isinstance(edit, SetValue):
            _walk(result, edit.path[:-1])[edit.path[-1]] = copy.deepcopy(edit.value)
    for edit in edits:
        if isinstance(edit, RemoveKey):
            del _walk(result, edit.path[:-1])[edit.path[-1]]
    lists: dict[tuple[Any, ...], tuple[set[int], list[tuple[int, Any]]]] = {}
    for edit in edits:
        if isinstance(edit, RemoveItem):
            index = edit.path[-1]
            assert isinstance(index, int)
            lists.setdefault(edit.path[:-1], (set(), []))[0].add(index)
        elif isinstance(edit, InsertItem):
            lists.setdefault(edit.path, (set(), []))[1].append((edit.index, edit.value))
    for path in sorted(lists, key=len, reverse=True):
        gone, added = lists[path]
        items = _walk(result, path)
        rebuilt: list[Any] = []
        for index in range(len(items) + 1):
            rebuilt.extend(copy.deepcopy(v) for at, v in added if at == index)
            if index < len(items) and index not in gone:
                rebuilt.append(items[index])
        items[:] = rebuilt
    return result


def dump(data: Any) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _walk(data: Any, path: Sequence[Any]) -> Any:
    for key in path:
        data = data[key]
    return data
