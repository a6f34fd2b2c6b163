"""The processes of a batch of benchmark runs, each the leader of its own process group
(started in a new session), killed group and all: on a timeout, when the run ends (whatever it
left running in the background, e.g. a server it started, goes with it), or every one still
running when the batch is interrupted. POSIX only. (A process that starts a session of its
own, e.g. a daemon that calls ``setsid``, leaves the group and is out of reach.)
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time

__all__ = ["LiveProcesses", "kill_group", "wait_and_clear"]

_POLL_SECONDS = 0.05  # longest pause between two looks at a running process


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


def _exited(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    """Whether ``proc`` exits within ``timeout`` s. Where the platform allows it the exit is
    seen without reaping the process, so its pid (the group's id) cannot be reused before the
    group is killed."""
    if not hasattr(os, "waitid"):  # e.g. macOS: reaped here, the group killed just after
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    deadline = time.monotonic() + timeout
    pause = 0.0005
    while True:
        try:
            seen = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:  # already reaped
            return True
        if seen is not None:
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        pause = min(pause * 2, _POLL_SECONDS, left)
        time.sleep(pause)


def wait_and_clear(proc: subprocess.Popen[bytes], timeout: float) -> int | None:
    """Wait up to ``timeout`` s for ``proc``, then SIGKILL what is left of its process group
    and reap it. Returns its exit status, or None when it ran out of time (killed, group and
    all)."""
    exited = _exited(proc, timeout)
    kill_group(proc)
    code = proc.wait()
    return code if exited else None
