"""Reading what a finished benchmark run left behind: its ``AUTOTUNE_RESULT`` file, the last
non-empty line of its stdout and of its stderr. The edge that reads those files; the record
itself is decoded by :mod:`autotune_bot.validation.run_record`.
"""

from __future__ import annotations

import os
from pathlib import Path

from autotune_bot.validation.run_record import (
    WALL_TIME_USED,
    RecordError,
    RecordFigures,
    parse_record,
)
from autotune_bot.validation.runs import ResultSource

__all__ = ["exit_note", "last_line", "read_record"]

_TAIL_BYTES = 64 * 1024 * 1024  # most of a run's stdout read to find its last line
_NOTE_CHARS = 200  # most of a stderr line quoted in a note


def read_record(result: Path, stdout: Path) -> tuple[RecordFigures | None, ResultSource, list[str]]:
    """The run's record and where it came from, with notes: its ``result`` file wins (a bad
    one is not replaced by stdout), else the last ``stdout`` line when that is a record (a
    line starting with ``{`` that is not one is noted: a record was meant). A record that is
    present but not used is noted ``"<where>: <reason>; wall time used"``."""
    try:
        text = result.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        text = ""
    except OSError as err:
        return None, "wall_time", [f"AUTOTUNE_RESULT: unreadable ({err.strerror}){WALL_TIME_USED}"]
    if text.strip():
        try:
            return parse_record(text), "result_file", []
        except RecordError as bad:
            return None, "wall_time", [f"AUTOTUNE_RESULT: {bad.reason}{WALL_TIME_USED}"]
    line = last_line(stdout)
    if line is None:
        return None, "wall_time", []
    try:
        return parse_record(line), "stdout", []
    except RecordError as bad:
        if line.startswith("{"):
            return None, "wall_time", [f"last stdout line: {bad.reason}{WALL_TIME_USED}"]
        return None, "wall_time", []


def exit_note(code: int, stderr: Path) -> str:
    """The note of a non-zero exit status, quoting the start of the last ``stderr`` line."""
    tail = last_line(stderr)
    return f"exit status {code}" + (f": {tail[:_NOTE_CHARS]}" if tail else "")


def last_line(path: Path) -> str | None:
    """The last non-empty line of a file (of its last ``_TAIL_BYTES``), stripped."""
    with path.open("rb") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(max(0, size - _TAIL_BYTES))
        data = f.read()
    for line in reversed(data.decode("utf-8", errors="replace").splitlines()):
        if line.strip():
            return line.strip()
    return None
