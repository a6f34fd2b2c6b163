"""A batch of decoded records: one block of a metrics file, with each record's line."""

from __future__ import annotations

from dataclasses import dataclass, field

from autotune_bot.metrics.schema import RawRecord
from autotune_bot.metrics.tolerant import scan_values

__all__ = ["Batch"]


@dataclass
class Batch:
    """Records decoded from one block of a file, in file order."""

    records: list[RawRecord]
    first_index: int  # index in the file of records[0]
    lines: list[int] | None = None  # line of each record, when known cheaply
    # The array block the records came from, to locate records lazily. Valid only while
    # the batch is being processed: the reader reuses the buffer for the next block.
    _block: bytes | memoryview | None = None
    _block_line: int = 1
    _located: list[int] | None = field(default=None, repr=False)

    def line_of(self, i: int) -> int | None:
        if self.lines is not None:
            return self.lines[i]
        if self._block is None:
            return None
        if self._located is None:
            text = bytes(self._block).decode("utf-8", "replace")
            located: list[int] = []
            line, counted = self._block_line, 0
            for offset, _ in scan_values(text):
                line += text.count("\n", counted, offset)  # counted once, not from the start
                counted = offset
                located.append(line)
            self._located = located
        if i < len(self._located):
            return self._located[i]
        return None
