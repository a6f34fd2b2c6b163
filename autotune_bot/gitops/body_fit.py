"""Fitting a pull request body into GitHub's 65,536-character limit.

A body is a list of :class:`Part` values and the marker. When the whole is too long, the
largest part that can still shrink is cut first (a diff keeps its first lines, a diagram,
which would not render cut in half, is replaced as a whole), each with a note saying where the
full text is; this repeats until the body fits. Only if that is not enough is the text itself
cut at a line boundary (closing an open code fence). The marker is always kept intact, last.
Sizes are counted in UTF-16 code units, which is never less than the number of characters.
Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from autotune_bot.gitops.markdown import code_block

__all__ = ["BODY_LIMIT", "Part", "fit_body", "text_size"]

BODY_LIMIT = 65_536
_JOIN = "\n"
_FENCE = re.compile(r"^(`{3,}|~{3,})")


def text_size(text: str) -> int:
    """Length in UTF-16 code units (what a JavaScript ``length`` counts)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass(frozen=True)
class Part:
    """One section: a head always kept, then lines that may be cut (``fenced``: the language
    of the code block around them, ``""`` for a plain block, None for Markdown lines)."""

    head: str
    lines: tuple[str, ...] = ()
    fenced: str | None = None
    atomic: bool = False  # all lines or none (a diagram cut in half does not render)
    what: str = "section"  # named in the note, e.g. "diff"
    tail: str = ""

    def render(self, kept: int | None = None, note: str = "") -> str:
        lines = self.lines if kept is None else self.lines[:kept]
        if self.fenced is not None and (lines or kept is None):
            content = code_block("\n".join(lines), self.fenced)
        else:
            content = "".join(line + "\n" for line in lines)
        return self.head + content + note + self.tail


def _note(part: Part, kept: int, details: str) -> str:
    total = len(part.lines)
    if part.atomic or kept == 0:
        shown = f"the {part.what} ({total} lines) is not shown here"
    else:
        shown = f"{part.what} truncated: {kept} of {total} lines shown"
    return (
        f"\n_… {shown} to stay within GitHub's size limit; the full {part.what} is in {details}._\n"
    )


def _cut(part: Part, target: int, details: str) -> str:
    """The part at most ``target`` long if possible (else as short as it gets)."""
    if part.atomic:
        return part.render(0, _note(part, 0, details))
    low, high = 0, len(part.lines)  # the most lines that fit: binary search on the count
    while low < high:
        mid = (low + high + 1) // 2
        if text_size(part.render(mid, _note(part, mid, details))) <= target:
            low = mid
        else:
            high = mid - 1
    return part.render(low, _note(part, low, details))


def _hard_cut(text: str, budget: int, details: str) -> str:
    note = f"\n_… the rest of this description is in {details}._\n"
    kept: list[str] = []
    used = text_size(note) + 8  # room for a closing fence
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        size = text_size(line)
        if used + size > budget:
            break
        kept.append(line)
        used += size
        opened = _FENCE.match(line)
        if fence is None and opened:
            fence = opened[1]
        elif (
            fence is not None
            and line.strip() == fence[0] * len(line.strip())
            and (len(line.strip()) >= len(fence))
        ):
            fence = None
    closing = f"{fence}\n" if fence is not None else ""
    return "".join(kept) + closing + note


def fit_body(parts: Sequence[Part], marker: str, details: str, limit: int = BODY_LIMIT) -> str:
    """The parts and the marker joined, cut as needed to be at most ``limit`` long."""
    texts = [p.render() for p in parts]
    budget = limit - text_size(marker) - text_size(_JOIN)
    cut: set[int] = set()

    def total() -> int:
        return sum(text_size(t) for t in texts) + text_size(_JOIN) * max(len(texts) - 1, 0)

    while total() > budget:
        open_parts = [i for i, p in enumerate(parts) if p.lines and i not in cut]
        if not open_parts:
            break
        i = max(open_parts, key=lambda k: (text_size(texts[k]), -k))
        target = text_size(texts[i]) - (total() - budget)
        texts[i] = _cut(parts[i], target, details)
        cut.add(i)
    text = _JOIN.join(texts)
    if text_size(text) > budget:
        text = _hard_cut(text, budget, details)
    return text + _JOIN + marker
