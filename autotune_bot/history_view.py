"""The optimisation history as the Python API shows it
(:meth:`autotune_bot.autotuner.PerformanceAutotuner.get_optimization_history`).

Two kinds of entries make up a target's history there: those of the repository's
`.autotune/history.jsonl` (when the tuner works on a repository) and the plain-configuration
optimisations applied through the tuner object itself, kept in memory (a plain dict is no
file, so they cannot be in the repository's history). They are shown together, newest first,
each marked with where it lives (``stored_in``: ``"repository"`` or ``"memory"``) and with an
``index``: its position among the target's changes still applied, of both kinds, the
``rollback_index`` that undoes it (None for a change already rolled back and for a rollback).

Every view has what the design documents' loop over the history formats: ``timestamp``,
``optimization.description``, ``improvement_percentage`` (a number) and ``validation_status``.
Where the history file has no single figure (a rollback; several suggestions applied together,
whose estimates do not add up) the view's ``improvement_percentage`` is 0.0 and its
``improvement_basis`` says why; the file itself is not changed. An ``outcome`` entry (monitoring
confirmed a merged change) is listed without an index, with 0.0 too: its realised figure, in
``realised`` and in words in ``improvement_basis``, was recorded before/after the merge, not
measured by an A/B test, and belongs to the apply entry it names. Pure.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from autotune_bot.history_outcomes import realised_words
from autotune_bot.rollback import RollbackError, target_history

__all__ = ["ViewLine", "history_view", "pick_applied"]

StoredIn = Literal["repository", "memory"]


@dataclass(frozen=True)
class ViewLine:
    view: dict[str, Any]  # what the API returns for the entry
    stored_in: StoredIn
    entry: Mapping[str, Any]  # the entry itself (the history file's, or the in-memory one)
    memory_position: int | None  # its position in the in-memory list (oldest first)

    @property
    def index(self) -> int | None:
        index: int | None = self.view["index"]
        return index


# (entry, where it lives, position in memory, rolled back by, index among the file's changes)
_Source = tuple[Mapping[str, Any], StoredIn, int | None, str | None, int | None]


def _when(source: _Source) -> datetime:
    try:
        when = datetime.fromisoformat(str(source[0].get("timestamp")))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _improvement(entry: Mapping[str, Any]) -> tuple[float, str | None]:
    """The figure to show and its basis, filled in where the entry has none."""
    value = entry.get("improvement_percentage")
    basis = entry.get("improvement_basis")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value), basis
    if entry.get("kind") == "rollback":
        return 0.0, "a rollback restores the earlier configuration; it claims no improvement"
    if entry.get("kind") == "outcome":
        realised = realised_words(entry.get("realised"))
        return 0.0, (
            f"a monitoring record of the merged change {entry.get('applied')}: realised "
            f"{realised} (see realised), recorded before/after the merge, not interleaved: "
            "not an A/B result; it claims no improvement of its own"
        )
    optimization = entry.get("optimization")
    suggestions = optimization.get("suggestions") if isinstance(optimization, dict) else None
    count = len(suggestions) if isinstance(suggestions, list) else 0
    if count > 1:
        why = (
            f"no single figure: the estimates of the {count} suggestions applied together do "
            "not add up (see optimization.suggestions)"
        )
    else:
        why = "no figure was recorded for this change"
    return 0.0, why


def _repository_view(entry: Mapping[str, Any], by: str | None) -> dict[str, Any]:
    view = dict(entry)
    optimization = entry.get("optimization")
    if not isinstance(optimization, dict) or not isinstance(optimization.get("description"), str):
        view["optimization"] = {
            **(optimization if isinstance(optimization, dict) else {}),
            "description": str(entry.get("description", "")),
        }
    view["improvement_percentage"], view["improvement_basis"] = _improvement(entry)
    view["rolled_back_by"] = by
    view["stored_in"] = "repository"
    return view


def _memory_view(entry: Mapping[str, Any]) -> dict[str, Any]:
    view = dict(entry)
    description = str(entry.get("optimization", {}).get("description", ""))
    view.setdefault("kind", "apply")
    view.setdefault("description", description)
    view["improvement_percentage"], view["improvement_basis"] = _improvement(entry)
    view["rolled_back_by"] = None
    view["stored_in"] = "memory"
    return view


def history_view(
    repository: Sequence[Mapping[str, Any]], memory: Sequence[Mapping[str, Any]], target: str
) -> list[ViewLine]:
    """The target's history, newest first: ``repository``, the history file's entries (newest
    first, as :func:`autotune_bot.history.read_history` returns them), merged by timestamp
    with ``memory``, the in-memory entries of plain-configuration applies (oldest first, each
    still applied). Each list keeps its own order."""
    from_file: Iterator[_Source] = (
        (line.entry, "repository", None, line.rolled_back_by, line.index)
        for line in target_history(repository, target)
    )
    from_memory: Iterator[_Source] = (
        (memory[k], "memory", k, None, None) for k in range(len(memory) - 1, -1, -1)
    )
    lines: list[ViewLine] = []
    index = 0
    for entry, stored_in, position, by, file_index in heapq.merge(
        from_file, from_memory, key=_when, reverse=True
    ):
        if stored_in == "memory":
            view, applied = _memory_view(entry), True
        else:
            view, applied = _repository_view(entry, by), file_index is not None
        view["index"] = index if applied else None
        index += applied
        lines.append(ViewLine(view, stored_in, entry, position))
    return lines


def pick_applied(
    lines: Sequence[ViewLine], target: str, index: int, known: Sequence[str] = ()
) -> ViewLine:
    """The line of the ``index``-th change still applied; :class:`RollbackError` naming the
    API's parameters (``team_id``, ``rollback_index``) when there is none (``known``: the
    targets the history does record, listed in the error)."""
    if not lines:
        names = ", ".join(sorted(set(known))) or "none"
        raise RollbackError(
            f"no change of {target!r} is recorded in the repository's history or was applied "
            f"through this object (recorded targets: {names})",
            field="team_id",
        )
    applied = [line for line in lines if line.index is not None]
    if 0 <= index < len(applied):
        return applied[index]
    have = (
        f"{len(applied)} change(s) still applied (index 0 to {len(applied) - 1})"
        if applied
        else "no change still applied (every one was rolled back)"
    )
    raise RollbackError(f"{target!r} has {have}; there is no index {index}", field="rollback_index")
