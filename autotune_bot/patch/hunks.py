"""Reading unified diffs back into hunks (the inverse of :func:`.diff.unified_diff`).

Lines are split on ``\\n`` only (as the diff writer and git do), each keeping its ending, so a
CRLF file's ``\\r`` stays part of its lines; ``\\ No newline at end of file`` after a line means
that line has no ending. Hunk bodies are read by the line counts of their ``@@`` header, never by
guessing from a line's first character, so a file line that looks like a header is read right.
Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autotune_bot.errors import AutotuneError
from autotune_bot.patch.diff import split_lines
from autotune_bot.patch.error import PatchError

__all__ = ["DiffFormatError", "FileDiff", "Hunk", "parse_diff"]

_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_MARKER = "\\"


class DiffFormatError(PatchError):
    """A stored diff is not a unified diff this module can read."""

    def __init__(self, message: str, *, source: str, line: int) -> None:
        self.message = " ".join(message.split())
        self.source = source
        self.line = line
        self.path = ()
        AutotuneError.__init__(self, f"{source}: diff line {line}: {self.message}")


@dataclass(frozen=True)
class Hunk:
    """One ``@@`` block: ``ops`` are (" " | "-" | "+", line with its ending)."""

    header: str  # the "@@ -a,b +c,d @@" text
    old_start: int  # as written in the header (1-based; for an empty range, the line before)
    new_start: int
    ops: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FileDiff:
    old_path: str  # without the "a/" prefix
    new_path: str
    hunks: tuple[Hunk, ...]


def _path(header: str, prefix: str) -> str:
    name = header[4:].rstrip("\n").split("\t", 1)[0]
    return name[len(prefix) :] if name.startswith(prefix) else name


def _hunk(lines: list[str], at: int, source: str) -> tuple[Hunk, int]:
    """The hunk whose header is ``lines[at]``, and the index of the line after it."""
    found = _HEADER.match(lines[at])
    if found is None:
        raise DiffFormatError(
            "expected a hunk header '@@ -a,b +c,d @@'", source=source, line=at + 1
        )
    old_start, new_start = int(found[1]), int(found[3])
    old_left = int(found[2]) if found[2] is not None else 1
    new_left = int(found[4]) if found[4] is not None else 1
    ops: list[tuple[str, str]] = []
    i = at + 1
    while old_left or new_left:
        if i >= len(lines):
            raise DiffFormatError("the diff ends inside a hunk", source=source, line=i)
        line = lines[i]
        op, text = (" ", "\n") if line == "\n" else (line[0], line[1:])
        if op == _MARKER and ops:
            ops[-1] = (ops[-1][0], ops[-1][1].removesuffix("\n"))
            i += 1
            continue
        if op not in " -+" or (op != "+" and not old_left) or (op != "-" and not new_left):
            raise DiffFormatError(
                "hunk body does not match the counts of its header", source=source, line=i + 1
            )
        old_left -= op != "+"
        new_left -= op != "-"
        ops.append((op, text))
        i += 1
    if i < len(lines) and lines[i].startswith(_MARKER) and ops:
        ops[-1] = (ops[-1][0], ops[-1][1].removesuffix("\n"))
        i += 1
    return Hunk(found[0], old_start, new_start, tuple(ops)), i


def parse_diff(diff: str, source: str = "<diff>") -> list[FileDiff]:
    """Every file of a (possibly multi-file) unified diff, in order.

    ``source`` names the diff in errors (:class:`DiffFormatError`, a :class:`PatchError`).
    """
    lines = split_lines(diff)
    files: list[FileDiff] = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith("--- "):
            i += 1  # "diff --git", "index" and other preamble lines
            continue
        if i + 1 >= len(lines) or not lines[i + 1].startswith("+++ "):
            raise DiffFormatError("'---' header without '+++'", source=source, line=i + 1)
        old_path, new_path = _path(lines[i], "a/"), _path(lines[i + 1], "b/")
        i += 2
        hunks: list[Hunk] = []
        while i < len(lines) and lines[i].startswith("@@"):
            hunk, i = _hunk(lines, i, source)
            hunks.append(hunk)
        if not hunks:
            raise DiffFormatError(f"no hunk for {new_path}", source=source, line=i)
        files.append(FileDiff(old_path, new_path, tuple(hunks)))
    return files
