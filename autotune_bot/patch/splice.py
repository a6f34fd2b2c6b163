"""Text replacements: planned against the original text, checked for overlap, applied at once.

The text always ends with a line ending here (the caller adds a missing one and takes it
off again afterwards), so whole-line insertions and deletions need no special cases.

Every change the patcher makes is a :class:`Replacement` of a span of the original text, so
text outside the spans is untouched by construction. Insertions at the same offset keep the
order of the edits that asked for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from autotune_bot.patch.error import PatchError
from autotune_bot.patch.source_text import SourceText
from autotune_bot.workflow.model import YamlPath

__all__ = ["Replacement", "Splicer", "delete_lines", "lines_after", "lines_before"]


@dataclass(frozen=True, slots=True)
class Replacement:
    """Replace ``text[start:end]`` with ``new``; ``order`` is the edit's place in its batch.

    Insertions at one offset go deepest first (``depth``: how deep the collection they
    extend is), so a key added to a nested mapping stays inside it when an outer mapping
    or list gets an addition right after it.
    """

    start: int
    end: int
    new: str
    order: int
    path: YamlPath
    depth: int = 0


def lines_before(
    src: SourceText, line: int, lines: list[str], order: int, path: YamlPath, depth: int
) -> Replacement:
    """Insert whole ``lines`` before 0-based ``line``."""
    start = src.line_start(line)
    new = "".join(text + src.eol for text in lines)
    return Replacement(start, start, new, order, path, depth)


def lines_after(
    src: SourceText, line: int, lines: list[str], order: int, path: YamlPath, depth: int
) -> Replacement:
    """Insert whole ``lines`` after 0-based ``line``."""
    end = src.line_end(line)
    new = "".join(text + src.eol for text in lines)
    return Replacement(end, end, new, order, path, depth)


def delete_lines(src: SourceText, first: int, last: int, order: int, path: YamlPath) -> Replacement:
    """Delete 0-based lines ``first..last``."""
    return Replacement(src.line_start(first), src.line_end(last), "", order, path)


@dataclass(slots=True)
class Splicer:
    """Collects replacements of ``src``; nested rebuilds take the text of their parts."""

    src: SourceText
    source: str
    pending: list[Replacement] = field(default_factory=list)

    def add(self, replacement: Replacement) -> None:
        self.pending.append(replacement)

    def add_all(self, replacements: list[Replacement]) -> None:
        self.pending.extend(replacements)

    def take(self, start: int, end: int) -> str:
        """``text[start:end]`` with the replacements inside it applied (and consumed)."""
        inside = [r for r in self.pending if start <= r.start and r.end <= end]
        inside_ids = {id(r) for r in inside}
        self.pending = [r for r in self.pending if id(r) not in inside_ids]
        return _apply(self.src.text[start:end], inside, start, self)

    def result(self) -> str:
        return _apply(self.src.text, self.pending, 0, self)

    def conflict(self, replacement: Replacement) -> PatchError:
        line = self.src.line_of(replacement.start) + 1
        return PatchError(
            "overlapping edits: another edit in this batch changes the same text",
            source=self.source,
            line=line,
            path=replacement.path,
        )


def _apply(text: str, replacements: list[Replacement], base: int, splicer: Splicer) -> str:
    ordered = sorted(replacements, key=lambda r: (r.start, r.end > r.start, -r.depth, r.order))
    out: list[str] = []
    pos = 0
    for rep in ordered:
        start, end = rep.start - base, rep.end - base
        if start < pos:
            raise splicer.conflict(rep)
        out.append(text[pos:start])
        out.append(rep.new)
        pos = end
    out.append(text[pos:])
    return "".join(out)
