"""Reading ``.autotune.yml`` into :class:`Settings`, with ``file:line`` errors.

Validation problems are reported against the round-trip YAML tree (see
:mod:`autotune_bot.settings.error_messages`), so each one names the line of the offending
key, its dotted path and what is wrong::

    .autotune.yml:12: analysis.thresholds.slow_node_ratoi: unknown key (did you mean
    'slow_node_ratio'?)

All problems of a file are collected; :class:`InvalidSettingsError` carries them in
``problems`` (sorted by line) and reads as the first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from autotune_bot.errors import SettingsError
from autotune_bot.file_limits import FileTooLargeError, read_capped
from autotune_bot.settings.error_messages import describe_value, key_name, located_problems
from autotune_bot.settings.models import Settings
from autotune_bot.yaml_source import MAX_YAML_BYTES, load_yaml, position_of_node

__all__ = [
    "SETTINGS_FILENAMES",
    "InvalidSettingsError",
    "load_settings",
    "parse_settings_text",
    "settings_json_schema",
]

SETTINGS_FILENAMES = (".autotune.yml", ".autotune.yaml")
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


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
        position = position_of_node(tree)
        line = (position.line if position is not None else None) or _first_content_line(text)
        message = f"the top level must be a mapping of settings (got {describe_value(tree)})"
        raise InvalidSettingsError([SettingsError(message, path=path, line=line)])
    try:
        return Settings.model_validate(_plain(tree))
    except ValidationError as err:
        problems = located_problems(err, tree, path)
    raise InvalidSettingsError(problems)


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
        text = read_capped(file, MAX_YAML_BYTES).decode("utf-8")
        return text.replace("\r\n", "\n").replace("\r", "\n")  # as text mode reads it
    except FileTooLargeError as err:
        raise SettingsError(f"settings file {err.reason()}", path=display) from None
    except UnicodeDecodeError as err:
        raise SettingsError("settings file is not UTF-8 text", path=display) from err
    except OSError as err:
        raise SettingsError(f"cannot read settings file: {err.strerror}", path=display) from err


def _plain(node: Any) -> Any:
    """The round-trip tree as plain dicts, lists, str, int, float and bool."""
    if isinstance(node, Mapping):
        return {key_name(key): _plain(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [_plain(item) for item in node]
    if isinstance(node, bool) or node is None:
        return node
    for plain_type in (str, int, float):
        if isinstance(node, plain_type):
            return plain_type(node)
    return node


def _first_content_line(text: str) -> int | None:
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped and not stripped.startswith(("#", "---", "%")):
            return number
    return None
