"""Planning a rollback from the history: which entry, the files' new texts, the new entry.

Entries are the history's, newest first (:func:`autotune_bot.history.read_history`). A target's
*index* counts its changes that are still applied: apply entries naming the target that no
rollback entry has reverted, newest first, so index 0 is the latest change still in effect and
rolled-back entries are skipped (they are listed without an index). Rollback entries themselves
are never counted: undoing a rollback means applying again; nor are outcome entries (records of
what monitoring found after a merge, changing no file: nothing to roll back).

Undoing an entry reverse-applies its stored diffs to the files' current texts
(:func:`autotune_bot.patch.reverse.reverse_diff`): byte for byte when nothing changed since,
hunk by hunk by context when other lines did. When a later entry changed the same (or adjacent)
lines, the rollback is refused naming that entry, so it can be rolled back first; when a person
edited them, it is refused naming the file and hunk. Pure: texts in, texts and the rollback
entry out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from autotune_bot.errors import InputError
from autotune_bot.history import HISTORY_FILE, build_entry
from autotune_bot.patch.diff import unified_diff
from autotune_bot.patch.error import PatchError
from autotune_bot.patch.hunks import DiffFormatError
from autotune_bot.patch.reverse import reverse_diff

__all__ = [
    "FileRevert",
    "HistoryLine",
    "RollbackError",
    "RollbackPlan",
    "check_target",
    "history_paths",
    "plan_rollback",
    "reverted_by",
    "select_entry",
    "target_history",
]

Entry = Mapping[str, Any]


class RollbackError(InputError):
    """A rollback cannot be done as asked; nothing was changed."""


@dataclass(frozen=True)
class FileRevert:
    path: str
    old_text: str
    new_text: str
    diff: str


@dataclass(frozen=True)
class RollbackPlan:
    reverted: Entry  # the entry undone
    entry: dict[str, Any]  # the rollback entry to append to the history
    files: tuple[FileRevert, ...]

    @property
    def diff(self) -> str:
        return "".join(f.diff for f in self.files)


@dataclass(frozen=True)
class HistoryLine:
    entry: Entry
    index: int | None  # position among the target's still-applied changes; None otherwise
    rolled_back_by: str | None  # id of the rollback entry that reverted it


def reverted_by(entries: Sequence[Entry]) -> dict[str, str]:
    """Id of each reverted entry → id of the (earliest) rollback entry that reverted it."""
    out: dict[str, str] = {}
    for entry in reversed(entries):  # oldest first: the first rollback wins
        if entry["kind"] == "rollback":
            out.setdefault(str(entry["reverts"]), str(entry["id"]))
    return out


def target_history(entries: Sequence[Entry], target: str) -> list[HistoryLine]:
    """The target's entries, newest first, with the index of each still-applied change."""
    undone = reverted_by(entries)
    lines: list[HistoryLine] = []
    index = 0
    for entry in entries:
        if target not in entry["targets"]:
            continue
        by = undone.get(str(entry["id"]))
        if entry["kind"] == "apply" and by is None:
            lines.append(HistoryLine(entry, index, None))
            index += 1
        else:
            lines.append(HistoryLine(entry, None, by))
    return lines


def history_paths(entries: Sequence[Entry]) -> list[str]:
    """Every file path the entries changed (what a rollback may need to read)."""
    return sorted({str(f["path"]) for e in entries for f in e["files"]})


def _known_targets(entries: Sequence[Entry]) -> str:
    names = sorted({t for e in entries for t in e["targets"]})
    return ", ".join(names) if names else "none"


def check_target(entries: Sequence[Entry], target: str) -> None:
    """Raise :class:`RollbackError` (listing the recorded targets) when the history has no
    entry of ``target``."""
    if not any(target in e["targets"] for e in entries):
        raise RollbackError(
            f"no change of {target!r} is recorded in the history "
            f"(recorded targets: {_known_targets(entries)})",
            field="--target",
        )


def select_entry(
    entries: Sequence[Entry], target: str, index: int = 0, entry_id: str | None = None
) -> Entry:
    """The entry to roll back: the target's ``index``-th still-applied change, or the entry
    whose id (or unique id prefix) is ``entry_id``."""
    check_target(entries, target)
    lines = target_history(entries, target)
    if entry_id is not None:
        found = [line for line in lines if str(line.entry["id"]).startswith(entry_id)]
        if len(found) != 1 or not entry_id:
            what = "no entry" if not found else f"{len(found)} entries"
            raise RollbackError(
                f"{what} of {target!r} with id {entry_id!r} in the history", field="--id"
            )
        line = found[0]
        if line.entry["kind"] == "outcome":
            raise RollbackError(
                f"{line.entry['id']} is a monitoring outcome record; nothing to roll back "
                f"(the change it is about is {line.entry.get('applied')})",
                field="--id",
            )
        if line.entry["kind"] == "rollback":
            raise RollbackError(
                f"{line.entry['id']} is a rollback; apply the change again instead of rolling "
                "back a rollback",
                field="--id",
            )
        if line.rolled_back_by is not None:
            raise RollbackError(
                f"{line.entry['id']} was already rolled back by {line.rolled_back_by}",
                field="--id",
            )
        return line.entry
    applied = [line for line in lines if line.index is not None]
    if index < 0 or index >= len(applied):
        have = (
            f"{len(applied)} change(s) still applied (index 0 to {len(applied) - 1})"
            if applied
            else "no change still applied (every one was rolled back)"
        )
        raise RollbackError(f"{target!r} has {have}; there is no index {index}", field="--index")
    return applied[index].entry


def _describe(entry: Entry) -> str:
    return (
        f"{entry['id']} ({entry['kind']} of {entry['timestamp']}: {entry.get('description', '')})"
    )


def _diff_of(entry: Entry, path: str) -> str | None:
    for f in entry["files"]:
        if f["path"] == path:
            return str(f["diff"])
    return None


def _culprit(entries: Sequence[Entry], chosen: Entry, path: str, current: str) -> Entry | None:
    """The later entry after which ``chosen`` no longer reverses on ``path``, when undoing
    every later change of the file (newest first) would let it reverse; else None."""
    at = next(i for i, e in enumerate(entries) if e["id"] == chosen["id"])
    later = [(e, d) for e in entries[:at] if (d := _diff_of(e, path)) is not None]
    own = _diff_of(chosen, path) or ""
    states = [current]  # newest state first
    try:
        for _, diff in later:
            states.append(reverse_diff(states[-1], diff, path))
        reverse_diff(states[-1], own, path)
    except PatchError:
        return None  # edited by hand (a later change, or this one, no longer reverses)
    for (entry, _), state in zip(reversed(later), reversed(states[:-1]), strict=True):
        try:
            reverse_diff(state, own, path)
        except PatchError:
            return entry
    return None


def _revert_file(entries: Sequence[Entry], chosen: Entry, n: int, path: str, text: str) -> str:
    """``text`` with ``chosen``'s diff of ``path`` (its ``files[n]``) undone."""
    diff = _diff_of(chosen, path) or ""
    try:
        return reverse_diff(text, diff, path)
    except DiffFormatError as err:  # the history's fault, not the workflow file's
        raise RollbackError(
            f"cannot roll back {chosen['id']}: the stored diff of {path} is unreadable: "
            f"diff line {err.line}: {err.message}",
            path=HISTORY_FILE.as_posix(),
            field=f"files[{n}].diff",
        ) from err
    except PatchError as err:
        culprit = _culprit(entries, chosen, path, text)
        if culprit is not None:
            raise RollbackError(
                f"cannot roll back {chosen['id']}: {path}: the lines it changed were changed "
                f"again by the later entry {_describe(culprit)}; roll that one back first"
            ) from err
        raise RollbackError(f"cannot roll back {chosen['id']}: {err}") from err


def plan_rollback(
    entries: Sequence[Entry],
    target: str,
    texts: Mapping[str, str | None],
    *,
    now: datetime,
    index: int = 0,
    entry_id: str | None = None,
    mode: str = "manual",
) -> RollbackPlan:
    """Undo one entry of ``target`` (see :func:`select_entry`) on the files' current
    ``texts`` (path as the history names it → text, None or absent when the file is missing).
    Raises :class:`RollbackError` when it cannot; nothing is decided by halves: either every
    file of the entry reverts or none does."""
    chosen = select_entry(entries, target, index, entry_id)
    files: list[FileRevert] = []
    for n, f in enumerate(chosen["files"]):
        path = str(f["path"])
        text = texts.get(path)
        if text is None:
            raise RollbackError(f"cannot roll back {chosen['id']}: {path}: the file is missing")
        new = _revert_file(entries, chosen, n, path, text)
        if new != text:
            files.append(FileRevert(path, text, new, unified_diff(text, new, path)))
    configs = [
        {**c, "before": c.get("after"), "after": c.get("before")} for c in chosen.get("configs", [])
    ]
    entry = build_entry(
        kind="rollback",
        now=now,
        mode=mode,
        targets=list(chosen["targets"]),
        description=f"rollback of {chosen['id']}: {chosen.get('description', '')}",
        files=[(f.path, f.diff) for f in files],
        configs=configs,
        evidence=None,
        validation_status="not_validated",
        reverts=str(chosen["id"]),
    )
    return RollbackPlan(chosen, entry, tuple(files))
