"""Streaming reader for metrics files: JSON arrays, JSON Lines, gzip.

The file is read in fixed-size blocks, so memory stays bounded by the block size plus the
columns being built, whatever the file size. Each block is decoded by msgspec straight into
:class:`~autotune_bot.metrics.schema.RawRecord` structs (the fast path). A block the fast
decoder rejects — NaN literals, wrong field types, garbage, a truncated tail — is re-read by
the tolerant path (:mod:`autotune_bot.metrics.tolerant`), which keeps every good record and
reports each bad one with its line. JSON Lines files and single JSON documents are read by
:mod:`autotune_bot.metrics.json_lines`; this module reads JSON arrays.

How a JSON array is cut into blocks: a candidate cut is a ``}`` followed by ``,`` and ``{``
(preferring the separator followed by the first key of the file's first record). The cut is
accepted only if ``[`` + block + ``]`` decodes; since the block starts at a record boundary, a
cut inside a string or a nested object can never produce valid JSON, so acceptance proves
the cut is a true record boundary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import msgspec

from autotune_bot.errors import MetricsError
from autotune_bot.metrics.batch import Batch
from autotune_bot.metrics.json_lines import read_lines
from autotune_bot.metrics.problems import DataProblem, ProblemLog
from autotune_bot.metrics.schema import RawRecord
from autotune_bot.metrics.source import BOM, MetricsSource, open_source
from autotune_bot.metrics.tolerant import slow_array

__all__ = ["Batch", "first_key_patterns", "read_batches", "read_source"]

BLOCK_SIZE = 8 * 1024 * 1024
_CANDIDATE_WINDOW = 256 * 1024
_MAX_FAST_TRIES = 3
_SEPARATOR = re.compile(rb"\}\s*,\s*\{")
_LIST_LINE_END = re.compile(rb"\s*[\[{]")
_WS = b" \t\r\n"

_fast_many = msgspec.json.Decoder(list[RawRecord])


def read_batches(path: Path, display: str, problems: ProblemLog) -> Iterator[Batch]:
    """Yield the records of one metrics file in batches; count every problem in ``problems``.

    Raises :class:`MetricsError` only when the file cannot be opened or decompressed at all.
    """
    try:
        stream = open_source(path)
    except OSError as err:
        raise MetricsError(
            f"cannot read metrics file: {err.strerror or err}", path=display
        ) from err
    yield from read_source(stream, display, problems)


def read_source(stream: MetricsSource, display: str, problems: ProblemLog) -> Iterator[Batch]:
    """Like :func:`read_batches`, from an opened source (which this closes)."""
    truncations = problems.counts["truncated"]
    try:
        with stream:
            head = stream.read(BLOCK_SIZE)
            if not head and stream.error is not None:
                raise MetricsError(f"cannot decompress: {stream.error}", path=display)
            skip = len(BOM) if head.startswith(BOM) else 0
            start = len(head) - len(head[skip:].lstrip(_WS))
            if head[start : start + 1] == b"[" and not _list_then_lines(head, start):
                yield from _read_array(stream, head, start + 1, display, problems)
            else:
                yield from read_lines(stream, head, skip, display, problems, BLOCK_SIZE)
    except OSError as err:
        problems.add(DataProblem("truncated", display, None, None, f"cannot read further: {err}"))
        return
    if stream.error is not None and problems.counts["truncated"] == truncations:
        # The data ended between two records: nothing above noticed the cut.
        problems.add(
            DataProblem("truncated", display, None, None, f"compressed data: {stream.error}")
        )


def _list_then_lines(head: bytes, start: int) -> bool:
    """Whether a file starting with "[" is JSON Lines whose first line is a JSON list."""
    newline = head.find(b"\n", start)
    if newline < 0 or _LIST_LINE_END.match(head, newline) is None:
        return False
    if not head[start:newline].rstrip(_WS).endswith(b"]"):
        return False
    try:
        msgspec.json.decode(head[start:newline])
    except msgspec.DecodeError:
        return False
    return True


def first_key_patterns(
    block: bytes,
) -> tuple[re.Pattern[bytes] | None, re.Pattern[str] | None]:
    """Patterns for the start of a record that begins with the same key as the file's first
    record: a "}, {" cut candidate, and a resume point after a bad value."""
    match = re.match(rb'\s*\{\s*("(?:[^"\\]|\\.){1,64}")\s*:', block)
    if match is None:
        return None, None
    key = match.group(1)
    resume = r",\s*(?=\{\s*" + re.escape(key.decode("utf-8", "surrogateescape")) + r"\s*:)"
    return re.compile(rb"\}\s*,\s*\{\s*" + re.escape(key) + rb"\s*:"), re.compile(resume)


def _read_array(
    stream: MetricsSource, head: bytes, body_start: int, display: str, log: ProblemLog
) -> Iterator[Batch]:
    # ``buf`` always holds "[" followed by the unread part of the array body, so a prefix of
    # it is a complete JSON array once its last byte is set to "]": no copies per block.
    buf = bytearray(b"[")
    buf += memoryview(head)[body_start:]
    preferred, resync = first_key_patterns(bytes(buf[1 : 1 + 4096]))
    line = 1 + head.count(b"\n", 0, body_start)
    index = 0
    eof = len(head) < BLOCK_SIZE
    while True:
        if eof:
            yield from _read_array_tail(buf, display, line, index, log, resync)
            return
        cut = _fast_cut(buf, preferred)
        if cut is not None:
            cut_at, records = cut
            block = memoryview(buf)[1:cut_at]
            yield Batch(records, index, _block=block, _block_line=line)
            block.release()
            index += len(records)
            line += buf.count(b"\n", 1, cut_at)
            del buf[1:cut_at]
        else:
            data = bytes(buf[1:])
            result = slow_array(data, False, display, line, index, log, resync)
            if result.records:
                yield Batch(result.records, index, result.lines)
            index += result.count
            line += data.count(b"\n", 0, result.consumed)
            del buf[1 : 1 + result.consumed]
        more = stream.read(BLOCK_SIZE)
        eof = len(more) < BLOCK_SIZE
        buf += more


def _read_array_tail(
    buf: bytearray,
    display: str,
    line: int,
    index: int,
    log: ProblemLog,
    resync: re.Pattern[str] | None,
) -> Iterator[Batch]:
    end = len(buf.rstrip(_WS))
    if end > 1 and buf[end - 1 : end] == b"]":
        try:
            with memoryview(buf) as view:
                records = _fast_many.decode(view[:end])
        except (msgspec.DecodeError, msgspec.ValidationError):
            pass
        else:
            if records:
                block = memoryview(buf)[1:end]
                yield Batch(records, index, _block=block, _block_line=line)
                block.release()
            return
    data = bytes(buf[1:])
    result = slow_array(data, True, display, line, index, log, resync)
    if result.records:
        yield Batch(result.records, index, result.lines)


def _fast_cut(
    buf: bytearray, preferred: re.Pattern[bytes] | None
) -> tuple[int, list[RawRecord]] | None:
    """Find a verified record boundary near the end of ``buf``: (offset of the next
    record's "{", the records before it)."""
    window_start = max(1, len(buf) - _CANDIDATE_WINDOW)
    for pattern in (preferred, _SEPARATOR):
        if pattern is None:
            continue
        candidates = [m.start() for m in pattern.finditer(buf, window_start)]
        for brace in reversed(candidates[-_MAX_FAST_TRIES:]):
            saved = buf[brace + 1]
            buf[brace + 1] = 0x5D  # "]"
            try:
                with memoryview(buf) as view:
                    records = _fast_many.decode(view[: brace + 2])
            except (msgspec.DecodeError, msgspec.ValidationError):
                continue
            finally:
                buf[brace + 1] = saved
            return buf.index(b"{", brace + 1), records
    return None
