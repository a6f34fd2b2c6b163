"""Reading ``.autotune.yml`` into :class:`Settings`, with ``file:line`` errors.

Validation problems are reported against the round-trip YAML tree, so each one names the
line of the offending key, its dotted path and what is wrong::

    .autotune.yml:12: analysis.thresholds.slow_node_ratoi: unknown key (did you mean
    'slow_node_ratio'?)

All problems of a file are collected; :class:`InvalidSettingsError` carries them in
``problems`` (sorted by line) and reads as the first.
"""

from __future__ import annotations

import difflib
import math
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from autotune_bot.errors import SettingsError
from autotune_bot.settings.fields import format_number
from autotune_bot.settings.models import Settings
from autotune_bot.yaml_source import (
    Position,
    load_yaml,
    position_of_item,
    position_of_key,
    position_of_node,
)

__all__ = [
    "SETTINGS_FILENAMES",
    "InvalidSettingsError",
    "load_settings",
    "parse_settings_text",
    "settings_json_schema",
]

SETTINGS_FILENAMES = (".autotune.yml", ".autotune.yaml")
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

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


class InvalidSettingsError(SettingsError):
    """A settings file with one or more problems; reads as the first, holds them all."""

    def __init__(self, problems: Sequence[SettingsError]) -> None:
        if not problems:
            raise ValueError("InvalidSettingsError needs at least one problem")
        first = problems[0]
        super().__init__(first.message, path=first.path, line=first.line, field=first.field)
        self.problems: list[SettingsError] = list(problems)


def parse_settings_text(text: str, path: str) -> Settings:
    """Validate the text of a settings file; ``path`` is how the file is named in errors.

    An empty file (or one with only comments) gives the defaults. Raises
    :class:`~autotune_bot.errors.YamlSyntaxError` for invalid YAML and
    :class:`InvalidSettingsError` for anything else.
    """
    tree = load_yaml(text, path)
    if tree is None:
        return Settings()
    if not isinstance(tree, Mapping):
        line = _line_of(position_of_node(tree)) or _first_content_line(text)
        message = f"the top level must be a mapping of settings (got {_describe(tree)})"
        raise InvalidSettingsError([SettingsError(message, path=path, line=line)])
    try:
        return Settings.model_validate(_plain(tree))
    except ValidationError as err:
        problems = [_problem(error, tree, path) for error in err.errors()]
    unique = {problem.one_line(): problem for problem in problems}
    ordered = sorted(unique.values(), key=lambda p: p.line if p.line is not None else math.inf)
    raise InvalidSettingsError(ordered)


def load_settings(repo_root: Path, explicit: Path | None = None) -> tuple[Settings, str | None]:
    """Read ``explicit`` or the repository's settings file; defaults when there is none.

    Returns the settings and the path used in messages (``None`` for defaults).
    """
    if explicit is not None:
        display = str(explicit)
        if not explicit.exists():
            raise SettingsError("settings file not found", path=display)
        return parse_settings_text(_read(explicit, display), display), display
    present = [name for name in SETTINGS_FILENAMES if (repo_root / name).is_file()]
    if len(present) > 1:
        raise SettingsError(
            f"both {' and '.join(present)} exist; keep one of them", path=present[0]
        )
    if not present:
        return Settings(), None
    name = present[0]
    return parse_settings_text(_read(repo_root / name, name), name), name


def settings_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``.autotune.yml`` (draft 2020-12), for editors and ``autotune schema``."""
    schema = Settings.model_json_schema()
    schema.pop("title", None)
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "autotune-bot settings (.autotune.yml)",
        **schema,
    }


def _read(file: Path, display: str) -> str:
    if not file.is_file():
        raise SettingsError("settings path is not a file", path=display)
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise SettingsError("settings file is not UTF-8 text", path=display) from err
    except OSError as err:
        raise SettingsError(f"cannot read settings file: {err.strerror}", path=display) from err


_MISSING = object()


def _key_name(key: Any) -> str:
    """How a YAML mapping key is named in paths and matched against fields."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def _plain(node: Any) -> Any:
    """The round-trip tree as plain dicts, lists, str, int, float and bool."""
    if isinstance(node, Mapping):
        return {_key_name(key): _plain(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [_plain(item) for item in node]
    if isinstance(node, bool) or node is None:
        return node
    for plain_type in (str, int, float):
        if isinstance(node, plain_type):
            return plain_type(node)
    return node


def _problem(error: ErrorDetails, tree: Any, path: str) -> SettingsError:
    """One pydantic error as a one-line settings error located in the YAML tree."""
    loc = error["loc"]
    node: Any = tree
    line = _line_of(position_of_node(tree))
    parts: list[str | int] = []
    for part in loc:
        if isinstance(node, Mapping):
            key = next((k for k in node if _key_name(k) == part), _MISSING)
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
    return f"(got {_describe(error['input'])})"


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


def _describe(value: Any) -> str:
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


def _line_of(position: Position | None) -> int | None:
    return position.line if position is not None else None


def _first_content_line(text: str) -> int | None:
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped and not stripped.startswith(("#", "---", "%")):
            return number
    return None
