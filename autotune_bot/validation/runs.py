"""The values one A/B run produces, shared by the runner (which makes them) and the statistics
(which compare them). Pure data: no I/O here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Arm", "ResultSource", "RunResult"]

Arm = Literal["control", "variant"]

#: Where a run's figures came from: the JSON record in ``AUTOTUNE_RESULT``, the last line of
#: stdout, or (no record) the wall time and exit status the bot measured itself; "recorded":
#: a record already in the repository's metrics (not a run the bot started).
ResultSource = Literal["result_file", "stdout", "wall_time", "recorded"]


@dataclass(frozen=True)
class RunResult:
    """One run of one arm.

    A failed run (non-zero exit, timeout, or a record saying ``success: false``) is kept: its
    duration and cost are what it spent before it failed, and it counts as a failure in the
    success rate. ``duration_seconds`` is the record's duration when the record has one, else
    the measured wall time (for a timeout: the time limit).
    """

    arm: Arm
    trial: int  # 0-based index of the pair; both runs of one pair share it
    input: str | None  # the task input, or None when no inputs are configured
    duration_seconds: float
    cost_usd: float | None  # None when the run reported no cost
    success: bool
    exit_code: int | None  # None when the run was killed at its time limit
    timed_out: bool
    source: ResultSource
    note: str | None = None  # why the record was not used, or what failed
