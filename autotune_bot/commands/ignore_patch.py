"""The settings-file edit behind ``/autotune ignore <strategy|team>``.

A registered strategy name gets ``strategies.<name>.enabled: false``; any other name is
taken as a team or node id and appended to ``constraints.protected_nodes``. Sections are
created as needed. The edit is made by the minimal YAML patcher, so comments, order,
quoting and line endings of the rest of the file stay byte for byte; a file without
settings (empty, or only comments) gets the section appended, and no file at all becomes a
new minimal one. The result is read back as settings and must show the name as ignored.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from autotune_bot.errors import AutotuneError, InputError, SettingsError
from autotune_bot.patch.diff import unified_diff
from autotune_bot.patch.edits import Edit, InsertItem, SetValue
from autotune_bot.patch.render import key_text, scalar
from autotune_bot.settings.loader import parse_settings_text
from autotune_bot.settings.models import Settings

__all__ = ["AlreadyIgnoredError", "IgnoreError", "ignore_settings_patch"]


class IgnoreError(SettingsError):
    """The settings file cannot be edited to ignore the name; nothing was changed."""


class AlreadyIgnoredError(IgnoreError):
    """The strategy is already disabled, or the team or node already protected."""


def ignore_settings_patch(
    settings_text: str | None, path: str, name: str, strategies: Collection[str]
) -> tuple[str, str]:
    """The settings file's new text with ``name`` ignored, and the unified diff.

    ``settings_text`` is the file's content (``None``: there is no file yet and ``path`` is
    where it will be created); ``strategies`` the registered strategy names. Raises
    :class:`AlreadyIgnoredError` when there is nothing to do, the loader's errors when the
    current file is not valid settings, and :class:`IgnoreError` when the edit cannot be
    made minimally or would not read back as intended.
    """
    if not name or name != name.strip():
        raise IgnoreError("the name to ignore must be a non-empty word", path=path)
    is_strategy = name in strategies
    if settings_text is None:
        new_text = "\n".join(["version: 1", *_section_lines(name, is_strategy), ""])
        diff = unified_diff("", new_text, path).replace(f"--- a/{path}\n", "--- /dev/null\n", 1)
    else:
        current = parse_settings_text(settings_text, path)
        if _ignored(current, name, is_strategy):
            raise AlreadyIgnoredError(_already(name, is_strategy), path=path)
        new_text = _edited(settings_text, path, name, is_strategy)
        diff = unified_diff(settings_text, new_text, path)
    _check_result(new_text, path, name, is_strategy)
    return new_text, diff


def _ignored(settings: Settings, name: str, is_strategy: bool) -> bool:
    if is_strategy:
        section = settings.strategies.get(name)
        return section is not None and not section.enabled
    return name in settings.constraints.protected_nodes


def _already(name: str, is_strategy: bool) -> str:
    if is_strategy:
        return f"strategy {name!r} is already ignored (strategies.{name}.enabled is false)"
    return f"{name!r} is already ignored (it is in constraints.protected_nodes)"


def _section_lines(name: str, is_strategy: bool) -> list[str]:
    if is_strategy:
        return ["strategies:", f"  {key_text(name)}:", "    enabled: false"]
    return ["constraints:", "  protected_nodes:", f"    - {scalar(name)}"]


def _edited(text: str, path: str, name: str, is_strategy: bool) -> str:
    from autotune_bot.patch.apply import apply_edits
    from autotune_bot.yaml_source import load_yaml

    tree = load_yaml(text, path)
    if tree is None:  # empty, or only comments: append the section
        eol = "\r\n" if "\r\n" in text else "\n"
        prefix = text if not text or text.endswith("\n") else text + eol
        return prefix + eol.join(_section_lines(name, is_strategy)) + eol
    edit = _strategy_edit(tree, name) if is_strategy else _team_edit(tree, name)
    try:
        return apply_edits(text, [edit], path)
    except AutotuneError as err:
        raise IgnoreError(
            f"cannot edit the settings file minimally ({err}); edit it by hand", path=path
        ) from err


def _strategy_edit(tree: Mapping[str, Any], name: str) -> Edit:
    section = tree.get("strategies")
    if not isinstance(section, Mapping):  # missing or written without a value
        return SetValue(("strategies",), {name: {"enabled": False}})
    entry = section.get(name)
    if not isinstance(entry, Mapping):
        return SetValue(("strategies", name), {"enabled": False})
    return SetValue(("strategies", name, "enabled"), False)


def _team_edit(tree: Mapping[str, Any], name: str) -> Edit:
    section = tree.get("constraints")
    if not isinstance(section, Mapping):
        return SetValue(("constraints",), {"protected_nodes": [name]})
    nodes = section.get("protected_nodes")
    if not isinstance(nodes, list):
        return SetValue(("constraints", "protected_nodes"), [name])
    return InsertItem(("constraints", "protected_nodes"), len(nodes), name)


def _check_result(text: str, path: str, name: str, is_strategy: bool) -> None:
    try:
        settings = parse_settings_text(text, path)
    except InputError as err:
        raise IgnoreError(
            f"the edited settings file would not be valid ({err}); edit it by hand", path=path
        ) from err
    if not _ignored(settings, name, is_strategy):
        raise IgnoreError(
            f"the edited settings file would not ignore {name!r}; edit it by hand", path=path
        )
