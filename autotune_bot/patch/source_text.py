"""The text of a YAML file as lines and offsets.

The patcher works on character offsets into the text (what the YAML parser's marks give)
and on whole lines (what minimal edits add and remove). Lines are split on ``\\n`` only; a
``\\r`` before it belongs to the line ending, so CRLF files keep their endings.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

__all__ = ["SourceText"]


@dataclass(frozen=True, slots=True)
class SourceText:
    """``text`` (without a byte-order mark), its line starts and its line ending."""

    text: str
    starts: tuple[int, ...]
    eol: str

    @classmethod
    def of(cls, text: str) -> SourceText:
        starts = [0]
        starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")
        if starts[-1] == len(text) and len(starts) > 1:
            starts.pop()  # the final newline does not open an empty line
        first = text.find("\n")
        eol = "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"
        return cls(text, tuple(starts), eol)

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_of(self, offset: int) -> int:
        """The 0-based line holding ``offset``."""
        return bisect_right(self.starts, offset) - 1

    def line_start(self, line: int) -> int:
        return self.starts[line] if line < len(self.starts) else len(self.text)

    def line_end(self, line: int) -> int:
        """The offset just past the line's ending (the start of the next line)."""
        return self.line_start(line + 1)

    def content_end(self, line: int) -> int:
        """The offset where the line's ending starts."""
        end = self.line_end(line)
        if end > 0 and self.text[end - 1 : end] == "\n":
            end -= 1
            if end > 0 and self.text[end - 1] == "\r":
                end -= 1
        return max(end, self.line_start(line))

    def line_text(self, line: int) -> str:
        """The line without its ending."""
        return self.text[self.line_start(line) : self.content_end(line)]

    def indent(self, line: int) -> int:
        text = self.line_text(line)
        return len(text) - len(text.lstrip(" "))

    def is_blank(self, line: int) -> bool:
        return not self.line_text(line).strip()

    def is_comment(self, line: int) -> bool:
        return self.line_text(line).lstrip().startswith("#")

    def column(self, offset: int) -> int:
        return offset - self.line_start(self.line_of(offset))

    def only_space_before(self, offset: int) -> bool:
        """Whether ``offset`` is the first non-blank character of its line."""
        return not self.text[self.line_start(self.line_of(offset)) : offset].strip()

    def only_comment_after(self, offset: int) -> bool:
        """Whether the rest of ``offset``'s line is blank or a comment."""
        rest = self.text[offset : self.content_end(self.line_of(offset))].strip()
        return not rest or rest.startswith("#")
