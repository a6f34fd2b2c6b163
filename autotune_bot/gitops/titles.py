"""Pull request titles and commit messages of proposals.

A title names the target, the change in a few words and the headline figure with its
verdict: ``autotune: review_team formation sequential → parallel (−35 % duration, not
validated)``. Names come from YAML, so every piece is put on one line and clipped. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from autotune_bot.gitops.headline import Headline
from autotune_bot.gitops.markdown import one_line
from autotune_bot.tuning.suggestion import Change

__all__ = ["MAX_TITLE", "change_phrase", "change_summary", "commit_message", "proposal_title"]

MAX_TITLE = 200  # GitHub allows 256 characters
_ALIASES = {"team_formation": "formation"}
_ITEM = re.compile(r"(?P<container>[A-Za-z_][\w-]*)\[(?P<item>.+)\]")


def _value(value: Any) -> str | None:
    """A short form of a scalar value; None for lists and mappings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return one_line(str(value), 30)
    return None


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 1 else word


def change_phrase(change: Change, target: str) -> str:
    """A few words for one change: ``formation sequential → parallel``, ``remove member docs``."""
    field = _ALIASES.get(change.field, change.field)
    item = _ITEM.fullmatch(field)
    what = f"{_singular(item['container'])} {item['item']}" if item else field
    subject = what if change.node in (None, target) else f"{change.node} {what}"
    if change.new is None:
        return f"remove {subject}"
    if change.old is None:
        return f"add {subject}"
    old, new = _value(change.old), _value(change.new)
    if old is None or new is None:
        return f"change {subject}"
    return f"{subject} {old} → {new}"


def change_summary(changes: Sequence[Change], target: str, limit: int = 120) -> str:
    """The first changes' phrases, then ``+N more`` for the rest, within ``limit``."""
    phrases = [one_line(change_phrase(c, target)) for c in changes]
    if not phrases:
        return "configuration change"
    shown: list[str] = []
    for k, phrase in enumerate(phrases):
        rest = len(phrases) - k - 1
        tail = f" +{rest} more" if rest else ""
        candidate = ", ".join([*shown, phrase])
        if shown and len(candidate + tail) > limit:
            return ", ".join(shown) + f" +{len(phrases) - len(shown)} more"
        shown.append(phrase)
    return one_line(", ".join(shown), limit)


def proposal_title(target: str, changes: Sequence[Change], head: Headline) -> str:
    """``autotune: <target> <change summary> (<figure>, <verdict>)``, at most MAX_TITLE long."""
    suffix = f" ({head.figure()}, {head.verdict()})"
    name = one_line(target, 60)
    room = MAX_TITLE - len("autotune: ") - len(name) - 1 - len(suffix)
    return f"autotune: {name} {change_summary(changes, target, max(room, 20))}{suffix}"


def commit_message(
    title: str,
    *,
    description: str,
    key: str,
    file: str,
    evidence_key: str,
    validation_status: str,
    history_entry: str,
) -> str:
    """Subject, a short body, and ``Autotune-*`` trailers a later run can read back."""
    body = [
        one_line(description, 500),
        "",
        f"File: {one_line(file, 200)}",
        f"Validation: {validation_status}",
        f"History entry: {history_entry}",
    ]
    trailers = [
        f"Autotune-Key: {one_line(key, 200)}",
        f"Autotune-Evidence: {evidence_key}",
    ]
    return "\n".join([one_line(title), "", *body, "", *trailers]) + "\n"
