"""Reader for JSON Lines metrics files, and for a file holding one JSON document.

One record per line, read a block at a time and cut at the last newline of each block.
Each line is decoded by msgspec straight into a
:class:`~autotune_bot.metrics.schema.RawRecord` (the fast path); a line the fast decoder
rejects is re-read with the standard library's decoder, which keeps what it can and reports
the rest with its line number, and the other lines are still read. A file that fits in one
block, whose first line is not JSON on its own but which parses as a whole (a
pretty-printed object), is read as a single document: an object, or a list of them. A line
longer than :data:`MAX_LINE_BYTES` is counted and skipped without being held in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import msgspec

from autotune_bot.metrics.batch import Batch
from autotune_bot.metrics.problems import DataProblem, ProblemLog
from autotune_bot.metrics.schema import RawRecord
from autotune_bot.metrics.source import MetricsSource
from autotune_bot.metrics.tolerant import convert_value

__all__ = ["MAX_LINE_BYTES", "read_lines"]

MAX_LINE_BYTES = 16 * 1024 * 1024  # one record's line; a longer one is skipped unread

_WS = b" \t\r\n"

_fast_one = msgspec.json.Decoder(RawRecord)


def read_lines(
    stream: MetricsSource,
    head: bytes,
    skip: int,
    display: str,
    log: ProblemLog,
    block_size: int,
    max_line: int = MAX_LINE_BYTES,
) -> Iterator[Batch]:
    """Yield the records of a JSON Lines (or single-document) file in batches.

    ``head`` is the first block already read from ``stream`` (``block_size`` bytes, fewer
    at the end of the file), ``skip`` the length of its byte order mark. A line that grows
    past ``max_line`` bytes without ending is counted as a ``line_too_long`` problem and
    skipped block by block, so memory stays bounded whatever the file holds.
    """
    data = head[skip:]  # without a byte order mark
    eof = len(head) < block_size
    line_no = 0
    index = 0
    if eof and _looks_like_single_document(data):
        value = _whole_document(data)
        if value is not None:
            values = value if isinstance(value, list) else [value]
            at = 1 + data.count(b"\n", 0, len(data) - len(data.lstrip(_WS)))
            converted = [convert_value(item, display, at, i, log) for i, item in enumerate(values)]
            kept = [record for record in converted if record is not None]
            if kept:
                yield Batch(kept, 0, [at] * len(kept))
            return
    while True:
        if eof:
            chunk, data = data, b""
        else:
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                if len(data) > max_line:
                    line_no += 1
                    detail = f"longer than {max_line} bytes; skipped without being read whole"
                    log.add(DataProblem("line_too_long", display, line_no, index, detail))
                    index += 1
                    data, eof = _skip_line(stream, block_size)
                    continue
                more = stream.read(block_size)
                eof = len(more) < block_size
                data += more
                continue
            chunk, data = data[:cut], data[cut:]
        records: list[RawRecord] = []
        lines: list[int] = []
        pieces = chunk.split(b"\n")
        last = len(pieces) - 1
        for k, piece in enumerate(pieces):
            if k == last and not piece:
                break
            line_no += 1
            if not piece.strip(_WS):
                continue
            record = _decode_line(
                piece, display, line_no, index, log, truncated_tail=eof and k == last
            )
            index += 1
            if record is not None:
                records.append(record)
                lines.append(line_no)
        if records:
            yield Batch(records, index - len(records), lines)
        if eof:
            return
        more = stream.read(block_size)
        eof = len(more) < block_size
        data += more


def _skip_line(stream: MetricsSource, block_size: int) -> tuple[bytes, bool]:
    """Read past the end of the current line; what follows it, and whether that is the end."""
    while True:
        more = stream.read(block_size)
        eof = len(more) < block_size
        newline = more.find(b"\n")
        if newline >= 0:
            return more[newline + 1 :], eof
        if eof:
            return b"", True


def _decode_line(
    piece: bytes, display: str, line: int, index: int, log: ProblemLog, truncated_tail: bool
) -> RawRecord | None:
    try:
        return _fast_one.decode(piece)
    except (msgspec.DecodeError, msgspec.ValidationError):
        pass
    try:
        value = json.loads(piece)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        kind = "truncated" if truncated_tail else "malformed_json"
        detail = err.msg if isinstance(err, json.JSONDecodeError) else "not UTF-8"
        log.add(DataProblem(kind, display, line, index, detail))
        return None
    return convert_value(value, display, line, index, log)


def _looks_like_single_document(data: bytes) -> bool:
    first = data.lstrip(_WS).split(b"\n", 1)[0].strip(_WS)
    if not first:
        return False
    try:
        json.loads(first)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return b"\n" in data.strip(_WS)
    return False


def _whole_document(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
