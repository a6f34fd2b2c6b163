"""The processes of a batch of benchmark runs, each the leader of its own process group
(started in a new session), killed group and all: on a timeout, or every one still running
when the batch is interrupted. POSIX only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading

__all__ = ["LiveProcesses", "kill_group"]


class LiveProcesses:
    """The processes running now, so that an interrupted batch leaves none behind."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: set[subprocess.Popen[bytes]] = set()
        self._closed = False

    def add(self, proc: subprocess.Popen[bytes]) -> None:
        """Track ``proc``; after :meth:`kill_all` it is killed at once."""
        with self._lock:
            self._procs.add(proc)
            closed = self._closed
        if closed:
            kill_group(proc)

    def remove(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs.discard(proc)

    def kill_all(self) -> None:
        """Kill the group of every process tracked, and of any added later."""
        with self._lock:
            self._closed = True
            procs = list(self._procs)
        for proc in procs:
            kill_group(proc)


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group ``proc`` leads (nothing if it is gone)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone
        os.killpg(proc.pid, signal.SIGKILL)
