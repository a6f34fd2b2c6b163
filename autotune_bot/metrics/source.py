"""Opening a metrics file: plain or gzip (told apart by magic bytes, not by the name).

A gzip stream that is cut short or corrupt part-way still yields everything decompressed
before the damage: the reader gets the data and the error separately, so it can keep the
good records and report the rest. Decompression errors never escape as exceptions.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from types import TracebackType
from typing import IO

__all__ = ["BOM", "GZIP_MAGIC", "MetricsSource", "SliceSource", "open_source"]

GZIP_MAGIC = b"\x1f\x8b"
BOM = b"\xef\xbb\xbf"  # a UTF-8 byte order mark some writers put first
_CHUNK = 1 << 20


class MetricsSource:
    """The bytes of one metrics file; ``read`` returns fewer bytes than asked only at the end.

    ``error`` is set when the data ended because of a decompression error, not the file's end.
    """

    def __init__(self, raw: IO[bytes], compressed: bool) -> None:
        self._raw = raw
        self._gzip = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else None
        self.error: Exception | None = None

    def read(self, size: int) -> bytes:
        if self._gzip is None:
            return self._raw.read(size)
        parts: list[bytes] = []
        got = 0
        # Small steps: GzipFile.read discards what it decompressed when it then fails.
        while got < size and self.error is None:
            try:
                chunk = self._gzip.read1(min(size - got, _CHUNK))
            except (OSError, EOFError, zlib.error) as err:
                self.error = err
                break
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)

    def close(self) -> None:
        try:
            if self._gzip is not None:
                self._gzip.close()
        finally:
            self._raw.close()

    def __enter__(self) -> MetricsSource:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class SliceSource(MetricsSource):
    """Bytes ``[start, end)`` of a plain (uncompressed) file, framed by ``prefix`` and
    ``suffix``: how one half of a large JSON array is handed to the reader as an array."""

    def __init__(
        self, path: Path, start: int, end: int, prefix: bytes = b"", suffix: bytes = b""
    ) -> None:
        super().__init__(path.open("rb"), compressed=False)
        self._raw.seek(start)
        self._left = end - start
        self._prefix = prefix
        self._suffix = suffix

    def read(self, size: int) -> bytes:
        parts: list[bytes] = []
        want = size
        if self._prefix:
            parts.append(self._prefix[:want])
            self._prefix = self._prefix[want:]
            want -= len(parts[-1])
        while want > 0 and self._left > 0:
            chunk = self._raw.read(min(want, self._left))
            if not chunk:
                self._left = 0
                break
            parts.append(chunk)
            self._left -= len(chunk)
            want -= len(chunk)
        if want > 0 and self._left <= 0 and self._suffix:
            parts.append(self._suffix[:want])
            self._suffix = self._suffix[want:]
        return parts[0] if len(parts) == 1 else b"".join(parts)


def open_source(path: Path) -> MetricsSource:
    """Open ``path``; raises OSError when the file cannot be opened."""
    raw = path.open("rb")
    try:
        magic = raw.read(2)
        raw.seek(0)
    except OSError:
        raw.close()
        raise
    return MetricsSource(raw, magic == GZIP_MAGIC)
