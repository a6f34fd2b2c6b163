"""Located values from round-trip YAML mappings.

A :class:`Field` is a value plus where it is (or would be) written. These helpers read
fields with their framework defaults, turn round-trip scalars into plain Python values, and
collect the warnings of the file being parsed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autotune_bot.errors import WorkflowError
from autotune_bot.workflow.model import Field, YamlPath
from autotune_bot.yaml_source import position_of_key

__all__ = [
    "Source",
    "check_number",
    "field_at",
    "line_of_key",
    "plain",
    "str_list",
    "tool_names",
]


class Source:
    """The file being parsed: names it in errors and collects warnings."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._warnings: list[tuple[int, str]] = []

    def warn(self, line: int, message: str) -> None:
        self._warnings.append((line, " ".join(message.split())))

    @property
    def warnings(self) -> list[str]:
        """Warnings as "path:line: message", in line order."""
        ordered = sorted(self._warnings, key=lambda item: item[0])
        return [f"{self.path}:{line}: {message}" for line, message in ordered]

    def error(self, message: str, line: int, field: str | None = None) -> WorkflowError:
        return WorkflowError(message, path=self.path, line=line, field=field)


def plain(value: Any, _open: frozenset[int] = frozenset()) -> Any:
    """A round-trip YAML value as plain Python (dict, list, str, int, float, bool, None).

    Values with custom tags (``!include x``) stay as ruamel's opaque tagged objects; a
    container that contains itself through an alias is cut at the repeat (``None``).
    """
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dict | list):
        if id(value) in _open:
            return None
        inner = _open | {id(value)}
        if isinstance(value, dict):
            return {_plain_key(k, inner): plain(v, inner) for k, v in value.items()}
        return [plain(v, inner) for v in value]
    return value


def _plain_key(key: Any, inner: frozenset[int]) -> Any:
    converted = plain(key, inner)
    return str(key) if isinstance(converted, dict | list) else converted


def str_list(value: Any) -> list[str]:
    """A string or a list of strings/numbers as a list of strings; anything else → []."""
    if isinstance(value, str):
        return [str(value)]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int) and not isinstance(v, bool)]
    return []


def line_of_key(mapping: Any, key: str, default: int) -> int:
    pos = position_of_key(mapping, key)
    return pos.line if pos is not None else default


def field_at(
    name: str,
    mapping: Mapping[Any, Any] | None,
    keys: tuple[str, ...],
    base: YamlPath,
    default: Any,
    line: int,
) -> Field:
    """The first of ``keys`` written in ``mapping``; absent → ``default`` at ``base + keys[0]``
    with ``line`` (the enclosing node's line)."""
    if mapping is not None:
        for key in keys:
            if key in mapping:
                at = line_of_key(mapping, key, line)
                return Field(name, plain(mapping[key]), (*base, key), at, True)
    return Field(name, default, (*base, keys[0]), line, False)


def tool_names(mapping: Mapping[Any, Any]) -> tuple[str, ...]:
    """Names from `tools` or `allowed_tools` (strings, or mappings with a `name`)."""
    value = mapping.get("tools", mapping.get("allowed_tools"))
    if isinstance(value, str):
        return (str(value),)
    if not isinstance(value, list):
        return ()
    names = [v.get("name") if isinstance(v, dict) else v for v in value]
    return tuple(str(n) for n in names if isinstance(n, str))


def check_number(src: Source, owner: str, field: Field | None) -> None:
    """Warn when a present numeric field holds something that is not a number."""
    if field is None or not field.present or field.value is None:
        return
    if isinstance(field.value, bool) or not isinstance(field.value, int | float):
        src.warn(field.line, f"'{owner}': `{field.name}` is not a number: {field.value!r}")
