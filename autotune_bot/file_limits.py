"""Reading a file whole only when it is small enough.

Workflow files, the settings file and the history file are read into memory whole, so each
is read through :func:`read_capped`: a regular file larger than the cap is refused from its
size alone (a 1 GB file, sparse or not, is never read), and any other file (a FIFO, a device)
is read at most one byte past the cap. The caller turns :class:`FileTooLargeError` into its
own one-line error naming the file and the limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["FileTooLargeError", "describe_size", "read_capped"]

_MIB = 1024 * 1024


class FileTooLargeError(Exception):
    """A file holds more than ``limit`` bytes; ``size`` is what is known of it."""

    def __init__(self, limit: int, size: int) -> None:
        self.limit = limit
        self.size = size
        super().__init__(self.reason())

    def reason(self) -> str:
        """``larger than the 2 MiB limit (3 MiB); not read``."""
        return (
            f"larger than the {describe_size(self.limit)} limit "
            f"({describe_size(self.size)}); not read"
        )


def describe_size(size: int) -> str:
    """A byte count for people: ``2 MiB``, ``1.5 MiB``, ``900 bytes``."""
    if size >= _MIB:
        return f"{size / _MIB:.3g} MiB"
    if size >= 1024:
        return f"{size / 1024:.3g} KiB"
    return f"{size} bytes"


def read_capped(path: Path, limit: int) -> bytes:
    """The bytes of ``path``; :class:`FileTooLargeError` when it holds more than ``limit``.

    ``OSError`` as from :meth:`Path.read_bytes` when the file cannot be opened or read.
    """
    with path.open("rb") as handle:
        info = os.fstat(handle.fileno())
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise FileTooLargeError(limit, info.st_size)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLargeError(limit, len(data))
    return data
