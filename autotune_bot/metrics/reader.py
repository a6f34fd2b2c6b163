"""Streaming reader for metrics files: JSON arrays, JSON Lines, gzip.

The file is read in fixed-size blocks, so memory stays bounded by the block size plus the
columns being built, whatever the file size. Each block is decoded by msgspec straight into
:class:`~autotune_bot.metrics.schema.RawRecord` structs (the fast path). A block the fast
decoder rejects — NaN literals, wrong field types, garbage, a truncated tail — is re-read by
a tolerant path built on the standard library's decoder, which keeps every good record and
reports each bad one with its line.

How a JSON array is cut into blocks: a candidate cut is a ``}`` followed by ``,`` and ``{``
(preferring the separator followed by the first key of the file's first record). The cut is
accepted only if ``[`` + block + ``]`` decodes; since the block starts at a record boundary, a
cut inside a string or a nested object can never produce valid JSON, so acceptance proves
the cut is a true record boundary.

A bad value inside an array is skipped by its brackets (or, when they do not balance, up to
the next record that starts with the same key as the first one), so the records after it
are still read; a file that ends before its closing bracket is reported as truncated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from autotune_bot.errors import MetricsError
from autotune_bot.metrics.problems import DataProblem, ProblemLog
from autotune_bot.metrics.schema import RawRecord
from autotune_bot.metrics.source import MetricsSource, open_source

__all__ = ["Batch", "first_key_patterns", "read_batches", "read_source"]

BLOCK_SIZE = 8 * 1024 * 1024
_CANDIDATE_WINDOW = 256 * 1024
_MAX_FAST_TRIES = 3
_RESYNC_LOOKAHEAD = 1024 * 1024  # text searched for a record like the first before any object
_SEPARATOR = re.compile(rb"\}\s*,\s*\{")
_NEXT_VALUE = re.compile(r",\s*(?=\{)")  # where to resume after a bad value
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},]')  # strings and structure
_ONLY_WS = re.compile(r"\s*\Z")
_LIST_LINE_END = re.compile(rb"\s*[\[{]")
_WS = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"

_fast_one = msgspec.json.Decoder(RawRecord)
_fast_many = msgspec.json.Decoder(list[RawRecord])
_std = json.JSONDecoder()


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
            offsets = [off for off, _ in _scan_values(text)]
            self._located = [self._block_line + text.count("\n", 0, off) for off in offsets]
        if i < len(self._located):
            return self._located[i]
        return None


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
            skip = len(_BOM) if head.startswith(_BOM) else 0
            start = len(head) - len(head[skip:].lstrip(_WS))
            if head[start : start + 1] == b"[" and not _list_then_lines(head, start):
                yield from _read_array(stream, head, start + 1, display, problems)
            else:
                yield from _read_lines(stream, head, skip, display, problems)
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


# --- tolerant path -------------------------------------------------------------------------


def _scan_values(text: str) -> Iterator[tuple[int, Any]]:
    """Top-level values of an array body (without the opening bracket), with char offsets.

    Stops at the closing bracket or at the first value that does not parse.
    """
    pos, end = 0, len(text)
    while pos < end:
        ch = text[pos]
        if ch in " \t\r\n,":
            pos += 1
            continue
        if ch == "]":
            return
        try:
            value, nxt = _std.raw_decode(text, pos)
        except json.JSONDecodeError:
            return
        yield pos, value
        pos = nxt


def _convert(
    value: Any, display: str, line: int | None, index: int, log: ProblemLog
) -> RawRecord | None:
    if not isinstance(value, dict):
        kind = type(value).__name__
        log.add(DataProblem("not_an_object", display, line, index, f"a JSON {kind}, not an object"))
        return None
    try:
        return msgspec.convert(value, RawRecord, strict=False)
    except msgspec.ValidationError as err:
        log.add(DataProblem("bad_field_type", display, line, index, str(err)))
        return None


@dataclass
class _SlowResult:
    records: list[RawRecord]
    lines: list[int]
    consumed: int  # bytes consumed from the block
    count: int  # values seen (good or bad), to advance the file index


def _slow_array(
    block: bytes,
    eof: bool,
    display: str,
    first_line: int,
    first_index: int,
    log: ProblemLog,
    resync: re.Pattern[str] | None,
) -> _SlowResult:
    """Decode array values one by one. Short of ``eof``, stops where more data is needed;
    at ``eof``, reads to the end and reports everything, including an unclosed array."""
    text = block.decode("utf-8", "surrogateescape")
    records: list[RawRecord] = []
    lines: list[int] = []
    pos, end, index = 0, len(text), first_index
    line, line_pos = first_line, 0
    settled = False  # at eof: the end of the array was seen or its absence reported
    content_end = -1  # end of the text without trailing whitespace, once needed

    def line_at(p: int) -> int:
        nonlocal line, line_pos
        line += text.count("\n", line_pos, p)
        line_pos = p
        return line

    while pos < end:
        ch = text[pos]
        if ch in " \t\r\n,":
            pos += 1
            continue
        if ch == "]":
            if _ONLY_WS.match(text, pos + 1):
                # The end of the array, unless more data follows in the next block.
                pos, settled = (end, True) if eof else (pos, False)
                break
            resume = _resume_at(text, pos + 1, resync, eof)
            if resume is None and not eof:
                break
            detail = "data after the end of the array" if resume is None else "unexpected ']'"
            log.add(DataProblem("malformed_json", display, line_at(pos), None, detail))
            if resume is None:
                pos, settled = end, True
                break
            pos = resume
            continue
        try:
            value, nxt = _std.raw_decode(text, pos)
        except json.JSONDecodeError as err:
            if content_end < 0:
                content_end = len(text.rstrip())
            if not eof and _is_truncation(err, content_end):
                break  # the record continues in the next block
            resume = _skip_value(text, pos)
            if resume is not None and resume < err.pos:
                resume = None  # the decoder read past it: the brackets were in a string
            if resume is None:
                if not eof and len(text) - pos < _RESYNC_LOOKAHEAD:
                    break  # read on: the bad value may end in the next block
                resume = _resume_at(text, max(err.pos, pos + 1), resync, eof)
                if resume is None and not eof:
                    break
            where = line_at(pos)
            if resume is None:
                if text[content_end - 1 : content_end] == "]":  # the array is closed
                    log.add(DataProblem("malformed_json", display, where, index, err.msg))
                else:
                    detail = f"{err.msg}; file ends early"
                    log.add(DataProblem("truncated", display, where, index, detail))
                index += 1
                pos, settled = end, True
                break
            log.add(DataProblem("malformed_json", display, where, index, err.msg))
            index += 1
            pos = resume
            continue
        where = line_at(pos)
        record = _convert(value, display, where, index, log)
        if record is not None:
            records.append(record)
            lines.append(where)
        index += 1
        pos = nxt
    if eof and not settled:
        log.add(DataProblem("truncated", display, line_at(end), None, "array is not closed"))
    consumed = len(text[:pos].encode("utf-8", "surrogateescape"))
    return _SlowResult(records, lines, consumed, index - first_index)


def _skip_value(text: str, start: int) -> int | None:
    """Where a bad value that starts at ``start`` ends, going by its brackets: the comma or
    the closing "]" after it. None if its brackets do not balance before the text ends."""
    depth = 0
    for match in _TOKENS.finditer(text, start):
        token = match.group()  # a string, or one of [ ] { } ,
        if token in ("[", "{"):
            depth += 1
        elif token in ("]", "}"):
            depth -= 1
            if depth < 0:
                return match.start() if token == "]" else None
        elif token == "," and depth == 0:
            return match.start()
    return None


def _resume_at(text: str, start: int, resync: re.Pattern[str] | None, eof: bool) -> int | None:
    """Where the next record probably starts after a bad value: preferably a record that
    starts with the same key as the file's first record (a nested object rarely does), else
    any object after a comma once enough text follows. None: read on (or, at eof, none)."""
    if resync is not None:
        match = resync.search(text, start)
        if match is not None:
            return match.end()
        if not eof and len(text) - start < _RESYNC_LOOKAHEAD:
            return None
    match = _NEXT_VALUE.search(text, start)
    return None if match is None else match.end()


def _is_truncation(err: json.JSONDecodeError, content_end: int) -> bool:
    """Whether a decode error may come from the text ending, not from bad JSON (a cut in a
    literal or an escape fails a few characters before the end). Only used short of the
    end of the file, where reading on is always safe."""
    return err.pos >= content_end - 16 or err.msg.startswith("Unterminated string")


# --- JSON arrays ---------------------------------------------------------------------------


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
            result = _slow_array(data, False, display, line, index, log, resync)
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
    result = _slow_array(data, True, display, line, index, log, resync)
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


# --- JSON Lines ----------------------------------------------------------------------------


def _read_lines(
    stream: MetricsSource, head: bytes, skip: int, display: str, log: ProblemLog
) -> Iterator[Batch]:
    data = head[skip:]  # without a byte order mark
    eof = len(head) < BLOCK_SIZE
    line_no = 0
    index = 0
    if eof and _looks_like_single_document(data):
        value = _whole_document(data)
        if value is not None:
            values = value if isinstance(value, list) else [value]
            at = 1 + data.count(b"\n", 0, len(data) - len(data.lstrip(_WS)))
            converted = [_convert(item, display, at, i, log) for i, item in enumerate(values)]
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
                more = stream.read(BLOCK_SIZE)
                eof = len(more) < BLOCK_SIZE
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
        more = stream.read(BLOCK_SIZE)
        eof = len(more) < BLOCK_SIZE
        data += more


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
    return _convert(value, display, line, index, log)


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
