"""Unified diffs of a file before and after an edit, as ``git diff`` shows them."""

from __future__ import annotations

import difflib

__all__ = ["split_lines", "unified_diff"]

_NO_NEWLINE = "\\ No newline at end of file\n"


def unified_diff(old: str, new: str, path: str) -> str:
    """A unified diff with ``a/``/``b/`` headers and 3 lines of context ("" when equal)."""
    if old == new:
        return ""
    lines = difflib.unified_diff(
        split_lines(old),
        split_lines(new),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
        n=3,
    )
    out: list[str] = []
    for line in lines:
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n" + _NO_NEWLINE)
    return "".join(out)


def split_lines(text: str) -> list[str]:
    """Lines split on ``\\n`` only (as git does), each keeping its ending."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
