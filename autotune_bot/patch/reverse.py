"""Undoing a stored unified diff on a file's current text (``patch -R``, conservatively).

When the file is unchanged since the diff was made, every hunk is found where its header says
and the result is the original text byte for byte (CRLF endings, a byte-order mark and a missing
final newline included). When other lines changed since, a hunk is looked for by its content:
the lines it left in the file plus its context, at any offset (the first line that follows a
hunk already undone onwards). A match away from the expected place is only taken when it is the
only one; if the surrounding context was edited, up to two outer context lines per side may be
left out (keeping at least one), again only for a unique match. Lines the hunk changed are never
matched loosely: when they were edited since (or no unique place is found), the file is left
alone and :class:`HunkConflictError` names the file and the hunk. Only lines that match exactly
are replaced, so edits elsewhere in the file are kept. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence

from autotune_bot.errors import AutotuneError
from autotune_bot.patch.diff import split_lines
from autotune_bot.patch.error import PatchError
from autotune_bot.patch.hunks import DiffFormatError, Hunk, parse_diff

__all__ = ["MAX_FUZZ", "HunkConflictError", "reverse_diff", "reverse_hunks"]

MAX_FUZZ = 2


class HunkConflictError(PatchError):
    """A hunk cannot be undone: the lines it changed were edited since, or its place is
    ambiguous. ``str(err)``: ``file:line: hunk N (@@ … @@): message``."""

    def __init__(self, message: str, *, source: str, line: int, hunk: int, header: str) -> None:
        self.message = " ".join(message.split())
        self.source = source
        self.line = line
        self.path = ()
        self.hunk = hunk
        self.header = header
        AutotuneError.__init__(self, f"{source}:{line}: hunk {hunk} ({header}): {self.message}")


def _short(line: str) -> str:
    text = line if len(line) <= 60 else line[:57] + "..."
    return repr(text)


def _trim(ops: list[tuple[str, str]], fuzz: int) -> tuple[list[tuple[str, str]], int]:
    """``ops`` without up to ``fuzz`` outer context lines per side (at least one kept on a side
    that has context), and how many were dropped at the top."""
    lead = next((i for i, (op, _) in enumerate(ops) if op != " "), len(ops))
    trail = next((i for i, (op, _) in enumerate(reversed(ops)) if op != " "), len(ops))
    top = min(fuzz, max(lead - 1, 0))
    bottom = min(fuzz, max(trail - 1, 0))
    return ops[top : len(ops) - bottom], top


def _matches(lines: Sequence[str], want: Sequence[str], floor: int) -> list[int]:
    if not want:
        return []
    first = want[0]
    return [
        p
        for p in range(floor, len(lines) - len(want) + 1)
        if lines[p] == first and list(lines[p : p + len(want)]) == list(want)
    ]


def _conflict(
    lines: Sequence[str], want: Sequence[str], at: int, n: int, hunk: Hunk, source: str
) -> HunkConflictError:
    detail = "its lines are no longer in the file"
    for i, expected in enumerate(want):
        where = at + i
        if where >= len(lines):
            detail = f"the file ends before line {where + 1} ({_short(expected)} expected)"
            break
        if lines[where] != expected:
            detail = f"line {where + 1} is {_short(lines[where])}, {_short(expected)} expected"
            break
    return HunkConflictError(
        f"the lines this change left were edited since ({detail}); nothing was changed",
        source=source,
        line=max(at, 0) + 1,
        hunk=n,
        header=hunk.header,
    )


def _place(
    lines: list[str], ops: list[tuple[str, str]], expected: int, floor: int
) -> tuple[int, list[tuple[str, str]], int] | None:
    """(position, trimmed ops, dropped top lines) of the unique/expected match, or None.

    Raises ValueError("ambiguous") when the exact hunk fits several places."""
    want_all = [text for op, text in ops if op != "+"]
    if not want_all:  # nothing to find: only an empty file is what the change left
        has_context = any(op == " " for op, _ in ops)
        return (0, ops, 0) if not lines and not has_context else None
    for fuzz in range(MAX_FUZZ + 1):
        trimmed, top = _trim(ops, fuzz)
        if fuzz and trimmed == ops:
            continue
        want = [text for op, text in trimmed if op != "+"]
        at = expected + top
        if fuzz == 0 and floor <= at and lines[at : at + len(want)] == want:
            return at, trimmed, top
        found = _matches(lines, want, floor)
        if len(found) == 1:
            return found[0], trimmed, top
        if len(found) > 1:
            raise ValueError(f"the lines fit {len(found)} places")
    return None


def reverse_hunks(text: str, hunks: Sequence[Hunk], source: str) -> str:
    """``text`` with every hunk undone (hunks in file order, as a diff lists them)."""
    lines = split_lines(text)
    delta = 0  # where the "after" file's lines are now, relative to the headers
    floor = 0  # lines before this were produced by a hunk already undone
    for n, hunk in enumerate(hunks, 1):
        # undoing: the hunk's "+" lines are removed, its "-" lines come back
        ops = [({"+": "-", "-": "+"}.get(op, op), text) for op, text in hunk.ops]
        has_from = any(op != "+" for op, _ in ops)
        expected = (hunk.new_start - 1 if has_from else hunk.new_start) + delta
        want = [t for op, t in ops if op != "+"]
        try:
            placed = _place(lines, ops, expected, floor)
        except ValueError as err:
            raise HunkConflictError(
                f"cannot tell where it applies: {err}; nothing was changed",
                source=source,
                line=max(expected, 0) + 1,
                hunk=n,
                header=hunk.header,
            ) from None
        if placed is None:
            raise _conflict(lines, want, expected, n, hunk, source)
        at, trimmed, top = placed
        removed = sum(op != "+" for op, _ in trimmed)
        restored = [t for op, t in trimmed if op != "-"]
        lines[at : at + removed] = restored
        delta += (at - top - expected) + len(restored) - removed
        floor = at + len(restored)
    return "".join(lines)


def reverse_diff(text: str, diff: str, source: str) -> str:
    """``text`` with the one-file unified ``diff`` undone; ``source`` (the file's path) names
    the file in errors. Raises :class:`HunkConflictError` or :class:`DiffFormatError`."""
    if not diff:
        return text
    files = parse_diff(diff, source)
    if len(files) != 1:
        raise DiffFormatError(
            f"expected a diff of one file, found {len(files)}", source=source, line=1
        )
    return reverse_hunks(text, files[0].hunks, source)
