"""Edits a suggestion makes to a YAML document, as values.

Paths are :data:`~autotune_bot.workflow.model.YamlPath` tuples from the document root, always
resolved against the document *as it was read* (the patcher resolves every path before it
changes anything, so edits in one batch do not shift each other's list indexes). Values are
plain data: ``str``, ``int``, ``float``, ``bool``, ``None``, ``list`` and ``dict`` of those.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autotune_bot.workflow.model import YamlPath

__all__ = ["Edit", "InsertItem", "RemoveItem", "RemoveKey", "SetValue"]


@dataclass(frozen=True, slots=True)
class SetValue:
    """Set the value at ``path``; the last key is inserted into its mapping when missing."""

    path: YamlPath
    value: Any


@dataclass(frozen=True, slots=True)
class RemoveKey:
    """Remove a key (and its value) from a mapping."""

    path: YamlPath


@dataclass(frozen=True, slots=True)
class RemoveItem:
    """Remove an item from a sequence (``path`` ends with its index)."""

    path: YamlPath


@dataclass(frozen=True, slots=True)
class InsertItem:
    """Insert ``value`` into the sequence at ``path`` before position ``index``
    (``index`` equal to the sequence's length appends)."""

    path: YamlPath
    index: int
    value: Any


Edit = SetValue | RemoveKey | RemoveItem | InsertItem
