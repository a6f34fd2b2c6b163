"""Pydantic validation errors of ``.autotune.yml`` as located one-line settings errors.

Each error is reported against the round-trip YAML tree: the line of the offending key, its
dotted path (``analysis.thresholds.slow_node_ratio``, ``teams.t1.node``, ``labels[0]``) and a
short message (an unknown key suggests the closest known one).
"""

from __future__ import annotations

import difflib
import math
import types
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from autotune_bot.errors import SettingsError
from autotune_bot.settings.fields import format_number
from autotune_bot.settings.models import Settings
from autotune_bot.yaml_source import Position, position_of_item, position_of_key, position_of_node

__all__ = ["describe_value", "key_name", "located_problems"]

_TYPE_MESSAGES = {
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a string",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
}
_MISSING = object()


def key_name(key: Any) -> str:
    """How a YAML mapping key is named in paths and matched against fields."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def describe_value(value: Any) -> str:
    """A value as messages show it: ``null``, ``true``, ``1.5``, a quoted string, ``a list``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__}"


def located_problems(err: ValidationError, tree: Any, path: str) -> list[SettingsError]:
    """Every error of ``err`` as a one-line settings error located in the YAML ``tree``.

    ``tree`` is the round-trip YAML that was validated (through its plain form, whose keys
    are named by :func:`key_name`). Problems that read the same are reported once; the list is
    in line order, problems without a line last.
    """
    problems = [_problem(error, tree, path) for error in err.errors()]
    unique = {problem.one_line(): problem for problem in problems}
    return sorted(unique.values(), key=lambda p: p.line if p.line is not None else math.inf)


def _problem(error: ErrorDetails, tree: Any, path: str) -> SettingsError:
    """One pydantic error as a one-line settings error located in the YAML tree."""
    loc = error["loc"]
    node: Any = tree
    line = _line_of(position_of_node(tree))
    parts: list[str | int] = []
    for part in loc:
        if isinstance(node, Mapping):
            key = next((k for k in node if key_name(k) == part), _MISSING)
            if key is _MISSING:
                break
            line = _line_of(position_of_key(node, key)) or line
            node = node[key]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            line = _line_of(position_of_item(node, part)) or line
            node = node[part]
        else:
            break
        parts.append(part)
    if error["type"] == "missing" and len(parts) < len(loc):
        parts.append(loc[len(parts)])
    return SettingsError(_message(error), path=path, line=line, field=_dotted(parts) or None)


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        return _unknown_key(error["loc"])
    if kind == "missing":
        return "required key is missing"
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    if kind == "literal_error":
        return f"must be {ctx.get('expected', 'one of the allowed values')} " + _got(error)
    if kind in _TYPE_MESSAGES:
        return f"{_TYPE_MESSAGES[kind]} {_got(error)}"
    text = error["msg"]
    return f"{text[:1].lower()}{text[1:]} {_got(error)}"


def _got(error: ErrorDetails) -> str:
    return f"(got {describe_value(error['input'])})"


def _unknown_key(loc: tuple[str | int, ...]) -> str:
    model = _model_at(loc[:-1])
    if model is None:
        return "unknown key"
    known = list(model.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    if close:
        return f"unknown key (did you mean {close[0]!r}?)"
    return f"unknown key (expected one of: {', '.join(known)})"


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The settings model a validated value at ``loc`` has, if it is a model."""
    current: Any = Settings
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        elif get_origin(current) in (tuple, list):
            current = get_args(current)[0]
        else:
            return None
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``X | None`` down to ``X``."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            options = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation


def _dotted(parts: Sequence[str | int]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _line_of(position: Position | None) -> int | None:
    return position.line if position is not None else None
