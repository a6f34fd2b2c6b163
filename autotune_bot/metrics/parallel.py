"""Reading one large metrics file on two cores.

Decoding is CPU-bound and Python holds one core, so a big plain (uncompressed) JSON-array or
JSON Lines file is cut in two and the second part is read by a forked worker process while
this process reads the first; the worker sends back its columns, which are concatenated.

A JSON Lines file is cut after a line end. An array is cut at a record separator
``}, {"<first key>":`` found near the middle, where ``<first key>`` is the first key of the
file's first record, and each part is framed by "[" and "]". Nothing here trusts the cut:
each half is read by the ordinary reader, which verifies every block by decoding it, and the
parallel result is used only when both halves read cleanly — no data problem of any kind,
and no record key seen in both halves (a duplicate across the cut). Otherwise the caller
reads the file the ordinary way, so results never depend on the cut.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import threading
from dataclasses import dataclass
from pathlib import Path

from autotune_bot.metrics.builder import StoreBuilder
from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.metrics.merge import concat_stores
from autotune_bot.metrics.problems import ProblemLog
from autotune_bot.metrics.reader import first_key_patterns, read_source
from autotune_bot.metrics.source import BOM, GZIP_MAGIC, MetricsSource, SliceSource

__all__ = [
    "MIN_PARALLEL_BYTES",
    "Cut",
    "Pending",
    "abandon",
    "find_cut",
    "finish",
    "read_in_two",
    "start",
]

MIN_PARALLEL_BYTES = 32 * 1024 * 1024
ENABLED = True  # switched off by benchmarks to measure the one-process figures
_WINDOW = 8 * 1024 * 1024


@dataclass(frozen=True)
class Cut:
    """Where a file is split, and what frames each part as a file of its own."""

    first_end: int
    second_start: int
    first_suffix: bytes  # "]" closes an array's first part
    second_prefix: bytes  # "[" opens an array's second part


def find_cut(path: Path, fraction: float = 0.5) -> Cut | None:
    """Where to split a large plain (uncompressed) JSON-array or JSON Lines file near
    ``fraction`` of its size, or None when the file is not one to split."""
    size = path.stat().st_size
    if size < MIN_PARALLEL_BYTES:
        return None
    middle = int(size * fraction)
    with path.open("rb") as handle:
        head = handle.read(4096)
        if head.startswith(GZIP_MAGIC):
            return None
        handle.seek(middle)
        window = handle.read(_WINDOW)
    body = head.removeprefix(BOM).lstrip()
    if body.startswith(b"{"):  # JSON Lines: cut after a line end
        newline = window.find(b"\n")
        if newline < 0:
            return None
        return Cut(middle + newline + 1, middle + newline + 1, b"", b"")
    if not body.startswith(b"["):
        return None
    preferred, _ = first_key_patterns(body[1:])
    match = None if preferred is None else preferred.search(window)
    if match is None:
        return None
    brace = middle + match.start()
    second = middle + window.index(b"{", match.start() + 1)
    return Cut(brace + 1, second, b"]", b"[")


def _read(
    source: MetricsSource, display: str, member_teams: frozenset[str] | None
) -> tuple[MetricsStore, ProblemLog, set[int]]:
    log = ProblemLog()
    builder = StoreBuilder(log, member_teams)
    builder.start_file(display)
    for batch in read_source(source, display, log):
        builder.add_batch(batch)
    return builder.build(), log, builder.seen_keys


def _receive(fd: int) -> bytes:
    parts = []
    while chunk := os.read(fd, 1 << 20):
        parts.append(chunk)
    return b"".join(parts)


@dataclass
class Pending:
    """A worker reading the second part of a file; :func:`finish` reads the first part."""

    path: Path
    display: str
    member_teams: frozenset[str] | None
    first_end: int
    first_suffix: bytes
    pid: int
    read_fd: int


def start(
    path: Path, display: str, member_teams: frozenset[str] | None, fraction: float = 0.5
) -> Pending | None:
    """Fork a worker for the part of ``path`` after ``fraction`` of it, or return None when
    the file is not worth splitting, this system cannot fork, or the process runs other
    threads (forking a multi-threaded process can deadlock the child)."""
    if not ENABLED or not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return None
    if threading.active_count() > 1:
        return None
    if not path.is_file():
        return None
    cut = find_cut(path, fraction)
    if cut is None:
        return None
    size = path.stat().st_size
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: read the second part, send it back, exit
        status = 1
        try:
            os.close(read_fd)
            gc.disable()
            part = SliceSource(path, cut.second_start, size, prefix=cut.second_prefix)
            payload = pickle.dumps(_read(part, display, member_teams), protocol=5)
            view = memoryview(payload)
            while view:
                view = view[os.write(write_fd, view) :]
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)
    return Pending(path, display, member_teams, cut.first_end, cut.first_suffix, pid, read_fd)


def finish(pending: Pending) -> MetricsStore | None:
    """Read the first part here, collect the worker's part, and concatenate — or None when
    the caller must read the file whole (see the module docstring)."""
    try:
        first, first_log, first_keys = _read(
            SliceSource(pending.path, 0, pending.first_end, suffix=pending.first_suffix),
            pending.display,
            pending.member_teams,
        )
        payload = _receive(pending.read_fd)
    finally:
        os.close(pending.read_fd)
        _, status = os.waitpid(pending.pid, 0)
    if status != 0 or not payload:
        return None
    second, second_log, second_keys = pickle.loads(payload)
    if first_log.total or second_log.total or not first_keys.isdisjoint(second_keys):
        return None
    return concat_stores(first, second)


def abandon(pending: Pending) -> None:
    """Stop a worker whose result is not wanted."""
    os.close(pending.read_fd)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pending.pid, signal.SIGTERM)
    os.waitpid(pending.pid, 0)


def read_in_two(
    path: Path, display: str, member_teams: frozenset[str] | None
) -> MetricsStore | None:
    """The file's store read in two processes, or None when the caller must read it whole."""
    pending = start(path, display, member_teams)
    return None if pending is None else finish(pending)
