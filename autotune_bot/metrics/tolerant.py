"""The tolerant path for JSON that the fast decoder rejects, built on the stdlib decoder.

A block the fast decoder rejects — NaN literals, wrong field types, garbage, a truncated
tail — is re-read value by value with the standard library's decoder, which keeps every
good record and reports each bad one with its line.

A bad value inside an array is skipped by its brackets (or, when they do not balance, up to
the next record that starts with the same key as the first one), so the records after it
are still read; a file that ends before its closing bracket is reported as truncated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import msgspec

from autotune_bot.metrics.problems import DataProblem, ProblemLog
from autotune_bot.metrics.schema import RawRecord

__all__ = ["SlowResult", "convert_value", "scan_values", "slow_array"]

_RESYNC_LOOKAHEAD = 1024 * 1024  # text searched for a record like the first before any object
_NEXT_VALUE = re.compile(r",\s*(?=\{)")  # where to resume after a bad value
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},]')  # strings and structure
_ONLY_WS = re.compile(r"\s*\Z")

_std = json.JSONDecoder()
_WINDOW = 64 * 1024  # text handed to the stdlib decoder at a time, widened as needed


@dataclass(frozen=True)
class _Bad:
    """A value that does not decode: the message and the absolute position of the error."""

    msg: str
    pos: int


def _decode_at(text: str, pos: int) -> tuple[Any, int] | _Bad:
    """Decode the value starting at ``pos``: (value, end) or where and why it fails.

    The stdlib decoder counts the lines from the start of its input for every error it
    raises, so an error deep into an 8 MB block costs a scan of the block, and a block with
    thousands of bad records costs quadratic time. Decoding a window starting at the value
    keeps each error's cost proportional to the value; the window widens while the value
    (or a bare number) runs up to its edge.
    """
    width = _WINDOW
    while True:
        stop = min(len(text), pos + width)
        piece = text[pos:stop]
        try:
            value, used = _std.raw_decode(piece)
        except json.JSONDecodeError as err:
            if stop < len(text) and _cut_short(err.msg, err.pos, len(piece.rstrip())):
                width *= 4
                continue
            return _Bad(err.msg, pos + err.pos)
        if pos + used == stop and stop < len(text):
            width *= 4  # a bare number could continue past the window
            continue
        return value, pos + used


def scan_values(text: str) -> Iterator[tuple[int, Any]]:
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
        decoded = _decode_at(text, pos)
        if isinstance(decoded, _Bad):
            return
        value, nxt = decoded
        yield pos, value
        pos = nxt


def convert_value(
    value: Any, display: str, line: int | None, index: int, log: ProblemLog
) -> RawRecord | None:
    """A decoded JSON value as a record, or None after reporting why it is not one."""
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
class SlowResult:
    records: list[RawRecord]
    lines: list[int]
    consumed: int  # bytes consumed from the block
    count: int  # values seen (good or bad), to advance the file index


def slow_array(
    block: bytes,
    eof: bool,
    display: str,
    first_line: int,
    first_index: int,
    log: ProblemLog,
    resync: re.Pattern[str] | None,
) -> SlowResult:
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
        decoded = _decode_at(text, pos)
        if isinstance(decoded, _Bad):
            err = decoded
            if content_end < 0:
                content_end = len(text.rstrip())
            if not eof and _cut_short(err.msg, err.pos, content_end):
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
        value, nxt = decoded
        where = line_at(pos)
        record = convert_value(value, display, where, index, log)
        if record is not None:
            records.append(record)
            lines.append(where)
        index += 1
        pos = nxt
    if eof and not settled:
        log.add(DataProblem("truncated", display, line_at(end), None, "array is not closed"))
    consumed = len(text[:pos].encode("utf-8", "surrogateescape"))
    return SlowResult(records, lines, consumed, index - first_index)


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


def _cut_short(msg: str, pos: int, content_end: int) -> bool:
    """Whether a decode error may come from the text ending, not from bad JSON (a cut in a
    literal or an escape fails a few characters before the end). Only used short of the
    end of the text, where reading on is always safe."""
    return pos >= content_end - 16 or msg.startswith("Unterminated string")
