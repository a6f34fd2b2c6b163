"""Progress of the A/B runs: the value the runner reports after each run, and how the command
line shows it (one line rewritten in place on a terminal; otherwise a line at the start, at
every tenth of the runs and at the end, so logs stay short). Pure but for the stream written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TextIO

__all__ = ["ProgressPrinter", "RunProgress", "format_progress", "progress_at"]


@dataclass(frozen=True)
class RunProgress:
    """How far the runs are; ``eta_seconds`` is None until one run has finished."""

    runs_done: int
    runs_total: int
    elapsed: float
    eta_seconds: float | None


def progress_at(runs_done: int, runs_total: int, elapsed: float) -> RunProgress:
    """Progress with the time left estimated from the mean time per run so far (which,
    with concurrent runs, is the elapsed time per finished run)."""
    eta = elapsed / runs_done * (runs_total - runs_done) if runs_done else None
    return RunProgress(runs_done, runs_total, elapsed, eta)


def _clock_text(seconds: float) -> str:
    hours, rest = divmod(round(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_progress(progress: RunProgress) -> str:
    """One line, e.g. ``A/B runs 6/40, 0:12 elapsed, ~1:08 left``."""
    text = f"A/B runs {progress.runs_done}/{progress.runs_total}, "
    text += f"{_clock_text(progress.elapsed)} elapsed"
    if progress.eta_seconds is not None:
        text += f", ~{_clock_text(progress.eta_seconds)} left"
    return text


class ProgressPrinter:
    """A progress callback writing :func:`format_progress` lines to ``stream``."""

    def __init__(self, stream: TextIO, *, terminal: bool | None = None) -> None:
        self.stream = stream
        self.terminal = stream.isatty() if terminal is None else terminal
        self._last_tenth = -1

    def __call__(self, progress: RunProgress) -> None:
        line = format_progress(progress)
        done, total = progress.runs_done, progress.runs_total
        if self.terminal:
            end = "\n" if done >= total else ""
            self.stream.write(f"\r{line}\x1b[K{end}")
        else:
            tenth = 10 * done // total if total else 10
            if tenth == self._last_tenth and done < total:
                return
            self._last_tenth = tenth
            self.stream.write(line + "\n")
        self.stream.flush()
